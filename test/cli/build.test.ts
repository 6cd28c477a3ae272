import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, makeProject, snapshotTree } from '../helpers/project.js';

let project: string;
const imageOf = (p: string, name: string) => /image: (\S+)/.exec(readFileSync(join(p, 'generated', name, 'promise.yaml'), 'utf8'))![1]!;

beforeAll(() => {
  project = makeProject();
  expect(cli(project, 'synth').status).toBe(0);
  const run = cli(project, 'build');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});

describe('npm run build', () => {
  test('writes each image context: the bundle, the providers to mirror and the image reference synth used', () => {
    for (const name of ['bucket', 'postgres', 'team-env']) {
      const dir = join(project, 'dist', 'images', name);
      expect(existsSync(join(dir, 'app', 'workflow.cjs'))).toBe(true);
      expect(readFileSync(join(dir, 'image.txt'), 'utf8').trim()).toBe(imageOf(project, name));
    }
    expect(JSON.parse(readFileSync(join(project, 'dist', 'images', 'postgres', 'providers.tf.json'), 'utf8'))).toEqual({
      terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
    });
    expect(JSON.parse(readFileSync(join(project, 'dist', 'images', 'team-env', 'providers.tf.json'), 'utf8')).terraform.required_providers).toHaveProperty('kubernetes');
  });

  test('each bundle is at most 5 MB, far below the 392 MB AWS provider package it draws from', () => {
    for (const name of ['bucket', 'postgres', 'team-env']) {
      expect(statSync(join(project, 'dist', 'images', name, 'app', 'workflow.cjs')).size).toBeLessThan(5_000_000);
    }
  });

  describe('the bundle runs from an empty folder with no node_modules anywhere above it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kratix-cdktf-empty-'));
    const runIn = (args: string[], request: string) => {
      for (const sub of ['input', 'output', 'metadata']) {
        rmSync(join(empty, sub), { recursive: true, force: true });
        mkdirSync(join(empty, sub));
      }
      writeFileSync(join(empty, 'input', 'object.yaml'), request);
      return spawnSync(process.execPath, args, {
        cwd: empty,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, KRATIX_WORKFLOW_TYPE: 'resource', KRATIX_WORKFLOW_ACTION: 'configure', KRATIX_CDKTF_INPUT_DIR: join(empty, 'input'), KRATIX_CDKTF_OUTPUT_DIR: join(empty, 'output'), KRATIX_CDKTF_METADATA_DIR: join(empty, 'metadata') },
      });
    };
    const example = () => readFileSync(join(project, 'promises', 'postgres', 'example-request.yaml'), 'utf8');

    beforeAll(() => {
      cpSync(join(project, 'dist', 'images', 'postgres', 'app'), join(empty, 'app'), { recursive: true });
      expect(existsSync(join(tmpdir(), 'node_modules')) || existsSync('/node_modules')).toBe(false);
    });

    test('as a plain script', () => {
      const run = runIn(['app/workflow.cjs'], example());
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const output = snapshotTree(join(empty, 'output'));
      expect(Object.keys(output)).toEqual([expect.stringMatching(/^postgres-team-orders-orders-db-[0-9a-f]{8}\.yaml$/)]);
      expect(Object.values(output)[0]).toContain('"instance_class": "db.t4g.large"');
    });

    test('from a V8 startup snapshot, as the image runs it, with the same output', () => {
      const plain = runIn(['app/workflow.cjs'], example());
      const plainOutput = snapshotTree(join(empty, 'output'));
      const snapshot = spawnSync(process.execPath, ['--snapshot-blob', 'app/workflow.blob', '--build-snapshot', 'app/workflow.cjs'], { cwd: empty, encoding: 'utf8' });
      expect(snapshot.status, snapshot.stderr).toBe(0);
      const run = runIn(['--snapshot-blob', 'app/workflow.blob'], example());
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(plain.status).toBe(0);
      expect(snapshotTree(join(empty, 'output'))).toEqual(plainOutput);
      const bad = runIn(['--snapshot-blob', 'app/workflow.blob'], 'apiVersion: data.example.com/v1alpha1\nkind: Postgres\nmetadata: {name: b}\nspec: {size: xl}\n');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/✖ spec\.size: "xl" is not one of "small", "medium", "large"/);
    });
  });
});

test('an image tag does not depend on which Promises are synthesized together', () => {
  const before = snapshotTree(join(project, 'generated'));
  for (const name of ['postgres', 'team-env']) {
    const run = cli(project, 'synth', name);
    expect(run.stdout).toContain('0 files changed');
  }
  expect(snapshotTree(join(project, 'generated'))).toEqual(before);
});

test('an image tag changes exactly when that Promise’s workflow code changes', () => {
  const before = Object.fromEntries(['bucket', 'postgres', 'team-env'].map((n) => [n, imageOf(project, n)]));
  // A comment is not code: minified away, nothing changes.
  const index = join(project, 'promises', 'team-env', 'index.ts');
  writeFileSync(index, `${readFileSync(index, 'utf8')}\n// a comment\n`);
  expect(cli(project, 'synth').stdout).toContain('0 files changed');
  // A change to what the workflow does changes team-env's tag, and only team-env's.
  writeFileSync(index, readFileSync(index, 'utf8').replace("{ name: 'team', namespace: ns.metadata.name }", "{ name: 'team-limits', namespace: ns.metadata.name }"));
  const run = cli(project, 'synth');
  expect(run.stdout).toContain('updated generated/team-env/promise.yaml');
  expect(run.stdout).toContain('1 files changed');
  expect(imageOf(project, 'team-env')).not.toBe(before['team-env']);
  expect(imageOf(project, 'bucket')).toBe(before.bucket);
  expect(imageOf(project, 'postgres')).toBe(before.postgres);
});
