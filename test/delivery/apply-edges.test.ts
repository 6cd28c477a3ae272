// Apply mode at its edges, with real Terraform and PostgreSQL (test/helpers/apply-env.ts): the
// bundled container script from its startup snapshot, a run stopped by SIGTERM, deletion that
// must never be blocked, terraform missing, and render --apply. A file of its own so it runs
// beside apply.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { bundleContainerScript } from '../../src/cli/bundle.js';
import { readConfig } from '../../src/cli/project.js';
import { render } from '../../src/cli/render.js';
import { runApplyDelivery } from '../../src/delivery/apply/run.js';
import { TERRAFORM_ENV } from '../../src/delivery/apply/terraform-cli.js';
import { terraformScript } from '../../src/delivery/apply/terraform-script.js';
import type { ApplyProps } from '../../src/delivery/apply/index.js';
import { synthRequest } from '../../src/terraform/stack.js';
import { requestOwner } from '../../src/delivery/owner.js';
import echo from '../fixtures/echo/index.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { processesIn, until } from '../helpers/processes.js';
import { REPO } from '../helpers/project.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const t = applyEnvironment('kratix_apply_edges_test');

// The echo-applied fixture's container script and its startup snapshot, built once for the tests
// that run it as the image does: `node --snapshot-blob workflow.blob`.
let snapshot: Promise<string> | undefined;
function snapshotDir(): Promise<string> {
  snapshot ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-snap-'));
    const config = { root: REPO, image: 'x', promisesDir: join(REPO, 'test', 'fixtures'), generatedDir: join(dir, 'generated'), bundleBudget: 5_000_000 };
    writeFileSync(join(dir, 'workflow.cjs'), await bundleContainerScript(config, 'echo-applied'));
    const snap = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob', '--build-snapshot', 'workflow.cjs'], { cwd: dir, encoding: 'utf8' });
    expect(snap.status, snap.stderr).toBe(0);
    return dir;
  })();
  return snapshot;
}

