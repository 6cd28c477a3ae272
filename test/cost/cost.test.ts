// Cost (src/cost): the estimate from a plan or a configuration, the shipped AWS table (only
// sourced figures), budgets, and the synth checks; one real AWS plan, planned offline.
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { describe, expect, test } from 'vitest';
import { checkCost, estimateCost, overBudget, type PriceTable } from '../../src/cost/index.js';
import { awsPrices, definePromise, Type } from '../../src/index.js';
import type { PlanView } from '../../src/policies/index.js';
import { planCost, renderRequest, requestCost } from '../../src/testing/index.js';
import { awsPlan, awsPlanSkip } from '../helpers/aws-plan.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';

const db = (region: string, values: Record<string, unknown>): PlanView => ({
  source: 'plan',
  providers: [{ name: 'aws', config: { region } }],
  resources: [{ address: 'aws_db_instance.db', type: 'aws_db_instance', actions: ['create'], before: null, after: values }],
});
const small = { engine: 'postgres', instance_class: 'db.t4g.micro', allocated_storage: 20, storage_type: 'gp3' };

describe('the shipped AWS table', () => {
  test('prices what it has a source for: 730 hours of the class, and gp3 per GB; Multi-AZ twice', () => {
    // 0.016 × 730 + 20 × 0.115
    expect(estimateCost({ prices: awsPrices }, db('us-east-1', small))).toMatchObject({
      currency: 'USD',
      monthly: 13.98,
      resources: [{ address: 'aws_db_instance.db', monthly: 13.98 }],
      from: 'plan',
    });
    expect(estimateCost({ prices: awsPrices }, db('us-east-1', { ...small, multi_az: true })).monthly).toBe(27.96);
  });

  test('types the table does not know are named, not priced and not hidden', () => {
    const plan = db('us-east-1', small);
    const withOthers: PlanView = {
      ...plan,
      resources: [...plan.resources, { address: 'aws_instance.web', type: 'aws_instance', actions: ['create'], before: null, after: {} }],
    };
    expect(estimateCost({ prices: awsPrices }, withOthers)).toMatchObject({ monthly: 13.98, notInTable: ['aws_instance'] });
  });

  test('a KMS key is 1 a month anywhere; a bucket is billed by use, so unpriced', () => {
    const plan: PlanView = {
      source: 'plan',
      providers: [{ name: 'aws', config: { region: 'eu-west-1' } }],
      resources: [
        { address: 'aws_kms_key.k', type: 'aws_kms_key', actions: ['create'], before: null, after: { enable_key_rotation: true } },
        { address: 'aws_s3_bucket.b', type: 'aws_s3_bucket', actions: ['create'], before: null, after: { bucket: 'b' } },
      ],
    };
    expect(estimateCost({ prices: awsPrices }, plan)).toMatchObject({
      monthly: 1,
      resources: [
        { address: 'aws_kms_key.k', monthly: 1 },
        { address: 'aws_s3_bucket.b', unpriced: 'billed by use (storage, requests, transfer), not per bucket' },
      ],
    });
  });

  test.each([
    ['eu-west-1', small, /no sourced price for eu-west-1/],
    ['us-east-1', { ...small, instance_class: 'db.r6g.xlarge' }, /no sourced price for db\.r6g\.xlarge/],
    ['us-east-1', { ...small, storage_type: undefined }, /no sourced price for gp2 storage/],
    ['us-east-1', { ...small, engine: 'mysql' }, /no sourced price for engine mysql/],
    // A value only the apply knows is not priced as zero.
    ['us-east-1', { ...small, allocated_storage: undefined }, /allocated_storage is not known before the apply/],
    ['us-east-1', { ...small, multi_az: '${var.ha}' }, /multi_az is not known/],
    // AWS provider 6's region per resource wins over the provider's.
    ['us-east-1', { ...small, region: 'eu-west-1' }, /no sourced price for eu-west-1/],
  ])('%s %j is unpriced, with the reason, never guessed', (region, values, reason) => {
    const estimate = estimateCost({ prices: awsPrices }, db(region, values));
    expect(estimate.monthly).toBe(0);
    expect(estimate.resources).toEqual([{ address: 'aws_db_instance.db', unpriced: expect.stringMatching(reason) }]);
  });
});

