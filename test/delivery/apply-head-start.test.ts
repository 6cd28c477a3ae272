// Apply mode's early init (src/delivery/apply/head-start.ts), with real Terraform and PostgreSQL:
// init runs on the Promise's example stack while the request is read, and the run goes on in
// that folder only when its own stack inits alike.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { applyInWorkflow, hcpTerraform } from '../../src/delivery/apply/index.js';
import { initInputs, recordExample } from '../../src/delivery/apply/head-start.js';
import { warmUp } from '../../src/workflow/warm-up.js';
import echo from '../fixtures/echo/index.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { REPO } from '../helpers/project.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const t = applyEnvironment('kratix_apply_head_start_test');
const EXAMPLE = readFileSync(join(REPO, 'test', 'fixtures', 'echo', 'example-request.yaml'), 'utf8');

// A terraform first on the PATH that notes each command and the folder it runs in, then runs the
// real one; and a working folder of the run's own, to see what is left in it.
function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-head-start-'));
  const real = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8', env: t.env }).stdout.trim();
  writeFileSync(join(dir, 'terraform'), `#!/bin/sh\necho "$1 $(basename "$PWD")" >> "${dir}/calls"\nexec ${real} "$@"\n`, { mode: 0o755 });
  const work = mkdtempSync(join(tmpdir(), 'kratix-cdktf-head-start-work-'));
  const env = { ...t.env, PATH: `${dir}:${t.env.PATH}`, KRATIX_CDKTF_WORK_DIR: work };
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  return { env, work, calls };
}

test('init starts on the example stack before the request is read, and the run goes on in its folder', async () => {
  const def = t.applied();
  // What the image's startup snapshot build does.
  warmUp(def, EXAMPLE);
  const { env, work, calls } = rig();
  const run = await runRequest(def, requestYaml(echo, { message: 'early' }, meta('early')), env);
  expect(run.code, run.status.message).toBe(0);
  expect(run.status.outputs.message).toBe('early');
  // One init, in a folder named for the Promise (made before the request, and so its name, was
  // known); every later command in the same folder.
  const [init, ...rest] = calls();
  expect(init).toMatch(/^init kratix-cdktf-echo-[A-Za-z0-9]{6}$/);
  expect(rest.length).toBeGreaterThan(0);
  for (const call of rest) expect(call.split(' ')[1]).toBe(init!.split(' ')[1]);
  expect(run.stdout).not.toMatch(/init runs again/);
  expect(readdirSync(work)).toEqual([]);
});

test('a request refused after the early init started leaves no folder and runs nothing more', async () => {
  const def = t.applied();
  warmUp(def, EXAMPLE);
  const { env, work, calls } = rig();
  const run = await runRequest(def, requestYaml(echo, { message: 42 }, meta('refused')), env);
  expect(run.status.conditions).toContainEqual(expect.objectContaining({ type: 'RequestValid', status: 'False' }));
  expect(run.status.message).toMatch(/spec\.message/);
  expect(calls().map((c) => c.split(' ')[0])).toEqual(['init']);
  expect(readdirSync(work)).toEqual([]);
});

test('a stack that inits differently from the example is inited again, in a folder of its own', async () => {
  const def = t.applied();
  warmUp(def, EXAMPLE);
  // As if the example asked for another Terraform version than this request's stack does.
  const { env, work, calls } = rig();
  recordExample(def, JSON.stringify({ terraform: { required_version: '>= 1.0', backend: { pg: { schema_name: 'kratix_apply_head_start_test' } } } }));
  const run = await runRequest(def, requestYaml(echo, { message: 'again' }, meta('again')), env);
  expect(run.code, run.status.message).toBe(0);
  expect(run.status.outputs.message).toBe('again');
  expect(run.stdout).toMatch(/the stack needs other providers, modules or backend settings than the Promise's example: init runs again for it/);
  const inits = calls().filter((c) => c.startsWith('init '));
  expect(inits).toHaveLength(2);
  // The head start's folder has a random tail, which may sort either side of the request's own.
  const folders = inits.map((c) => c.split(' ')[1] ?? '');
  expect(folders.filter((f) => /^kratix-cdktf-echo-[A-Za-z0-9]{6}$/.test(f))).toHaveLength(1);
  expect(folders.filter((f) => /^kratix-cdktf-echo-team-a-again-/.test(f))).toHaveLength(1);
  expect(readdirSync(work)).toEqual([]);
});

test('no early init without a warm-up, nor for HCP Terraform, whose cloud block names the request’s workspace', async () => {
  const { env, calls } = rig();
  const run = await runRequest(t.applied(), requestYaml(echo, { message: 'plain' }, meta('plain')), env);
  expect(run.code, run.status.message).toBe(0);
  expect(calls()[0]).toMatch(/^init kratix-cdktf-echo-team-a-plain-/);
  const hcp = applyInWorkflow({ backend: hcpTerraform({ organization: 'acme', executionMode: 'local' }) });
  const def = { ...echo, delivery: hcp };
  warmUp(def, EXAMPLE);
  expect(hcp.begin({ def, action: 'configure', dryRun: false, env, log: () => {} })).toBeUndefined();
});

test('init inputs: the terraform block, module sources and the providers named; never resource settings', () => {
  const base = { terraform: { backend: { pg: {} } }, resource: { terraform_data: { a: { input: 'x' } } } };
  expect(initInputs({ ...base, resource: { terraform_data: { a: { input: 'another request' }, b: {} } } })).toBe(initInputs(base));
  expect(initInputs({ ...base, variable: { v: {} }, output: { o: { value: 1 } }, locals: { l: 1 } })).toBe(initInputs(base));
  for (const other of [
    { ...base, terraform: { backend: { pg: { schema_name: 'other' } } } },
    { ...base, terraform: { ...base.terraform, required_providers: { aws: { source: 'hashicorp/aws' } } } },
    { ...base, resource: { ...base.resource, aws_s3_bucket: { b: {} } } },
    { ...base, data: { aws_caller_identity: { me: {} } } },
    { ...base, provider: { kubernetes: [{}] } },
    { ...base, module: { vpc: { source: 'terraform-aws-modules/vpc/aws', version: '5.0.0' } } },
  ])
    expect(initInputs(other), JSON.stringify(other)).not.toBe(initInputs(base));
  const mod = (version: string) => ({ ...base, module: { vpc: { source: 'terraform-aws-modules/vpc/aws', version, cidr: version } } });
  expect(initInputs(mod('5.0.0'))).not.toBe(initInputs(mod('5.1.0')));
});
