// Dependencies too big for promise.yaml, with a real operator's CRD (tofu-controller's Terraform
// CRD, 774 KB; see test/fixtures/big-dependencies/PROVENANCE.md), and manifest files beside a
// Promise: where they go, and how bad input is refused.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { dependencyFiles, gzippedSize, MAX_PROMISE_BYTES } from '../../src/artifacts/dependencies.js';
import { parseKubernetesYamlDocuments } from '../../src/artifacts/yaml.js';
import { definePromise, manifestFile, type Dependency, type PromiseDefinition } from '../../src/index.js';
import { exampleRequest, synthPromise } from '../../src/testing/index.js';
import fixture from '../fixtures/big-dependencies/index.js';
import { crdValidator, pipelineProblems } from '../helpers/upstream.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'big-dependencies');
const CRD_FILE = 'crds/infra.contrib.fluxcd.io_terraforms.yaml';
const validatePromise = crdValidator('kratix/platform.kratix.io_promises.yaml');
const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tofu-system' } };
const crd = parseKubernetesYamlDocuments(readFileSync(join(FIXTURE, CRD_FILE), 'utf8'))[0]!.value as { metadata: { name: string } };

const variant = (props: Partial<Pick<PromiseDefinition, 'dependencies' | 'dependencyDelivery'>>) => definePromise({ ...fixture, ...props });
const synth = (def: PromiseDefinition, promiseDir = FIXTURE) => synthPromise(def, exampleRequest(FIXTURE), { promiseDir });

describe('an operator CRD as a dependency, by default', () => {
  let yaml: string;
  let promise: any;

  beforeAll(async () => {
    yaml = (await synth(fixture)).get('promise.yaml')!;
    promise = parse(yaml);
  });

  test('golden promise.yaml', async () => {
    await expect(yaml).toMatchFileSnapshot(join(FIXTURE, 'expected', 'promise.yaml'));
  });

  test('inline, promise.yaml would be far over the 256 KiB kubectl apply allows (the control)', async () => {
    await expect(synth(variant({ dependencyDelivery: 'inline' }))).rejects.toThrow(/promise\.yaml would be (\d{6,}) bytes/);
  });

  test('goes to a Promise configure workflow, and promise.yaml stays under 256 KiB', () => {
    expect(Buffer.byteLength(yaml)).toBeLessThan(MAX_PROMISE_BYTES);
    expect(promise.spec.dependencies).toBeUndefined();
    expect(yaml).not.toContain('terraforms.infra.contrib.fluxcd.io');
    expect(promise.spec.workflows.promise.configure.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['deps']);
  });

  test('the workflow runs the Promise’s own image, without credentials or RBAC, and nothing on delete', () => {
    const [deps] = promise.spec.workflows.promise.configure;
    const [container] = deps.spec.containers;
    expect(container.image).toBe(promise.spec.workflows.resource.configure[0].spec.containers[0].image);
    expect(container.command).toEqual(['node', '--snapshot-blob', '/app/workflow.blob']);
    // Only its own image, for objects a delivery adds (none here: cleanUp is off).
    expect(container.env).toEqual([{ name: 'KRATIX_CDKTF_IMAGE', value: container.image }]);
    expect(container.envFrom).toBeUndefined();
    expect(deps.spec.rbac).toBeUndefined();
    // Kratix deletes the Works of a Promise's workflows with the Promise.
    expect(promise.spec.workflows.promise.delete).toBeUndefined();
  });

  test('the Promise is valid against the upstream Kratix Promise CRD, and its pipelines pass the webhook’s rules', () => {
    expect(validatePromise(promise)).toEqual([]);
    expect(pipelineProblems(promise)).toEqual([]);
  });

  test('the workflow’s output fits a Work: well under 512 KiB gzipped', async () => {
    const { expandDependencies } = await import('../../src/kratix/dependencies.js');
    const { readManifestFiles } = await import('../../src/cli/manifests.js');
    const objects = expandDependencies(fixture, readManifestFiles(fixture, FIXTURE, 'fixture/'));
    if (!objects.ok) throw new Error(JSON.stringify(objects.issues));
    expect(gzippedSize(dependencyFiles(objects.value))).toBeLessThan(150 * 1024);
  });
});