test('the bundled container script, from its startup snapshot, applies and destroys too', async () => {
  const dir = await snapshotDir();
  const run = (action: string) => {
    for (const sub of ['input', 'output', 'metadata']) mkdirSync(join(dir, action, sub), { recursive: true });
    writeFileSync(join(dir, action, 'input', 'object.yaml'), requestYaml(echo, { message: 'from a snapshot' }, meta('snapshot')));
    const result = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...t.env,
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
  for (const text of [applied.stdout, destroyed.stdout]) expect(text).not.toContain(t.pg.password);
});

// Runs the container script from its snapshot on a request, as a pod would, until it exits by itself.
function startContainer(dir: string, spec: Record<string, unknown>, name: string, env: Record<string, string> = {}) {
  const run = mkdtempSync(join(tmpdir(), 'kratix-cdktf-snap-run-'));
  for (const sub of ['input', 'output', 'metadata', 'work']) mkdirSync(join(run, sub));
  writeFileSync(join(run, 'input', 'object.yaml'), requestYaml(echo, spec, meta(name)));
  const child = spawn(process.execPath, ['--snapshot-blob', 'workflow.blob'], {
    cwd: dir,
    env: {
      ...t.env,
      KRATIX_WORKFLOW_ACTION: 'configure',
      KRATIX_CDKTF_INPUT_DIR: join(run, 'input'),
      KRATIX_CDKTF_OUTPUT_DIR: join(run, 'output'),
      KRATIX_CDKTF_METADATA_DIR: join(run, 'metadata'),
      KRATIX_CDKTF_WORK_DIR: join(run, 'work'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    out,
    ended,
    work: join(run, 'work'),
    status: () => parse(readFileSync(join(run, 'metadata', 'status.yaml'), 'utf8')),
    cleanUp() {
      child.kill('SIGKILL');
      for (const p of processesIn(join(run, 'work'))) process.kill(p.pid, 'SIGKILL');
    },
  };
}

describe('the container script stopped with SIGTERM', () => {
  test('during a slow apply: terraform is interrupted, both exit, nothing is left and status says so', async () => {
    const container = startContainer(await snapshotDir(), { slowSeconds: 30 }, 'snapshot-stopped');
    try {
      // The provisioner's command runs in the run's folder: terraform holds the state lock and is creating the resource.
      await until('terraform to start creating the resource', () => processesIn(container.work).some((p) => p.cmd.startsWith('sleep ')));
      expect(processesIn(container.work).some((p) => p.cmd.includes('terraform apply'))).toBe(true);
      container.child.kill('SIGTERM');
      // Node exits by itself, with the code of a failed run, not by the signal.
      expect(await container.ended).toEqual({ code: 0, signal: null });
      expect(container.out.stderr).toMatch(/SIGTERM received; stopping terraform, then writing status/);
      expect(processesIn(container.work)).toEqual([]);
      expect(t.pg.query("select count(*) from pg_locks where locktype = 'advisory'")).toBe('0');
      const status = container.status();
      expect(status.message).toMatch(
        /^Terraform was interrupted by SIGTERM during apply and stopped by itself within [\d.]+ s: it saved its state and released the state lock; the next run starts from the saved state$/,
      );
      expect(status.conditions.find((c: { type: string }) => c.type === 'TerraformApplied')).toMatchObject({ status: 'False', reason: 'Interrupted' });
      expect(status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'False', reason: 'Interrupted' });
    } finally {
      container.cleanUp();
    }
  });

  test('twice, while terraform does not stop: the second is not passed on, terraform is killed at the stop timeout, status is written', async () => {
    // A backend that accepts connections and never answers: terraform init waits on it and does not take interrupts.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const container = startContainer(await snapshotDir(), {}, 'snapshot-unanswered', {
      PG_CONN_STR: `postgres://u:p@127.0.0.1:${port}/db?sslmode=disable`,
      KRATIX_CDKTF_STOP_TIMEOUT: '2s',
    });
    try {
      await until('terraform init to connect to the backend', () => sockets.length > 0);
      container.child.kill('SIGTERM');
      await until('the workflow to take the first SIGTERM', () => container.out.stderr.includes('SIGTERM received'));
      container.child.kill('SIGTERM');
      expect(await container.ended).toEqual({ code: 0, signal: null });
      expect(container.out.stderr).toMatch(/SIGTERM received; stopping terraform[\s\S]*SIGTERM again; already stopping, waiting for terraform to exit/);
      expect(container.out.stdout).toMatch(/terraform had not stopped 2\.0 s after SIGTERM: killing it/);
      expect(container.status().message).toMatch(
        /^Terraform was interrupted by SIGTERM during init and had not stopped 2\.0 s later, so it was killed \(SIGKILL\)/,
      );
      expect(processesIn(container.work)).toEqual([]);
    } finally {
      container.cleanUp();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('a run that is stopped (SIGTERM)', () => {
  const pgAdvisoryLocks = () => t.pg.query("select count(*) from pg_locks where locktype = 'advisory'");

  test('during a slow apply terraform stops by itself, leaves nothing running and releases the state lock', async () => {
    const work = mkdtempSync(join(tmpdir(), 'kratix-cdktf-stop-'));
    const stop = new AbortController();
    const running = runRequest(
      t.applied(),
      requestYaml(echo, { slowSeconds: 30 }, meta('stopped')),
      { ...t.env, KRATIX_CDKTF_WORK_DIR: work },
      { signal: stop.signal },
    );
    try {
      // The provisioner's command runs in the run's folder: terraform holds the state lock and is creating the resource.
      await until('terraform to start creating the resource', () => processesIn(work).some((p) => p.cmd.startsWith('sleep ')));
      expect(pgAdvisoryLocks()).not.toBe('0');
      stop.abort('SIGTERM');
      const run = await running;
      expect(run.ending).toBe('retry');
      expect(run.status.message).toMatch(
        /^Terraform was interrupted by SIGTERM during apply and stopped by itself within [\d.]+ s: it saved its state and released the state lock; the next run starts from the saved state$/,
      );
      expect(run.status.conditions.find((c: { type: string }) => c.type === 'TerraformApplied')).toMatchObject({ status: 'False', reason: 'Interrupted' });
      expect(run.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'False', reason: 'Interrupted' });
      expect(run.stderr).toMatch(/execution halted/);
      // Nothing terraform started is left, the provisioner's sleep included, and the lock is
      // free: a run that does not wait for locks at all succeeds.
      expect(processesIn(work)).toEqual([]);
      expect(pgAdvisoryLocks()).toBe('0');
      const next = await t.configure('stopped', {}, '0s');
      expect(next.ending).toBe('done');
      // The resource being created when terraform stopped is tainted in the state: it is replaced.
      expect(next.status.message).toBe('Terraform applied: 1 added, 0 changed, 1 destroyed');
    } finally {
      stop.abort();
    }
  });

  test('before terraform starts: nothing runs, no workspace is created, and status says so', async () => {
    const stop = new AbortController();
    stop.abort('SIGTERM');
    const run = await runRequest(t.applied(), requestYaml(echo, {}, meta('early')), t.env, { signal: stop.signal });
    expect(run.ending).toBe('retry');
    expect(run.status.message).toBe(
      'Interrupted by SIGTERM before Terraform started: no terraform command was running, so no state lock is held; the next run starts from the saved state',
    );
    expect(t.stateOf('early')).toBeUndefined();
  });

  test('between two commands: the command that would come next is not started', async () => {
    // A new request: its first apply stops at the owner precondition (the state records no owner
    // yet), and the owner check would come next.
    const def = t.applied();
    const request = { metadata: meta('late'), spec: { message: 'late', labels: {}, items: [], fail: false, slowSeconds: 0 } };
    const { json, secrets } = synthRequest(def, request);
    const stop = new AbortController();
    const result = await runApplyDelivery({
      delivery: def.delivery as unknown as ApplyProps,
      promise: 'echo',
      slug: t.slug('late'),
      owner: requestOwner('echo', request.metadata),
      namespace: 'team-a',
      stack: json,
      secrets,
      action: 'configure',
      dryRun: false,
      outputs: def.outputs ?? {},
      env: t.env,
      // Said when the apply has exited: the signal comes between two commands.
      log: (line) => {
        if (line.includes('found a state that records no owner yet')) stop.abort('SIGTERM');
      },
      signal: stop.signal,
    });
    expect(result).toMatchObject({ ok: false, phase: 'interrupted' });
    expect(result.message).toMatch(
      /^Interrupted by SIGTERM after terraform apply had finished, before terraform owner check: no terraform command was running/,
    );
    expect(t.stateOf('late').resources).toEqual([]);
  });

  test('a stop timeout that is not a duration is refused before anything runs', async () => {
    const run = await runRequest(t.applied(), requestYaml(echo, {}, meta('timeout')), { ...t.env, KRATIX_CDKTF_STOP_TIMEOUT: 'soon' });
    expect(run.status.message).toMatch(/KRATIX_CDKTF_STOP_TIMEOUT="soon" is not a duration such as "25s"/);
  });
});

describe('deletion is never blocked', () => {
  test('a request that has become invalid is still destroyed', async () => {
    expect((await t.configure('stale', { message: 'ok' })).code).toBe(0);
    const run = await t.configure('stale', { message: 'x'.repeat(5000), unknownField: 1 }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/no longer valid; going on, since it is being deleted/);
    expect(t.stateOf('stale')).toBeUndefined();
  });

  test('a Secret deleted before the request does not stop the destroy', async () => {
    expect((await t.configure('gone', { token: { name: 'creds', key: 'token' } })).code).toBe(0);
    const run = await t.configure('gone', { token: { name: 'deleted-already', key: 'token' } }, undefined, 'delete');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Secret team-a\/deleted-already does not exist; destroying with an empty value/);
    expect(t.stateOf('gone')).toBeUndefined();
  });
});

describe('a workspace that belongs to another request', () => {
  // Two requests whose slugs are equal would need an 80-bit hash collision; simulated here by
  // giving request B the workspace of request A, the case the owner check exists for.
  const spec = (message: string) => ({ message, labels: {}, items: [], fail: false, slowSeconds: 0 });
  const asIntruder = async (action: 'configure' | 'delete', workspaceOf: string) => {
    const def = t.applied();
    const request = { metadata: meta('intruder'), spec: spec('B') };
    const { json, secrets } = synthRequest(def, request);
    const lines: string[] = [];
    const result = await runApplyDelivery({
      delivery: def.delivery as unknown as ApplyProps,
      promise: 'echo',
      slug: t.slug(workspaceOf),
      owner: requestOwner('echo', request.metadata),
      namespace: 'team-a',
      stack: json,
      secrets,
      action,
      dryRun: false,
      outputs: def.outputs ?? {},
      env: t.env,
      log: (line) => lines.push(line),
    });
    return { result, log: lines.join('\n') };
  };
  const refused = (result: Awaited<ReturnType<typeof asIntruder>>['result'], owner: string) => {
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ phase: 'owner check' });
    expect(result.message).toMatch(
      new RegExp(`the state in this workspace belongs to "echo/team-a/${owner}", not to this request \\(echo/team-a/intruder\\); nothing was changed`),
    );
  };

  test('is neither applied to nor destroyed, and the run says whose it is', async () => {
    expect((await t.configure('owned', { message: 'A' })).code).toBe(0);
    const before = t.stateOf('owned');
    expect(before.outputs.kratix_cdktf_owner.value).toBe('echo/team-a/owned');
    for (const action of ['configure', 'delete'] as const) {
      const { result, log } = await asIntruder(action, 'owned');
      refused(result, 'owned');
      // A reconcile's apply refuses it in its plan: the owner precondition, no command of its own.
      if (action === 'configure') expect(log).toMatch(/Module output value precondition failed/);
    }
    expect(t.stateOf('owned')).toEqual(before);
    // Its owner still deletes it.
    expect((await t.configure('owned', { message: 'A' }, undefined, 'delete')).code).toBe(0);
    expect(t.stateOf('owned')).toBeUndefined();
  });

  // A state as versions before the owner record wrote it: the owner in an output only.
  const olderState = (name: string) => {
    const def = t.applied();
    const owner = requestOwner('echo', meta(name));
    const script = terraformScript({
      delivery: def.delivery as unknown as ApplyProps,
      promise: 'echo',
      slug: t.slug(name),
      owner,
      namespace: 'team-a',
      stack: synthRequest(def, { metadata: meta(name), spec: spec('A') }).json,
      secrets: [],
      action: 'configure',
      dryRun: false,
    });
    const main = JSON.parse(script.files.get('main.tf.json')!);
    delete main.variable.kratix_cdktf_record_owner;
    if (Object.keys(main.variable).length === 0) delete main.variable;
    delete main.import;
    delete main.resource.terraform_data.kratix_cdktf_owner;
    delete main.resource.terraform_data.kratix_cdktf_stack;
    main.output.kratix_cdktf_owner = { value: owner };
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-older-'));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(main));
    const env = { ...t.env, ...TERRAFORM_ENV };
    for (const [args, workspace] of [
      [['init', '-input=false'], {}],
      [['apply', '-auto-approve', '-input=false'], { TF_WORKSPACE: t.slug(name) }],
    ] as const) {
      const run = spawnSync('terraform', args, { cwd: dir, env: { ...env, ...workspace }, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
    }
    expect(t.stateOf(name).resources.map((r: { name: string }) => r.name)).toEqual(['echo']);
  };

  test('written before owners were recorded as a resource: its owner output is checked, and it is left as it was', async () => {
    olderState('older-owned');
    const before = t.stateOf('older-owned');
    const { result, log } = await asIntruder('configure', 'older-owned');
    refused(result, 'older-owned');
    expect(log).toMatch(/found a state that records no owner yet; next, terraform owner check/);
    expect(t.stateOf('older-owned')).toEqual(before);
  });

  test('written before owners were recorded as a resource, by this request: its next run records the owner and changes nothing else', async () => {
    olderState('older-mine');
    const id = t.stateOf('older-mine').resources[0].instances[0].attributes.id;
    const run = await t.configure('older-mine', { message: 'A' });
    expect(run.code, run.status.message).toBe(0);
    expect(run.status.message).toBe('Terraform applied: no changes');
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(run.status.outputs.message).toBe('A');
    expect(t.stateOf('older-mine').resources.map((r: { name: string }) => r.name)).toEqual(['echo', 'kratix_cdktf_owner', 'kratix_cdktf_stack']);
    // Written before the stack record: nothing to tell drift from, so nothing is taken for it.
    expect(run.status.drift).toMatchObject({ checked: true, found: 0 });
    expect(t.stateOf('older-mine').resources[0].instances[0].attributes.id).toBe(id);
    // From then on, its plans check the recorded owner.
    refused((await asIntruder('configure', 'older-mine')).result, 'older-mine');
  });
});

test('the terraform commands of each run: a reconcile that changes nothing runs init, the drift check’s plan and output only', async () => {
  // A terraform first on the PATH that notes each command, then runs the real one.
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-count-'));
  const real = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8', env: t.env }).stdout.trim();
  writeFileSync(join(dir, 'terraform'), `#!/bin/sh\necho "$1 $2" >> "${dir}/calls"\nexec ${real} "$@"\n`, { mode: 0o755 });
  // With `status`, the request as Kratix passes it after an earlier run: the status that run wrote.
  const counted = async (action = 'configure', status?: unknown) => {
    writeFileSync(join(dir, 'calls'), '');
    const request = { ...JSON.parse(requestYaml(echo, { message: 'x' }, meta('counted'))), ...(status ? { status } : {}) };
    const run = await runRequest(t.applied(), JSON.stringify(request), {
      ...t.env,
      PATH: `${dir}:${t.env.PATH}`,
      KRATIX_WORKFLOW_ACTION: action,
    });
    expect(run.code, run.status.message).toBe(0);
    return { message: run.status.message, calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'), status: run.status };
  };
  // The first run: the new workspace records no owner yet.
  const { status: first, ...firstRun } = await counted();
  expect(firstRun).toEqual({
    message: 'Terraform applied: 1 added, 0 changed, 0 destroyed',
    // The check's plan fails on a state that records no owner yet; then as before the check.
    calls: ['init -input=false', 'plan -input=false', 'apply -auto-approve', 'output -no-color', 'apply -auto-approve'],
  });
  // Nothing to change: the check's plan, and the outputs read; nothing applied.
  const { status: _s, ...noop } = await counted();
  expect(noop).toEqual({ message: 'Terraform applied: no changes', calls: ['init -input=false', 'plan -input=false', 'output -no-color'] });
  // The same, with the status the first run wrote (TerraformApplied=True), as Kratix passes it:
  // the outputs are read while the plan runs, so the two start together, in either order.
  expect(first.conditions).toContainEqual(expect.objectContaining({ type: 'TerraformApplied', status: 'True' }));
  const overlapped = await counted('configure', first);
  expect(overlapped.message).toBe('Terraform applied: no changes');
  expect(overlapped.status.outputs.message).toBe('x');
  expect(overlapped.calls[0]).toBe('init -input=false');
  expect(overlapped.calls.slice(1).sort()).toEqual(['output -no-color', 'plan -input=false']);
  // A requested change: the check's plan is read (show) to tell it from drift, then applied as saved.
  // With the earlier status, the outputs read beside the plan are the old ones: not used.
  writeFileSync(join(dir, 'calls'), '');
  const changedRequest = { ...JSON.parse(requestYaml(echo, { message: 'y' }, meta('counted'))), status: first };
  const changed = await runRequest(t.applied(), JSON.stringify(changedRequest), { ...t.env, PATH: `${dir}:${t.env.PATH}` });
  expect(changed.status.message).toBe('Terraform applied: 0 added, 1 changed, 0 destroyed');
  expect(changed.status.outputs.message).toBe('y');
  const changedCalls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  expect(changedCalls.slice(1, 3).sort()).toEqual(['output -no-color', 'plan -input=false']);
  expect(changedCalls.slice(3)).toEqual(['show -json', 'apply -input=false']);
  const { status: _d, ...deleted } = await counted('delete');
  expect(deleted).toEqual({
    message: 'Terraform destroyed 1 resource and removed the state',
    calls: ['init -input=false', 'output -no-color', 'destroy -auto-approve', 'workspace delete'],
  });
  expect(t.stateOf('counted')).toBeUndefined();
});

test('when terraform cannot even start, status says so instead of keeping the last success', async () => {
  const run = await runRequest(t.applied(), requestYaml(echo, {}, meta('nobinary')), { ...t.env, PATH: '/nonexistent' });
  expect(run.ending).toBe('retry');
  expect(run.status.conditions.find((c: { type: string }) => c.type === 'TerraformApplied')).toMatchObject({ status: 'False', reason: 'RunFailed' });
  expect(run.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'False', reason: 'RunFailed' });
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
      { promise: 'echo-applied', requestFile: 'request.yaml', outDir: action, action, apply: true, env: { ...process.env, PG_CONN_STR: t.pg.connStr } },
      log,
    );
  expect(await renderApply('configure'), printed.join('\n')).toBe(0);
  expect(printed.join('\n')).toMatch(/Terraform applied: 1 added/);
  expect(parse(readFileSync(join(root, 'configure', 'object.yaml'), 'utf8')).status.outputs.message).toBe('rendered');
  expect(await renderApply('delete')).toBe(0);
  expect(printed.join('\n')).toMatch(/Terraform destroyed 1 resource and removed the state/);
  expect(printed.join('\n')).not.toContain(t.pg.password);
});

test('credentials from the environment and secret values appear nowhere the workflow wrote', () => {
  expect(t.runs.length).toBeGreaterThanOrEqual(4);
  t.expectNoSecretsWritten();
});
