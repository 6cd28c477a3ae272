// Drift in apply mode, with real Terraform and a real PostgreSQL (pg backend; test/helpers/
// apply-env.ts): a request is applied, its state is changed outside Terraform, and the next run's
// status says what drifted; `drift: 'correct'` puts it back, `drift: 'report'` leaves it.
//
// What "changed outside Terraform" models here: only Terraform's built-in terraform_data runs
// offline, and its refresh returns its prior state, so nobody can change its real object behind
// Terraform's back. What a real provider's refresh does when someone edits the real object is to
// read the new values into the state Terraform plans from. These tests put those values into the
// request's state themselves, through Terraform's own `state pull` / `state push` against the same
// pg backend (serial bumped, lineage kept, as Terraform requires), and change nothing else: the
// configuration is byte-identical, so every change Terraform then plans came from outside.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { driftStatus, readDrift } from '../../src/delivery/apply/drift.js';
import type { DriftPolicy } from '../../src/delivery/apply/options.js';
import { requestSlug } from '../../src/workflow/run.js';
import drifty from '../fixtures/drift/index.js';
import { applyEnvironment, meta, SECRET_VALUE } from '../helpers/apply-env.js';
import { renderWidget } from '../helpers/widget.js';
import { requestYaml, runRequest, type WorkflowRun } from '../helpers/workflow.js';

const SCHEMA = 'kratix_apply_drift_test';
const t = applyEnvironment(SCHEMA);
// A value put into the state by hand where the Secret's value was: it must never be shown either.
const TAMPERED = 'tampered-pin-9931';
const runs: WorkflowRun[] = [];

const configure = async (name: string, policy: DriftPolicy | undefined, message = 'hello') => {
  const def = { ...drifty, delivery: applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }), ...(policy ? { drift: policy } : {}) }) };
  const run = await runRequest(def, requestYaml(drifty, { message, pin: { name: 'creds', key: 'token' } }, meta(name)), t.env);
  runs.push(run);
  expect(run.code, run.stderr).toBe(0);
  return run;
};
const slug = (name: string) => requestSlug('drifty', { metadata: meta(name) });
const state = (name: string) => JSON.parse(t.pg.query(`select data from ${SCHEMA}.states where name = '${slug(name)}'`));
const attributes = (name: string, resource: string) => state(name).resources.find((r: { name: string }) => r.name === resource).instances[0].attributes;
const conditions = (run: WorkflowRun) =>
  Object.fromEntries(run.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, `${c.status} ${c.reason}`]));

