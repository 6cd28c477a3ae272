// The objects that run cleanup.ts on each destination: a CronJob with the Promise's workflow
// image, and a service account that may read and delete Secrets and read Terraform objects in
// the controller's namespace, nowhere else.
import { CLUSTER_CA_ENV } from '../kube-api.js';
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '../../promise/define-promise.js';
import { DEPENDENCIES_RESOURCES, SECURITY_CONTEXT } from '../../kratix/pipeline.js';

/** The value of KRATIX_CDKTF_TASK that makes the workflow image run the clean-up. */
export const CLEANUP_TASK = 'tofu-controller-cleanup';

/** What the clean-up objects are made from. */
export interface CleanUpJobProps {
  readonly promise: string;
  readonly namespace: string;
  readonly image: string;
  readonly imagePullSecrets: readonly string[];
  /** A cron schedule. */
  readonly schedule: string;
}

// A CronJob's name is at most 52 characters (its Jobs append 11).
function jobName(promise: string): string {
  const name = `kratix-cdktf-cleanup-${promise}`;
  return name.length <= 52 ? name : `kratix-cdktf-cleanup-${createHash('sha256').update(promise).digest('hex').slice(0, 16)}`;
}

export function cleanUpObjects(props: CleanUpJobProps): KubernetesObject[] {
  const name = jobName(props.promise);
  const metadata = {
    name,
    namespace: props.namespace,
    labels: { 'app.kubernetes.io/managed-by': 'kratix-cdktf', 'kratix.io/promise-name': props.promise },
  };
  const pullSecrets = [...new Set(props.imagePullSecrets)];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: ['infra.contrib.fluxcd.io'], resources: ['terraforms'], verbs: ['get', 'list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata,
      spec: {
        schedule: props.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            // A pass makes a few calls per deleted request; one that hangs must not hold the
            // schedule (concurrencyPolicy Forbid skips runs while it lives).
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels: metadata.labels },
              spec: {
                serviceAccountName: name,
                restartPolicy: 'Never',
                ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((secret) => ({ name: secret })) } : {}),
                containers: [
                  {
                    name: 'cleanup',
                    image: props.image,
                    command: ['node', '--snapshot-blob', '/app/workflow.blob'],
                    env: [{ name: 'KRATIX_CDKTF_TASK', value: CLEANUP_TASK }, CLUSTER_CA_ENV],
                    securityContext: SECURITY_CONTEXT,
                    resources: DEPENDENCIES_RESOURCES,
                  },
                ],
              },
            },
          },
        },
      },
    },
  ];
}
