// The Promise workflow that writes dependencies, run as Kratix runs it, with a real operator's
// CRD (tofu-controller's Terraform CRD, 774 KB; see test/fixtures/big-dependencies/PROVENANCE.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseKubernetesYaml, parseKubernetesYamlDocuments } from '../../src/artifacts/yaml.js';
import { readManifestFiles } from '../../src/cli/manifests.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { definePromise, type PromiseDefinition } from '../../src/promise/define-promise.js';
import fixture from '../fixtures/big-dependencies/index.js';
import { pipelineProblems } from '../helpers/upstream.js';
import { SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { runRequest, type WorkflowRun } from '../helpers/workflow.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'big-dependencies');
const manifests = readManifestFiles(fixture, FIXTURE, 'fixture/');
const fileObjects = (file: string) => parseKubernetesYamlDocuments(readFileSync(join(FIXTURE, file), 'utf8')).map((d) => d.value);
// What the author listed, in order: the inline Namespace, the CRD file, the two-object file.
const expected = [fixture.dependencies![0], ...fileObjects('crds/infra.contrib.fluxcd.io_terraforms.yaml'), ...fileObjects('manifests/runner.yaml')];
// For a Promise workflow, Kratix puts the Promise itself in /kratix/input/object.yaml.
const PROMISE_INPUT = 'apiVersion: platform.kratix.io/v1alpha1\nkind: Promise\nmetadata: {name: big-dependencies}\nspec: {}\n';
const IMAGE = 'ghcr.io/acme/workflows:big-dependencies-0123456789ab';
const PROMISE_ENV = { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_PIPELINE_NAME: 'deps', KRATIX_CDKTF_IMAGE: IMAGE };
const runPromise = (action: 'configure' | 'delete', props = { manifests }, def: PromiseDefinition = fixture, env: Record<string, string> = {}) =>
  runRequest(def, PROMISE_INPUT, { ...PROMISE_ENV, KRATIX_WORKFLOW_ACTION: action, ...env }, props);

describe('KRATIX_WORKFLOW_TYPE=promise, configure', async () => {
  const run: WorkflowRun = await runPromise('configure');
  const files = Object.keys(run.output);

  test('succeeds and writes one file per object, named by position, kind and name', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(files).toEqual([
      '000-namespace-tofu-system.yaml',
      '001-customresourcedefinition-terraforms.infra.contrib.fluxcd.io.yaml',
      '002-serviceaccount-tf-runner.yaml',
      '003-clusterrole-tofu-tf-runner.yaml',
    ]);
    expect(run.stdout).toMatch(/big-dependencies: wrote 4 dependencies/);
  });

  test('writes exactly the manifests: every object comes back byte for byte, for YAML 1.1 and 1.2 readers', () => {
    const written = files.map((f) => run.output[f]!);
    expect(written.map((text) => JSON.stringify(parseKubernetesYaml(text)))).toEqual(expected.map((o) => JSON.stringify(o)));
    expect(written.map((text) => parse(text, { version: '1.2' }))).toEqual(expected);
  });

  test('the CRD is the real one, whole', () => {
    const crd = parseKubernetesYaml(run.output[files[1]!]!) as any;
    expect(crd.spec.versions.map((v: { name: string }) => v.name)).toEqual(['v1alpha1', 'v1alpha2']);
    expect(JSON.stringify(crd).length).toBeGreaterThan(390_000);
  });

  test('writes no status and touches nothing else', () => {
    expect(run.metadata).toEqual({});
  });

  test('the output fits a Work: measured gzipped size well under 512 KiB', () => {
    const gzipped = Object.values(run.output).reduce((n, text) => n + gzipSync(text).length, 0);
    expect(gzipped).toBeLessThan(150 * 1024);
  });

  test('the same run gives byte-identical output', async () => {
    expect((await runPromise('configure')).output).toEqual(run.output);
  });
});

test('delete does nothing: Kratix removes the Works of the Promise’s workflows with the Promise', async () => {
  const run = await runPromise('delete');
  expect(run.code).toBe(0);
  expect(run.output).toEqual({});
  expect(run.stdout).toMatch(/nothing to do/);
});

test('an image without the manifests (never built by synth) fails the pipeline and writes nothing', async () => {
  const run = await runPromise('configure', { manifests: new Map() });
  expect(run.code).toBe(2);
  expect(run.output).toEqual({});
  expect(run.stderr).toMatch(/dependencies\[1\]: manifestFile\("crds\/infra\.contrib\.fluxcd\.io_terraforms\.yaml"\) was not read/);
});

