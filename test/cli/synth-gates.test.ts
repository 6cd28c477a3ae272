// synth's gates: every phase that refuses a Promise, and what it tells the author.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { synth } from '../../src/cli/synth.js';
import { readConfig } from '../../src/cli/project.js';
import { addPromise, makeProject, snapshotTree } from '../helpers/project.js';

const run = (root: string, options: Parameters<typeof synth>[1] = {}) => synth(readConfig(root), options);

const promiseSource = (name: string, body: string, imports = '') => `
import { DataResource } from 'cdktf';
import { definePromise, Type } from 'kratix-cdktf';
${imports}
export default definePromise({
  name: '${name}',
  api: { group: 'test.example.com', version: 'v1', kind: 'Thing' },
  spec: Type.Object({ size: Type.Integer({ default: 1 }) }),
  stack(scope, { spec }) {
    ${body}
  },
});
`;
const EXAMPLE = 'apiVersion: test.example.com/v1\nkind: Thing\nmetadata: { name: x, namespace: team }\nspec: {}\n';

describe('a Promise that cannot compile or cannot run fails synth and --check, naming it, and nothing is written', () => {
  // GIVEN a project whose generated/ is stale, so that any write would show
  const broken = async (name: string, source: string, example = EXAMPLE) => {
    const project = makeProject(['echo']);
    mkdirSync(join(project, 'generated', 'echo'), { recursive: true });
    writeFileSync(join(project, 'generated', 'echo', 'README.md'), 'stale');
    const stale = snapshotTree(join(project, 'generated'));
    addPromise(project, name, source, example);
    // WHEN synth and synth --check run
    const report = await run(project);
    const check = await run(project, { check: true });
    // THEN both fail with the same errors and nothing changed
    expect(report.errors.length).toBeGreaterThan(0);
    expect(check.errors).toEqual(report.errors);
    expect(snapshotTree(join(project, 'generated'))).toEqual(stale);
    return report.errors.join('\n\n');
  };

  test('an untranslatable schema: the file and every bad field', async () => {
    const errors = await broken(
      'schema',
      promiseSource('schema', 'return;').replace(
        'size: Type.Integer({ default: 1 })',
        'anything: Type.Any(), pair: Type.Tuple([Type.String(), Type.Integer()])',
      ),
    );
    expect(errors).toMatch(/promises\/schema\/index\.ts: 2 problems/);
    expect(errors).toMatch(/✖ spec\.anything: has no type/);
    expect(errors).toMatch(/✖ spec\.pair: .*tuple/);
    expect(errors).toMatch(/fix: /);
  });

  test('a stack() that throws on the example request: the Promise, the phase, the author’s error and where', async () => {
    const errors = await broken('thrower', promiseSource('thrower', "if (spec.size > 0) throw new RangeError('no capacity left in eu-west-1');"));
    expect(errors).toMatch(/promises\/thrower: stack\(\) on example-request\.yaml: 1 problem/);
    expect(errors).toMatch(/✖ stack\(\) at promises\/thrower\/index\.ts:10: threw RangeError: no capacity left in eu-west-1/);
  });

  test('a stack() that forgets a declared output', async () => {
    const source = promiseSource('outputs', "new DataResource(scope, 'd', { input: spec.size });").replace(
      'spec: Type.Object(',
      'outputs: { endpoint: {} },\n  spec: Type.Object(',
    );
    const errors = await broken('outputs', source);
    expect(errors).toMatch(/✖ outputs\.endpoint: stack\(\) did not return this declared output\n\s+fix: return \{ endpoint: \.\.\. \}/);
  });

  test('a module-level file read relative to import.meta: the file, the line and a fix', async () => {
    const read =
      "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nconst deps = readFileSync(join(import.meta.dirname, 'deps.yaml'), 'utf8');";
    const errors = await broken('reader', promiseSource('reader', "new DataResource(scope, 'd', { input: deps });", read));
    expect(errors).toMatch(/promises\/reader: the workflow cannot run in its container: 1 problem/);
    expect(errors).toMatch(/✖ promises\/reader\/index\.ts:6: uses import\.meta, which is empty in the workflow container/);
    expect(errors).toMatch(/fix: keep data in TypeScript/);
  });

  test('__dirname and a module named at run time', async () => {
    const code = "const name = ['ya', 'ml'].join('');\nconst here = __dirname; // tsx defines it while synth loads the module";
    const errors = await broken('dynamic', promiseSource('dynamic', "new DataResource(scope, 'd', { input: [here, String(require(name))] });", code));
    expect(errors).toMatch(/✖ promises\/dynamic\/index\.ts:5: uses __dirname, which in the workflow container is the folder of the bundled script/);
    expect(errors).toMatch(/✖ promises\/dynamic\/index\.ts:11: This call to "require" will not be bundled .*: the container has no node_modules/);
  });

  test('a module that does not load, and one without a definition', async () => {
    expect(await broken('syntax', 'export default definePromise({')).toMatch(/promises\/syntax\/index\.ts:\d+: /);
    const empty = await broken('empty', 'export const x = 1;');
    expect(empty).toMatch(/✖ promises\/empty\/index\.ts: the default export is not a Promise definition\n\s+fix: export default definePromise/);
    expect(empty).not.toContain('promises/echo');
  });

  test('an invalid example request: its file and field', async () => {
    const errors = await broken('example', promiseSource('example', 'return;'), EXAMPLE.replace('spec: {}', 'spec: { size: huge }'));
    expect(errors).toMatch(/example-request\.yaml: spec\.size: expected an integer, got a string "huge"/);
  });
});

describe('the workflow bundle', () => {
  test('a provider imported from its package root is refused with the measured size and the submodule imports to use', async () => {
    const project = makeProject([]);
    addPromise(
      project,
      'root-import',
      promiseSource(
        'root-import',
        "new namespaceV1.NamespaceV1(scope, 'ns', { metadata: { name: 'x' } });",
        "import { namespaceV1 } from '@cdktf/provider-kubernetes';",
      ),
      EXAMPLE,
    );
    const errors = (await run(project)).errors.join('\n');
    expect(errors).toMatch(
      /✖ promises\/root-import\/index\.ts:4: imports @cdktf\/provider-kubernetes from its package root, which bundles every resource of the provider: the workflow bundle measures \d+\.\d MB/,
    );
    expect(errors).toContain("fix: import * as namespaceV1 from '@cdktf/provider-kubernetes/lib/namespace-v1'");
    expect(existsSync(join(project, 'generated'))).toBe(false);
  });

  test('a bundle over the budget in package.json fails, naming the Promise and both sizes', async () => {
    const project = makeProject(['postgres']);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...pkg, 'kratix-cdktf': { ...pkg['kratix-cdktf'], bundleBudget: 500_000 } }));
    const errors = (await run(project)).errors.join('\n');
    expect(errors).toMatch(/✖ promises\/postgres: the workflow bundle measures 1\.\d MB, over the budget of 0\.5 MB/);
  });
});
