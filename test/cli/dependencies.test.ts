// A Promise with a real operator's CRD in a manifest file, through the real CLI: synth reads the
// file, the workflow image carries it (a Promise module cannot read files in the image), and the
// bundled container writes it as the Promise configure workflow.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { MAX_PROMISE_BYTES } from '../../src/artifacts/dependencies.js';
import { buildImages } from '../../src/cli/build.js';
import { readManifestFiles } from '../../src/cli/manifests.js';
import { readConfig } from '../../src/cli/project.js';
import { synth } from '../../src/cli/synth.js';
import fixture from '../fixtures/big-dependencies/index.js';
import { makeProject, snapshotTree } from '../helpers/project.js';
import { runRequest } from '../helpers/workflow.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'big-dependencies');
const NAME = 'big-dependencies';
let project: string;
const promiseFile = () => join(project, 'generated', NAME, 'promise.yaml');
const imageOf = () => /image: (\S+)/.exec(readFileSync(promiseFile(), 'utf8'))![1]!;

const synthIn = (root: string) => synth(readConfig(root));

beforeAll(async () => {
  project = makeProject([NAME]);
  expect((await synthIn(project)).errors).toEqual([]);
});

describe('npm run synth', () => {
  test('reads the manifest files and keeps promise.yaml small, with the dependencies in a Promise workflow', () => {
    const text = readFileSync(promiseFile(), 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_PROMISE_BYTES);
    const promise = parse(text);
    expect(promise.spec.dependencies).toBeUndefined();
    expect(promise.spec.workflows.promise.configure[0].spec.containers[0].image).toBe(imageOf());
    expect(imageOf()).toMatch(/^registry\.test\/wf:big-dependencies-[0-9a-f]{12}$/);
  });

  test('--check finds nothing to do', async () => {
    const check = await synth(readConfig(project), { check: true });
    expect(check.errors).toEqual([]);
    expect(check.changes).toEqual([]);
  });

  test('the image tag covers the manifests: editing one changes it', async () => {
    const before = imageOf();
    const file = join(project, 'promises', NAME, 'manifests', 'runner.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('verbs: [get, list, watch]', 'verbs: [get, list]'));
    try {
      expect((await synthIn(project)).changes).toContain(`updated generated/${NAME}/promise.yaml`);
      expect(imageOf()).not.toBe(before);
    } finally {
      writeFileSync(file, original);
      expect((await synthIn(project)).errors).toEqual([]);
    }
    expect(imageOf()).toBe(before);
  });

  test('a missing manifest file stops synth, naming the dependency and the file, and writes nothing', async () => {
    const file = join(project, 'promises', NAME, 'manifests', 'runner.yaml');
    const original = readFileSync(file, 'utf8');
    const before = snapshotTree(join(project, 'generated'));
    rmSync(file);
    try {
      const errors = (await synthIn(project)).errors.join('\n');
      expect(errors).toMatch(
        /promises\/big-dependencies\/index\.ts: 1 problem\n\s+✖ dependencies\[2\]: manifests\/runner\.yaml: no such file in promises\/big-dependencies\//,
      );
      expect(snapshotTree(join(project, 'generated'))).toEqual(before);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('the built workflow, run as the Promise configure pipeline from an empty folder', () => {
  const empty = mkdtempSync(join(tmpdir(), 'kratix-cdktf-empty-'));
  const runIn = (args: string[], action = 'configure') => {
    for (const sub of ['input', 'output', 'metadata']) {
      rmSync(join(empty, sub), { recursive: true, force: true });
      mkdirSync(join(empty, sub));
    }
    writeFileSync(join(empty, 'input', 'object.yaml'), readFileSync(promiseFile(), 'utf8'));
    const env = {
      PATH: process.env.PATH,
      KRATIX_WORKFLOW_TYPE: 'promise',
      KRATIX_WORKFLOW_ACTION: action,
      KRATIX_CDKTF_INPUT_DIR: join(empty, 'input'),
      KRATIX_CDKTF_OUTPUT_DIR: join(empty, 'output'),
      KRATIX_CDKTF_METADATA_DIR: join(empty, 'metadata'),
    };
    const run = spawnSync(process.execPath, args, { cwd: empty, encoding: 'utf8', env });
    return { ...run, output: snapshotTree(join(empty, 'output')) };
  };
  let inProcess: Record<string, string>;

  beforeAll(async () => {
    await buildImages(readConfig(project), [NAME]);
    expect(readFileSync(join(project, 'dist', 'images', NAME, 'image.txt'), 'utf8').trim()).toBe(imageOf());
    cpSync(join(project, 'dist', 'images', NAME, 'app'), join(empty, 'app'), { recursive: true });
    const run = await runRequest(fixture, '{}', { KRATIX_WORKFLOW_TYPE: 'promise' }, { manifests: readManifestFiles(fixture, FIXTURE, 'fixture/') });
    inProcess = run.output;
  });

  test('as a plain script, it writes the same files as the workflow run in process', () => {
    const run = runIn(['app/workflow.cjs']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(Object.keys(run.output)).toHaveLength(4);
    expect(run.output).toEqual(inProcess);
  });

  test('from the V8 startup snapshot, as the image runs it, with the same output', () => {
    const snapshot = spawnSync(process.execPath, ['--snapshot-blob', 'app/workflow.blob', '--build-snapshot', 'app/workflow.cjs'], {
      cwd: empty,
      encoding: 'utf8',
    });
    expect(snapshot.status, snapshot.stderr).toBe(0);
    const run = runIn(['--snapshot-blob', 'app/workflow.blob']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.output).toEqual(inProcess);
    const removed = runIn(['--snapshot-blob', 'app/workflow.blob'], 'delete');
    expect(removed.status).toBe(0);
    expect(removed.output).toEqual({});
  });
});
