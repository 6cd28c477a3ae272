// The backend blocks for the backends that cannot run here (S3, Kubernetes, HCP Terraform) are
// checked by shape only; pg runs for real in apply.test.ts.
import { expect, test } from 'vitest';
import { backendBlock, lockLocation } from '../../src/delivery/apply/backend.js';
import { hcpTerraform, kubernetesBackend, pgBackend, s3Backend } from '../../src/delivery/apply/index.js';

test('pg: one schema per Promise setting, no connection string in the configuration', () => {
  expect(backendBlock(pgBackend(), 'postgres', 'slug')).toEqual({ backend: { pg: { schema_name: 'kratix_cdktf' } } });
});

test('s3: a key per Promise, a workspace per request, S3-native locking and encryption', () => {
  expect(backendBlock(s3Backend({ bucket: 'state', region: 'eu-west-1' }), 'postgres', 'slug')).toEqual({
    backend: {
      s3: { bucket: 'state', region: 'eu-west-1', key: 'postgres/terraform.tfstate', workspace_key_prefix: 'kratix', use_lockfile: true, encrypt: true },
    },
  });
});

test('kubernetes: in-cluster credentials, a secret suffix per Promise', () => {
  expect(backendBlock(kubernetesBackend({ namespace: 'tfstate' }), 'postgres', 'slug')).toEqual({
    backend: { kubernetes: { namespace: 'tfstate', secret_suffix: 'postgres', in_cluster_config: true } },
  });
});

test('HCP Terraform: a workspace named after the request, in the given project; the execution mode is not a cloud block argument', () => {
  expect(backendBlock(hcpTerraform({ organization: 'acme', project: 'platform', executionMode: 'local' }), 'postgres', 'slug')).toEqual({
    cloud: { organization: 'acme', workspaces: { name: 'slug', project: 'platform' } },
  });
});

// Where Terraform 1.11 keeps each backend's lock (internal/backend/remote-state/s3/backend_state.go:
// path(name) + ".tflock"; kubernetes/client.go: "lock-" + "tfstate-<workspace>-<secret_suffix>";
// internal/cloud/state.go: force-unlock takes "<organization>/<workspace>"), for a killed run's status.
test('a killed run names the lock it may have left, as each backend names it', () => {
  expect(lockLocation(pgBackend(), 'postgres', 'slug')).toMatch(/PostgreSQL advisory lock, released when its database session ended/);
  expect(lockLocation(s3Backend({ bucket: 'state', region: 'eu-west-1' }), 'postgres', 'slug')).toMatch(
    /lock file s3:\/\/state\/kratix\/slug\/postgres\/terraform\.tfstate\.tflock;/,
  );
  expect(lockLocation(s3Backend({ bucket: 'b', region: 'r', key: 'k.tfstate', workspaceKeyPrefix: 'p' }), 'postgres', 'slug')).toMatch(
    /s3:\/\/b\/p\/slug\/k\.tfstate\.tflock;/,
  );
  expect(lockLocation(kubernetesBackend({ namespace: 'tfstate' }), 'postgres', 'slug')).toMatch(/the Lease tfstate\/lock-tfstate-slug-postgres;/);
  expect(lockLocation(hcpTerraform({ organization: 'acme', executionMode: 'local' }), 'postgres', 'slug')).toMatch(
    /workspace slug may still be locked; .*terraform force-unlock acme\/slug$/,
  );
});
