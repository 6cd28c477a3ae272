import type { RemoteState } from '../delivery.js';
import type { Backend } from './options.js';

/**
 * The backend block for apply mode. Every request shares the Promise's backend location and gets
 * its own workspace (named by its slug), so state is unique per request, locks are per request,
 * and deleting the workspace after destroy removes the state. Credentials are never written
 * here: each backend reads them from the environment.
 */
export function backendBlock(backend: Backend, promise: string, slug: string): Record<string, unknown> {
  switch (backend.kind) {
    case 'pg':
      return { backend: { pg: { schema_name: backend.schemaName ?? 'kratix_cdktf' } } };
    case 's3':
      return {
        backend: {
          s3: {
            bucket: backend.bucket,
            region: backend.region,
            key: backend.key ?? `${promise}/terraform.tfstate`,
            workspace_key_prefix: backend.workspaceKeyPrefix ?? 'kratix',
            use_lockfile: true,
            encrypt: true,
          },
        },
      };
    case 'kubernetes':
      return { backend: { kubernetes: { namespace: backend.namespace, secret_suffix: backend.secretSuffix ?? promise, in_cluster_config: true } } };
    case 'hcp-terraform':
      // HCP Terraform names workspaces itself: one per request, selected by name.
      return {
        cloud: {
          organization: backend.organization,
          ...(backend.hostname ? { hostname: backend.hostname } : {}),
          workspaces: { name: slug, ...(backend.project ? { project: backend.project } : {}) },
        },
      };
  }
}

/**
 * The same location as {@link backendBlock}, for a `terraform_remote_state` data source that reads
 * the state of workspace `slug` (Terraform's builtin provider takes each backend's settings).
 * HCP Terraform is read through the `remote` backend, which names one workspace.
 */
export function remoteState(backend: Backend, promise: string, slug: string): RemoteState {
  if (backend.kind === 'hcp-terraform')
    return {
      backend: 'remote',
      config: { organization: backend.organization, ...(backend.hostname ? { hostname: backend.hostname } : {}), workspaces: { name: slug } },
    };
  const [kind, config] = Object.entries((backendBlock(backend, promise, slug) as { backend: Record<string, Record<string, unknown>> }).backend)[0]!;
  // Locking settings mean nothing to a reader.
  const { use_lockfile: _lock, ...read } = config;
  return { backend: kind, config: read, workspace: slug };
}

/**
 * Where a terraform process killed while holding the state lock leaves it, and how it is
 * released, for status (from Terraform 1.11's internal/backend/remote-state/<backend>/client.go
 * and internal/cloud/state.go; the README's "Releasing a state lock" has the commands).
 */
export function lockLocation(backend: Backend, promise: string, slug: string): string {
  switch (backend.kind) {
    case 'pg':
      // Session-level advisory locks: PostgreSQL drops them when the connection closes.
      return 'the pg backend’s lock is a PostgreSQL advisory lock, released when its database session ended with terraform';
    case 's3': {
      const key = `${backend.workspaceKeyPrefix ?? 'kratix'}/${slug}/${backend.key ?? `${promise}/terraform.tfstate`}.tflock`;
      return `the state lock may still be held by the lock file s3://${backend.bucket}/${key}; if it is, delete it or run terraform force-unlock with the ID it holds`;
    }
    case 'kubernetes':
      return `the state lock may still be held by the Lease ${backend.namespace}/lock-tfstate-${slug}-${backend.secretSuffix ?? promise}; if it is, delete it or run terraform force-unlock with its holderIdentity`;
    case 'hcp-terraform':
      return `the HCP Terraform workspace ${slug} may still be locked; if it is, unlock it in HCP Terraform (Settings, Locking) or run terraform force-unlock ${backend.organization}/${slug}`;
  }
}

/** Whether the backend selects the workspace itself (HCP Terraform) rather than through `terraform workspace`. */
export function namesItsOwnWorkspace(backend: Backend): boolean {
  return backend.kind === 'hcp-terraform';
}

/**
 * The environment variables a backend reads its credentials from, by name. The workflow passes
 * its whole environment to Terraform; these are the ones the platform team must provide.
 */
export function backendCredentials(backend: Backend): readonly string[] {
  switch (backend.kind) {
    case 'pg':
      return ['PG_CONN_STR'];
    case 's3':
      // Static keys, or IRSA's web identity; Terraform's AWS SDK takes whichever is set.
      return ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
    case 'kubernetes':
      // in_cluster_config: the pod's service account token, found through these.
      return ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'];
    case 'hcp-terraform':
      // Terraform's host-token variable: dots become "_", dashes "__".
      return [`TF_TOKEN_${(backend.hostname ?? 'app.terraform.io').replaceAll('-', '__').replaceAll('.', '_')}`];
  }
}
