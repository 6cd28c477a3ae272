// Decoration (src/decorate): tags by a cdktf Aspect on every resource that takes them, labels on
// every manifest, the platform's winning over the stack's and the request's.
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { DataResource, TerraformVariable } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { applyInWorkflow, definePromise, type Decoration, pgBackend, Type } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { renderManifests, renderPromiseStack, renderRequest } from '../../src/testing/index.js';
import { applyAndReadOutputs } from '../helpers/terraform.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const owner: Decoration<{ team: string }> = {
  name: 'owner',
  tags: ({ promise, request }) => ({
    'example.com/promise': `${promise.name}@${promise.version}`,
    ...(request ? { 'example.com/request': `${request.metadata.namespace}/${request.metadata.name}`, 'example.com/team': request.spec.team } : {}),
    ...(request?.labels['example.com/cost-centre'] ? { 'example.com/cost-centre': request.labels['example.com/cost-centre'] } : {}),
  }),
  labels: ({ promise, request }) => ({ 'example.com/promise': promise.name, ...(request ? { 'example.com/request': request.metadata.name } : {}) }),
};

const def = (decorate: readonly Decoration[] = [owner], extra: Record<string, unknown> = {}) =>
  ({
    ...definePromise({
      name: 'store',
      version: 'v2',
      api: { group: 'test.example.com', version: 'v1', kind: 'Store' },
      spec: Type.Object({ team: Type.String({ default: 'blue' }), tags: Type.Record(Type.String(), Type.String(), { default: {} }) }),
      decorate,
      delivery: applyInWorkflow({ backend: pgBackend() }),
      stack(scope, { spec }) {
        new S3Bucket(scope, 'plain', {});
        new S3Bucket(scope, 'tagged', { tags: { ...spec.tags, purpose: 'invoices' } });
        new S3Bucket(scope, 'computed', { tags: new TerraformVariable(scope, 'extra', { type: 'map(string)' }).value });
        new S3BucketPublicAccessBlock(scope, 'block', { bucket: 'b', blockPublicAcls: true });
        new DataResource(scope, 'data', { input: { x: 'x' } });
      },
      manifests: ({ metadata }) => [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', namespace: metadata.namespace, labels: { app: 'store', 'example.com/promise': 'spoofed' } },
        },
      ],
    }),
    ...extra,
  }) as ReturnType<typeof definePromise>;
const request = { metadata: { name: 'shop', namespace: 'team-a', labels: { 'example.com/cost-centre': '4711' } }, spec: { team: 'red' } };

