import { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { definePromise, type Infer, tofuController, Type } from 'kratix-cdktf';

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
  description: 'A namespace for a team on a shared Kubernetes cluster: quota, container defaults, Pod Security and access for one identity-provider group.',
  version: 'v0.1.0',
  api: { group: 'platform.example.com', version: 'v1alpha1', kind: 'TeamEnvironment', shortNames: ['teamenv'] },
  // The Flux source the platform created on each destination (README: Delivery: Flux tofu-controller).
  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
  spec,
  destinationSelectors: [{ matchLabels: { environment: 'dev' } }],
  outputs: {
    namespace: { description: 'Name of the namespace created.' },
  },
  stack(scope, { metadata, spec }) {
    // In-cluster credentials of whatever applies the stack (the workflow or tofu-controller runner).
    new KubernetesProvider(scope, 'kubernetes', {});
    const ns = new NamespaceV1(scope, 'namespace', {
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
    });
    const inNamespace = { name: 'team', namespace: ns.metadata.name };
    new ResourceQuotaV1(scope, 'quota', {
      metadata: inNamespace,
      spec: { hard: { 'requests.cpu': spec.quota.cpu, 'requests.memory': spec.quota.memory, pods: String(spec.quota.pods) } },
    });
    new LimitRangeV1(scope, 'limits', {
      metadata: inNamespace,
      spec: {
        limit: [
          {
            type: 'Container',
            defaultRequest: { cpu: spec.containerDefaults.cpuRequest, memory: spec.containerDefaults.memoryRequest },
            default: { cpu: spec.containerDefaults.cpuLimit, memory: spec.containerDefaults.memoryLimit },
          },
        ],
      },
    });
    new RoleBindingV1(scope, 'access', {
      metadata: { name: `team-${spec.access}`, namespace: ns.metadata.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: spec.access },
      subject: [{ kind: 'Group', name: spec.group, apiGroup: 'rbac.authorization.k8s.io' }],
    });
    return { namespace: ns.metadata.name };
  },
});