// A folder that opens the same pg backend, for Terraform's state commands.
let stateDir: string;
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-drift-'));
  writeFileSync(join(stateDir, 'main.tf.json'), JSON.stringify({ terraform: { backend: { pg: { schema_name: SCHEMA } } } }));
  terraform(['init', '-input=false', '-no-color']);
});
function terraform(args: string[], workspace?: string, input?: string): string {
  const env = { ...t.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', ...(workspace ? { TF_WORKSPACE: workspace } : {}) };
  const run = spawnSync('terraform', args, { cwd: stateDir, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}
/** Changes the `steady` resource's recorded input (and its output, which mirrors it) as a refresh of a real object edited by hand would. */
function changeOutsideTerraform(name: string, change: Record<string, unknown>): void {
  const pulled = JSON.parse(terraform(['state', 'pull'], slug(name)));
  const steady = pulled.resources.find((r: { name: string }) => r.name === 'steady').instances[0].attributes;
  Object.assign(steady.input.value, change);
  Object.assign(steady.output.value, change);
  pulled.serial += 1;
  const file = join(stateDir, `${name}.tfstate`);
  writeFileSync(file, JSON.stringify(pulled));
  terraform(['state', 'push', '-no-color', file], slug(name));
}

describe("drift: 'correct' (the default)", () => {
  test('a clean reconcile says there is no drift', async () => {
    const first = await configure('fix', undefined);
    expect(first.status.message).toBe('Terraform applied: 2 added, 0 changed, 0 destroyed');
    expect(first.status.drift).toEqual({ policy: 'correct', checked: true, found: 0, corrected: 0 });
    expect(conditions(first).Drifted).toBe('False NoDrift');
    const again = await configure('fix', undefined);
    expect(again.status.message).toBe('Terraform applied: no changes');
    expect(conditions(again).Drifted).toBe('False NoDrift');
  });

  test('drift is reported with its resource and attributes, sensitive ones masked, and put back', async () => {
    changeOutsideTerraform('fix', { label: 'changed-by-hand', pin: TAMPERED });
    const run = await configure('fix', undefined);
    expect(run.status.message).toBe('Terraform applied: 0 added, 1 changed, 0 destroyed; drift in 1 resource corrected: terraform_data.steady');
    expect(run.status.drift).toEqual({
      policy: 'correct',
      checked: true,
      found: 1,
      corrected: 1,
      resources: [
        {
          address: 'terraform_data.steady',
          action: 'update',
          seenBy: 'plan',
          corrected: true,
          attributes: [
            { path: 'input.label', actual: '"changed-by-hand"', expected: '"steady"' },
            { path: 'input.pin', actual: '(sensitive)', expected: '(sensitive)' },
          ],
        },
      ],
    });
    expect(conditions(run)).toMatchObject({ TerraformApplied: 'True Applied', Drifted: 'False DriftCorrected', Ready: 'True Applied' });
    expect(attributes('fix', 'steady').input.value).toEqual({ label: 'steady', size: 3, pin: SECRET_VALUE });
  });

  test('the next reconcile is clean', async () => {
    const serial = state('fix').serial;
    const run = await configure('fix', undefined);
    expect(run.status.message).toBe('Terraform applied: no changes');
    expect(run.status.drift).toEqual({ policy: 'correct', checked: true, found: 0, corrected: 0 });
    expect(conditions(run).Drifted).toBe('False NoDrift');
    expect(state('fix').serial).toBe(serial);
  });
});

describe("drift: 'report'", () => {
  test('drift is reported and not applied: the state keeps what was found', async () => {
    await configure('rep', 'report');
    changeOutsideTerraform('rep', { label: 'changed-by-hand' });
    const serial = state('rep').serial;
    const run = await configure('rep', 'report');
    expect(run.status.message).toBe('Terraform found drift in 1 resource and did not correct it (drift: report): terraform_data.steady; nothing was applied');
    expect(run.status.drift.resources).toEqual([
      {
        address: 'terraform_data.steady',
        action: 'update',
        seenBy: 'plan',
        corrected: false,
        attributes: [{ path: 'input.label', actual: '"changed-by-hand"', expected: '"steady"' }],
      },
    ]);
    expect(run.status.drift).toMatchObject({ policy: 'report', found: 1, corrected: 0 });
    // The infrastructure differs from the request: not Ready, whatever was applied.
    expect(conditions(run)).toMatchObject({ TerraformApplied: 'True DriftNotCorrected', Drifted: 'True DriftReported', Ready: 'False DriftReported' });
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    // The outputs are the state's, as the last apply left them.
    expect(run.status.outputs).toEqual({ message: 'hello', label: 'steady' });
    expect(state('rep').serial).toBe(serial);
    expect(attributes('rep', 'steady').input.value.label).toBe('changed-by-hand');
  });

  test('a requested change alongside drift is applied; the drift is still only reported', async () => {
    const run = await configure('rep', 'report', 'changed by the request');
    expect(run.status.message).toBe(
      'Terraform applied: 0 added, 1 changed, 0 destroyed; drift in 1 resource reported, not corrected (drift: report): terraform_data.steady',
    );
    expect(run.status.terraform.changes).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(run.status.outputs.message).toBe('changed by the request');
    expect(conditions(run)).toMatchObject({ TerraformApplied: 'True Applied', Drifted: 'True DriftReported', Ready: 'False DriftReported' });
    expect(attributes('rep', 'wanted').input.value.message).toBe('changed by the request');
    expect(attributes('rep', 'steady').input.value.label).toBe('changed-by-hand');
    // The requested change went in alone: the next run finds only the drift again.
    const again = await configure('rep', 'report', 'changed by the request');
    expect(again.status.message).toMatch(/^Terraform found drift in 1 resource and did not correct it/);
  });

  test("switching the Promise to 'correct' puts the drift back", async () => {
    const run = await configure('rep', 'correct', 'changed by the request');
    expect(conditions(run).Drifted).toBe('False DriftCorrected');
    expect(attributes('rep', 'steady').input.value.label).toBe('steady');
  });
});

test('a new Secret value is a requested change, not drift, and report mode applies it', async () => {
  // The stack record holds a digest of each variable's value (Terraform computes it): a rotated
  // Secret changes it, so the resource that holds the value is the request's change.
  await configure('rot', 'report');
  const def = { ...drifty, delivery: applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }), drift: 'report' }) };
  const env = { ...t.env, KRATIX_CDKTF_KUBE_API: await rotatedSecretApi() };
  const run = await runRequest(def, requestYaml(drifty, { message: 'hello', pin: { name: 'creds', key: 'token' } }, meta('rot')), env);
  runs.push(run);
  expect(run.status.message).toBe('Terraform applied: 0 added, 1 changed, 0 destroyed');
  expect(conditions(run).Drifted).toBe('False NoDrift');
  expect(attributes('rot', 'steady').input.value.pin).toBe('rotated-secret-value');
});

