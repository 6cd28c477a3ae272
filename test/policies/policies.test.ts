// Plan policies (src/policies) on real AWS plans, planned offline (test/helpers/aws-plan.ts; the
// tests say so and are skipped where the plugin is missing), on configurations, and in the
// workflow, which refuses a violating request before anything is delivered.
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketAcl } from '@cdktf/provider-aws/lib/s3-bucket-acl';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { describe, expect, test } from 'vitest';
import {
  allowedInstanceClasses,
  allowedRegions,
  definePromise,
  encryptionAtRest,
  noDestroyOfProtected,
  noOpenIngress,
  noPublicBuckets,
  type PlanPolicy,
  type PlanView,
  tofuController,
  Type,
} from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { planFromShowJson } from '../../src/policies/index.js';
import { planApproval, planViolations, renderRequest, requestPolicies } from '../../src/testing/index.js';
import { awsPlan, awsPlanSkip } from '../helpers/aws-plan.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const POLICIES: readonly PlanPolicy[] = [
  noPublicBuckets(),
  encryptionAtRest(),
  noOpenIngress(),
  allowedRegions(['eu-west-1', 'eu-central-1']),
  allowedInstanceClasses({ aws_db_instance: ['db.t4g.micro', 'db.t4g.large'] }),
  noDestroyOfProtected(),
];
const DB_PASSWORD = 'hunter2-never-in-a-message';

// One Promise whose request says how careless its stack is.
const site = definePromise({
  name: 'site',
  api: { group: 'test.example.com', version: 'v1', kind: 'Site' },
  spec: Type.Object({ careless: Type.Boolean({ default: false }) }),
  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
  policies: POLICIES,
  stack(scope, { spec }) {
    const bad = spec.careless;
    new AwsProvider(scope, 'aws', { region: bad ? 'us-east-1' : 'eu-west-1' });
    const bucket = new S3Bucket(scope, 'site', { bucket: 'kratix-policy-test-site' });
    new S3BucketAcl(scope, 'acl', { bucket: bucket.id, acl: bad ? 'public-read' : 'private' });
    new S3BucketPublicAccessBlock(scope, 'block', {
      bucket: bucket.id,
      blockPublicAcls: !bad,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new DbInstance(scope, 'db', {
      engine: 'postgres',
      instanceClass: bad ? 'db.r6g.16xlarge' : 'db.t4g.micro',
      allocatedStorage: 20,
      username: 'admin_user',
      password: DB_PASSWORD,
      storageEncrypted: !bad,
    });
    new SecurityGroup(scope, 'web', {
      name: 'web',
      ingress: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: [bad ? '0.0.0.0/0' : '10.0.0.0/8'] }],
    });
  },
});

