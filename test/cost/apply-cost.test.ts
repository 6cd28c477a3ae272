// Cost in apply mode, with real Terraform and PostgreSQL: the plan is priced before it is applied
// and its estimate goes to status.cost; over the budget the request is refused (on the
// configuration when it already shows it, else on the plan) or its plan waits for approval.
import { DataResource } from 'cdktf';
import { expect, test } from 'vitest';
import { APPROVED_PLAN_ANNOTATION } from '../../src/approval/index.js';
import type { CostProps, PriceTable } from '../../src/cost/index.js';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { definePromise, Type } from '../../src/index.js';
import { requestSlug } from '../../src/workflow/run.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SCHEMA = 'kratix_cost_test';
const t = applyEnvironment(SCHEMA);

// A cache node costs 0.5 a MiB a month; `replicas` is a count, which only the plan expands.
const prices: PriceTable = {
  currency: 'USD',
  source: 'this test',
  asOf: '2026-12',
  resources: { terraform_data: (v) => ({ monthly: 0.5 * Number((v.input as { sizeMiB?: number } | undefined)?.sizeMiB ?? 0) }) },
};
const cache = (name: string, cost: CostProps, approval = false) =>
  definePromise({
    name,
    api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: name.replace(/^./, (c) => c.toUpperCase()) },
    spec: Type.Object({ sizeMiB: Type.Integer({ default: 64 }), replicas: Type.Integer({ default: 1, minimum: 1, maximum: 5 }) }),
    delivery: applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }) }),
    cost,
    ...(approval ? { approval: { approvers: { groups: ['platform-approvers'] } } } : {}),
    stack(scope, { spec }) {
      new DataResource(scope, 'node', { count: spec.replicas, input: { sizeMiB: spec.sizeMiB } });
    },
  });
const nodes = (promise: string, name: string) => {
  const row = t.pg.query(`select data from ${SCHEMA}.states where name = '${requestSlug(promise, { metadata: meta(name) })}'`);
  return row ? (JSON.parse(row).resources.find((r: { name: string }) => r.name === 'node')?.instances.length ?? 0) : 0;
};
const run = (def: ReturnType<typeof cache>, name: string, spec: Record<string, unknown>, approved?: string) =>
  runRequest(def, requestYaml(def, spec, { ...meta(name), ...(approved ? { annotations: { [APPROVED_PLAN_ANNOTATION]: approved } } : {}) }), t.env);

test('the plan’s estimate in status; over a refusing budget: refused on the configuration, or on the plan when only the plan shows it', async () => {
  const def = cache('refusing', { prices, budget: { monthly: 100, over: 'refuse' } });
  const fits = await run(def, 'a', { sizeMiB: 64, replicas: 2 });
  expect(fits.ending, fits.stderr).toBe('done');
  expect(fits.status.cost).toMatchObject({
    currency: 'USD',
    monthly: 64,
    from: 'plan',
    resources: [{ address: 'terraform_data.node[0]' }, { address: 'terraform_data.node[1]' }],
  });
  expect(fits.status.conditions).toContainEqual(expect.objectContaining({ type: 'WithinBudget', status: 'True' }));
  expect(nodes('refusing', 'a')).toBe(2);

  // One node of 256 MiB: the configuration already shows 128 a month.
  const big = await run(def, 'a', { sizeMiB: 256, replicas: 1 });
  expect(big.ending).toBe('suspended');
  expect(big.status.message).toMatch(/over the Promise’s budget: cost: it is estimated at 128 USD a month, over the budget of 100/);
  expect(big.status.conditions).toContainEqual(expect.objectContaining({ type: 'WithinBudget', status: 'False', reason: 'OverBudget' }));
  expect(big.stdout).not.toMatch(/terraform (init|plan|apply) in/);

  // Four nodes of 64: the configuration has one block (32), the plan four instances (128).
  const many = await run(def, 'a', { sizeMiB: 64, replicas: 4 });
  expect(many.ending).toBe('suspended');
  expect(many.status.message).toMatch(/Over the Promise's budget, so nothing was applied: it is estimated at 128 USD a month, over the budget of 100/);
  expect(many.status.cost).toMatchObject({ monthly: 128, from: 'plan' });
  expect(nodes('refusing', 'a')).toBe(2);
});

test('over a budget that asks for approval: the plan waits with the estimate as its reason, and is applied once approved', async () => {
  const def = cache('approving', { prices, budget: { monthly: 100, over: 'approval' } }, true);
  const waiting = await run(def, 'b', { sizeMiB: 256 });
  expect(waiting.ending).toBe('suspended');
  expect(waiting.status.approval).toMatchObject({ needed: true, reasons: ['it is estimated at 128 USD a month, over the budget of 100'] });
  expect(nodes('approving', 'b')).toBe(0);
  const applied = await run(def, 'b', { sizeMiB: 256 }, waiting.status.approval.plan);
  expect(applied.ending, applied.stderr).toBe('done');
  expect(nodes('approving', 'b')).toBe(1);
  expect(applied.status.cost.monthly).toBe(128);
});
