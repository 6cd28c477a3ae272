// Apply mode with real Terraform and a real PostgreSQL (pg backend), started on loopback for
// this file (test/helpers/apply-env.ts): the lifecycle of a request, parallel requests, secrets
// and dry runs (locking is in apply-locks.test.ts, on a server of its own). The stack uses only the built-in terraform_data resource, so it runs here.
import { describe, expect, test } from 'vitest';
import echo from '../fixtures/echo/index.js';
import { applyEnvironment, meta, SECRET_VALUE } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const t = applyEnvironment('kratix_apply_test');

describe('the lifecycle of one request', () => {
  test('create: applies, reports outputs and conditions, stores state in its own workspace', async () => {
    const run = await t.configure('life', { message: 'v1 ${path.root}' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.status.message).toBe('Terraform applied: 1 added, 0 changed, 0 destroyed');
    expect(run.status.outputs).toMatchObject({ message: 'v1 ${path.root}', greeting: 'Hello, v1 ${path.root}!', token: '(sensitive)' });
    expect(run.status.outputs.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.status.terraform).toMatchObject({ delivery: 'apply', backend: 'pg', workspace: t.slug('life'), changes: { add: 1, change: 0, destroy: 0 } });
    expect(run.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'RequestValid=True',
      'StackSynthesized=True',
      'TerraformApplied=True',
    ]);
    expect(run.output).toEqual({});
    expect(t.stateOf('life').resources.map((r: { type: string }) => r.type)).toEqual(['terraform_data']);
  });

  test('re-run of an unchanged request: no changes, state untouched', async () => {
    const serial = t.stateOf('life').serial;
    const run = await t.configure('life', { message: 'v1 ${path.root}' });
    expect(run.code).toBe(0);
    expect(run.status.message).toBe('Terraform applied: no changes');
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(t.stateOf('life').serial).toBe(serial);
  });

  test('update: a changed request is changed in place', async () => {
    const id = t.stateOf('life').resources[0].instances[0].attributes.id;
    const run = await t.configure('life', { message: 'v2' });
    expect(run.code).toBe(0);
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(run.status.outputs.message).toBe('v2');
    expect(t.stateOf('life').resources[0].instances[0].attributes.id).toBe(id);
  });

  test('a failing apply is reported in status with Terraform’s error, and exits 1', async () => {
    const run = await t.configure('life', { message: 'v3', fail: true });
    expect(run.code).toBe(1);
    expect(run.status.conditions.at(-1)).toMatchObject({ type: 'TerraformApplied', status: 'False', reason: 'ApplyFailed' });
    expect(run.status.message).toMatch(/^Terraform apply failed: .*local-exec/);
    expect(run.status.message).toMatch(/the request asked this apply to fail/);
    expect(run.stderr).toMatch(/terraform apply failed/);
  });

  test('delete: destroys the resources and removes the state', async () => {
    expect(t.stateOf('life')).toBeDefined();
    const run = await t.configure('life', { message: 'v3' }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.status.message).toMatch(/^Terraform destroyed \d resources? and removed the state$/);
    expect(t.stateOf('life')).toBeUndefined();
  });
});

test('requests apply in parallel without touching each other’s state, even on their first run', async () => {
  // New workspaces share one backend-wide lock in pg; the runs must wait for it, not fail.
  const names = ['par-a', 'par-b', 'par-c', 'par-d'];
  const all = await Promise.all(names.map((name) => t.configure(name, { message: name })));
  expect(
    all.map((r) => r.code),
    all.map((r) => r.status.message).join('\n'),
  ).toEqual([0, 0, 0, 0]);
  for (const name of names) expect(t.stateOf(name).outputs.message.value).toBe(name);
});

test('a secret reference is read from the Kubernetes API and reaches Terraform, never status', async () => {
  const run = await t.configure('secret', { token: { name: 'creds', key: 'token' } });
  expect(run.code).toBe(0);
  expect(run.status.outputs.token).toBe('(sensitive)');
  expect(t.stateOf('secret').outputs.token.value).toBe(SECRET_VALUE); // state holds it, as Terraform state does
});

test('a missing Secret is reported with its name', async () => {
  const run = await t.configure('nosecret', { token: { name: 'absent', key: 'token' } });
  expect(run.code).toBe(1);
  expect(run.status.message).toMatch(/Secret team-a\/absent does not exist/);
});

test('a dry run plans and changes nothing', async () => {
  const run = await t.configure('dry', { message: 'x' }, undefined, 'configure');
  const dry = await runRequest(t.applied(), requestYaml(echo, { message: 'y' }, meta('dry')), { ...t.env, KRATIX_DRY_RUN: 'true' });
  expect(run.code + dry.code).toBe(0);
  expect(dry.status.message).toMatch(/^Dry run: the plan would add 0, change 1, destroy 0$/);
  expect(t.stateOf('dry').outputs.message.value).toBe('x');
});

test('credentials from the environment and secret values appear nowhere the workflow wrote', () => {
  expect(t.runs.length).toBeGreaterThan(10);
  t.expectNoSecretsWritten();
});