describe('tags', () => {
  const tf = renderRequest(def(), request);
  const bucket = tf.resource.aws_s3_bucket;
  const expected = {
    'example.com/promise': 'store@v2',
    'example.com/request': 'team-a/shop',
    'example.com/team': 'red',
    'example.com/cost-centre': '4711',
  };
  test('go on every resource whose class takes tags, and on no other', () => {
    expect(bucket.plain.tags).toEqual(expected);
    expect(tf.resource.aws_s3_bucket_public_access_block.block).not.toHaveProperty('tags');
    expect(tf.resource.terraform_data.data).not.toHaveProperty('tags');
  });
  test('merge with the stack’s own, and win over a tenant’s attempt to set the same keys', () => {
    const spoofing = renderRequest(def(), { ...request, spec: { team: 'red', tags: { 'example.com/team': 'blue', cost: 'low' } } });
    expect(spoofing.resource.aws_s3_bucket.tagged.tags).toEqual({ ...expected, cost: 'low', purpose: 'invoices' });
  });
  test('over an expression, with Terraform’s merge(), the decoration last', () => {
    expect(bucket.computed.tags).toMatch(/^\$\{merge\(var\.extra, \{.*"example.com\/team" = "red".*\}\)\}$/);
  });
  test('request data in a tag reaches Terraform as a literal, never as an expression', () => {
    const hostile = renderRequest(def(), { ...request, spec: { team: '${file("/etc/passwd")}' } });
    expect(hostile.resource.aws_s3_bucket.plain.tags['example.com/team']).toBe('$${file("/etc/passwd")}');
  });
  test('in a merge() over an expression too, request data stays a literal: real Terraform evaluates it back to what the tenant wrote', () => {
    const hostile = '${file("/etc/passwd")}"}) + {"x" = "%{if true}y%{endif}';
    const tags = renderRequest(def(), { ...request, spec: { team: hostile } }).resource.aws_s3_bucket.computed.tags as string;
    expect(tags.startsWith('${merge(var.extra, ')).toBe(true);
    const outputs = applyAndReadOutputs({ variable: { extra: { type: 'map(string)', default: { from: 'stack' } } }, output: { tags: { value: tags } } });
    expect(outputs.tags).toMatchObject({ from: 'stack', 'example.com/team': hostile });
  });

  test('the Promise’s own stack is decorated too, without request fields', () => {
    const withStack = def([owner], {
      promiseStack: {
        stack(scope: never) {
          new S3Bucket(scope, 'shared', {});
        },
      },
    });
    expect(renderPromiseStack(withStack).resource.aws_s3_bucket.shared.tags).toEqual({ 'example.com/promise': 'store@v2' });
  });
  test('later decorations win over earlier ones', () => {
    const promiseWide: Decoration = { name: 'promise-wide', tags: () => ({ 'example.com/team': 'platform' }) };
    expect(renderRequest(def([owner, promiseWide]), request).resource.aws_s3_bucket.plain.tags['example.com/team']).toBe('platform');
  });
});

describe('labels', () => {
  test('go on every manifest, over the labels it was written with', () => {
    const { objects } = renderManifests(def(), request);
    expect(objects[0]!.object.metadata.labels).toEqual({ app: 'store', 'example.com/promise': 'store', 'example.com/request': 'shop' });
  });
  test('a value Kubernetes would refuse is named with its decoration and key; the run writes nothing and is retried', async () => {
    const long: Decoration = { name: 'long', labels: ({ request }) => ({ 'example.com/team': `${request?.metadata.name}-${'x'.repeat(70)}` }) };
    const d = def([long]);
    expect(() => renderManifests(d, request)).toThrow(/decorate\[0\] long: labels\(\)\.example\.com\/team: "shop-x+" must be at most 63 characters, is 75/);
    const ran = await runRequest(d, requestYaml(d, { team: 'red' }, { name: 'shop', namespace: 'team-a' }));
    expect(ran.ending).toBe('retry');
    expect(ran.output).toEqual({});
    expect(ran.status.message).toMatch(/could not build its manifests: decorate\[0\] long: labels\(\)/);
  });
});

test('a decoration that throws stops the run as the stack’s failure, named, with nothing written', async () => {
  const broken: Decoration = {
    name: 'cost',
    tags: () => {
      throw new Error('no cost centre table');
    },
  };
  const d = def([broken]);
  const ran = await runRequest(d, requestYaml(d, { team: 'red' }, { name: 'shop', namespace: 'team-a' }));
  expect(ran.ending).toBe('retry');
  expect(ran.output).toEqual({});
  expect(ran.status.conditions).toContainEqual(expect.objectContaining({ type: 'StackSynthesized', status: 'False', reason: 'StackFailed' }));
  expect(ran.stderr).toMatch(/decorate\[0\] cost: tags\(\)( at \S+)?: threw no cost centre table/);
});

test('synth refuses a decoration that is not one', () => {
  const issues = (decorate: unknown) => {
    const rendered = renderPromise({ ...def(), decorate } as never, { image: 'example.com/w:1' });
    return rendered.ok ? [] : rendered.issues.map((i) => `${i.path}: ${i.message}`);
  };
  expect(issues({})).toEqual(['decorate: is not a list']);
  expect(issues([{ name: 'a', tags: {} }, { tags: () => ({}) }, { name: 'c' }])).toEqual([
    'decorate[0].tags: is not a function',
    'decorate[1].name: is missing',
    'decorate[2]: has neither tags() nor labels()',
  ]);
});
