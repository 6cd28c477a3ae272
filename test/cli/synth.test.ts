import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { addPromise, cli, makeProject, REPO, snapshotTree } from '../helpers/project.js';

const BROKEN = `
import { definePromise, Type } from 'kratix-cdktf';
export default definePromise({
  name: 'broken',
  api: { group: 'test.example.com', version: 'v1', kind: 'Broken' },
  spec: Type.Object({ anything: Type.Any(), pair: Type.Tuple([Type.String(), Type.Integer()]) }),
  stack() {},
});
`;
const BROKEN_EXAMPLE = 'apiVersion: test.example.com/v1\nkind: Broken\nmetadata: { name: x }\nspec: {}\n';

describe('npm run synth', () => {
  let project: string;
  let first: Record<string, string>;

  beforeAll(() => {
    project = makeProject();
    const run = cli(project, 'synth');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    first = snapshotTree(join(project, 'generated'));
  });

  test('writes the four artifacts of every Promise', () => {
    expect(Object.keys(first).sort()).toEqual(
      ['bucket', 'postgres', 'team-env'].flatMap((n) => ['README.md', 'example-resource.yaml', 'promise.yaml', 'types.ts'].map((f) => `${n}/${f}`)).sort(),
    );
  });

  test('a second run is byte-identical and changes nothing', () => {
    const again = cli(project, 'synth');
    expect(again.stdout).toContain('0 files changed');
    expect(snapshotTree(join(project, 'generated'))).toEqual(first);
  });

  test('another checkout in another folder produces the same bytes (no absolute paths)', () => {
    const other = makeProject();
    expect(cli(other, 'synth').status).toBe(0);
    expect(snapshotTree(join(other, 'generated'))).toEqual(first);
    expect(JSON.stringify(first)).not.toContain(project);
  });

  test('the image comes from package.json, tagged per Promise with the digest of its bundle', () => {
    expect(first['postgres/promise.yaml']).toMatch(/image: registry\.test\/wf:postgres-[0-9a-f]{12}\n/);
    expect(first['bucket/promise.yaml']).toMatch(/image: registry\.test\/wf:bucket-[0-9a-f]{12}\n/);
  });

  test('a named Promise is compiled alone and the others are kept', () => {
    rmSync(join(project, 'generated', 'bucket', 'README.md'));
    const run = cli(project, 'synth', 'postgres');
    expect(run.status).toBe(0);
    expect(existsSync(join(project, 'generated', 'bucket', 'promise.yaml'))).toBe(true);
    expect(existsSync(join(project, 'generated', 'bucket', 'README.md'))).toBe(false);
    expect(cli(project, 'synth').stdout).toContain('wrote generated/bucket/README.md');
  });

  test('an unknown Promise name is an error', () => {
    const run = cli(project, 'synth', 'nope');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/promises\/nope: no such Promise/);
  });
});

describe('npm run synth -- --check', () => {
  let project: string;
  let committed: Record<string, string>;

  beforeAll(() => {
    project = makeProject();
    expect(cli(project, 'synth').status).toBe(0);
    committed = snapshotTree(join(project, 'generated'));
  });

  test('passes on a fresh synth', () => {
    const run = cli(project, 'synth', '--check');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('generated/ is up to date (3 Promises)');
  });

  test('fails on a one-byte change, a missing file and an extra file, listing each, and writes nothing', () => {
    const gen = join(project, 'generated');
    appendFileSync(join(gen, 'postgres', 'README.md'), ' ');
    unlinkSync(join(gen, 'bucket', 'types.ts'));
    writeFileSync(join(gen, 'team-env', 'notes.txt'), 'x');
    mkdirSync(join(gen, 'retired'));
    writeFileSync(join(gen, 'retired', 'promise.yaml'), 'x');
    const before = snapshotTree(gen);

    const run = cli(project, 'synth', '--check');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('stale generated/postgres/README.md');
    expect(run.stdout).toContain('missing generated/bucket/types.ts');
    expect(run.stdout).toContain('extra generated/team-env/notes.txt');
    expect(run.stdout).toContain('extra generated/retired');
    expect(run.stderr).toContain('generated/ is out of date');
    expect(snapshotTree(gen)).toEqual(before);

    // A synth repairs all of it.
    expect(cli(project, 'synth').status).toBe(0);
    expect(snapshotTree(gen)).toEqual(committed);
  });

  test('artifacts of a removed Promise are removed by synth', () => {
    rmSync(join(project, 'promises', 'bucket'), { recursive: true });
    const run = cli(project, 'synth');
    expect(run.stdout).toContain('removed generated/bucket');
    expect(existsSync(join(project, 'generated', 'bucket'))).toBe(false);
  });
});

