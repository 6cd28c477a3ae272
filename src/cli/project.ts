import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseKubernetesYaml } from '../artifacts/yaml.js';
import type { ResolvedManifests } from '../kratix/dependencies.js';
import { checkImagePullSecrets } from '../kratix/pipeline.js';
import { parseRequest, requestApi } from '../kratix/request.js';
import { isPromiseDefinition, type PromiseDefinition, type ResourceRequest } from '../promise/define-promise.js';
import { formatIssues } from '../schema/issue.js';
import { readManifestFiles } from './manifests.js';

/** Project settings, read from the `kratix-cdktf` key of package.json. */
export interface ProjectConfig {
  readonly root: string;
  /** Image repository of the workflow images; each Promise gets its own tag. */
  readonly image: string;
  readonly promisesDir: string;
  readonly generatedDir: string;
  /** Largest workflow bundle allowed, in bytes. @default 5000000 */
  readonly bundleBudget: number;
  /** Secrets the kubelet pulls the workflow images with, on every Pipeline. @default none */
  readonly imagePullSecrets?: readonly string[];
}

/** A Promise found in the project, loaded, with its example request. */
export interface LoadedPromise {
  readonly name: string;
  readonly file: string;
  readonly definition: PromiseDefinition;
  readonly exampleRequest: unknown;
  /** What reading the manifest files its `dependencies` name gave; the compiler reports failures. */
  readonly manifests: ResolvedManifests;
}

const DEFAULT_IMAGE = 'ghcr.io/example/kratix-cdktf-workflow';
// A Promise that imports provider classes from their submodules bundles to about 1.2 MB; one
// importing a provider's package root, about 33 MB.
const DEFAULT_BUNDLE_BUDGET = 5_000_000;

/** Reads the project configuration from `<root>/package.json`. */
export function readConfig(root: string): ProjectConfig {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string; 'kratix-cdktf'?: Record<string, unknown> };
  const settings = (pkg['kratix-cdktf'] ?? {}) as {
    image?: string;
    promisesDir?: string;
    generatedDir?: string;
    bundleBudget?: unknown;
    imagePullSecrets?: unknown;
  };
  const budget = settings.bundleBudget ?? DEFAULT_BUNDLE_BUDGET;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget <= 0) {
    throw new Error(`package.json: "kratix-cdktf".bundleBudget must be a positive number of bytes, not ${JSON.stringify(budget)}`);
  }
  const pullSecrets = checkImagePullSecrets('"kratix-cdktf".imagePullSecrets', settings.imagePullSecrets);
  if (pullSecrets.length > 0) throw new Error(formatIssues('package.json', pullSecrets));
  return {
    root,
    image: settings.image ?? DEFAULT_IMAGE,
    promisesDir: resolve(root, settings.promisesDir ?? 'promises'),
    generatedDir: resolve(root, settings.generatedDir ?? 'generated'),
    bundleBudget: budget,
    imagePullSecrets: (settings.imagePullSecrets as string[] | undefined) ?? [],
  };
}

/** Names of the Promise folders (those with an index.ts), sorted so output order never depends on the disk. */
export function listPromises(config: ProjectConfig): string[] {
  if (!existsSync(config.promisesDir)) return [];
  return readdirSync(config.promisesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(config.promisesDir, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Loads one Promise module and its example request; throws an Error whose message says which file and why. */
export async function loadPromise(config: ProjectConfig, name: string, options: { readonly example?: boolean } = {}): Promise<LoadedPromise> {
  const file = join(config.promisesDir, name, 'index.ts');
  const shown = relative(config.root, file);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new Error(`${shown}: could not be loaded: ${(e as Error).message}`);
  }
  if (!isPromiseDefinition(mod.default)) {
    throw new Error(`${shown}: the default export is not a Promise definition\n    fix: export default definePromise({ ... })`);
  }
  if (mod.default.name !== name) {
    throw new Error(
      `${shown}: name ${JSON.stringify(mod.default.name)} differs from its folder ${JSON.stringify(name)}\n    fix: rename the folder or the Promise`,
    );
  }
  const folder = join(config.promisesDir, name);
  const manifests = readManifestFiles(mod.default, folder, `${relative(config.root, folder)}/`);
  return { name, file: shown, definition: mod.default, exampleRequest: options.example === false ? undefined : readExample(config, name), manifests };
}

function readExample(config: ProjectConfig, name: string): unknown {
  const file = join(config.promisesDir, name, 'example-request.yaml');
  const shown = relative(config.root, file);
  if (!existsSync(file))
    throw new Error(`${shown}: missing\n    fix: add an example Resource request; it is validated and becomes generated/${name}/example-resource.yaml`);
  try {
    return parseKubernetesYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${shown}: is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The Promise's example request, validated and defaulted; throws an Error naming the file and every bad field. */
export function parseExample(loaded: LoadedPromise): ResourceRequest<unknown> {
  const api = requestApi(loaded.definition);
  if (!api.ok) throw new Error(formatIssues(loaded.file, api.issues));
  const request = parseRequest(api.value, loaded.exampleRequest);
  if (!request.ok) throw new Error(formatIssues(`promises/${loaded.name}/example-request.yaml`, request.issues, request.omitted));
  return request.value;
}
