// Apply mode under contention, with real Terraform and a real PostgreSQL (pg backend) of this
// file's own: pg's backend-wide workspace-creation lock and a request's state lock, held by
// another session or another run. Its own server, so that the locks held here stall no other
// file's runs (and the waits here overlap with other files' work).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import echo from '../fixtures/echo/index.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const t = applyEnvironment('kratix_apply_locks');

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
    expect(run.ending).toBe('retry');
    expect(run.status.message).toMatch(
      /^Terraform apply failed: error loading state: failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-short-wait-/,
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
    expect(t.resourcesOf('twice')).toHaveLength(1);
  });

  test('with no lock timeout, the loser fails with a clear message and the state is intact', async () => {
    await t.configure('twice-lock', { message: 'x' }, undefined, 'delete');
    const first = t.configure('twice-lock', { message: 'x', slowSeconds: 5 });
    await new Promise((r) => setTimeout(r, 3000));
    const loser = await t.configure('twice-lock', { message: 'x', slowSeconds: 5 }, '0s');
    const winner = await first;
    expect(winner.code).toBe(0);
    expect(loser.ending).toBe('retry');
    expect(loser.status.message).toMatch(/state lock/i);
    expect(t.resourcesOf('twice-lock')).toHaveLength(1);
    const again = await t.configure('twice-lock', { message: 'x', slowSeconds: 5 });
    expect(again.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
  });
});

test('credentials from the environment and secret values appear nowhere the workflow wrote', () => {
  expect(t.runs.length).toBeGreaterThan(5);
  t.expectNoSecretsWritten();
});
