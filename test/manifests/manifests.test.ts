// What manifests() may return, and how it is laid out for Kratix (src/manifests): the objects
// checked (kubernetes-models instances against their Kubernetes OpenAPI schema), written one
// file each, and groups routed through destination-selectors.yaml as Kratix's work-creator
// accepts it (work-creator/lib/work_creator.go, ParseDestinationSelectors).
import { describe, expect, test } from 'vitest';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { parse } from 'yaml';
import { definePromise, Type } from '../../src/index.js';
import { MAX_MANIFESTS, manifestFiles, requestManifests } from '../../src/manifests/index.js';

const cm = (name: string, data: Record<string, string> = {}, namespace = 'team-a') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

const ok = (items: unknown) => {
  const result = manifestFiles(items);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
};
const refused = (items: unknown) => {
  const result = manifestFiles(items);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.issues;
};

describe('objects', () => {
  test('plain and kubernetes-models objects become one YAML file each, as plain data, in order', () => {
    const { files, objects, selectors } = ok([new Namespace({ metadata: { name: 'payments' } }), cm('settings', { mode: 'fast' })]);
    expect([...files.keys()]).toEqual(['000-namespace-payments.yaml', '001-configmap-settings.yaml']);
    expect(parse(files.get('000-namespace-payments.yaml')!)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } });
    expect(objects.map((o) => o.directory)).toEqual(['', '']);
    expect(Object.getPrototypeOf(objects[0]!.object)).toBe(Object.prototype);
    expect(selectors).toEqual([]);
  });

  test('a kubernetes-models object that breaks its Kubernetes schema is refused with the schema’s words', () => {
    // scopes is a list of strings in the OpenAPI schema.
    const quota = new ResourceQuota({ metadata: { name: 'q', namespace: 'team-a' }, spec: { scopes: 'BestEffort' as never } });
    const [issue, ...rest] = refused([quota]);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ path: 'manifests()[0]', message: expect.stringMatching(/^is not a valid ResourceQuota: .*scopes.*array/) });
  });

  test('request strings stay data: no expression is evaluated, and YAML-ambiguous strings come back as strings', () => {
    const hostile = { a: '${file("/etc/passwd")}', b: 'yes', c: '1e3', d: '{{ .Values.x }}', e: 'line\nbreak: true', f: '<<', g: '~' };
    const { files } = ok([cm('hostile', hostile)]);
    expect(parse(files.get('000-configmap-hostile.yaml')!).data).toEqual(hostile);
  });

  test.each([
    ['not a list', { apiVersion: 'v1' }, 'manifests()', /returned a object, not a list|not a list/],
    ['no kind', [{ apiVersion: 'v1', metadata: { name: 'x' } }], 'manifests()[0]', /has no kind/],
    ['no name', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], 'manifests()[0]', /has no metadata\.name/],
    ['a name Kubernetes refuses', [cm('Payments DB')], 'manifests()[0].metadata.name', /"Payments DB" must be lower-case/],
    ['a namespace Kubernetes refuses', [cm('x', {}, 'a.b')], 'manifests()[0].metadata.namespace', /"a\.b" must be lower-case letters, digits and "-"/],
    ['a value JSON cannot hold', [{ ...cm('x'), data: { n: Number.NaN } }], 'manifests()[0]', /holds a value JSON cannot represent at data\.n/],
    ['the same object twice', [cm('x'), cm('x', { other: 'data' })], 'manifests()[1]', /is ConfigMap team-a\/x again, as manifests\(\)\[0\] is/],
  ])('%s is refused with the path, the reason and a fix', (_what, items, path, reason) => {
    const issues = refused(items);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, message: expect.stringMatching(reason), fix: expect.any(String) });
  });

  test(`at most ${MAX_MANIFESTS} objects`, () => {
    const many = Array.from({ length: MAX_MANIFESTS + 1 }, (_, i) => cm(`c${i}`));
    expect(refused(many)).toEqual([expect.objectContaining({ path: 'manifests()', message: expect.stringMatching(/501 objects; at most 500/) })]);
    expect(ok(many.slice(1)).objects).toHaveLength(MAX_MANIFESTS);
  });
});

