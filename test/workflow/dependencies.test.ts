// The Promise workflow that writes dependencies, run as Kratix runs it, with a real operator's
// CRD (tofu-controller's Terraform CRD, 774 KB; see test/fixtures/big-dependencies/PROVENANCE.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseKubernetesYaml, parseKubernetesYamlDocuments } from '../../src/artifacts/yaml.js';
import { readManifestFiles } from '../../src/cli/manifests.js';
import fixture from '../fixtures/big-dependencies/index.js';
import { runRequest, type WorkflowRun } from '../helpers/workflow.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'big-dependencies');
const manifests = readManifestFiles(fixture, FIXTURE, 'fixture/');
const fileObjects = (file: string) => parseKubernetesYamlDocuments(readFileSync(join(FIXTURE, file), 'utf8')).map((d) => d.value);
// What the author listed, in order: the inline Namespace, the CRD file, the two-object file.
const expected = [fixture.dependencies![0], ...fileObjects('crds/infra.contrib.fluxcd.io_terraforms.yaml'), ...fileObjects('manifests/runner.yaml')];
// For a Promise workflow, Kratix puts the Promise itself in /kratix/input/object.yaml.
const PROMISE_INPUT = 'apiVersion: platform.kratix.io/v1alpha1\nkind: Promise\nmetadata: {name: big-dependencies}\nspec: {}\n';
const runPromise = (action: 'configure' | 'delete', props = { manifests }) =>
  runRequest(fixture, PROMISE_INPUT, { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: action, KRATIX_PIPELINE_NAME: 'deps' }, props);

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

test('the resource workflow is unchanged by dependencies', async () => {
  const run = await runRequest(fixture, readFileSync(join(FIXTURE, 'example-request.yaml'), 'utf8'), {}, { manifests });
  expect(run.code).toBe(0);
  expect(Object.keys(run.output)).toEqual([expect.stringMatching(/^big-dependencies-default-demo-[0-9a-f]{20}\.yaml$/)]);
});
