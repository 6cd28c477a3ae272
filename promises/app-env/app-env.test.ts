import { expect, test } from 'vitest';
import { exampleRequest, renderManifests, validateRequest } from 'kratix-cdktf/testing';
import bucket from '../bucket/index.js';
import postgres from '../postgres/index.js';
import appEnv from './index.js';

const example = exampleRequest(import.meta.dirname);

test('the example asks for a Postgres and a Bucket in the requester’s namespace, labelled with where they came from', () => {
  const { objects, selectors } = renderManifests(appEnv, example);
  expect(objects.map(({ object }) => [object.kind, object.metadata.namespace, object.metadata.name])).toEqual([
    ['Postgres', 'team-shop', 'shop-db'],
    ['Bucket', 'team-shop', 'shop-files'],
  ]);
  for (const { object } of objects)
    expect(object.metadata.labels).toEqual({
      'platform.example.com/app-environment': 'shop',
      // The platform's decoration (promises/platform.ts): which Promise, version and request.
      'kratix.io/promise': 'app-env',
      'kratix.io/promise-version': 'v0.1.0',
      'kratix.io/resource-namespace': 'team-shop',
      'kratix.io/resource-name': 'shop',
    });
  // No folder of their own: the Promise's destinationSelectors send them to the platform cluster.
  expect(selectors).toEqual([]);
  expect(appEnv.destinationSelectors).toEqual([{ matchLabels: { environment: 'platform' } }]);
});

test('each request it writes is one the other Promise accepts, with the values asked for', () => {
  const { objects } = renderManifests(appEnv, example);
  const [db, files] = objects.map(({ object }) => object);
  const pg = validateRequest(postgres, db!);
  expect(pg.ok ? [] : pg.issues).toEqual([]);
  expect(pg.ok && pg.value.spec).toMatchObject({ size: 'medium', storageGiB: 50, databaseName: 'shop' });
  const s3 = validateRequest(bucket, files!);
  expect(s3.ok ? [] : s3.issues).toEqual([]);
  expect(s3.ok && s3.value.spec).toMatchObject({ versioning: true, lifecycleRules: [{ id: 'expire', expirationDays: 365 }] });
});

test('a hyphenated app name still gives a database name Postgres accepts; no expiry, no lifecycle rule', () => {
  const { objects } = renderManifests(appEnv, { metadata: { name: 'x', namespace: 'team-a' }, spec: { app: 'web-shop' } });
  const pg = validateRequest(postgres, objects[0]!.object);
  expect(pg.ok && pg.value.spec).toMatchObject({ databaseName: 'web_shop' });
  expect(objects[1]!.object.spec).toEqual({ versioning: true });
});

test('it requires the postgres and bucket Promises at the versions this repository offers', () => {
  expect(appEnv.requiredPromises).toEqual([
    { name: postgres.name, version: postgres.version },
    { name: bucket.name, version: bucket.version },
  ]);
});

test.each([
  [{ app: 'Shop' }, /spec\.app: "Shop" does not match the pattern/],
  [{ app: 'shop', database: { size: 'large' } }, /spec\.database\.size: "large" is not one of "small", "medium"/],
  [{ app: 'shop', files: { expireAfterDays: 0 } }, /spec\.files\.expireAfterDays: 0 is below the minimum 1/],
  [{}, /spec\.app: is required/],
])('%j is refused', (bad, message) => {
  const result = validateRequest(appEnv, { spec: bad });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(message);
});
