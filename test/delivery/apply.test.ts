// Apply mode with real Terraform and a real PostgreSQL (pg backend), started on loopback by
// this file. The stack uses only the built-in terraform_data resource, so it runs here.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { bundleContainerScript } from '../../src/cli/bundle.js';
import { readConfig } from '../../src/cli/project.js';
import { render } from '../../src/cli/render.js';
import { applyInWorkflow, pgBackend } from '../../src/promise/delivery.js';
import { requestSlug } from '../../src/workflow/run.js';
import echo from '../fixtures/echo/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { REPO } from '../helpers/project.js';
import { requestYaml, runRequest, type WorkflowRun } from '../helpers/workflow.js';

const SCHEMA = 'kratix_apply_test';
const CLOUD_SECRET = 'AKIA-not-real-but-secret-4242';
const SECRET_VALUE = 'hunter2-from-a-kubernetes-secret';
let pg: TestPostgres;
let env: Record<string, string>;
let kubeApi: Server;
const runs: WorkflowRun[] = [];

const applied = (lockTimeout = '5m') => ({ ...echo, delivery: applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }), lockTimeout }) });
const meta = (name: string) => ({ name, namespace: 'team-a' });
async function configure(name: string, spec: Record<string, unknown>, lockTimeout?: string, action = 'configure') {
  const run = await runRequest(applied(lockTimeout), requestYaml(echo, spec, meta(name)), { ...env, KRATIX_WORKFLOW_ACTION: action });
  runs.push(run);
  return run;
}
const slug = (name: string) => requestSlug('echo', { metadata: meta(name) });
const stateOf = (name: string) => {
  const row = pg.query(`select data from ${SCHEMA}.states where name = '${slug(name)}'`);
  return row ? JSON.parse(row) : undefined;
};

beforeAll(async () => {
  pg = await startPostgres();
  // A stand-in for the Kubernetes API (there is no cluster here): it serves one Secret.
  kubeApi = createServer((req, res) => {
    if (req.url === '/api/v1/namespaces/team-a/secrets/creds') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { token: Buffer.from(SECRET_VALUE).toString('base64') } }));
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => kubeApi.listen(0, '127.0.0.1', resolve));
  env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? '/root',
    PG_CONN_STR: pg.connStr,
    AWS_SECRET_ACCESS_KEY: CLOUD_SECRET,
    KRATIX_CDKTF_WORK_DIR: mkdtempSync(join(tmpdir(), 'kratix-cdktf-apply-')),
    KRATIX_CDKTF_KUBE_API: `http://127.0.0.1:${(kubeApi.address() as { port: number }).port}`,
  };
});

afterAll(() => {
  pg?.stop();
  kubeApi?.close();
});

describe('the lifecycle of one request', () => {
  test('create: applies, reports outputs and conditions, stores state in its own workspace', async () => {
    const run = await configure('life', { message: 'v1 ${path.root}' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.status.message).toBe('Terraform applied: 1 added, 0 changed, 0 destroyed');
    expect(run.status.outputs).toMatchObject({ message: 'v1 ${path.root}', greeting: 'Hello, v1 ${path.root}!', token: '(sensitive)' });
    expect(run.status.outputs.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.status.terraform).toMatchObject({ delivery: 'apply', backend: 'pg', workspace: slug('life'), changes: { add: 1, change: 0, destroy: 0 } });
    expect(run.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'RequestValid=True',
      'StackSynthesized=True',
      'TerraformApplied=True',
    ]);
    expect(run.output).toEqual({});
    expect(stateOf('life').resources.map((r: { type: string }) => r.type)).toEqual(['terraform_data']);
  });

  test('re-run of an unchanged request: no changes, state untouched', async () => {
    const serial = stateOf('life').serial;
    const run = await configure('life', { message: 'v1 ${path.root}' });
    expect(run.code).toBe(0);
    expect(run.status.message).toBe('Terraform applied: no changes');
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(stateOf('life').serial).toBe(serial);
  });

  test('update: a changed request is changed in place', async () => {
    const id = stateOf('life').resources[0].instances[0].attributes.id;
    const run = await configure('life', { message: 'v2' });
    expect(run.code).toBe(0);
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(run.status.outputs.message).toBe('v2');
    expect(stateOf('life').resources[0].instances[0].attributes.id).toBe(id);
  });

  test('a failing apply is reported in status with Terraform’s error, and exits 1', async () => {
    const run = await configure('life', { message: 'v3', fail: true });
    expect(run.code).toBe(1);
    expect(run.status.conditions.at(-1)).toMatchObject({ type: 'TerraformApplied', status: 'False', reason: 'ApplyFailed' });
    expect(run.status.message).toMatch(/^Terraform apply failed: .*local-exec/);
    expect(run.status.message).toMatch(/the request asked this apply to fail/);
    expect(run.stderr).toMatch(/terraform apply failed/);
  });

  test('delete: destroys the resources and removes the state', async () => {
    expect(stateOf('life')).toBeDefined();
    const run = await configure('life', { message: 'v3' }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.status.message).toMatch(/^Terraform destroyed \d resources? and removed the state$/);
    expect(stateOf('life')).toBeUndefined();
  });
});

