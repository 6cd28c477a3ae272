import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { definePromise, type Infer, Type } from 'kratix-cdktf';
import { platformDecoration, platformBackstage } from '../platform.js';

// Plain Kubernetes objects, which Kratix applies itself: no Terraform, state or controller for a
// namespace and three objects in it. Typed and checked against the Kubernetes OpenAPI schema by
// kubernetes-models (each object's validate(), which the workflow calls).

// Kubernetes resource quantities as users write them: 500m, 2, 1.5, 512Mi, 4Gi.
const cpu = (description: string, def: string) => Type.String({ default: def, pattern: '^[0-9]+(\\.[0-9]+)?m?$', description });
const memory = (description: string, def: string) => Type.String({ default: def, pattern: '^[0-9]+(Ki|Mi|Gi|Ti)$', description });

export const spec = Type.Object({
  namespace: Type.String({
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    maxLength: 63,
    description: 'Name of the namespace to create.',
    printerColumn: 'Namespace',
    'x-kubernetes-validations': [{ rule: "!self.startsWith('kube-') && self != 'default'", message: 'must not be default or start with kube-' }],
  }),
  group: Type.String({ minLength: 1, maxLength: 256, description: 'Identity-provider group whose members get access.', printerColumn: 'Group' }),
  access: Type.Union([Type.Literal('view'), Type.Literal('edit'), Type.Literal('admin')], {
    default: 'edit',
    description: 'Built-in ClusterRole granted to the group inside the namespace.',
  }),
  podSecurity: Type.Union([Type.Literal('restricted'), Type.Literal('baseline')], {
    default: 'restricted',
    description: 'Pod Security Standard enforced in the namespace.',
  }),
  quota: Type.Object(
    {
      cpu: cpu('Total CPU requests allowed in the namespace.', '4'),
      memory: memory('Total memory requests allowed in the namespace.', '8Gi'),
      pods: Type.Integer({ default: 50, minimum: 1, maximum: 1000, description: 'Most pods at once.' }),
    },
    { description: 'Resource quota of the namespace.' },
  ),
  containerDefaults: Type.Object(
    {
      cpuRequest: cpu('CPU request of a container that sets none.', '100m'),
      memoryRequest: memory('Memory request of a container that sets none.', '128Mi'),
      cpuLimit: cpu('CPU limit of a container that sets none.', '500m'),
      memoryLimit: memory('Memory limit of a container that sets none.', '512Mi'),
    },
    { description: 'Defaults for containers that declare no resources (a LimitRange).' },
  ),
  labels: Type.Record(Type.String(), Type.String({ maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' }), {
    default: {},
    maxProperties: 20,
    description: 'Extra labels on the namespace.',
    'x-kubernetes-validations': [
      {
        rule: "self.all(k, k.matches('^([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'))",
        message: 'label keys must be valid Kubernetes label keys',
      },
      {
        rule: "self.all(k, !k.startsWith('kratix.io/') && !k.startsWith('pod-security.kubernetes.io/'))",
        message: 'kratix.io/ and pod-security.kubernetes.io/ labels are set by the platform',
      },
    ],
  }),
});

export type TeamEnvSpec = Infer<typeof spec>;

export default definePromise({
  name: 'team-env',
  decorate: [platformDecoration],
  backstage: platformBackstage,
  description: 'A namespace for a team on a shared Kubernetes cluster: quota, container defaults, Pod Security and access for one identity-provider group.',
  version: 'v0.2.0',
  api: { group: 'platform.example.com', version: 'v1alpha1', kind: 'TeamEnvironment', shortNames: ['teamenv'] },
  spec,
  destinationSelectors: [{ matchLabels: { environment: 'dev' } }],
  manifests({ metadata, spec }) {
    const inNamespace = { name: 'team', namespace: spec.namespace };
    return [
      new Namespace({
        metadata: {
          name: spec.namespace,
          labels: {
            ...spec.labels,
            'app.kubernetes.io/managed-by': 'kratix',
            'kratix.io/resource-name': metadata.name,
            'kratix.io/resource-namespace': metadata.namespace,
            'pod-security.kubernetes.io/enforce': spec.podSecurity,
          },
        },
      }),
      new ResourceQuota({
        metadata: inNamespace,
        spec: { hard: { 'requests.cpu': spec.quota.cpu, 'requests.memory': spec.quota.memory, pods: String(spec.quota.pods) } },
      }),
      new LimitRange({
        metadata: inNamespace,
        spec: {
          limits: [
            {
              type: 'Container',
              defaultRequest: { cpu: spec.containerDefaults.cpuRequest, memory: spec.containerDefaults.memoryRequest },
              default: { cpu: spec.containerDefaults.cpuLimit, memory: spec.containerDefaults.memoryLimit },
            },
          ],
        },
      }),
      new RoleBinding({
        metadata: { name: `team-${spec.access}`, namespace: spec.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: spec.access },
        subjects: [{ kind: 'Group', name: spec.group, apiGroup: 'rbac.authorization.k8s.io' }],
      }),
    ];
  },
});
