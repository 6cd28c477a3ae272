import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { apiDifferences, exampleRequest, renderManifests, synthPromise, validateRequest } from 'kratix-cdktf/testing';
import namespace from './index.js';

const upstream = parse(readFileSync(join(import.meta.dirname, 'upstream-api.yaml'), 'utf8'));
const example = exampleRequest(import.meta.dirname);

test('the API is the marketplace’s, field for field, with its names and lower-case kind', async () => {
  expect(apiDifferences(namespace, upstream.openAPIV3Schema)).toEqual([]);
  const crd = parse((await synthPromise(namespace, example)).get('promise.yaml')!).spec.api;
  expect(crd.spec.group).toBe(upstream.group);
  expect(crd.spec.names).toMatchObject(upstream.names);
  expect(crd.spec.versions[0].name).toBe(upstream.version);
});

test('the example request gives one Namespace, for every Destination the Promise selects', () => {
  const { objects, selectors } = renderManifests(namespace, example);
  expect(objects).toEqual([
    {
      directory: '',
      object: expect.objectContaining({ apiVersion: 'v1', kind: 'Namespace', metadata: expect.objectContaining({ name: 'promised-namespace' }) }),
    },
  ]);
  expect(selectors).toEqual([]);
});

test('clusterName sends it only to the Destinations labelled with it (the original meant to, but a typo stopped it)', () => {
  const { objects, selectors } = renderManifests(namespace, { spec: { namespaceName: 'team-a', clusterName: 'worker-1' } });
  expect(objects.map((o) => o.directory)).toEqual(['namespace']);
  expect(selectors).toEqual([{ directory: 'namespace', matchLabels: { clusterName: 'worker-1' } }]);
});

test('a name Kubernetes refuses is told, not written: the API keeps the original’s plain string', () => {
  expect(validateRequest(namespace, { spec: { namespaceName: 'Team A' } }).ok).toBe(true);
  expect(() => renderManifests(namespace, { spec: { namespaceName: 'Team A' } })).toThrow(/manifests\(\)\[0\].*"Team A"/);
  expect(validateRequest(namespace, { spec: {} }).ok).toBe(false);
});
