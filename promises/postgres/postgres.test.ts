import { describe, expect, expectTypeOf, test } from 'vitest';
import type { Infer } from 'kratix-cdktf';
import { exampleRequest, renderPromiseStack, renderRequest, requestPolicies, requestRules, synthPromise, validateRequest } from 'kratix-cdktf/testing';
import postgres, { spec } from './index.js';

const example = exampleRequest(import.meta.dirname);
const db = (request = {}) => renderRequest(postgres, request).resource.aws_db_instance.db;

test('the example request synthesizes one encrypted, private RDS instance', () => {
  const tf = renderRequest(postgres, example);
  expect(Object.keys(tf.resource)).toEqual(['aws_db_instance', 'terraform_data']);
  // Beside the database, only the guard that refuses to build on a Promise stack not applied.
  expect(Object.keys(tf.resource.terraform_data)).toEqual(['kratix_cdktf_promise_stack_applied']);
  expect(tf.resource.aws_db_instance.db).toMatchObject({
    engine: 'postgres',
    engine_version: '16.4',
    instance_class: 'db.t4g.large',
    allocated_storage: 100,
    max_allocated_storage: 500,
    db_name: 'orders',
    backup_retention_period: 14,
    backup_window: '02:00-03:00',
    storage_encrypted: true,
    publicly_accessible: false,
    tags: { 'cost-center': '4711' },
  });
  expect(Object.keys(tf.output).sort()).toEqual(['endpoint', 'masterSecretArn', 'port']);
});

