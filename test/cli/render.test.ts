import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { mergeStatus } from '../../src/workflow/status.js';
import { cli, makeProject, REPO, snapshotTree } from '../helpers/project.js';

let project: string;
beforeAll(() => {
  project = makeProject();
});

test('render runs the workflow locally, emulating Kratix around it', () => {
  const run = cli(project, 'render', 'postgres', 'promises/postgres/example-request.yaml', '--out', 'out');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Postgres team-orders\/orders-db: Synthesized 1 Terraform resource.*\n\s+wrote postgres-team-orders-orders-db-[0-9a-f]{8}\.yaml/);
  const files = Object.keys(snapshotTree(join(project, 'out'))).sort();
  expect(files).toHaveLength(4);
  expect(files.slice(0, 3)).toEqual(['input/object.yaml', 'metadata/status.yaml', 'object.yaml']);
  expect(files[3]).toMatch(/^output\/postgres-team-orders-orders-db-[0-9a-f]{8}\.yaml$/);
  expect(statSync(join(project, 'out', 'input', 'object.yaml')).mode & 0o222).toBe(0); // read-only, as Kratix mounts it
  const object = parse(snapshotTree(join(project, 'out'))['object.yaml']!);
  expect(object.status.terraform.delivery).toBe('tofu-controller');
});

test('an invalid request exits 1, names the field, and leaves the output empty', () => {
  writeFileSync(join(project, 'bad.yaml'), 'apiVersion: data.example.com/v1alpha1\nkind: Postgres\nmetadata: {name: x, namespace: y}\nspec: {storageGiB: 1}\n');
  const run = cli(project, 'render', 'postgres', 'bad.yaml', '--out', 'bad-out');
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/✖ spec\.storageGiB: 1 is below the minimum 20/);
  const files = snapshotTree(join(project, 'bad-out'));
  expect(Object.keys(files).filter((f) => f.startsWith('output/'))).toEqual([]);
  expect(parse(files['metadata/status.yaml']!).message).toMatch(/spec\.storageGiB/);
});

test('--action delete runs the delete workflow', () => {
  const run = cli(project, 'render', 'postgres', 'promises/postgres/example-request.yaml', '--out', 'del', '--action', 'delete');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/destroys the stack/);
});

test('the kratix-cdktf command the README shows runs the same CLI', () => {
  const run = spawnSync(process.execPath, [join(REPO, 'bin', 'kratix-cdktf.js'), 'render', 'postgres', 'promises/postgres/example-request.yaml', '--out', 'bin-out'], { cwd: project, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/wrote postgres-team-orders-orders-db-/);
});

test('usage errors say what is missing', () => {
  expect(cli(project, 'render', 'postgres').stderr).toMatch(/render needs a Promise name, a request file and --out <dir>/);
  expect(cli(project, 'render', 'postgres', 'x.yaml', '--out', 'o', '--action', 'update').stderr).toMatch(/--action must be configure or delete/);
  expect(cli(project, 'render', 'nope', 'x.yaml', '--out', 'o').stderr).toMatch(/promises\/nope\/index\.ts: could not be loaded/);
});

test('the status merge is shallow, merges conditions by type and rejects a kratix key', () => {
  const previous = { message: 'old', outputs: { a: 1, b: 2 }, conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] };
  expect(mergeStatus(previous, { outputs: { a: 3 }, conditions: [{ type: 'B', status: 'False' }] })).toEqual({
    message: 'old',
    outputs: { a: 3 },
    conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }],
  });
  expect(() => mergeStatus({}, { kratix: {} })).toThrow(/top-level "kratix" key/);
});