describe('budgets and tables', () => {
  const table: PriceTable = {
    currency: 'USD',
    source: 'test',
    asOf: '2026-12',
    resources: { terraform_data: (v) => ({ monthly: Number((v.input as { size?: number })?.size ?? 0) }), broken: () => ({ monthly: Number.NaN }) },
  };
  const view = (...sizes: number[]): PlanView => ({
    source: 'configuration',
    providers: [],
    resources: sizes.map((size, i) => ({
      address: `terraform_data.n${i}`,
      type: 'terraform_data',
      actions: ['create'],
      before: null,
      after: { input: { size } },
    })),
  });

  test('over the budget says by how much; at or under it says nothing', () => {
    const budget = { monthly: 100, over: 'refuse' as const };
    expect(overBudget({ prices: table, budget }, estimateCost({ prices: table }, view(60, 40)))).toBeUndefined();
    expect(overBudget({ prices: table, budget }, estimateCost({ prices: table }, view(60, 41)))).toBe(
      'it is estimated at 101 USD a month, over the budget of 100',
    );
  });

  test('a price that is not a number, or a table that throws, is unpriced, not zero and not a crash', () => {
    const thrown: PriceTable = {
      ...table,
      resources: {
        terraform_data: () => {
          throw new Error('no such size');
        },
      },
    };
    expect(estimateCost({ prices: thrown }, view(1)).resources).toEqual([{ address: 'terraform_data.n0', unpriced: 'the price table threw: no such size' }]);
    const nan = estimateCost(
      { prices: table },
      { ...view(), resources: [{ address: 'broken.x', type: 'broken', actions: ['create'], before: null, after: {} }] },
    );
    expect(nan.resources).toEqual([{ address: 'broken.x', unpriced: 'the price table gave no price' }]);
  });

  test.each([
    [{}, 'cost.prices', /is missing/],
    [{ prices: { ...table, resources: { x: 5 } } }, 'cost.prices.resources.x', /is not a function/],
    [{ prices: table, budget: { monthly: -1, over: 'refuse' } }, 'cost.budget.monthly', /0 or more/],
    [{ prices: table, budget: { monthly: 1, over: 'warn' } }, 'cost.budget.over', /not "refuse" or "approval"/],
    [{ prices: table, budget: { monthly: 1, over: 'approval' } }, 'cost.budget.over', /nobody could approve/],
  ])('synth refuses %j', (cost, path, message) => {
    expect(checkCost(cost, false)).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });
});

const shop = definePromise({
  name: 'shop',
  api: { group: 'test.example.com', version: 'v1', kind: 'Shop' },
  spec: Type.Object({ multiAz: Type.Boolean({ default: false }) }),
  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
  cost: { prices: awsPrices },
  stack(scope, { spec }) {
    new AwsProvider(scope, 'aws', { region: 'us-east-1' });
    new DbInstance(scope, 'db', {
      engine: 'postgres',
      instanceClass: 'db.t4g.micro',
      allocatedStorage: 20,
      storageType: 'gp3',
      multiAz: spec.multiAz,
      username: 'shop',
      password: 'hunter2-not-in-an-estimate',
    });
  },
});

test('the configuration, as every delivery prices it before delivering', () => {
  expect(requestCost(shop, {})).toMatchObject({ monthly: 13.98, from: 'configuration' });
  expect(requestCost(shop, { spec: { multiAz: true } }).monthly).toBe(27.96);
});

describe.skipIf(awsPlanSkip())('on a real AWS plan, planned offline', () => {
  test('the plan prices as its configuration does', () => {
    const estimate = planCost({ prices: awsPrices }, awsPlan(renderRequest(shop, {})));
    expect(estimate).toMatchObject({ monthly: 13.98, from: 'plan', resources: [{ address: 'aws_db_instance.db', monthly: 13.98 }] });
  });
});
