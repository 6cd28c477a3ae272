import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthRequest } from '../terraform/stack.js';
import { bundleContainerScript, bundleWorkflows } from './bundle.js';
import { workflowImage } from './image.js';
import { listPromises, loadPromise, parseExample, type ProjectConfig } from './project.js';

/**
 * Writes each Promise's image context to `dist/images/<promise>/`: `app/workflow.cjs` (the
 * workflow as one script, from which the Dockerfile builds a V8 startup snapshot), the
 * `providers.tf.json` the Dockerfile mirrors providers from, and `image.txt`, the reference
 * its promise.yaml uses. Returns the image references built.
 */
export async function buildImages(config: ProjectConfig, names: readonly string[] = []): Promise<string[]> {
  const promises = names.length ? [...names] : listPromises(config);
  const bundles = await bundleWorkflows(config, promises);
  const images: string[] = [];
  for (const name of promises) {
    const loaded = await loadPromise(config, name);
    const dir = join(config.root, 'dist', 'images', name);
    rmSync(dir, { recursive: true, force: true });
    const bundle = bundles.get(name)!;
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'app', 'workflow.cjs'), await bundleContainerScript(config, name));
    // The providers the example request's stack needs are the ones to bake into the image.
    const { json } = synthRequest(loaded.definition, parseExample(loaded));
    const requiredProviders = (json.terraform as { required_providers?: unknown } | undefined)?.required_providers ?? {};
    writeFileSync(join(dir, 'providers.tf.json'), `${JSON.stringify({ terraform: { required_providers: requiredProviders } }, null, 2)}\n`);
    const image = workflowImage(config, name, bundle.digest);
    writeFileSync(join(dir, 'image.txt'), `${image}\n`);
    images.push(image);
  }
  return images;
}
