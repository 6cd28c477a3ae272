// The backend blocks for the backends that cannot run here (S3, Kubernetes, HCP Terraform) are
// checked by shape only (the kubernetes suffix rule by the real CLI); pg runs for real in apply.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { backendBlock, lockLocation, remoteState } from '../../src/delivery/apply/backend.js';
import { applyInWorkflow, hcpTerraform, kubernetesBackend, pgBackend, s3Backend } from '../../src/delivery/apply/index.js';
import { endsWithGoInt } from '../../src/delivery/secret-names.js';
import { stateSecretSuffix } from '../../src/delivery/tofu-controller/objects.js';
import { requestSlug } from '../../src/workflow/run.js';
import { definePromise } from '../../src/index.js';
import { checkDelivery } from '../../src/kratix/delivery.js';
import { terraform } from '../helpers/terraform.js';
import { WIDGET } from '../helpers/widget.js';

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

// Terraform (since 1.11, internal/backend/remote-state/kubernetes/backend.go, hasNumericSuffix)
// refuses a secret_suffix whose last "-" segment is a Go int, at init, before any API call.
// Asked of the real CLI: an unreachable API address makes init fail either way, but only a
// refused suffix fails with that message.
test('kubernetes: synth refuses a secret suffix that Terraform refuses, and only those', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-kube-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n',
  );
  const refusedByTerraform = (suffix: string) => {
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { backend: { kubernetes: { secret_suffix: suffix, namespace: 'x', config_path: join(dir, 'kubeconfig') } } } }),
    );
    rmSync(join(dir, '.terraform'), { recursive: true, force: true });
    const run = terraform(dir, 'init', '-no-color');
    expect(run.status, suffix).not.toBe(0);
    return run.stderr.includes("secret_suffix must not end with '-<number>'");
  };
  // A Promise name, a 20-digit tail beyond int64, a sign; a real request slug whose hash tail
  // starts with zeros (postgres, team-a/db-50844) and the suffix tofu-controller gets for it.
  const slug = 'postgres-team-a-db-50844-00131658093537260106';
  expect(requestSlug('postgres', { metadata: { name: 'db-50844', namespace: 'team-a' } })).toBe(slug);
  expect(stateSecretSuffix(slug)).toBe(`${slug}-s`);
  for (const suffix of ['pg-16', 'echo-12345678901234567890', 'state-+5', 'state', 'pg-16a', 'x-9223372036854775807', slug, stateSecretSuffix(slug)]) {
    const ours = checkDelivery(
      definePromise({ ...WIDGET, name: 'widget', delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'tf', secretSuffix: suffix }) }) }),
    );
    expect(ours.length > 0, suffix).toBe(refusedByTerraform(suffix));
    expect(endsWithGoInt(suffix), suffix).toBe(ours.length > 0);
  }
  const named = checkDelivery(
    definePromise({ ...WIDGET, name: 'postgres-16', delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'tf' }) }) }),
  );
  expect(named).toEqual([
    expect.objectContaining({
      path: 'name',
      message: expect.stringContaining('"postgres-16" is the kubernetes backend\'s secret_suffix (the Promise name, by default)'),
    }),
  ]);
});

test('a reader of the Promise stack’s state finds it where the backend block put it, in its workspace, without lock settings', () => {
  const slug = 'postgres-promise';
  expect(remoteState(pgBackend({ schemaName: 's' }), 'postgres', slug)).toEqual({ backend: 'pg', config: { schema_name: 's' }, workspace: slug });
  expect(remoteState(s3Backend({ bucket: 'state', region: 'eu-west-1' }), 'postgres', slug)).toEqual({
    backend: 's3',
    config: { bucket: 'state', region: 'eu-west-1', key: 'postgres/terraform.tfstate', workspace_key_prefix: 'kratix', encrypt: true },
    workspace: slug,
  });
  expect(remoteState(kubernetesBackend({ namespace: 'tfstate' }), 'postgres', slug)).toEqual({
    backend: 'kubernetes',
    config: { namespace: 'tfstate', secret_suffix: 'postgres', in_cluster_config: true },
    workspace: slug,
  });
  // HCP Terraform workspaces are read through the remote backend, one workspace by name.
  expect(remoteState(hcpTerraform({ organization: 'acme', executionMode: 'local' }), 'postgres', slug)).toEqual({
    backend: 'remote',
    config: { organization: 'acme', workspaces: { name: slug } },
  });
});