describe('where dependencies go', () => {
  test('small dependencies stay inline, files expanded in order, with no Promise workflow', async () => {
    const promise = parse((await synth(variant({ dependencies: [NAMESPACE, manifestFile('manifests/runner.yaml')] }))).get('promise.yaml')!);
    expect(promise.spec.dependencies.map((d: { kind: string; metadata: { name: string } }) => `${d.kind} ${d.metadata.name}`)).toEqual([
      'Namespace tofu-system',
      'ServiceAccount tf-runner',
      'ClusterRole tofu:tf-runner',
    ]);
    expect(promise.spec.workflows.promise).toBeUndefined();
    expect(validatePromise(promise)).toEqual([]);
  });

  test("'workflow' moves even small dependencies to the workflow", async () => {
    const promise = parse((await synth(variant({ dependencies: [NAMESPACE], dependencyDelivery: 'workflow' }))).get('promise.yaml')!);
    expect(promise.spec.dependencies).toBeUndefined();
    expect(promise.spec.workflows.promise.configure[0].metadata.name).toBe('deps');
  });

  test('no dependencies, no Promise workflow, whatever the option says', async () => {
    const promise = parse((await synth(variant({ dependencies: [], dependencyDelivery: 'workflow' }))).get('promise.yaml')!);
    expect(promise.spec.workflows).toEqual({ resource: expect.any(Object) });
  });

  test("'inline' forced over the limit is refused with the measured size and the fix", async () => {
    await expect(synth(variant({ dependencyDelivery: 'inline' }))).rejects.toThrow(
      /✖ dependencyDelivery: promise\.yaml would be \d+ bytes with the dependencies inline \(\d+ in kubectl's last-applied-configuration annotation\); .* over 262144 bytes \(256 KiB\)\n\s+fix: remove dependencyDelivery: 'inline' \(or set 'workflow'\)/,
    );
  });

  test('an unknown option value is refused', async () => {
    await expect(synth(variant({ dependencyDelivery: 'static' as never }))).rejects.toThrow(
      /dependencyDelivery: "static" is not 'auto', 'inline' or 'workflow'/,
    );
  });
});

describe('manifest files that are refused, naming the dependency and the file', () => {
  // A Promise folder of its own for each case, holding exactly the files the case needs.
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-deps-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };
  const refused = (dependencies: Dependency[], dir: string) => synth(variant({ dependencies }), dir);
  const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';

  test('a missing file', async () => {
    await expect(refused([NAMESPACE, manifestFile('crds/missing.yaml')], folder({}))).rejects.toThrow(
      /✖ dependencies\[1\]: crds\/missing\.yaml: no such file in .*\n\s+fix: put the file in/,
    );
  });

  test('problems in several dependencies are reported together', async () => {
    const error = String(
      await refused([manifestFile('missing.yaml'), manifestFile('../up.yaml'), { apiVersion: 'v1', kind: 'ConfigMap' } as never], folder({})).catch(
        (e: Error) => e,
      ),
    );
    expect(error).toMatch(/: 3 problems\n/);
    expect(error).toMatch(/✖ dependencies\[0\]: missing\.yaml: no such file/);
    expect(error).toMatch(/✖ dependencies\[1\]: manifestFile\("\.\.\/up\.yaml"\) leaves the Promise folder/);
    expect(error).toMatch(/✖ dependencies\[2\]: dependency has no metadata\.name/);
  });

  test('a document that is not an object, and one without a name, each with its document and line', async () => {
    const dir = folder({ 'bad.yaml': `${CONFIG_MAP}---\n- just\n- a list\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n` });
    const error = await refused([manifestFile('bad.yaml')], dir).catch((e: Error) => e);
    expect(String(error)).toMatch(/✖ dependencies\[0\]: bad\.yaml: document 2 \(line 5\) is a list, not a Kubernetes object/);
    expect(String(error)).toMatch(/✖ dependencies\[0\]: bad\.yaml: document 3 \(line 8\) has no metadata\.name/);
  });

  test('a file that is not YAML, or holds nothing', async () => {
    const dir = folder({ 'broken.yaml': `${CONFIG_MAP}---\nmetadata: {name: a\n`, 'empty.yaml': '# nothing yet\n' });
    await expect(refused([manifestFile('broken.yaml')], dir)).rejects.toThrow(/✖ dependencies\[0\]: broken\.yaml: document 2 \(line 5\) is not valid YAML/);
    await expect(refused([NAMESPACE, manifestFile('empty.yaml')], dir)).rejects.toThrow(/✖ dependencies\[1\]: empty\.yaml: holds no Kubernetes object/);
  });

  test.each([
    ['../outside.yaml', /leaves the Promise folder/],
    ['crds/../../outside.yaml', /leaves the Promise folder/],
    ['/etc/hostname', /is absolute/],
    ['crds\\x.yaml', /uses "\\"/],
    ['', /needs a path/],
  ])('a path that does not stay in the folder: %j', async (path, reason) => {
    const error = String(await refused([NAMESPACE, manifestFile(path)], folder({})).catch((e: Error) => e));
    expect(error).toMatch(new RegExp(`✖ dependencies\\[1\\]: manifestFile\\(.*\\) ${reason.source}`));
    expect(error).toContain(`manifestFile(${JSON.stringify(path)})`);
    expect(error).toMatch(/fix: keep the file in the Promise folder/);
  });

  test('a symbolic link to a file outside the folder', async () => {
    const outside = folder({ 'secret.yaml': CONFIG_MAP });
    const dir = folder({});
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'linked.yaml'));
    await expect(refused([manifestFile('linked.yaml')], dir)).rejects.toThrow(
      /✖ dependencies\[0\]: linked\.yaml: resolves \(through a symbolic link\) to a file outside/,
    );
  });

  test('the same object twice', async () => {
    const dir = folder({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: tofu-system}\n' });
    await expect(refused([NAMESPACE, manifestFile('ns.yaml')], dir)).rejects.toThrow(/✖ dependencies\[1\]: Namespace tofu-system is also dependencies\[0\]/);
  });

  test('a manifest file without the Promise folder cannot be compiled, and says how to pass it', async () => {
    await expect(synthPromise(fixture, exampleRequest(FIXTURE))).rejects.toThrow(
      /dependencies\[1\]: manifestFile\("crds\/infra\.contrib\.fluxcd\.io_terraforms\.yaml"\) was not read\n\s+fix: .*promiseDir/,
    );
  });
});

test('the fixture’s CRD is the real one', () => {
  expect(crd.metadata.name).toBe('terraforms.infra.contrib.fluxcd.io');
});