describe('groups: a folder for the Destinations with given labels', () => {
  test('each group is a folder and a destination-selectors.yaml entry; the same object may go to two groups', () => {
    const { files, selectors, objects } = ok([
      cm('root'),
      { directory: 'platform', matchLabels: { cluster: 'platform' }, objects: [cm('x')] },
      { directory: 'workers', matchLabels: { cluster: 'worker', region: 'eu' }, objects: [cm('x'), cm('y')] },
    ]);
    expect([...files.keys()]).toEqual([
      '000-configmap-root.yaml',
      'platform/001-configmap-x.yaml',
      'workers/002-configmap-x.yaml',
      'workers/003-configmap-y.yaml',
    ]);
    expect(selectors).toEqual([
      { directory: 'platform', matchLabels: { cluster: 'platform' } },
      { directory: 'workers', matchLabels: { cluster: 'worker', region: 'eu' } },
    ]);
    expect(objects.map((o) => o.directory)).toEqual(['', 'platform', 'workers', 'workers']);
  });

  test.each([
    ['a sub-directory (Kratix refuses them)', { directory: 'a/b', matchLabels: { x: 'y' }, objects: [] }, 'manifests()[0].directory', /must be lower-case/],
    ['the output itself', { directory: '.', matchLabels: { x: 'y' }, objects: [] }, 'manifests()[0].directory', /must be lower-case/],
    ['a path out of the output', { directory: '..', matchLabels: { x: 'y' }, objects: [] }, 'manifests()[0].directory', /must be lower-case/],
    ['no labels (Kratix refuses the entry)', { directory: 'a', matchLabels: {}, objects: [] }, 'manifests()[0].matchLabels', /at least one label/],
    [
      'a label a Destination cannot carry',
      { directory: 'a', matchLabels: { 'bad key!': 'x' }, objects: [] },
      'manifests()[0].matchLabels.bad key!',
      /must be letters/,
    ],
    ['objects that are not a list', { directory: 'a', matchLabels: { x: 'y' }, objects: 'cm' }, 'manifests()[0].objects', /not a list/],
  ])('%s is refused', (_what, group, path, reason) => {
    const issues = refused([group]);
    expect(issues[0]).toMatchObject({ path, message: expect.stringMatching(reason), fix: expect.any(String) });
  });

  test('a directory twice is refused, as Kratix refuses a duplicate entry', () => {
    const group = { directory: 'a', matchLabels: { x: 'y' }, objects: [cm('one')] };
    expect(refused([group, { ...group, objects: [cm('two')] }])).toEqual([
      expect.objectContaining({ path: 'manifests()[1].directory', message: expect.stringMatching(/is "a" again, as manifests\(\)\[0\]\.directory is/) }),
    ]);
  });
});

describe("the author's manifests()", () => {
  const def = (manifests: (r: { spec: { name: string } }) => unknown) =>
    definePromise({
      name: 'cfg',
      api: { group: 'test.example.com', version: 'v1', kind: 'Cfg' },
      spec: Type.Object({ name: Type.String() }),
      manifests: manifests as never,
    });
  const request = { metadata: { name: 'r', namespace: 'team-a' }, spec: { name: 'from-the-request' } };

  test('gets the validated request', () => {
    const result = requestManifests(
      def(({ spec }) => [cm(spec.name)]),
      request,
    );
    expect(result?.ok && result.value.objects[0]!.object.metadata.name).toBe('from-the-request');
  });

  test('what it throws is reported as the author’s, with where', () => {
    const result = requestManifests(
      def(() => {
        throw new RangeError('no such size');
      }),
      request,
    );
    expect(result).toEqual({
      ok: false,
      issues: [{ path: expect.stringMatching(/^manifests\(\) at .*manifests\.test\.ts:\d+$/), message: 'threw RangeError: no such size' }],
    });
  });

  test('a Promise without manifests() has none', () => {
    expect(requestManifests({ ...def(() => []), manifests: undefined } as never, request)).toBeUndefined();
  });
});
