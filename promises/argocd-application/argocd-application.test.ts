import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { apiDifferences, exampleRequest, renderManifests, synthPromise, validateRequest } from 'kratix-cdktf/testing';
import argocdApplication from './index.js';

const upstream = parse(readFileSync(join(import.meta.dirname, 'upstream-api.yaml'), 'utf8'));
const example = exampleRequest(import.meta.dirname);
const application = (request = example) => renderManifests(argocdApplication, request).objects[0]!.object as any;

test('the API is the marketplace’s, field for field, with its names and its kind argocd-application', async () => {
  expect(apiDifferences(argocdApplication, upstream.openAPIV3Schema)).toEqual([]);
  const promise = parse((await synthPromise(argocdApplication, example, { promiseDir: import.meta.dirname })).get('promise.yaml')!);
  expect(promise.spec.api.spec.group).toBe(upstream.group);
  expect(promise.spec.api.spec.names).toMatchObject(upstream.names);
});

test('Argo CD, 534 KiB of manifests, is installed by the Promise’s configure workflow, not inlined', async () => {
  const promise = parse((await synthPromise(argocdApplication, example, { promiseDir: import.meta.dirname })).get('promise.yaml')!);
  expect(promise.spec.dependencies).toBeUndefined();
  expect(promise.spec.workflows.promise.configure.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['deps']);
});

test('the example request gives an Application in argocd, syncing the repository’s path at HEAD', () => {
  const app = application();
  expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' } });
  expect(app.spec.source).toEqual({ repoURL: 'https://github.com/argoproj/argocd-example-apps.git', path: 'guestbook', targetRevision: 'HEAD' });
  expect(app.spec.syncPolicy).toEqual({ automated: {} });
});

test('targetRevision is honoured (the original read a field its API does not have), and path defaults to the root', () => {
  const app = application({ spec: { source: { repoURL: 'https://example.com/r.git', targetRevision: 'v1.2.0' } } });
  expect(app.spec.source).toMatchObject({ targetRevision: 'v1.2.0', path: '.' });
});

test('requests of one name in two namespaces get two Applications', () => {
  const name = (namespace: string) => application({ metadata: { name: 'web', namespace }, spec: example.spec }).metadata.name;
  expect(name('team-a')).not.toBe(name('team-b'));
});

test('repoURL is required, as upstream', () => {
  const result = validateRequest(argocdApplication, { spec: { source: { path: 'x' } } });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.issues.map((i) => i.path)).toContain('spec.source.repoURL');
});
