// manifests() in the workflow: Kubernetes objects written for Kratix beside a stack or instead of
// one, routed by destination-selectors.yaml. Kratix's routing cannot run here (it needs a cluster),
// so `route` below reads the output as Kratix's work-creator does (work-creator/lib/work_creator.go,
// Execute): a folder listed with a directory is a workload group of its own, scheduled by that
// entry's labels alone; everything else is the default group, scheduled by the root entry's labels
// and the Promise's destinationSelectors together.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Delivery } from '../../src/delivery/delivery.js';
import { definePromise, tofuController, Type } from '../../src/index.js';
import { crdValidator, pipelineProblems } from '../helpers/upstream.js';
import { renderWidget, SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { requestYaml, runRequest, type WorkflowRun } from '../helpers/workflow.js';

const DESTINATIONS = {
  platform: { cluster: 'platform', environment: 'dev' },
  'worker-eu': { cluster: 'worker', environment: 'dev', region: 'eu' },
  'worker-us': { cluster: 'worker', environment: 'dev', region: 'us' },
  prod: { cluster: 'worker', environment: 'prod', region: 'eu' },
} as const;

// Which Destinations get which files of one run's output, as Kratix schedules them.
function route(run: WorkflowRun, promiseSelectors: readonly Record<string, string>[] = []): Record<string, string[]> {
  const entries = (run.metadata['destination-selectors.yaml'] ? parse(run.metadata['destination-selectors.yaml']) : []) as {
    directory?: string;
    matchLabels: Record<string, string>;
  }[];
  const groups = entries.filter((e) => e.directory && e.directory !== '.');
  const root = entries.find((e) => !e.directory || e.directory === '.');
  const matches = (labels: Record<string, string>, selectors: readonly Record<string, string>[]) =>
    selectors.every((s) => Object.entries(s).every(([k, v]) => labels[k] === v));
  const got: Record<string, string[]> = {};
  for (const [name, labels] of Object.entries(DESTINATIONS)) {
    got[name] = Object.keys(run.output)
      .filter((file) => {
        const group = groups.find((g) => file.startsWith(`${g.directory}/`));
        if (group) return matches(labels, [group.matchLabels]);
        return matches(labels, [...(root ? [root.matchLabels] : []), ...promiseSelectors]);
      })
      .sort();
  }
  return got;
}

const spec = Type.Object({ app: Type.String({ pattern: '^[a-z][-a-z0-9]*$', maxLength: 40 }), replicas: Type.Integer({ default: 1, minimum: 1 }) });
const cm = (name: string, namespace: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

// What a platform team writes for an app: its namespace on the workers, its registration on the platform cluster.
const app = definePromise({
  name: 'app',
  api: { group: 'test.example.com', version: 'v1alpha1', kind: 'App' },
  spec,
  destinationSelectors: [{ matchLabels: { environment: 'dev' } }],
  manifests({ metadata, spec }) {
    return [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.app } },
      { directory: 'platform', matchLabels: { cluster: 'platform' }, objects: [cm(`app-${spec.app}`, 'registry', { owner: metadata.namespace })] },
      { directory: 'eu-workers', matchLabels: { cluster: 'worker', region: 'eu' }, objects: [cm('replicas', spec.app, { count: String(spec.replicas) })] },
    ];
  },
});
const meta = { name: 'shop', namespace: 'team-a' };

describe('a Promise of manifests only', async () => {
  const run = await runRequest(app, requestYaml(app, { app: 'shop' }, meta));

  test('writes each object to its folder and routes the folders as Kratix does', () => {
    expect(run.code).toBe(0);
    expect(Object.keys(run.output).sort()).toEqual([
      '000-namespace-shop.yaml',
      'eu-workers/002-configmap-replicas.yaml',
      'platform/001-configmap-app-shop.yaml',
    ]);
    expect(parse(run.metadata['destination-selectors.yaml']!)).toEqual([
      { directory: 'platform', matchLabels: { cluster: 'platform' } },
      { directory: 'eu-workers', matchLabels: { cluster: 'worker', region: 'eu' } },
    ]);
    expect(route(run, [{ environment: 'dev' }])).toEqual({
      // The root goes by the Promise's destinationSelectors; the folders by their own labels only,
      // so the eu group also reaches prod, which the Promise's selectors would not.
      platform: ['000-namespace-shop.yaml', 'platform/001-configmap-app-shop.yaml'],
      'worker-eu': ['000-namespace-shop.yaml', 'eu-workers/002-configmap-replicas.yaml'],
      'worker-us': ['000-namespace-shop.yaml'],
      prod: ['eu-workers/002-configmap-replicas.yaml'],
    });
  });

  test('status says what was written, and that Kratix, not the workflow, sees it applied', () => {
    expect(run.status.message).toBe('Wrote 3 Kubernetes objects for Kratix to schedule');
    expect(run.status.manifests).toEqual({
      objects: 1,
      groups: [
        { directory: 'platform', matchLabels: { cluster: 'platform' }, objects: 1 },
        { directory: 'eu-workers', matchLabels: { cluster: 'worker', region: 'eu' }, objects: 1 },
      ],
    });
    expect(run.status.conditions).toEqual([
      expect.objectContaining({ type: 'RequestValid', status: 'True' }),
      expect.objectContaining({ type: 'StackSynthesized', status: 'True', message: 'No Terraform stack: the Promise writes Kubernetes manifests only' }),
      expect.objectContaining({ type: 'Ready', status: 'Unknown', reason: 'ScheduledByKratix' }),
    ]);
    expect(run.status).not.toHaveProperty('outputs');
  });

  test('a delete run writes nothing: Kratix removes the objects with the Work', async () => {
    const deleted = await runRequest(app, requestYaml(app, { app: 'shop' }, meta), { KRATIX_WORKFLOW_ACTION: 'delete' });
    expect(deleted.code).toBe(0);
    expect(deleted.output).toEqual({});
    expect(deleted.stdout).toMatch(/nothing to do: Kratix removes the manifests with the request’s Work/);
  });

  test('a DryRun schedules nothing', async () => {
    const dry = await runRequest(app, requestYaml(app, { app: 'shop' }, meta), { KRATIX_DRY_RUN: 'true' });
    expect(dry.code).toBe(0);
    expect(Object.keys(dry.output).filter((f) => f !== 'dry-run.yaml')).toEqual([]);
  });

  test('promise.yaml is valid for Kratix, with no Terraform anywhere', async () => {
    const rendered = renderWidget({ ...app, delivery: undefined, stack: undefined });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(rendered.value.promise)).toEqual([]);
    expect(pipelineProblems(rendered.value.promise as never)).toEqual([]);
    expect(JSON.stringify(rendered.value.promise)).not.toMatch(/terraform|tofu/i);
    expect((rendered.value.promise as any).spec.workflows.resource.configure[0].metadata.name).toBe('manifests');
  });
});

