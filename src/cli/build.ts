import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthPromiseStack, synthRequest } from '../terraform/stack.js';
import { bundleContainerScript, bundleWorkflows, formatBundleIssues } from './bundle.js';
import { workflowImage } from './image.js';
import { listPromises, loadPromise, parseExample, type ProjectConfig } from './project.js';

/** One Promise's image context, as {@link buildImages} wrote it. */
export interface BuiltImage {
  readonly promise: string;
  /** The image reference its promise.yaml uses. */
  readonly image: string;
  /** Size of `app/workflow.cjs`, in bytes. */
  readonly bytes: number;
}

/**
 * Writes each Promise's image context to `dist/images/<promise>/`: `app/workflow.cjs` (the
 * workflow as one script, from which the Dockerfile builds a V8 startup snapshot), the
 * `providers.tf.json` the Dockerfile mirrors providers from, and `image.txt`, the reference
 * its promise.yaml uses. Before writing, each script must start in a clean process, in an empty
 * folder with no node_modules, exactly as the Dockerfile's snapshot step runs it. Throws an
 * Error naming every Promise that cannot run in its container.
 */
export async function buildImages(config: ProjectConfig, names: readonly string[] = []): Promise<BuiltImage[]> {
  const promises = names.length ? [...names] : listPromises(config);
  const bundled = await bundleWorkflows(config, promises);
  if (bundled.issues.size > 0) throw new Error(formatBundleIssues(bundled).join('\n\n'));
  const failures: string[] = [];
  const built: { promise: string; script: Uint8Array; providers: unknown; image: string }[] = [];
  for (const name of promises) {
    const loaded = await loadPromise(config, name);
    const script = await bundleContainerScript(config, name);
    const failure = startsCleanly(script);
    if (failure) {
      failures.push(
        `promises/${name}: the workflow bundle does not start in a clean container (node --build-snapshot, as the Dockerfile runs it):\n  ${failure}`,
      );
      continue;
    }
    // The providers the example request's stack and the Promise's own stack need are the ones to
    // bake into the image.
    const stacks = [synthRequest(loaded.definition, parseExample(loaded)).json];
    if (typeof loaded.definition.promiseStack?.stack === 'function') stacks.push(synthPromiseStack(loaded.definition).json);
    const providers = Object.assign(
      {},
      ...stacks.map((json) => (json.terraform as { required_providers?: Record<string, unknown> } | undefined)?.required_providers ?? {}),
    ) as Record<string, unknown>;
    built.push({ promise: name, script, providers, image: workflowImage(config, name, bundled.bundles.get(name)!.digest) });
  }
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
  for (const { promise, script, providers, image } of built) {
    const dir = join(config.root, 'dist', 'images', promise);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'app', 'workflow.cjs'), script);
    writeFileSync(join(dir, 'providers.tf.json'), `${JSON.stringify({ terraform: { required_providers: providers } }, null, 2)}\n`);
    writeFileSync(join(dir, 'image.txt'), `${image}\n`);
  }
  return built.map(({ promise, image, script }) => ({ promise, image, bytes: script.byteLength }));
}

/**
 * Starts a container script as the Dockerfile does (building its startup snapshot, which warms it
 * up on the example request), in an empty folder with an empty environment; returns the error, or
 * undefined when it starts. Module-level code that reads files, needs node_modules or throws shows
 * up here, not first in the image build or in a tenant's request.
 */
export function startsCleanly(script: Uint8Array): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-start-'));
  try {
    writeFileSync(join(dir, 'workflow.cjs'), script);
    const run = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob', '--build-snapshot', 'workflow.cjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (run.status === 0) return undefined;
    // Node's own warnings about snapshot builders are not the failure; the error is.
    const lines = `${run.stderr}${run.stdout}`
      .split('\n')
      .filter(
        (l) =>
          l.trim() &&
          !/^\s+at /.test(l) &&
          !l.includes('workflow.cjs:') &&
          !/^\(node:\d+\) Warning|^It may still work|^To request support|^\(Use `node --trace/.test(l),
      );
    return lines.slice(0, 4).join('\n  ') || `exit code ${run.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
