// Plan policies in apply mode, with real Terraform and PostgreSQL: the drift check's saved plan,
// the one that is applied, is checked before it is, with the state's values (before) beside the
// new ones; what a configuration alone cannot show.
import { expect, test } from 'vitest';
import type { PlanPolicy } from '../../src/policies/index.js';
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