describe("the delivery's own dependencies (tofu-controller's clean-up CronJob) go out through the Promise workflow too", async () => {
  // The fixture turns the clean-up off; with it on, synth would put the CronJob in spec.dependencies
  // if they fitted, so the workflow must write the same objects when they do not.
  const withCleanUp = definePromise({ ...fixture, delivery: tofuController({ sourceRef: SOURCE_REF }) });
  const run = await runPromise('configure', { manifests }, withCleanUp, { KRATIX_CDKTF_IMAGE_PULL_SECRETS: 'registry-a,registry-b' });
  const inline = renderPromise(withCleanUp, { image: IMAGE, manifests, imagePullSecrets: ['registry-a', 'registry-b'] });

  test('writes the author’s objects, then the same clean-up objects synth renders inline', () => {
    expect(run.code).toBe(0);
    if (!inline.ok) throw new Error(JSON.stringify(inline.issues));
    const written = Object.keys(run.output).map((f) => parseKubernetesYaml(run.output[f]!));
    expect(written).toEqual(inline.value.dependencies);
    expect(written.map((o: any) => o.kind).slice(expected.length)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'CronJob']);
  });

  test('the CronJob runs the image and pull Secrets the Pipeline gives the workflow', () => {
    const cronJob = Object.values(run.output)
      .map((t) => parseKubernetesYaml(t) as any)
      .find((o) => o.kind === 'CronJob');
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].image).toBe(IMAGE);
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-a' }, { name: 'registry-b' }]);
  });

  test('a Pipeline without KRATIX_CDKTF_IMAGE (a hand-edited promise.yaml) fails and writes nothing', async () => {
    const bare = await runRequest(withCleanUp, PROMISE_INPUT, { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'configure' }, { manifests });
    expect(bare.code).toBe(2);
    expect(bare.output).toEqual({});
    expect(bare.stderr).toMatch(/KRATIX_CDKTF_IMAGE is not set/);
  });
});

describe('destinationLabels narrow the delivery’s own objects, which then go through the Promise workflow', async () => {
  // A Promise for two kinds of destination, of which only those labelled terraform=tofu run
  // tofu-controller: its clean-up CronJob (a Role on Secrets, a namespace that may not exist
  // elsewhere) must go to those alone. Only a workflow's output can be narrowed, to a folder
  // (Kratix's work-creator: destination-selectors.yaml entries with a directory, which do not get
  // the Promise's selectors added, hence both sets of labels on it).
  const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } };
  const narrowed = definePromise({
    ...WIDGET,
    dependencies: [NAMESPACE],
    destinationSelectors: [{ matchLabels: { environment: 'dev' } }],
    delivery: tofuController({ sourceRef: SOURCE_REF, destinationLabels: { terraform: 'tofu' } }),
  });
  const rendered = renderPromise(narrowed, { image: IMAGE });
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
  const promise = rendered.value.promise as any;
  const deps = promise.spec.workflows.promise.configure[0];

  test('spec.dependencies keeps the author’s objects; a deps Pipeline, told so, writes the rest', () => {
    expect(pipelineProblems(promise)).toEqual([]);
    expect(promise.spec.dependencies).toEqual([NAMESPACE]);
    expect(deps.spec.containers[0].env).toContainEqual({ name: 'KRATIX_CDKTF_AUTHORS_DEPENDENCIES_INLINE', value: 'true' });
  });

  test('the workflow writes only the delivery’s objects, in their folder, scheduled by both sets of labels', async () => {
    const env = Object.fromEntries(deps.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const run = await runPromise('configure', { manifests: new Map() }, narrowed, env);
    expect(run.code).toBe(0);
    expect(Object.keys(run.output).every((f) => f.startsWith('kratix-cdktf-delivery/'))).toBe(true);
    expect(Object.values(run.output).map((t) => (parseKubernetesYaml(t) as any).kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'CronJob']);
    expect(parse(run.metadata['destination-selectors.yaml']!)).toEqual([
      { directory: 'kratix-cdktf-delivery', matchLabels: { environment: 'dev', terraform: 'tofu' } },
    ]);
  });

  test('with the author’s dependencies in the workflow too, theirs stay at the root, for every Destination the Promise selects', async () => {
    const both = renderPromise(narrowed, { image: IMAGE, dependencies: 'workflow' });
    if (!both.ok) throw new Error(JSON.stringify(both.issues));
    const pipeline = (both.value.promise as any).spec.workflows.promise.configure[0];
    expect((both.value.promise as any).spec).not.toHaveProperty('dependencies');
    const env = Object.fromEntries(pipeline.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const run = await runPromise('configure', { manifests: new Map() }, narrowed, env);
    expect(Object.keys(run.output)[0]).toBe('000-namespace-ops.yaml');
    expect(
      Object.keys(run.output)
        .slice(1)
        .every((f) => f.startsWith('kratix-cdktf-delivery/')),
    ).toBe(true);
  });
});

test('the resource workflow is unchanged by dependencies', async () => {
  const run = await runRequest(fixture, readFileSync(join(FIXTURE, 'example-request.yaml'), 'utf8'), {}, { manifests });
  expect(run.code).toBe(0);
  expect(Object.keys(run.output)).toEqual([expect.stringMatching(/^big-dependencies-default-demo-[0-9a-f]{20}\.yaml$/)]);
});