const CARELESS = [
  'provider.aws.region: us-east-1 is not one of eu-west-1, eu-central-1 (policy allowed-regions)',
  'aws_db_instance.db.instance_class: db.r6g.16xlarge is not one of db.t4g.micro, db.t4g.large (policy allowed-instance-classes)',
  'aws_db_instance.db.storage_encrypted: must be true: the data would be stored unencrypted (policy encryption-at-rest)',
  "aws_s3_bucket_acl.acl.acl: public-read makes the bucket's objects public (policy no-public-buckets)",
  'aws_s3_bucket_public_access_block.block.block_public_acls: must be true: without it the bucket can be made public (policy no-public-buckets)',
  'aws_security_group.web.ingress[0].cidr_blocks: 0.0.0.0/0 lets the whole internet in (policy no-open-ingress)',
].sort();
const said = (issues: readonly { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`).sort();

describe.skipIf(awsPlanSkip())('on a real AWS plan, planned offline', () => {
  // One plan of the careless stack for the tests that only read it (a plan takes seconds).
  let planned: unknown;
  const careless = () => {
    planned ??= awsPlan(renderRequest(site, { spec: { careless: true } }));
    return planned;
  };
  test('each violation names the resource, the attribute and the policy; a careful stack has none', () => {
    expect(said(planViolations(POLICIES, careless()))).toEqual(CARELESS);
    expect(planViolations(POLICIES, awsPlan(renderRequest(site, { spec: { careless: false } })))).toEqual([]);
  });

  test('sensitive values reach no policy: Terraform marks them, the view masks them', () => {
    const doc = careless();
    expect(JSON.stringify(doc)).toContain(DB_PASSWORD); // Terraform's own plan document holds it
    const view = planFromShowJson(doc);
    expect(view.resources.find((r) => r.address === 'aws_db_instance.db')!.after!.password).toBe('(sensitive)');
    expect(JSON.stringify(view)).not.toContain(DB_PASSWORD);
    const leaky: PlanPolicy = { name: 'leaky', check: (plan) => plan.resources.map((r) => ({ address: r.address, message: JSON.stringify(r.after) })) };
    expect(JSON.stringify(planViolations([leaky], doc))).not.toContain(DB_PASSWORD);
  });

  test('approval: the same request planned again has the same digest; the summary and the reasons hold no secret', () => {
    const approval = {
      approvers: { groups: ['platform-approvers'] },
      when: (plan: PlanView) => (plan.resources.some((r) => r.after?.instance_class === 'db.r6g.16xlarge') ? 'a 16xlarge instance' : undefined),
    };
    const first = planApproval(approval, careless());
    const again = planApproval(approval, awsPlan(renderRequest(site, { spec: { careless: true } })));
    expect(again.plan).toBe(first.plan);
    expect(first.plan).toMatch(/^[0-9a-f]{64}$/);
    expect(first.reasons).toEqual(['a 16xlarge instance']);
    expect(first.summary).toContainEqual({ address: 'aws_db_instance.db', action: 'create' });
    expect(JSON.stringify(first)).not.toContain(DB_PASSWORD);
  });

  test('destroying or replacing what is tagged protected is refused; an untagged one may go', () => {
    const state = (tags: Record<string, string>) => ({
      version: 4,
      terraform_version: '1.11.4',
      serial: 1,
      lineage: 'b1c7e0de-0000-4000-8000-000000000000',
      outputs: {},
      resources: [
        {
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'old',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ schema_version: 0, attributes: { id: 'old-archive', bucket: 'old-archive', tags, tags_all: tags } }],
        },
      ],
    });
    const stack = renderRequest(site, {});
    expect(said(planViolations([noDestroyOfProtected()], awsPlan(stack, { state: state({ 'kratix.io/protected': 'true' }) })))).toEqual([
      'aws_s3_bucket.old: is tagged kratix.io/protected=true and this run would destroy it (policy no-destroy-of-protected)',
    ]);
    expect(planViolations([noDestroyOfProtected()], awsPlan(stack, { state: state({ team: 'a' }) }))).toEqual([]);
  });
});

describe('on the configuration, as a GitOps delivery has it', () => {
  test('the same violations, from the synthesized stack alone', () => {
    expect(said(requestPolicies(site, { spec: { careless: true } }))).toEqual(CARELESS);
    expect(requestPolicies(site, {})).toEqual([]);
  });
});

describe('in the workflow', () => {
  const run = (spec: Record<string, unknown>, def = site) => runRequest(def, requestYaml(def, spec, { name: 'www', namespace: 'team-a' }));
  test('a violating request is refused before anything is written: every violation in status, suspended until the request changes', async () => {
    const ran = await run({ careless: true });
    expect(ran.ending).toBe('suspended');
    expect(ran.output).toEqual({});
    expect(ran.status.conditions).toContainEqual(expect.objectContaining({ type: 'PoliciesPassed', status: 'False', reason: 'PolicyViolated' }));
    expect(ran.status.message).toMatch(/Site team-a\/www: refused by the platform’s plan policies: .*aws_s3_bucket_acl\.acl\.acl: public-read/s);
    for (const line of CARELESS) expect(ran.stderr).toContain(line.split(': ')[0]);
    expect(ran.stderr + ran.stdout + ran.statusText).not.toContain(DB_PASSWORD);
  });
  test('a Kratix DryRun runs the policies and reports the refusal as its result, never suspended', async () => {
    const ran = await runRequest(site, requestYaml(site, { careless: true }, { name: 'www', namespace: 'team-a' }), { KRATIX_DRY_RUN: 'true' });
    expect(ran.ending).toBe('done');
    expect(ran.output['dry-run.yaml']).toMatch(/ok: false[\s\S]*aws_s3_bucket_acl\.acl\.acl: public-read/);
  });
  test('a careful one goes on, with PoliciesPassed saying what was checked', async () => {
    const ran = await run({ careless: false });
    expect(ran.ending, ran.stderr).toBe('done');
    expect(ran.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PoliciesPassed', status: 'True', message: expect.stringMatching(/no-public-buckets, encryption-at-rest/) }),
    );
    expect(Object.keys(ran.output).length).toBeGreaterThan(0);
  });
  test('a policy that throws is the platform’s mistake: named, retried, nothing written', async () => {
    const broken: PlanPolicy = {
      name: 'broken',
      check: () => {
        throw new Error('price table missing');
      },
    };
    const ran = await run({}, { ...site, policies: [broken] });
    expect(ran.ending).toBe('retry');
    expect(ran.output).toEqual({});
    expect(ran.stderr).toMatch(/policies broken: check\(\)( at \S+)?: threw price table missing/);
  });
});

test('synth refuses policies that are not a list, unnamed, named twice or without a check', () => {
  const issues = (policies: unknown) => {
    const rendered = renderPromise({ ...site, policies } as never, { image: 'example.com/w:1' });
    return rendered.ok ? [] : rendered.issues.map((i) => `${i.path}: ${i.message}`);
  };
  expect(issues(noPublicBuckets())).toEqual(['policies: is not a list']);
  expect(issues([noPublicBuckets(), noPublicBuckets(), { name: 'x' }])).toEqual([
    'policies[1].name: names "no-public-buckets" a second time',
    'policies[2].check: is not a function',
  ]);
});