describe('manifests beside a stack', () => {
  const both = definePromise({
    ...app,
    name: 'app-db',
    outputs: { id: {} },
    delivery: tofuController({ sourceRef: SOURCE_REF, destinationLabels: { tofu: 'yes' } }),
    stack: () => ({ id: 'x' }),
  });

  test('the root, the delivery’s objects included, goes by the delivery’s labels; each folder by its own', async () => {
    const run = await runRequest(both, requestYaml(both, { app: 'shop' }, meta));
    expect(run.code).toBe(0);
    const files = Object.keys(run.output).sort();
    expect(files).toEqual([
      '000-namespace-shop.yaml',
      expect.stringMatching(/^app-db-team-a-shop-[0-9a-f]{20}\.yaml$/),
      'eu-workers/002-configmap-replicas.yaml',
      'platform/001-configmap-app-shop.yaml',
    ]);
    expect(parse(run.metadata['destination-selectors.yaml']!)).toEqual([
      { matchLabels: { tofu: 'yes' } },
      { directory: 'platform', matchLabels: { cluster: 'platform' } },
      { directory: 'eu-workers', matchLabels: { cluster: 'worker', region: 'eu' } },
    ]);
    expect(run.status.message).toMatch(/^Synthesized 0 Terraform resources.*; wrote 3 Kubernetes objects for Kratix to schedule$/);
  });
});

describe('bad manifests', () => {
  test('a name built from request data that Kubernetes would refuse: refused, nothing written, retried', async () => {
    const risky = definePromise({ ...app, manifests: ({ spec }) => [cm(`${spec.app}.`, 'team-a')] });
    const run = await runRequest(risky, requestYaml(risky, { app: 'shop' }, meta));
    expect(run.output).toEqual({});
    expect(run.ending).toBe('retry');
    expect(run.status.message).toMatch(/^App team-a\/shop: promises\/app could not build its manifests: manifests\(\)\[0\]\.metadata\.name: "shop\." must be/);
    expect(run.status.conditions).toEqual([
      expect.objectContaining({ type: 'StackSynthesized', status: 'False', reason: 'ManifestsFailed' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ManifestsFailed' }),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a folder where the delivery writes its own output is refused', async () => {
    const own: Delivery = {
      kind: 'own',
      runsTerraform: false,
      check: () => [],
      pipeline: () => ({ permissions: [], env: [] }),
      configure: () => ({ files: new Map([['platform/objects.yaml', 'a: 1\n']]), status: { message: 'written' }, conditions: [] }),
      delete: { message: 'nothing' },
      warmUp: () => {},
    };
    const clash = definePromise({ ...app, delivery: own, stack: () => {} });
    const run = await runRequest(clash, requestYaml(clash, { app: 'shop' }, meta));
    expect(run.output).toEqual({});
    expect(run.status.message).toMatch(/platform\/001-configmap-app-shop\.yaml is where the own delivery writes its own output/);
  });
});

describe('what synth refuses', () => {
  test.each([
    ['neither stack() nor manifests()', { stack: undefined }, 'stack', /is missing, and so is manifests\(\)/],
    ['a delivery without a stack', { stack: undefined, manifests: () => [] }, 'delivery', /delivers a Terraform stack, and this Promise has no stack\(\)/],
    [
      'outputs without a stack',
      { stack: undefined, delivery: undefined, manifests: () => [], outputs: { id: {} } },
      'outputs',
      /this Promise has no stack\(\)/,
    ],
    ['manifests that are not a function', { manifests: [] }, 'manifests', /is not a function/],
  ])('%s', (_what, overrides, path, reason) => {
    const rendered = renderWidget({ ...WIDGET, ...overrides });
    expect(rendered.ok).toBe(false);
    expect(rendered.ok ? [] : rendered.issues).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(reason) }));
  });
});
