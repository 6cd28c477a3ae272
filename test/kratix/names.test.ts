// CRD names exactly as Kubernetes accepts them: the table follows apiextensions-apiserver's
// ValidateCustomResourceDefinitionNames (k8s.io/apiextensions-apiserver, pkg/apis/apiextensions/
// validation/validation.go, unchanged from v1.16 to v1.36): plural, singular, short names and
// categories are DNS-1035 labels; kind and list kind are DNS-1035 labels once lower-cased, so any
// case is allowed. Kubernetes accepts `kind: redis`, as the Kratix marketplace's redis Promise uses.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { definePromise, tofuController, Type } from '../../src/index.js';
import { dns1035LabelProblem, kindIdentifier, kindProblem } from '../../src/kratix/names.js';
import { synthPromise, validateRequest } from '../../src/testing/index.js';
import { crdValidator, kubernetesCrdValidator, pipelineProblems } from '../helpers/upstream.js';
import { renderWidget, SOURCE_REF, WIDGET } from '../helpers/widget.js';

describe('kinds', () => {
  test.each(['Postgres', 'redis', 'REDIS', 'mySQL', 'S3Bucket', 'my-db', 'a', `K${'x'.repeat(58)}`])('%s is accepted, as Kubernetes does', (kind) => {
    expect(kindProblem(kind)).toBeUndefined();
  });

  test.each([
    ['', /must not be empty/],
    ['3scale', /starting with a letter/],
    ['-db', /starting with a letter/],
    ['db-', /ending with a letter or digit/],
    ['my_db', /lower-case letters, digits and "-"/],
    ['my.db', /lower-case letters, digits and "-"/],
    ['Café', /lower-case letters, digits and "-"/],
    [`K${'x'.repeat(59)}`, /at most 59 characters, so that its list kind .* fits 63/],
    [`K${'x'.repeat(63)}`, /at most 63 characters/],
  ])('%j is refused: %s', (kind, reason) => {
    expect(kindProblem(kind)).toMatch(reason);
  });

  test('TypeScript names: UpperCamelCase, "-" dropped', () => {
    expect(['redis', 'Postgres', 'my-db', 'a-b-c1', 'mySQL'].map(kindIdentifier)).toEqual(['Redis', 'Postgres', 'MyDb', 'ABC1', 'MySQL']);
  });
});

describe('plural, singular, short names, categories: DNS-1035 labels', () => {
  test.each(['redis', 'postgreses', 'db1', 'my-dbs', 'a'])('%s is accepted', (name) => expect(dns1035LabelProblem(name)).toBeUndefined());
  test.each(['1db', 'Dbs', 'db-', 'my_db', 'd'.repeat(64), ''])('%j is refused', (name) => expect(dns1035LabelProblem(name)).toBeDefined());

  test.each([
    [{ plural: '2dbs' }, /^api\.plural: "2dbs" must be lower-case letters, digits and "-", starting with a letter/],
    [{ singular: 'Widget' }, /^api\.singular: "Widget"/],
    [{ shortNames: ['9w'] }, /^api\.shortNames\[0\]: "9w"/],
    [{ categories: ['all', 'kratix_things'] }, /^api\.categories\[1\]: "kratix_things"/],
  ])('%j is refused at synth, naming the field', (api, expected) => {
    const result = renderWidget({ api: { ...WIDGET.api, ...api } });
    expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([expect.stringMatching(expected)]);
  });
});

describe('a Promise with a lower-case kind, end to end', async () => {
  // As the marketplace's redis Promise spells its API: kind, plural and singular all `redis`.
  const redis = definePromise({
    ...WIDGET,
    name: 'redis',
    api: { group: 'marketplace.kratix.io', version: 'v1alpha1', kind: 'redis', plural: 'redis', singular: 'redis', shortNames: ['rd'], categories: ['kratix'] },
    spec: Type.Object({ size: Type.Union([Type.Literal('small'), Type.Literal('large')], { default: 'small' }) }),
    delivery: tofuController({ sourceRef: SOURCE_REF, cleanUp: false }),
  });
  const files = await synthPromise(redis, { metadata: { name: 'cache', namespace: 'team-a' }, spec: {} });
  const promise = parse(files.get('promise.yaml')!);

  test('promise.yaml is valid for Kratix and its CRD for Kubernetes, with the names as written', () => {
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(promise)).toEqual([]);
    expect(pipelineProblems(promise)).toEqual([]);
    const crd = promise.spec.api;
    expect(kubernetesCrdValidator()(crd)).toEqual([]);
    expect(crd.metadata.name).toBe('redis.marketplace.kratix.io');
    expect(crd.spec.names).toEqual({ kind: 'redis', listKind: 'redisList', plural: 'redis', singular: 'redis', shortNames: ['rd'], categories: ['kratix'] });
  });

  test('requests of kind redis are accepted, Redis refused (kinds are case-sensitive)', () => {
    const request = (kind: string) => ({ apiVersion: 'marketplace.kratix.io/v1alpha1', kind, metadata: { name: 'cache', namespace: 'team-a' }, spec: {} });
    expect(validateRequest(redis, request('redis')).ok).toBe(true);
    const refused = validateRequest(redis, request('Redis'));
    expect(refused.ok ? [] : refused.issues).toEqual([expect.objectContaining({ path: 'kind', message: 'expected "redis", got "Redis"' })]);
  });

  test('the consumer types are named in UpperCamelCase and keep the kind’s spelling; the example request too', () => {
    expect(files.get('types.ts')).toMatch(/export interface Redis \{\n {2}apiVersion: 'marketplace\.kratix\.io\/v1alpha1';\n {2}kind: 'redis';/);
    expect(files.get('types.ts')).toMatch(/spec\?: RedisSpec;[\s\S]*export interface RedisSpec \{/);
    expect(parse(files.get('example-resource.yaml')!).kind).toBe('redis');
  });
});