test('requests apply in parallel without touching each other’s state, even on their first run', async () => {
  // New workspaces share one backend-wide lock in pg; the runs must wait for it, not fail.
  const names = ['par-a', 'par-b', 'par-c', 'par-d'];
  const all = await Promise.all(names.map((name) => configure(name, { message: name })));
  expect(
    all.map((r) => r.code),
    all.map((r) => r.status.message).join('\n'),
  ).toEqual([0, 0, 0, 0]);
  for (const name of names) expect(stateOf(name).outputs.message.value).toBe(name);
});

describe('the same request twice at once', () => {
  test('the second run waits for the lock, then finds nothing to change', async () => {
    const first = configure('twice', { message: 'x', slowSeconds: 4 });
    await new Promise((r) => setTimeout(r, 2500));
    const second = configure('twice', { message: 'x', slowSeconds: 4 });
    const [a, b] = await Promise.all([first, second]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.status.terraform.changes.add).toBe(1);
    expect(b.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(stateOf('twice').resources).toHaveLength(1);
  });

  test('with no lock timeout, the loser fails with a clear message and the state is intact', async () => {
    await configure('twice-lock', { message: 'x' }, undefined, 'delete');
    const first = configure('twice-lock', { message: 'x', slowSeconds: 5 });
    await new Promise((r) => setTimeout(r, 3000));
    const loser = await configure('twice-lock', { message: 'x', slowSeconds: 5 }, '0s');
    const winner = await first;
    expect(winner.code).toBe(0);
    expect(loser.code).toBe(1);
    expect(loser.status.message).toMatch(/state lock/i);
    expect(stateOf('twice-lock').resources).toHaveLength(1);
    const again = await configure('twice-lock', { message: 'x', slowSeconds: 5 });
    expect(again.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
  });
});

test('a secret reference is read from the Kubernetes API and reaches Terraform, never status', async () => {
  const run = await configure('secret', { token: { name: 'creds', key: 'token' } });
  expect(run.code).toBe(0);
  expect(run.status.outputs.token).toBe('(sensitive)');
  expect(stateOf('secret').outputs.token.value).toBe(SECRET_VALUE); // state holds it, as Terraform state does
});

test('a missing Secret is reported with its name', async () => {
  const run = await configure('nosecret', { token: { name: 'absent', key: 'token' } });
  expect(run.code).toBe(1);
  expect(run.status.message).toMatch(/Secret team-a\/absent does not exist/);
});

test('a dry run plans and changes nothing', async () => {
  const run = await configure('dry', { message: 'x' }, undefined, 'configure');
  const dry = await runRequest(applied(), requestYaml(echo, { message: 'y' }, meta('dry')), { ...env, KRATIX_DRY_RUN: 'true' });
  expect(run.code + dry.code).toBe(0);
  expect(dry.status.message).toMatch(/^Dry run: the plan would add 0, change 1, destroy 0$/);
  expect(stateOf('dry').outputs.message.value).toBe('x');
});

test('credentials from the environment and secret values appear nowhere the workflow wrote', () => {
  expect(runs.length).toBeGreaterThan(10);
  for (const run of runs) {
    const written = [run.stdout, run.stderr, ...Object.values(run.output), ...Object.values(run.metadata)].join('\n');
    for (const secret of [pg.password, CLOUD_SECRET, SECRET_VALUE]) expect(written).not.toContain(secret);
  }
});

test('the bundled container script, from its startup snapshot, applies and destroys too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-snap-'));
  const config = { root: REPO, image: 'x', promisesDir: join(REPO, 'test', 'fixtures'), generatedDir: join(dir, 'generated'), bundleBudget: 5_000_000 };
  writeFileSync(join(dir, 'workflow.cjs'), await bundleContainerScript(config, 'echo-applied'));
  const snap = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob', '--build-snapshot', 'workflow.cjs'], { cwd: dir, encoding: 'utf8' });
  expect(snap.status, snap.stderr).toBe(0);
  const run = (action: string) => {
    for (const sub of ['input', 'output', 'metadata']) mkdirSync(join(dir, action, sub), { recursive: true });
    writeFileSync(join(dir, action, 'input', 'object.yaml'), requestYaml(echo, { message: 'from a snapshot' }, meta('snapshot')));
    const result = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...env,
        KRATIX_WORKFLOW_ACTION: action,
        KRATIX_CDKTF_INPUT_DIR: join(dir, action, 'input'),
        KRATIX_CDKTF_OUTPUT_DIR: join(dir, action, 'output'),
        KRATIX_CDKTF_METADATA_DIR: join(dir, action, 'metadata'),
      },
    });
    return { ...result, status: result.status, statusYaml: parse(readFileSync(join(dir, action, 'metadata', 'status.yaml'), 'utf8')) };
  };
  const applied = run('configure');
  expect(applied.stderr).toBe('');
  expect(applied.status).toBe(0);
  expect(applied.statusYaml.outputs.message).toBe('from a snapshot');
  const destroyed = run('delete');
  expect(destroyed.status).toBe(0);
  expect(destroyed.statusYaml.message).toMatch(/^Terraform destroyed 1 resource and removed the state$/);
  for (const text of [applied.stdout, destroyed.stdout]) expect(text).not.toContain(pg.password);
});

