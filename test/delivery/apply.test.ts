// Apply mode with real Terraform and a real PostgreSQL (pg backend), started on loopback for
// this file (test/helpers/apply-env.ts): the lifecycle of a request, parallel requests, secrets
// and dry runs (locking is in apply-locks.test.ts, on a server of its own). The stack uses only the built-in terraform_data resource, so it runs here.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
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
      'Drifted=False',
      'Ready=True',
    ]);
    expect(run.output).toEqual({});
    // The request's resource, and the record of its owner, which its next plans check.
    expect(t.stateOf('life').resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`)).toEqual([
      'terraform_data.echo',
      'terraform_data.kratix_cdktf_owner',
      'terraform_data.kratix_cdktf_stack',
    ]);
    expect(t.stateOf('life').resources[1].instances[0].attributes.output.value).toBe('echo/team-a/life');
    expect(t.stateOf('life').outputs.kratix_cdktf_owner.value).toBe('echo/team-a/life');
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

  test('a failing apply is reported in status with Terraform’s error, and Kratix is asked to run it again later', async () => {
    const run = await t.configure('life', { message: 'v3', fail: true });
    // Exit 0, so that Kratix's status-writer runs; workflow-control.yaml asks for the retry.
    expect(run.ending).toBe('retry');
    expect(run.control).toEqual({ retryAfter: '30s', message: run.status.message });
    expect(run.status.conditions.find((c: { type: string }) => c.type === 'TerraformApplied')).toMatchObject({ status: 'False', reason: 'ApplyFailed' });
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
  expect(run.ending).toBe('retry');
  expect(run.status.message).toMatch(/Secret team-a\/absent does not exist/);
});

describe('a dry run (a Kratix DryRun, KRATIX_DRY_RUN=true)', () => {
  const dryRun = (name: string, spec: Record<string, unknown>) =>
    runRequest(t.applied(), requestYaml(echo, spec, meta(name)), { ...t.env, KRATIX_DRY_RUN: 'true' });

  test('of a new request plans against an empty state and creates no workspace and no state', async () => {
    const dry = await dryRun('dry-new', { message: 'x' });
    expect(dry.ending, dry.stderr).toBe('done');
    const workspaces = t.pg.query(`select count(*) from kratix_apply_test.states where name = '${t.slug('dry-new')}'`);
    expect(workspaces).toBe('0');
    // Kratix overwrites status.message with "Dry run executed" and reads the output: the plan is there.
    const plan = parse(dry.output['dry-run.yaml']!);
    expect(plan).toMatchObject({ request: 'team-a/dry-new', action: 'apply', ok: true, message: 'Dry run: the plan would add 1, change 0, destroy 0' });
    expect(plan.planned).toEqual([{ address: 'terraform_data.echo', action: 'create' }]);
    expect(plan.terraform.workspace).toBe(`${t.slug('dry-new')} (not created: a dry run)`);
    expect(dry.status.dryRun).toMatchObject({ planned: plan.planned, message: plan.message });
    // Nothing was applied: the condition says planned, and TerraformApplied is not touched.
    expect(dry.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'RequestValid=True',
      'StackSynthesized=True',
      'TerraformPlanned=True',
    ]);
  });

  test('of an existing request plans the change against its state and changes nothing', async () => {
    expect((await t.configure('dry', { message: 'x' })).code).toBe(0);
    const serial = t.stateOf('dry').serial;
    const dry = await dryRun('dry', { message: 'y' });
    expect(dry.ending).toBe('done');
    expect(dry.status.message).toBe('Dry run: the plan would add 0, change 1, destroy 0');
    expect(parse(dry.output['dry-run.yaml']!).planned).toEqual([{ address: 'terraform_data.echo', action: 'update' }]);
    expect(t.stateOf('dry').outputs.message.value).toBe('x');
    expect(t.stateOf('dry').serial).toBe(serial);
  });

  test('a failed dry run is reported where the DryRun is read, and is not retried', async () => {
    const dry = await runRequest(t.applied(), requestYaml(echo, { message: 'x' }, meta('dry-broken')), {
      ...t.env,
      KRATIX_DRY_RUN: 'true',
      PG_CONN_STR: 'postgres://nobody@127.0.0.1:1/none?sslmode=disable',
    });
    expect(dry.ending).toBe('done');
    expect(parse(dry.output['dry-run.yaml']!)).toMatchObject({ ok: false, message: expect.stringMatching(/^Terraform init failed/) });
    expect(dry.status.conditions.at(-1)).toMatchObject({ type: 'TerraformPlanned', status: 'False', reason: 'InitFailed' });
  });
});

test('credentials from the environment and secret values appear nowhere the workflow wrote', () => {
  expect(t.runs.length).toBeGreaterThan(10);
  t.expectNoSecretsWritten();
});