test('the Promise creates, once, a rotating KMS key and a TLS-only parameter group per supported major', () => {
  const tf = renderPromiseStack(postgres);
  expect(tf.resource.aws_kms_key.storage).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
  const groups = Object.values(tf.resource.aws_db_parameter_group) as { family: string; parameter: { name: string; value: string }[] }[];
  expect(groups.map((g) => g.family)).toEqual(['postgres14', 'postgres15', 'postgres16', 'postgres17']);
  for (const group of groups) expect(group.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1' });
  expect(Object.keys(tf.output).sort()).toEqual(['kmsKeyArn', 'parameterGroup14', 'parameterGroup15', 'parameterGroup16', 'parameterGroup17']);
});

test('each database is encrypted with the Promise’s key and gets the parameter group of its major, read from the Promise stack’s state', () => {
  const tf = renderRequest(postgres, { spec: { engineVersion: '15.7' } });
  const state = 'data.terraform_remote_state.kratix-cdktf-promise-stack';
  expect(tf.resource.aws_db_instance.db).toMatchObject({
    kms_key_id: `\${${state}.outputs.kmsKeyArn}`,
    parameter_group_name: `\${${state}.outputs.parameterGroup15}`,
  });
  expect(tf.data.terraform_remote_state['kratix-cdktf-promise-stack']).toMatchObject({ backend: 's3', workspace: 'postgres-promise' });
});

describe('the size-by-environment rule, on the namespace’s environment label', () => {
  const large = { metadata: { namespace: 'team-orders' }, spec: { size: 'large', highAvailability: true } };
  test('large is refused outside production, naming the field, the namespace and its label', async () => {
    expect(await requestRules(postgres, large, { namespaceLabels: { environment: 'staging' } })).toEqual([
      {
        path: 'spec.size',
        message: 'large is for production namespaces, and team-orders is labelled environment=staging (rule size-by-environment)',
        fix: 'ask for medium, or ask the platform team to label the namespace environment=production',
      },
    ]);
    expect(await requestRules(postgres, large)).toEqual([expect.objectContaining({ message: expect.stringMatching(/environment=\(none\)/) })]);
  });
  test('production may ask for large, and keeps deletion protection', async () => {
    const production = { namespaceLabels: { environment: 'production' } };
    expect(await requestRules(postgres, large, production)).toEqual([]);
    expect(await requestRules(postgres, { spec: { deletionProtection: false } }, production)).toEqual([
      expect.objectContaining({ path: 'spec.deletionProtection' }),
    ]);
    // Elsewhere a team may turn it off, for a database it means to throw away.
    expect(await requestRules(postgres, { spec: { deletionProtection: false } }, { namespaceLabels: { environment: 'dev' } })).toEqual([]);
  });
  test('the example request passes in any environment', async () => {
    for (const environment of ['dev', 'production']) expect(await requestRules(postgres, example, { namespaceLabels: { environment } })).toEqual([]);
  });
});

test.each(['small', 'medium'])('size %s passes the platform’s plan policies: encrypted, in eu-west-1, a size the platform sells', (size) => {
  expect(requestPolicies(postgres, { spec: { size } })).toEqual([]);
  expect(requestPolicies(postgres, { spec: { size: 'large', highAvailability: true } })).toEqual([]);
});

test('the password is managed by AWS and is never an input', () => {
  expect(db()).toMatchObject({ manage_master_user_password: true });
  expect(db()).not.toHaveProperty('password');
  expect(Object.keys(spec.properties)).not.toContain('password');
});

test.each([
  ['small', 'db.t4g.micro'],
  ['medium', 'db.t4g.large'],
])('size %s maps to %s', (size, instanceClass) => {
  expect(db({ spec: { size } }).instance_class).toBe(instanceClass);
});

test('defaults are safe: small, 20 GiB, 7 days of backups, deletion protection on, no autoscaling', () => {
  expect(db()).toMatchObject({ instance_class: 'db.t4g.micro', allocated_storage: 20, backup_retention_period: 7, deletion_protection: true, multi_az: false });
  expect(db()).not.toHaveProperty('max_allocated_storage');
});

test('the identifier is unique per namespace and name, and valid for RDS even for dotted names', () => {
  const a = db({ metadata: { name: 'orders.v2', namespace: 'team-a' } }).identifier;
  const b = db({ metadata: { name: 'orders.v2', namespace: 'team-b' } }).identifier;
  expect(a).not.toBe(b);
  for (const id of [a, b]) expect(id).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
  expect(db({ metadata: { name: 'x'.repeat(63), namespace: 'n'.repeat(63) } }).identifier.length).toBeLessThanOrEqual(63);
});

describe('requests the API refuses', () => {
  test.each([
    [{ size: 'xl' }, /spec\.size: "xl" is not one of "small", "medium", "large"/],
    [{ storageGiB: 10 }, /spec\.storageGiB: 10 is below the minimum 20/],
    [{ storageGiB: 100, maxStorageGiB: 50 }, /spec: maxStorageGiB must not be below storageGiB/],
    [{ engineVersion: '9.6' }, /spec\.engineVersion: "9\.6" does not match the pattern/],
    [{ size: 'large' }, /spec: large instances must run with highAvailability: true/],
    [{ tags: { 'aws:owner': 'x' } }, /spec\.tags: aws: and kratix\.io\/ tag keys are reserved/],
    [{ password: 'hunter2' }, /spec\.password: is not a field of this API/],
  ])('%j', (bad, message) => {
    const result = validateRequest(postgres, { spec: bad });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(message);
  });
});

test('the spec type is inferred from the schema', () => {
  expectTypeOf<Infer<typeof spec>['size']>().toEqualTypeOf<'small' | 'medium' | 'large'>();
  expectTypeOf<Infer<typeof spec>['maxStorageGiB']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<Infer<typeof spec>['backup']>().toEqualTypeOf<{ retentionDays: number; window?: string }>();
});

test('the Promise compiles, with Size and Version columns and a version label', async () => {
  const files = await synthPromise(postgres, example);
  const promise = files.get('promise.yaml')!;
  expect(promise).toContain('kratix.io/promise-version: v0.1.0');
  expect(promise).toMatch(/- name: Size\n\s+type: string\n\s+jsonPath: \.spec\.size/);
  expect(promise).toMatch(/environment: aws/);
});
