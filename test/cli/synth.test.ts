import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { synth } from '../../src/cli/synth.js';
import { readConfig } from '../../src/cli/project.js';
import { cli, makeProject, snapshotTree } from '../helpers/project.js';

const FIXTURES = ['echo', 'kitchen-sink', 'postgres'];
const SETTINGS = { imagePullSecrets: ['regcred'] };
const ARTIFACTS = [
  'README.md',
  'example-resource.yaml',
  'promise.yaml',
  'types.ts',
  // Backstage: the Template, the API entity and its TechDocs (no skeleton: these fixtures use kube:apply).
  'backstage/template.yaml',
  'backstage/catalog-info.yaml',
  'backstage/mkdocs.yml',
  'backstage/docs/index.md',
];
const run = (root: string, options: Parameters<typeof synth>[1] = {}) => synth(readConfig(root), options);

// One project for the file, synthesized once: each synth bundles every Promise (about a second).
let project: string;
let first: Record<string, string>;
let firstReport: Awaited<ReturnType<typeof synth>>;

beforeAll(async () => {
  project = makeProject(FIXTURES, SETTINGS);
  firstReport = await run(project);
  expect(firstReport.errors).toEqual([]);
  first = snapshotTree(join(project, 'generated'));
});

describe('synth', () => {
  test('writes the artifacts of every Promise, one Backstage Location for all, and reports each bundle size', () => {
    expect(Object.keys(first).sort()).toEqual([...FIXTURES.flatMap((n) => ARTIFACTS.map((f) => `${n}/${f}`)), 'catalog-info.yaml'].sort());
    expect(parse(first['catalog-info.yaml']!).spec.targets).toEqual(
      FIXTURES.flatMap((n) => [`./${n}/backstage/catalog-info.yaml`, `./${n}/backstage/template.yaml`]),
    );
    const report = firstReport;
    expect([...report.bundleBytes.keys()].sort()).toEqual(FIXTURES);
    // The AWS provider package is 392 MB; a Promise importing submodules bundles about 1 MB.
    expect(report.bundleBytes.get('postgres')).toBeGreaterThan(300_000);
    expect(report.bundleBytes.get('postgres')).toBeLessThan(3_000_000);
  });

  test('a second run is byte-identical and changes nothing', async () => {
    expect((await run(project)).changes).toEqual([]);
    expect(snapshotTree(join(project, 'generated'))).toEqual(first);
  });

  test('another checkout in another folder produces the same bytes (no absolute paths)', async () => {
    const other = makeProject(FIXTURES, SETTINGS);
    expect((await run(other)).errors).toEqual([]);
    expect(snapshotTree(join(other, 'generated'))).toEqual(first);
    expect(JSON.stringify(first)).not.toContain(project);
  });

  test('the image comes from package.json, tagged per Promise with the digest of its bundle', () => {
    expect(first['postgres/promise.yaml']).toMatch(/image: registry\.test\/wf:postgres-[0-9a-f]{12}\n/);
    expect(first['echo/promise.yaml']).toMatch(/image: registry\.test\/wf:echo-[0-9a-f]{12}\n/);
  });

  test('the image pull Secrets come from package.json, on every Pipeline', () => {
    const pipelines = parse(first['postgres/promise.yaml']!).spec.workflows.resource;
    for (const p of [...pipelines.configure, ...pipelines.delete]) expect(p.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('a named Promise is compiled alone and the others are kept', async () => {
    rmSync(join(project, 'generated', 'echo', 'README.md'));
    expect((await run(project, { names: ['postgres'] })).errors).toEqual([]);
    expect(existsSync(join(project, 'generated', 'echo', 'promise.yaml'))).toBe(true);
    expect(existsSync(join(project, 'generated', 'echo', 'README.md'))).toBe(false);
    expect((await run(project)).changes).toContain('wrote generated/echo/README.md');
  });

  test('an unknown Promise name is an error', async () => {
    expect((await run(project, { names: ['nope'] })).errors).toEqual([expect.stringMatching(/promises\/nope: no such Promise/)]);
  });
});

describe('synth --check', () => {
  test('passes on a fresh synth, fails on a one-byte change, a missing and an extra file, listing each, and writes nothing', async () => {
    // The project is as synth left it (the tests above end on a full synth).
    const committed = snapshotTree(join(project, 'generated'));
    expect(committed).toEqual(first);
    expect((await run(project, { check: true })).changes).toEqual([]);

    const gen = join(project, 'generated');
    appendFileSync(join(gen, 'postgres', 'README.md'), ' ');
    unlinkSync(join(gen, 'echo', 'types.ts'));
    writeFileSync(join(gen, 'kitchen-sink', 'notes.txt'), 'x');
    mkdirSync(join(gen, 'retired'));
    writeFileSync(join(gen, 'retired', 'promise.yaml'), 'x');
    const before = snapshotTree(gen);
    const report = await run(project, { check: true });
    expect(report.changes.sort()).toEqual([
      'extra generated/kitchen-sink/notes.txt',
      'extra generated/retired',
      'missing generated/echo/types.ts',
      'stale generated/postgres/README.md',
    ]);
    expect(snapshotTree(gen)).toEqual(before);

    // A synth repairs all of it, and a removed Promise's artifacts go with it.
    await run(project);
    expect(snapshotTree(gen)).toEqual(committed);
    rmSync(join(project, 'promises', 'echo'), { recursive: true });
    const removed = (await run(project)).changes;
    expect(removed).toContain('removed generated/echo');
    // The Location is rewritten without it, never taken for a removed Promise's folder.
    expect(removed).toContain('updated generated/catalog-info.yaml');
    expect(existsSync(join(gen, 'echo'))).toBe(false);
    expect(readFileSync(join(gen, 'catalog-info.yaml'), 'utf8')).not.toContain('echo');
  });

  test('the command prints every difference, exits 1, and shows no stack trace', () => {
    appendFileSync(join(project, 'generated', 'postgres', 'README.md'), ' ');
    const result = cli(project, 'synth', '--check');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('stale generated/postgres/README.md');
    expect(result.stdout).toMatch(/postgres: workflow bundle \d+\.\d\d MB/);
    expect(result.stderr).toContain('generated/ is out of date (1 files)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
