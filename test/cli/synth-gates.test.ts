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
import { definePromise, tofuController, Type } from 'kratix-cdktf';
${imports}
export default definePromise({
  name: '${name}', delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf' } }),
  api: { group: 'test.example.com', version: 'v1', kind: 'Thing' },
  spec: Type.Object({ size: Type.Integer({ default: 1 }) }),
  stack(scope, { spec }) {
    ${body}
  },
});
`;
const EXAMPLE = 'apiVersion: test.example.com/v1\nkind: Thing\nmetadata: { name: x, namespace: team }\nspec: {}\n';

describe('a Promise that cannot compile or cannot run fails synth and --check, naming it, and nothing is written', () => {
  // GIVEN a project whose generated/ is stale, so that any write would show, holding the working
  // echo fixture and the broken Promises. Broken Promises that fail in the same phase share one
  // project (each bundle costs about a second): every error must still name its own Promise.
  const broken = async (promises: Record<string, { source: string; example?: string }>, { check = true } = {}) => {
    const project = makeProject(['echo']);
    mkdirSync(join(project, 'generated', 'echo'), { recursive: true });
    writeFileSync(join(project, 'generated', 'echo', 'README.md'), 'stale');
    const stale = snapshotTree(join(project, 'generated'));
    for (const [name, { source, example = EXAMPLE }] of Object.entries(promises)) addPromise(project, name, source, example);
    // WHEN synth and synth --check run
    const report = await run(project);
    // THEN both fail with the same errors and nothing changed
    expect(report.errors.length).toBeGreaterThan(0);
    if (check) expect((await run(project, { check: true })).errors).toEqual(report.errors);
    expect(snapshotTree(join(project, 'generated'))).toEqual(stale);
    const errors = report.errors.join('\n\n');
    expect(errors).not.toContain('promises/echo');
    // Each Promise's errors, from its heading to the next Promise's.
    return (name: string) => report.errors.filter((e) => e.includes(`promises/${name}/`) || e.startsWith(`promises/${name}:`)).join('\n\n');
  };
  const once = <T>(make: () => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };

  // Promises that bundle and load, then fail to compile or to run stack() on their example.
  const late = once(() =>
    broken({
      schema: {
        source: promiseSource('schema', 'return;').replace(
          'size: Type.Integer({ default: 1 })',
          'anything: Type.Any(), pair: Type.Tuple([Type.String(), Type.Integer()])',
        ),
      },
      thrower: { source: promiseSource('thrower', "if (spec.size > 0) throw new RangeError('no capacity left in eu-west-1');") },
      outputs: {
        source: promiseSource('outputs', "new DataResource(scope, 'd', { input: spec.size });").replace(
          'spec: Type.Object(',
          'outputs: { endpoint: {} },\n  spec: Type.Object(',
        ),
      },
      example: { source: promiseSource('example', 'return;'), example: EXAMPLE.replace('spec: {}', 'spec: { size: huge }') },
      shared: {
        source: promiseSource('shared', "new DataResource(scope, 'd', { input: spec.size });")
          .replace("tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf' } })", 'applyInWorkflow({ backend: pgBackend() })')
          .replace('definePromise, tofuController, Type', 'applyInWorkflow, definePromise, pgBackend, Type')
          .replace(
            'stack(scope, { spec }) {',
            "promiseStack: { stack() { throw new Error('the shared network is not planned yet'); } },\n  stack(scope, { spec }) {",
          ),
      },
    }),
  );

  // Promises whose module would not run in the workflow container: refused while bundling.
  const container = once(() =>
    broken({
      reader: {
        source: promiseSource(
          'reader',
          "new DataResource(scope, 'd', { input: deps });",
          "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nconst deps = readFileSync(join(import.meta.dirname, 'deps.yaml'), 'utf8');",
        ),
      },
      dynamic: {
        source: promiseSource(
          'dynamic',
          "new DataResource(scope, 'd', { input: [here, String(require(name))] });",
          "const name = ['ya', 'ml'].join('');\nconst here = __dirname; // tsx defines it while synth loads the module",
        ),
      },
    }),
  );

  test('an untranslatable schema: the file and every bad field', async () => {
    const errors = (await late())('schema');
    expect(errors).toMatch(/promises\/schema\/index\.ts: 2 problems/);
    expect(errors).toMatch(/✖ spec\.anything: has no type/);
    expect(errors).toMatch(/✖ spec\.pair: .*tuple/);
    expect(errors).toMatch(/fix: /);
  });

  test('a stack() that throws on the example request: the Promise, the phase, the author’s error and where', async () => {
    const errors = (await late())('thrower');
    expect(errors).toMatch(/promises\/thrower: stack\(\) on example-request\.yaml: 1 problem/);
    expect(errors).toMatch(/✖ stack\(\) at promises\/thrower\/index\.ts:10: threw RangeError: no capacity left in eu-west-1/);
  });

  test('a promiseStack.stack() that throws: the Promise, its own stack, the author’s error and where', async () => {
    const errors = (await late())('shared');
    expect(errors).toMatch(/promises\/shared: promiseStack\.stack\(\): 1 problem/);
    expect(errors).toMatch(/✖ promiseStack\.stack\(\) at promises\/shared\/index\.ts:\d+: threw the shared network is not planned yet/);
  });

  test('a stack() that forgets a declared output', async () => {
    const errors = (await late())('outputs');
    expect(errors).toMatch(/✖ outputs\.endpoint: stack\(\) did not return this declared output\n\s+fix: return \{ endpoint: \.\.\. \}/);
  });

  test('an invalid example request: its file and field', async () => {
    const errors = (await late())('example');
    expect(errors).toMatch(/example-request\.yaml: spec\.size: expected an integer, got a string "huge"/);
  });

  test('a module-level file read relative to import.meta: the file, the line and a fix', async () => {
    const errors = (await container())('reader');
    expect(errors).toMatch(/promises\/reader: the workflow cannot run in its container: 1 problem/);
    expect(errors).toMatch(/✖ promises\/reader\/index\.ts:6: uses import\.meta, which is empty in the workflow container/);
    expect(errors).toMatch(/fix: keep data in TypeScript/);
  });

  test('__dirname and a module named at run time', async () => {
    const errors = (await container())('dynamic');
    expect(errors).toMatch(/✖ promises\/dynamic\/index\.ts:5: uses __dirname, which in the workflow container is the folder of the bundled script/);
    expect(errors).toMatch(/✖ promises\/dynamic\/index\.ts:11: This call to "require" will not be bundled .*: the container has no node_modules/);
  });

  test('a module that does not load, and one without a definition', async () => {
    // --check takes the same path as synth (the projects above show it): synth alone here.
    expect((await broken({ syntax: { source: 'export default definePromise({' } }, { check: false }))('syntax')).toMatch(/promises\/syntax\/index\.ts:\d+: /);
    const empty = (await broken({ empty: { source: 'export const x = 1;' } }, { check: false }))('empty');
    expect(empty).toMatch(/✖ promises\/empty\/index\.ts: the default export is not a Promise definition\n\s+fix: export default definePromise/);
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
