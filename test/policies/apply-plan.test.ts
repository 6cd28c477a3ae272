// Plan policies in apply mode, with real Terraform and PostgreSQL: the drift check's saved plan,
// the one that is applied, is checked before it is, with the state's values (before) beside the
// new ones; what a configuration alone cannot show.
import { DataResource } from 'cdktf';
import { expect, test } from 'vitest';
import { definePromise, Type } from '../../src/index.js';
import { requestSlug } from '../../src/workflow/run.js';
import type { PlanPolicy } from '../../src/policies/index.js';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';
import echo from '../fixtures/echo/index.js';

const t = applyEnvironment('kratix_policies_apply_test');

// Once applied, an echo's message may not change: a rule on before and after, only a plan has.
const frozen: PlanPolicy = {
  name: 'frozen-message',
  check: (plan) =>
    plan.resources
      .filter((r) => r.type === 'terraform_data' && r.before && r.after)
      .filter((r) => (r.before!.input as { message?: string })?.message !== (r.after!.input as { message?: string })?.message)
      .map((r) => ({ address: r.address, attribute: 'input.message', message: 'may not change once applied', fix: 'ask for a new request' })),
};
// And one the configuration already breaks.
const noShouting: PlanPolicy = {
  name: 'no-shouting',
  check: (plan) =>
    plan.resources
      .filter((r) => r.type === 'terraform_data' && String((r.after?.input as { message?: string })?.message).endsWith('!'))
      .map((r) => ({ address: r.address, attribute: 'input.message', message: 'ends with "!"' })),
};
const def = () => ({ ...t.applied(), policies: [frozen, noShouting] });
const run = (name: string, message: string) => runRequest(def(), requestYaml(echo, { message }, meta(name)), t.env);

test('a change the plan policies refuse is not applied: the plan’s address and attribute in status, suspended, the state as it was', async () => {
  const first = await run('frozen', 'one');
  expect(first.ending, first.stderr).toBe('done');
  expect(first.status.conditions).toContainEqual(expect.objectContaining({ type: 'PoliciesPassed', status: 'True' }));
  const second = await run('frozen', 'two');
  expect(second.ending).toBe('suspended');
  expect(second.status.message).toMatch(
    /The plan policies refused Terraform's plan, so nothing was applied: terraform_data\.echo\.input\.message: may not change once applied \(policy frozen-message\)/,
  );
  expect(second.status.conditions).toContainEqual(expect.objectContaining({ type: 'PoliciesPassed', status: 'False', reason: 'PolicyViolated' }));
  expect(second.status.conditions).toContainEqual(expect.objectContaining({ type: 'TerraformApplied', status: 'False', reason: 'PolicyCheckFailed' }));
  expect(t.stateOf('frozen').outputs.message.value).toBe('one');
  // A Kratix DryRun of the same change meets the same refusal, on its own plan, and says so.
  const dry = await runRequest(def(), requestYaml(echo, { message: 'two' }, meta('frozen')), { ...t.env, KRATIX_DRY_RUN: 'true' });
  expect(dry.ending).toBe('done');
  expect(dry.output['dry-run.yaml']).toMatch(/ok: false[\s\S]*terraform_data\.echo\.input\.message: may not change once applied/);
  expect(dry.status.conditions).toContainEqual(expect.objectContaining({ type: 'TerraformPlanned', status: 'False', reason: 'PolicyCheckFailed' }));
  expect(dry.status.conditions.filter((c: { type: string }) => c.type === 'PoliciesPassed')).toEqual([
    expect.objectContaining({ status: 'False', reason: 'PolicyViolated' }),
  ]);
  const dryOk = await runRequest(def(), requestYaml(echo, { message: 'one' }, meta('frozen')), { ...t.env, KRATIX_DRY_RUN: 'true' });
  expect(dryOk.output['dry-run.yaml']).toMatch(/ok: true/);
  expect(t.stateOf('frozen').outputs.message.value).toBe('one');
  // Run again with nothing changed: nothing to apply, nothing refused.
  const same = await run('frozen', 'one');
  expect(same.ending, same.stderr).toBe('done');
});

test('what the configuration already breaks is refused before Terraform runs at all', async () => {
  const ran = await run('shouty', 'hello!');
  expect(ran.ending).toBe('suspended');
  expect(ran.status.message).toMatch(/refused by the platform’s plan policies: terraform_data\.echo\.input\.message: ends with "!" \(policy no-shouting\)/);
  expect(ran.stdout).not.toMatch(/terraform (init|plan|apply)/);
  expect(t.stateOf('shouty')).toBeUndefined();
});