describe('deletion is never blocked', () => {
  test('a request that has become invalid is still destroyed', async () => {
    expect((await configure('stale', { message: 'ok' })).code).toBe(0);
    const run = await configure('stale', { message: 'x'.repeat(5000), unknownField: 1 }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/no longer valid; going on, since it is being deleted/);
    expect(stateOf('stale')).toBeUndefined();
  });

  test('a Secret deleted before the request does not stop the destroy', async () => {
    expect((await configure('gone', { token: { name: 'creds', key: 'token' } })).code).toBe(0);
    const run = await configure('gone', { token: { name: 'deleted-already', key: 'token' } }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Secret team-a\/deleted-already does not exist; destroying with an empty value/);
    expect(stateOf('gone')).toBeUndefined();
  });
});

test('when terraform cannot even start, status says so instead of keeping the last success', async () => {
  const run = await runRequest(applied(), requestYaml(echo, {}, meta('nobinary')), { ...env, PATH: '/nonexistent' });
  expect(run.code).toBe(1);
  expect(run.status.conditions.at(-1)).toMatchObject({ type: 'TerraformApplied', status: 'False', reason: 'RunFailed' });
  expect(run.status.message).toMatch(/Terraform could not be run: cannot run terraform/);
});

test('render --apply runs an apply-mode Promise with the caller’s environment, as a Pipeline’s envFrom would', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kratix-cdktf-render-apply-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'p', version: '1.0.0', type: 'module', 'kratix-cdktf': { promisesDir: join(REPO, 'test', 'fixtures') } }),
  );
  writeFileSync(join(root, 'request.yaml'), requestYaml(echo, { message: 'rendered' }, meta('rendered')));
  const printed: string[] = [];
  const log = { info: (l: string) => printed.push(l), error: (l: string) => printed.push(l) };
  const renderApply = (action: 'configure' | 'delete') =>
    render(
      readConfig(root),
      { promise: 'echo-applied', requestFile: 'request.yaml', outDir: action, action, apply: true, env: { ...process.env, PG_CONN_STR: pg.connStr } },
      log,
    );
  expect(await renderApply('configure'), printed.join('\n')).toBe(0);
  expect(printed.join('\n')).toMatch(/Terraform applied: 1 added/);
  expect(parse(readFileSync(join(root, 'configure', 'object.yaml'), 'utf8')).status.outputs.message).toBe('rendered');
  expect(await renderApply('delete')).toBe(0);
  expect(printed.join('\n')).toMatch(/Terraform destroyed 1 resource and removed the state/);
  expect(printed.join('\n')).not.toContain(pg.password);
});
