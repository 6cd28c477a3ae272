// Older API versions served beside the current one, and the path a request written through an
// old version takes: the API server validates it with that version's schema, stores it as the
// storage version by changing its apiVersion only (no conversion webhook: the None strategy),
// defaulting with the storage schema, and Kratix hands the workflow the storage version's object.
// The API server is not here; the steps it takes are written out in `storeAsStorageVersion`.
import { describe, expect, test } from 'vitest';
import { evolution } from '../../src/evolution/index.js';
import { definePromise, tofuController, Type } from '../../src/index.js';
import { parseRequest, requestApi } from '../../src/kratix/request.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { applyDefaults } from '../../src/schema/defaults.js';
import { toYaml } from '../../src/artifacts/yaml.js';
import { crdValidator, kubernetesCrdValidator } from '../helpers/upstream.js';
import { structuralProblems } from '../helpers/structural.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SOURCE_REF = { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } as const;
const v1alpha1 = Type.Object({
  size: Type.Integer({ default: 1, minimum: 1, maximum: 5 }),
  color: Type.Union([Type.Literal('red'), Type.Literal('green')], { default: 'red' }),
});
const v1 = Type.Object({
  size: Type.Integer({ default: 1, minimum: 1, maximum: 10 }),
  color: Type.Union([Type.Literal('red'), Type.Literal('green'), Type.Literal('blue')], { default: 'red' }),
  label: Type.String({ default: 'none', maxLength: 20 }),
});
let seen: unknown;
const widget = definePromise({
  name: 'widget',
  api: { group: 'test.example.com', version: 'v1', kind: 'Widget' },
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  spec: v1,
  versions: [{ name: 'v1alpha1', spec: v1alpha1 }],
  stack(_, request) {
    seen = request.spec;
  },
});

const rendered = () => {
  const r = renderPromise(widget, { image: 'img:1' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

// What the API server does with a request written through an older version, before Kratix sees it.
function storeAsStorageVersion(object: { apiVersion: string; spec: unknown }) {
  const api = requestApi(widget);
  if (!api.ok) throw new Error('invalid');
  const version = object.apiVersion.split('/')[1]!;
  const own = version === 'v1' ? api.value.spec : api.value.older[version]!;
  return { ...object, apiVersion: 'test.example.com/v1', spec: applyDefaults(api.value.spec, applyDefaults(own, object.spec)) };
}

describe('the CRD', () => {
  test('serves both versions, stores the current one, and marks the older one deprecated', () => {
    const crd = rendered().promise.spec as any;
    const versions = crd.api.spec.versions;
    expect(versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, false],
      ['v1', true, true],
    ]);
    expect(versions[0]).toMatchObject({ deprecated: true, deprecationWarning: 'v1alpha1 is deprecated; use v1' });
    expect(versions[0].schema.openAPIV3Schema.properties.spec.properties.color.enum).toEqual(['red', 'green']);
    expect(kubernetesCrdValidator()(crd.api)).toEqual([]);
    for (const v of versions) expect(structuralProblems(v.schema.openAPIV3Schema)).toEqual([]);
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(rendered().promise)).toEqual([]);
  });

  test('an older version whose requests the storage version would not take as they are is refused, naming the field', () => {
    const renamed = definePromise({
      ...widget,
      versions: [{ name: 'v1alpha1', spec: Type.Object({ colour: Type.String(), color: Type.Union([Type.Literal('red'), Type.Literal('purple')]) }) }],
    } as typeof widget);
    const result = renderPromise(renamed, { image: 'img:1' });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['versions[0]: spec.colour', 'versions[0]: spec.color']));
    expect(issues.find((i) => i.path === 'versions[0]: spec.colour')!.message).toContain('by changing its apiVersion only');
    expect(issues.find((i) => i.path === 'versions[0]: spec.color')!.message).toContain('no longer takes "purple"');
  });

  test('a version served twice, or named as no Kubernetes version, is refused', () => {
    for (const [name, message] of [
      ['v1', 'versions[0].name: v1 is served twice'],
      ['version-one', 'versions[0].name: must'],
    ] as const) {
      const result = renderPromise(definePromise({ ...widget, versions: [{ name, spec: v1alpha1 }] } as typeof widget), { image: 'img:1' });
      expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([expect.stringContaining(message)]);
    }
  });

  test('an older version that Kubernetes would rank above the current one is refused: clients would keep writing through it', () => {
    const ranked = (current: string, older: string) => {
      const r = renderPromise(
        definePromise({ ...widget, api: { ...widget.api, version: current }, versions: [{ name: older, spec: v1alpha1 }] } as typeof widget),
        {
          image: 'img:1',
        },
      );
      return r.ok ? [] : r.issues.map((i) => i.message);
    };
    expect(ranked('v2alpha1', 'v1')).toEqual([expect.stringContaining('v1 ranks above v2alpha1')]);
    expect(ranked('v1beta1', 'v1alpha2')).toEqual([]);
    expect(ranked('v2', 'v1')).toEqual([]);
  });

  test('no longer serving the older version is a breaking change synth refuses', () => {
    const before = toYaml(rendered().promise);
    const r = renderPromise(definePromise({ ...widget, versions: undefined } as typeof widget), { image: 'img:1' });
    const after = toYaml(r.ok ? r.value.promise : {});
    expect(evolution(before, after).breaking.map((c) => [c.path, c.change])).toEqual([['api.version', 'version-removed']]);
  });
});

describe('a request written through the older version', () => {
  const written = { apiVersion: 'test.example.com/v1alpha1', kind: 'Widget', metadata: { name: 'old', namespace: 'team-a' }, spec: { color: 'green' } };

  test('is valid for its own version, and reaches the workflow as the storage version with the current defaults', async () => {
    const api = requestApi(widget);
    expect(api.ok && parseRequest(api.value, written).ok).toBe(true);
    const stored = storeAsStorageVersion(written);
    expect(stored.spec).toEqual({ size: 1, color: 'green', label: 'none' });
    const run = await runRequest(widget, JSON.stringify(stored));
    expect(run.ending).toBe('done');
    expect(seen).toEqual({ size: 1, color: 'green', label: 'none' });
  });

  test('as Kratix would never hand it over but a render might, it is read with its own version, then the current one', async () => {
    seen = undefined;
    const run = await runRequest(widget, JSON.stringify(written));
    expect(run.ending).toBe('done');
    expect(seen).toEqual({ size: 1, color: 'green', label: 'none' });
  });

  test('is refused, by its own version’s rules, when it asks for what only the current version offers', async () => {
    const run = await runRequest(widget, JSON.stringify({ ...written, spec: { color: 'blue', size: 8 } }));
    expect(run.ending).toBe('suspended');
    expect(run.status.message).toContain('spec.color: "blue" is not one of "red", "green"');
    expect(run.status.message).toContain('spec.size: 8 is above the maximum 5');
  });

  test('a version nobody serves is refused, naming the served ones', async () => {
    const run = await runRequest(widget, requestYaml(widget, {}, { name: 'x', namespace: 'team-a' }).replace('test.example.com/v1', 'test.example.com/v2'));
    expect(run.status.message).toContain('apiVersion: expected "test.example.com/v1" or "test.example.com/v1alpha1", got "test.example.com/v2"');
  });
});
