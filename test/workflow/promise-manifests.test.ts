// promiseManifests(): what a Promise installs once, written by its configure workflow (pipeline
// `deps`, KRATIX_WORKFLOW_TYPE=promise) beside any dependencies, with groups routed by
// destination-selectors.yaml as for a request (work-creator/lib/work_creator.go runs the same
// code for both workflow types).
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { definePromise, type PromiseDefinition } from '../../src/promise/define-promise.js';
import { crdValidator, pipelineProblems } from '../helpers/upstream.js';
import { SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { runRequest } from '../helpers/workflow.js';

const PROMISE_INPUT = 'apiVersion: platform.kratix.io/v1alpha1\nkind: Promise\nmetadata: {name: widget}\nspec: {}\n';
const IMAGE = 'ghcr.io/acme/workflows:widget-0123456789ab';
const run = (def: PromiseDefinition, action = 'configure') =>
  runRequest(def, PROMISE_INPUT, { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_PIPELINE_NAME: 'deps', KRATIX_CDKTF_IMAGE: IMAGE, KRATIX_WORKFLOW_ACTION: action });

const operator = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'widget-operator', namespace: 'widget-system' },
  spec: {
    selector: { matchLabels: { app: 'widget' } },
    template: { metadata: { labels: { app: 'widget' } }, spec: { containers: [{ name: 'op', image: 'widget:1' }] } },
  },
};
const widget = (promiseManifests: () => unknown, extra: Record<string, unknown> = {}) =>
  definePromise({ ...WIDGET, delivery: tofuController({ sourceRef: SOURCE_REF, cleanUp: false }), promiseManifests: promiseManifests as never, ...extra });

describe('a Promise with promiseManifests()', () => {
  const def = widget(() => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'widget-system' } },
    operator,
    {
      directory: 'platform',
      matchLabels: { environment: 'platform' },
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'widget-catalog', namespace: 'backstage' }, data: { offered: 'yes' } }],
    },
  ]);

  test('gets a Promise configure workflow, valid for Kratix, even with no dependencies to write', () => {
    const rendered = renderPromise(def, { image: IMAGE });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const promise = rendered.value.promise as any;
    expect(promise.spec.workflows.promise.configure.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['deps']);
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(promise)).toEqual([]);
    expect(pipelineProblems(promise)).toEqual([]);
  });

  test('its workflow writes the objects, and routes the group by its labels alone', async () => {
    const ran = await run(def);
    expect(ran.code).toBe(0);
    expect(Object.keys(ran.output).sort()).toEqual([
      'platform/promise-002-configmap-widget-catalog.yaml',
      'promise-000-namespace-widget-system.yaml',
      'promise-001-deployment-widget-operator.yaml',
    ]);
    expect(parse(ran.output['promise-001-deployment-widget-operator.yaml']!)).toEqual(operator);
    expect(parse(ran.metadata['destination-selectors.yaml']!)).toEqual([{ directory: 'platform', matchLabels: { environment: 'platform' } }]);
    expect(ran.stdout).toMatch(/widget: wrote 0 dependencies and 3 object\(s\) of promiseManifests\(\)/);
  });

  test('delete writes nothing: Kratix removes the Work with the Promise', async () => {
    const ran = await run(def, 'delete');
    expect(ran.code).toBe(0);
    expect(ran.output).toEqual({});
  });
});

describe('bad promiseManifests()', () => {
  test.each([
    [
      'a throw',
      () => {
        throw new Error('no catalog');
      },
      /promiseManifests\(\) at .*promise-manifests\.test\.ts:\d+: threw no catalog/,
    ],
    ['an object without a name', () => [{ apiVersion: 'v1', kind: 'Namespace', metadata: {} }], /promiseManifests\(\)\[0\]: has no metadata\.name/],
    ['a sub-directory', () => [{ directory: 'a/b', matchLabels: { x: 'y' }, objects: [] }], /promiseManifests\(\)\[0\]\.directory: "a\/b" must be lower-case/],
  ])('%s: the workflow fails with the path and the reason, writing nothing', async (_what, manifests, reason) => {
    const ran = await run(widget(manifests));
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(reason);
    expect(ran.output).toEqual({});
    expect(ran.metadata).toEqual({});
  });

  test('a group in the folder kratix-cdktf writes the delivery’s narrowed objects to is refused', async () => {
    const narrowed = widget(() => [{ directory: 'kratix-cdktf-delivery', matchLabels: { x: 'y' }, objects: [operator] }], {
      delivery: tofuController({ sourceRef: SOURCE_REF, destinationLabels: { tofu: 'yes' } }),
    });
    const ran = await run(narrowed);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/a group's directory is "kratix-cdktf-delivery", where kratix-cdktf writes the delivery's objects/);
  });

  test('not a function: refused at synth', () => {
    const rendered = renderPromise(widget([] as never), { image: IMAGE });
    expect(rendered.ok ? [] : rendered.issues).toContainEqual(expect.objectContaining({ path: 'promiseManifests', message: 'is not a function' }));
  });
});