test('status lists at most 20 resources and 10 attributes each, and counts the rest', () => {
  const change = (i: number) => ({
    address: `terraform_data.r${String(i).padStart(2, '0')}`,
    mode: 'managed',
    type: 'terraform_data',
    name: `r${String(i).padStart(2, '0')}`,
    change: {
      actions: ['update'],
      before: { input: Object.fromEntries([...Array(12).keys()].map((k) => [`k${k}`, 'old'])) },
      after: { input: Object.fromEntries([...Array(12).keys()].map((k) => [`k${k}`, 'x'.repeat(500)])) },
      after_unknown: {},
      before_sensitive: {},
      after_sensitive: {},
    },
  });
  const digests = Object.fromEntries([...Array(25).keys()].map((i) => [`terraform_data.r${String(i).padStart(2, '0')}`, 'same']));
  const plan = {
    resource_changes: [
      ...[...Array(25).keys()].map(change),
      { address: 'terraform_data.kratix_cdktf_stack', mode: 'managed', change: { actions: ['no-op'], before: { input: digests }, after: { input: digests } } },
    ],
    configuration: { root_module: { resources: [...Array(25).keys()].map((i) => ({ address: change(i).address, expressions: {} })) } },
  };
  const findings = readDrift(JSON.stringify(plan), (s) => s);
  expect(findings.drifted).toHaveLength(25);
  expect(findings.drifted[0]!.attributes).toHaveLength(10);
  expect(findings.drifted[0]!.moreAttributes).toBe(2);
  expect(findings.drifted[0]!.attributes[0]!.expected).toHaveLength(120);
  const status = driftStatus({ policy: 'report', checked: true, drifted: findings.drifted, corrected: [] });
  expect(status.resources).toHaveLength(20);
  expect(status).toMatchObject({ found: 25, corrected: 0, moreResources: 5 });
});

test('a resource that references a changed one is the request’s change, not drift', () => {
  const plan = {
    resource_changes: [
      {
        address: 'terraform_data.a',
        mode: 'managed',
        type: 'terraform_data',
        name: 'a',
        change: { actions: ['update'], before: { input: 1 }, after: { input: 2 } },
      },
      {
        address: 'terraform_data.b',
        mode: 'managed',
        type: 'terraform_data',
        name: 'b',
        change: { actions: ['update'], before: { input: 1 }, after: { input: 2 } },
      },
      {
        address: 'terraform_data.c',
        mode: 'managed',
        type: 'terraform_data',
        name: 'c',
        change: { actions: ['update'], before: { input: 1 }, after: { input: 2 } },
      },
      {
        address: 'terraform_data.kratix_cdktf_stack',
        mode: 'managed',
        change: {
          actions: ['update'],
          before: { input: { 'terraform_data.a': '1', 'terraform_data.b': 'b', 'terraform_data.c': 'c' } },
          after: { input: { 'terraform_data.a': '2', 'terraform_data.b': 'b', 'terraform_data.c': 'c' } },
        },
      },
    ],
    configuration: {
      root_module: {
        resources: [
          { address: 'terraform_data.a', expressions: { input: { constant_value: 2 } } },
          { address: 'terraform_data.b', expressions: { input: { references: ['terraform_data.a.output', 'terraform_data.a'] } } },
          { address: 'terraform_data.c', expressions: {} },
        ],
      },
    },
  };
  const findings = readDrift(JSON.stringify(plan), (s) => s);
  expect(findings.requested).toEqual(['terraform_data.a', 'terraform_data.b']);
  expect(findings.drifted.map((d) => d.address)).toEqual(['terraform_data.c']);
});

test('a drift policy other than correct or report is refused at synth, with the field and the fix', () => {
  const result = renderWidget({ delivery: applyInWorkflow({ backend: pgBackend(), drift: 'fix' as never }) });
  expect(result.ok).toBe(false);
  const issues = result.ok ? [] : result.issues;
  expect(issues).toEqual([
    {
      path: 'delivery.drift',
      message: expect.stringMatching(/^"fix" is not a drift policy: drift is "correct" .* or "report"/),
      fix: "write applyInWorkflow({ ..., drift: 'report' }), or leave drift out for 'correct'",
    },
  ]);
  expect(renderWidget({ delivery: applyInWorkflow({ backend: pgBackend(), drift: 'report' }) }).ok).toBe(true);
});

test('neither the Secret’s value nor a value put where it was appears in anything the runs wrote', () => {
  expect(runs.length).toBeGreaterThan(8);
  for (const run of runs) {
    const written = [run.stdout, run.stderr, ...Object.values(run.output), ...Object.values(run.metadata)].join('\n');
    for (const secret of [SECRET_VALUE, TAMPERED, 'rotated-secret-value', t.pg.password]) expect(written).not.toContain(secret);
  }
});

// A stand-in for the Kubernetes API (no cluster here) whose Secret holds another value.
async function rotatedSecretApi(): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/namespaces/team-a/secrets/creds')
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { token: Buffer.from('rotated-secret-value').toString('base64') } }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