test('a policy that fails on the plan is the platform’s mistake: retried, not suspended, nothing applied', async () => {
  const first = await run('flaky', 'one');
  expect(first.ending, first.stderr).toBe('done');
  // Throws only where there is a state to read: on the plan, not on the configuration.
  const flaky: PlanPolicy = {
    name: 'flaky',
    check: (plan) => {
      if (plan.resources.some((r) => r.before)) throw new Error('price table unavailable');
      return [];
    },
  };
  const second = await runRequest({ ...t.applied(), policies: [flaky] }, requestYaml(echo, { message: 'two' }, meta('flaky')), t.env);
  expect(second.ending).toBe('retry');
  expect(second.status.message).toMatch(/The plan policies could not check Terraform's plan, so nothing was applied: policies flaky: check\(\)/);
  expect(second.status.conditions).toContainEqual(expect.objectContaining({ type: 'PoliciesPassed', status: 'False', reason: 'PolicyFailed' }));
  expect(t.stateOf('flaky').outputs.message.value).toBe('one');
});

// A first apply has no drift-check plan (a new state records no owner): the run saves its own
// plan, and the policies judge it before it is applied. A configuration shows one resource
// block whatever its count; only the plan shows the instances.
const replicas = definePromise({
  name: 'replicas',
  api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Replicas' },
  spec: Type.Object({ replicas: Type.Integer({ minimum: 1, maximum: 9 }) }),
  outputs: { count: {} },
  delivery: applyInWorkflow({ backend: pgBackend({ schemaName: 'kratix_policies_apply_test' }) }),
  policies: [
    {
      name: 'at-most-two',
      check: (plan) => {
        const found = plan.resources.filter((r) => r.address.startsWith('terraform_data.replica') && r.after !== null);
        return found.length > 2 ? [{ address: found[2]!.address, message: `${found.length} replicas, at most 2 allowed` }] : [];
      },
    },
  ],
  stack(scope, { spec }) {
    new DataResource(scope, 'replica', { count: spec.replicas, input: { replica: true } });
    return { count: String(spec.replicas) };
  },
});

test('a first apply is judged on its own saved plan before anything is applied: what only the plan shows is refused', async () => {
  const state = (name: string) => {
    const row = t.pg.query(`select data from kratix_policies_apply_test.states where name = '${requestSlug('replicas', { metadata: meta(name) })}'`);
    return row ? JSON.parse(row) : undefined;
  };
  const many = await runRequest(replicas, requestYaml(replicas, { replicas: 3 }, meta('many')), t.env);
  expect(many.ending, many.stderr).toBe('suspended');
  expect(many.status.message).toMatch(/terraform_data\.replica\[2\]: 3 replicas, at most 2 allowed \(policy at-most-two\)/);
  expect(many.stdout).toMatch(/the drift check saved no plan; the plan saved before the apply is judged instead/);
  // The plan may have created the workspace; it holds nothing.
  expect(state('many')?.resources ?? []).toEqual([]);
  const two = await runRequest(replicas, requestYaml(replicas, { replicas: 2 }, meta('two')), t.env);
  expect(two.ending, two.stderr).toBe('done');
  expect(two.status.conditions).toContainEqual(expect.objectContaining({ type: 'PoliciesPassed', status: 'True' }));
  expect(state('two').resources.find((r: { name: string }) => r.name === 'replica').instances).toHaveLength(2);
  // A second run goes through the drift check's plan, judged the same way.
  const more = await runRequest(replicas, requestYaml(replicas, { replicas: 4 }, meta('two')), t.env);
  expect(more.ending).toBe('suspended');
  expect(state('two').resources.find((r: { name: string }) => r.name === 'replica').instances).toHaveLength(2);
});

test('synth refuses drift: report beside plan policies: its narrowed plan would go unchecked', () => {
  const def = { ...echo, delivery: applyInWorkflow({ backend: pgBackend(), drift: 'report' }), policies: [noShouting] };
  const rendered = renderPromise(def, { image: 'example.com/w:1' });
  expect(rendered.ok ? [] : rendered.issues.map((i) => i.path)).toEqual(['delivery.drift']);
});