describe('a Promise that cannot compile', () => {
  test('names its file and every bad field, and leaves generated/ as it was', () => {
    const project = makeProject();
    expect(cli(project, 'synth').status).toBe(0);
    const before = snapshotTree(join(project, 'generated'));
    addPromise(project, 'broken', BROKEN, BROKEN_EXAMPLE);
    // Also make an otherwise fine Promise stale, to show nothing at all is written.
    appendFileSync(join(project, 'generated', 'postgres', 'README.md'), 'x');
    const stale = snapshotTree(join(project, 'generated'));

    const run = cli(project, 'synth');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/promises\/broken\/index\.ts: 2 problems/);
    expect(run.stderr).toMatch(/✖ spec\.anything: has no type/);
    expect(run.stderr).toMatch(/✖ spec\.pair: .*tuple/);
    expect(run.stderr).toMatch(/fix: /);
    expect(run.stderr).toContain('generated/ was left as it was');
    expect(run.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace
    expect(snapshotTree(join(project, 'generated'))).toEqual(stale);
    expect(before).not.toEqual(stale);
  });

  test('an invalid example request is reported with its field', () => {
    const project = makeProject();
    writeFileSync(join(project, 'promises', 'postgres', 'example-request.yaml'), 'apiVersion: data.example.com/v1alpha1\nkind: Postgres\nmetadata: { name: x }\nspec: { size: huge }\n');
    const run = cli(project, 'synth');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/example-request\.yaml: spec\.size: "huge" is not one of "small", "medium", "large"/);
  });

  test('a module that does not load is reported with its file', () => {
    const project = makeProject();
    addPromise(project, 'syntax', 'export default definePromise({', BROKEN_EXAMPLE);
    const run = cli(project, 'synth');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/promises\/syntax\/index\.ts: could not be loaded/);
  });

  test('a module without a definition says how to fix it', () => {
    const project = makeProject();
    addPromise(project, 'empty', 'export const x = 1;', BROKEN_EXAMPLE);
    const run = cli(project, 'synth');
    expect(run.stderr).toMatch(/promises\/empty\/index\.ts: the default export is not a Promise definition\n\s+fix: export default definePromise/);
  });
});

test('this repository’s generated/ is current', () => {
  const run = cli(REPO, 'synth', '--check');
  expect(run.stdout + run.stderr).toContain('up to date');
  expect(run.status).toBe(0);
});

test('cdktf.json’s app synthesizes each Promise’s example request as a stack, as `cdktf synth` runs it', () => {
  const config = JSON.parse(readFileSync(join(REPO, 'cdktf.json'), 'utf8'));
  expect(config).toMatchObject({ language: 'typescript', app: 'npx tsx src/cli/main.ts cdktf-app', output: 'cdktf.out' });
  const outdir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-cdktf-out-'));
  // The cdktf CLI runs the app with CDKTF_OUTDIR set; the CLI itself is not needed for that.
  const run = spawnSync(join(REPO, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'cdktf-app'], { cwd: REPO, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  expect(Object.keys(manifest.stacks).sort()).toEqual(['bucket', 'postgres', 'team-env']);
  const postgres = JSON.parse(readFileSync(join(outdir, 'stacks', 'postgres', 'cdk.tf.json'), 'utf8'));
  expect(postgres.resource.aws_db_instance.db.instance_class).toBe('db.t4g.large');
});
