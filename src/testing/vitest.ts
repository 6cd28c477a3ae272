// The generic suite every Promise of a platform repository gets, for vitest:
//
//   // test/promises.test.ts
//   import { testPromises } from 'kratix-cdktf/vitest';
//   testPromises();
//
// Installed as a package, kratix-cdktf loads the project's Promises (TypeScript) itself, so vitest
// must run it through its own transform: `test: { server: { deps: { inline: ['kratix-cdktf'] } } }`.
//
// It reads the project like `kratix-cdktf synth` does, so a Promise added to promises/ is covered
// without a line of test code, and one removed takes its tests with it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilePromise } from '../artifacts/compile.js';
import { startsCleanly } from '../cli/build.js';
import { bundleContainerScript, bundleWorkflows } from '../cli/bundle.js';
import { listPromises, loadPromise, parseExample, readConfig } from '../cli/project.js';
import { synthRequest, type TerraformJson } from '../terraform/stack.js';

/** Options for {@link testPromises}. */
export interface TestPromisesProps {
  /** The platform repository's root (where package.json is). @default process.cwd() */
  readonly root?: string;
  /**
   * A Terraform provider filesystem mirror (`<host>/<namespace>/<type>/<version>/<os_arch>/`);
   * stacks are checked with `terraform validate` against every provider found there, and the
   * check is skipped, with the reason, for a stack needing a provider that is not.
   * @default $KRATIX_CDKTF_PROVIDER_MIRROR, else /opt/tf-plugins
   */
  readonly providerMirror?: string;
}

/**
 * Registers, for every Promise in the project's promises/, tests that it compiles, that its
 * example request is valid, that its stack() synthesizes that request, that its workflow bundle
 * starts in a clean process with no node_modules (as the image runs it), and that the stack
 * passes `terraform validate` against the real provider schema where the provider is available.
 */
export function testPromises(props: TestPromisesProps = {}): void {
  const config = readConfig(props.root ?? process.cwd());
  const mirror = props.providerMirror ?? process.env.KRATIX_CDKTF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
  const names = listPromises(config);
  // One bundler run for all Promises, as synth does, started by the first test that needs it.
  let bundling: ReturnType<typeof bundleWorkflows> | undefined;
  const bundled = () => (bundling ??= bundleWorkflows(config, names));
  test('the project has Promises to test', () => {
    expect(names.length, `no promises/<name>/index.ts under ${config.promisesDir}`).toBeGreaterThan(0);
  });
  describe.each(names)('promises/%s', (name) => {
    const loading = loadPromise(config, name);
    let stack: TerraformJson | undefined;

    test('compiles, and its example request is valid for its API', async () => {
      const loaded = await loading;
      const result = await compilePromise(loaded.definition, { image: 'registry.test/workflow:test', exampleRequest: loaded.exampleRequest });
      expect(result.ok ? [] : result.issues).toEqual([]);
    });

    test('its stack() synthesizes the example request', async () => {
      const loaded = await loading;
      stack = synthRequest(loaded.definition, parseExample(loaded)).json;
      expect(
        Object.keys(stack.resource ?? stack.data ?? stack.output ?? {}).length,
        'the stack declares no resources, data sources or outputs',
      ).toBeGreaterThan(0);
    });

    test('its workflow bundle starts in a clean process with no node_modules, as the image runs it', async () => {
      const { bundles, issues } = await bundled();
      expect(issues.get(name) ?? []).toEqual([]);
      expect(bundles.get(name)!.bytes).toBeLessThanOrEqual(config.bundleBudget);
      expect(startsCleanly(await bundleContainerScript(config, name))).toBeUndefined();
    }, 120_000);

    test('its stack passes terraform validate against the real provider schema', async (ctx) => {
      const loaded = await loading;
      const json = stack ?? synthRequest(loaded.definition, parseExample(loaded)).json;
      const pinned = pinToMirror(json, mirror);
      if (typeof pinned === 'string') return ctx.skip(pinned);
      const dir = mkdtempSync(join(tmpdir(), `kratix-cdktf-validate-${name}-`));
      try {
        writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(pinned));
        const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
        const init = spawnSync('terraform', ['init', '-input=false', '-no-color', '-backend=false', `-plugin-dir=${mirror}`], {
          cwd: dir,
          env,
          encoding: 'utf8',
        });
        expect(init.status, init.stderr).toBe(0);
        const validate = spawnSync('terraform', ['validate', '-no-color', '-json'], { cwd: dir, env, encoding: 'utf8' });
        const result = JSON.parse(validate.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
        expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
        expect(result.valid).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  });
}

// The stack with each provider's version set to the one in the mirror (validation needs the
// schema, not the exact release), or why it cannot be validated here.
function pinToMirror(json: TerraformJson, mirror: string): TerraformJson | string {
  const terraform = (json.terraform ?? {}) as { required_providers?: Record<string, { source?: string; version?: string }> };
  const required = terraform.required_providers ?? {};
  const pinned: Record<string, { source: string; version: string }> = {};
  for (const [local, { source = local }] of Object.entries(required)) {
    const parts = source.split('/');
    const [host, namespace, type] =
      parts.length === 3 ? parts : parts.length === 2 ? ['registry.terraform.io', ...parts] : ['registry.terraform.io', 'hashicorp', source];
    const dir = join(mirror, host!, namespace!, type!);
    const versions = existsSync(dir) ? readdirSync(dir).sort() : [];
    if (versions.length === 0) return `no ${host}/${namespace}/${type} provider plugin in the mirror ${mirror}; terraform validate needs it`;
    pinned[local] = { source: `${host}/${namespace}/${type}`, version: versions[versions.length - 1]! };
  }
  return { ...json, terraform: { ...terraform, required_providers: pinned } };
}
