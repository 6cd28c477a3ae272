import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { buildImages } from '../../src/cli/build.js';
import { synth } from '../../src/cli/synth.js';
import { readConfig } from '../../src/cli/project.js';
import { addPromise, makeProject, snapshotTree } from '../helpers/project.js';

let project: string;
const imageOf = (p: string, name: string) => /image: (\S+)/.exec(readFileSync(join(p, 'generated', name, 'promise.yaml'), 'utf8'))![1]!;

beforeAll(async () => {
  project = makeProject(['echo', 'postgres']);
  expect((await synth(readConfig(project))).errors).toEqual([]);
  await buildImages(readConfig(project));
});

describe('build', () => {
  test('writes each image context: the bundle, the providers to mirror and the image reference synth used', () => {
    for (const name of ['echo', 'postgres']) {
      const dir = join(project, 'dist', 'images', name);
      expect(existsSync(join(dir, 'app', 'workflow.cjs'))).toBe(true);
      expect(readFileSync(join(dir, 'image.txt'), 'utf8').trim()).toBe(imageOf(project, name));
    }
    expect(JSON.parse(readFileSync(join(project, 'dist', 'images', 'postgres', 'providers.tf.json'), 'utf8'))).toEqual({
      terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
    });
    // terraform_data is built into Terraform: nothing to mirror.
    expect(JSON.parse(readFileSync(join(project, 'dist', 'images', 'echo', 'providers.tf.json'), 'utf8'))).toEqual({ terraform: { required_providers: {} } });
  });

  test('the providers of the Promise’s own stack are mirrored too, though no request stack uses them', async () => {
    const other = makeProject([]);
    addPromise(
      other,
      'shared-key',
      `import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { applyInWorkflow, definePromise, pgBackend, Type } from 'kratix-cdktf';
export default definePromise({
  name: 'shared-key',
  api: { group: 'test.example.com', version: 'v1', kind: 'SharedKey' },
  spec: Type.Object({ alias: Type.String({ default: 'k' }) }),
  delivery: applyInWorkflow({ backend: pgBackend() }),
  promiseStack: {
    outputs: { arn: {} },
    stack(scope) {
      new AwsProvider(scope, 'aws', { region: 'eu-west-1' });
      return { arn: new KmsKey(scope, 'key', { enableKeyRotation: true }).arn };
    },
  },
  stack(scope) { new TerraformOutput(scope, 'none', { value: 'none' }); },
});
`,
      'apiVersion: test.example.com/v1\nkind: SharedKey\nmetadata: {name: x, namespace: team}\n',
    );
    expect((await synth(readConfig(other))).errors).toEqual([]);
    await buildImages(readConfig(other));
    expect(JSON.parse(readFileSync(join(other, 'dist', 'images', 'shared-key', 'providers.tf.json'), 'utf8'))).toEqual({
      terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
    });
  });

  test('a bundle is far below the 392 MB AWS provider package it draws from', () => {
    expect(statSync(join(project, 'dist', 'images', 'postgres', 'app', 'workflow.cjs')).size).toBeLessThan(3_000_000);
  });

  test('a Promise whose bundle does not start in a clean process is refused, named, and nothing is written', async () => {
    const other = makeProject(['echo']);
    // Module-level code the bundler cannot flag: it needs something the container does not have.
    addPromise(
      other,
      'reads-late',
      `import { definePromise, tofuController, Type } from 'kratix-cdktf';
const text = process.env.HOME ?? '';
if (!text) throw new Error('HOME is not set');
export default definePromise({ name: 'reads-late', delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'x' } }), api: { group: 'test.example.com', version: 'v1', kind: 'Late' }, spec: Type.Object({}), stack() { void text; } });
`,
      'apiVersion: test.example.com/v1\nkind: Late\nmetadata: {name: x, namespace: team}\n',
    );
    await expect(buildImages(readConfig(other))).rejects.toThrow(
      /promises\/reads-late: the workflow bundle does not start in a clean container .*\n\s+.*HOME is not set/,
    );
    expect(existsSync(join(other, 'dist', 'images'))).toBe(false);
  });

  describe('the bundle runs from an empty folder with no node_modules anywhere above it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kratix-cdktf-empty-'));
    const runIn = (args: string[], request: string, extraEnv: Record<string, string> = {}) => {
      for (const sub of ['input', 'output', 'metadata']) {
        rmSync(join(empty, sub), { recursive: true, force: true });
        mkdirSync(join(empty, sub));
      }
      writeFileSync(join(empty, 'input', 'object.yaml'), request);
      return spawnSync(process.execPath, args, {
        cwd: empty,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          KRATIX_WORKFLOW_TYPE: 'resource',
          KRATIX_WORKFLOW_ACTION: 'configure',
          KRATIX_CDKTF_INPUT_DIR: join(empty, 'input'),
          KRATIX_CDKTF_OUTPUT_DIR: join(empty, 'output'),
          KRATIX_CDKTF_METADATA_DIR: join(empty, 'metadata'),
          ...extraEnv,
        },
      });
    };
    const example = () => readFileSync(join(project, 'promises', 'postgres', 'example-request.yaml'), 'utf8');

    beforeAll(() => {
      cpSync(join(project, 'dist', 'images', 'postgres', 'app'), join(empty, 'app'), { recursive: true });
      expect(existsSync(join(tmpdir(), 'node_modules')) || existsSync('/node_modules')).toBe(false);
    });

    test('as a plain script, and from a V8 startup snapshot as the image runs it, with the same output', () => {
      const plain = runIn(['app/workflow.cjs'], example());
      expect(plain.stderr).toBe('');
      expect(plain.status).toBe(0);
      const plainOutput = snapshotTree(join(empty, 'output'));
      expect(Object.keys(plainOutput)).toEqual([expect.stringMatching(/^postgres-team-orders-orders-db-[0-9a-f]{20}\.yaml$/)]);
      expect(Object.values(plainOutput)[0]).toContain('"instance_class": "db.t4g.large"');
      const snapshot = spawnSync(process.execPath, ['--snapshot-blob', 'app/workflow.blob', '--build-snapshot', 'app/workflow.cjs'], {
        cwd: empty,
        encoding: 'utf8',
      });
      expect(snapshot.status, snapshot.stderr).toBe(0);
      const run = runIn(['--snapshot-blob', 'app/workflow.blob'], example());
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(snapshotTree(join(empty, 'output'))).toEqual(plainOutput);
      // An invalid request ends as Kratix can report it: exit 0, the cause in status.yaml and a
      // suspension in workflow-control.yaml (a non-zero exit would lose both).
      const bad = runIn(
        ['--snapshot-blob', 'app/workflow.blob'],
        'apiVersion: data.example.com/v1alpha1\nkind: Postgres\nmetadata: {name: b}\nspec: {size: xl}\n',
      );
      expect(bad.status).toBe(0);
      expect(bad.stderr).toMatch(/✖ spec\.size: "xl" is not one of "small", "medium", "large"/);
      const metadata = snapshotTree(join(empty, 'metadata'));
      expect(parse(metadata['status.yaml']!).conditions).toEqual([
        expect.objectContaining({ type: 'RequestValid', status: 'False' }),
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'InvalidRequest' }),
      ]);
      expect(parse(metadata['workflow-control.yaml']!)).toEqual({ suspend: true, message: expect.stringMatching(/spec\.size: "xl" is not one of/) });
      expect(snapshotTree(join(empty, 'output'))).toEqual({});
      // A crash still exits non-zero, so that Kubernetes and Kratix see the Job fail.
      const crash = runIn(['--snapshot-blob', 'app/workflow.blob'], '{"apiVersion": "data.example.com/v1alpha1", "kind": "Postgres"', {
        KRATIX_WORKFLOW_ACTION: 'update',
      });
      expect(crash.status).toBe(2);
      expect(crash.stderr).toMatch(/KRATIX_WORKFLOW_ACTION="update" is not "configure" or "delete"/);
    });
  });
});

