// Apply mode with real Terraform and a real PostgreSQL (pg backend), started on loopback for
// this file (test/helpers/apply-env.ts): the lifecycle of a request, concurrency and locking,
// secrets and dry runs. The stack uses only the built-in terraform_data resource, so it runs here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

// Holds pg's workspace-creation lock from another session until released.
function holdCreationLock() {
  const holder = spawn('psql', [`${t.pg.connStr}&application_name=lock-holder`, '-Atqc', 'select pg_advisory_lock(-1); select pg_sleep(60);']);
  const exited = new Promise((resolve) => holder.on('exit', resolve));
  return {
    async release() {
      // The server would hold the lock for the whole sleep after psql is killed: end the session.
      t.pg.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lock-holder'");
      await exited;
    },
  };
}

test('a first run waits while another run holds the pg backend’s workspace-creation lock, instead of failing at once', async () => {
  // pg takes advisory lock -1 to create or delete any workspace and gives up at once when it is
  // taken (Terraform's pg backend, client.go). Hold it from another session for 2 s.
  const holder = spawn('psql', [t.pg.connStr, '-Atqc', 'select pg_advisory_lock(-1); select pg_sleep(2);']);
  const released = new Promise((resolve) => holder.on('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const run = await t.configure('behind-the-lock', { message: 'waited' });
  await released;
  expect(run.code, run.status.message).toBe(0);
  expect(t.stateOf('behind-the-lock').outputs.message.value).toBe('waited');
});

test('a first run stops waiting for that lock at the lock timeout, and says what it met', async () => {
  const holder = holdCreationLock();
  await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const run = await t.configure('short-wait', { message: 'x' }, '3s');
    expect(run.code).toBe(1);
    expect(run.status.message).toMatch(
      /^Terraform workspace select failed: failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-short-wait-/,
    );
    // The waits it announces stay within the lock timeout (how many fit depends on the load).
    const waits = [...run.stdout.matchAll(/trying again in (\d+\.\d+) s/g)].map((m) => Number(m[1]));
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
  } finally {
    await holder.release();
  }
});

test('a delete waits while another run holds the workspace-creation lock, and leaves no state', async () => {
  expect((await t.configure('delete-behind-lock', { message: 'x' })).code).toBe(0);
  // Another run takes the lock just as this run deletes its workspace: a terraform first on the
  // PATH takes it from another session for 2 s, once, waits until it is held, then runs the real one.
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-wrapper-'));
  const real = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8', env: t.env }).stdout.trim();
  const held = "select count(*) from pg_locks where locktype = 'advisory' and granted and classid = 4294967295 and objid = 4294967295";
  writeFileSync(
    join(dir, 'terraform'),
    [
      '#!/bin/sh',
      `if [ "$1 $2" = "workspace delete" ] && mkdir "$0.once" 2>/dev/null; then`,
      `  psql "$PG_CONN_STR" -Atqc 'select pg_advisory_lock(-1); select pg_sleep(2)' >/dev/null &`,
      `  until [ "$(psql "$PG_CONN_STR" -Atqc "${held}")" = 1 ]; do sleep 0.05; done`,
      'fi',
      `exec ${real} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const run = await runRequest(t.applied(), requestYaml(echo, { message: 'x' }, meta('delete-behind-lock')), {
    ...t.env,
    PATH: `${dir}:${t.env.PATH}`,
    KRATIX_WORKFLOW_ACTION: 'delete',
  });
  expect(run.code, run.status.message).toBe(0);
  expect(run.stdout).toMatch(/terraform workspace delete met another run \(.*already locked for workspace creation/);
  expect(t.stateOf('delete-behind-lock')).toBeUndefined();
});

describe('the same request twice at once', () => {
  test('the second run waits for the lock, then finds nothing to change', async () => {
    const first = t.configure('twice', { message: 'x', slowSeconds: 4 });
    await new Promise((r) => setTimeout(r, 2500));
    const second = t.configure('twice', { message: 'x', slowSeconds: 4 });
    const [a, b] = await Promise.all([first, second]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.status.terraform.changes.add).toBe(1);
    expect(b.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(t.stateOf('twice').resources).toHaveLength(1);
  });

  test('with no lock timeout, the loser fails with a clear message and the state is intact', async () => {
    await t.configure('twice-lock', { message: 'x' }, undefined, 'delete');
    const first = t.configure('twice-lock', { message: 'x', slowSeconds: 5 });
    await new Promise((r) => setTimeout(r, 3000));
    const loser = await t.configure('twice-lock', { message: 'x', slowSeconds: 5 }, '0s');
    const winner = await first;
    expect(winner.code).toBe(0);
    expect(loser.code).toBe(1);
    expect(loser.status.message).toMatch(/state lock/i);
    expect(t.stateOf('twice-lock').resources).toHaveLength(1);
    const again = await t.configure('twice-lock', { message: 'x', slowSeconds: 5 });
    expect(again.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
  });
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