test('an image tag does not depend on which Promises are synthesized together', async () => {
  const before = snapshotTree(join(project, 'generated'));
  for (const name of ['postgres', 'echo']) {
    const report = await synth(readConfig(project), { names: [name] });
    expect(report.errors).toEqual([]);
    expect(report.changes).toEqual([]);
  }
  expect(snapshotTree(join(project, 'generated'))).toEqual(before);
});

test('an image tag changes exactly when that Promise’s workflow code changes', async () => {
  const before = Object.fromEntries(['echo', 'postgres'].map((n) => [n, imageOf(project, n)]));
  // A comment is not code: minified away, nothing changes.
  const index = join(project, 'promises', 'echo', 'index.ts');
  writeFileSync(index, `${readFileSync(index, 'utf8')}\n// a comment\n`);
  expect((await synth(readConfig(project))).changes).toEqual([]);
  // A change to what the workflow does changes echo's tag, and only echo's.
  writeFileSync(index, readFileSync(index, 'utf8').replace('greeting: `Hello, ${spec.message}!`', 'greeting: `Hi, ${spec.message}!`'));
  expect((await synth(readConfig(project))).changes).toEqual(['updated generated/echo/promise.yaml']);
  expect(imageOf(project, 'echo')).not.toBe(before.echo);
  expect(imageOf(project, 'postgres')).toBe(before.postgres);
});
