import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, transform, version as esbuildVersion, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { loadPromise, type ProjectConfig } from './project.js';

/** The identity of one Promise's workflow code. */
export interface WorkflowBundle {
  /**
   * First 12 hex digits of a SHA-256 over every module the Promise's workflow bundles (project
   * sources minified, so comments and formatting do not count; packages by content) and the
   * bundler: the content part of its image tag.
   */
  readonly digest: string;
}

const ENTRY_NAMESPACE = 'kratix-cdktf-workflow';

/**
 * Digests the workflow code of every named Promise from one esbuild run with code splitting, in
 * which modules shared between Promises are parsed once, which keeps `synth` fast however many
 * Promises there are. The digest covers the modules reachable from the Promise's entry, not the
 * emitted chunks, whose boundaries depend on which other Promises are in the same run: the same
 * code gets the same tag whether one Promise or all are synthesized. The result never depends on
 * the checkout's location. The container script ({@link bundleContainerScript}) is built from
 * exactly these modules.
 */
export async function bundleWorkflows(config: ProjectConfig, promises: readonly string[]): Promise<Map<string, WorkflowBundle>> {
  if (promises.length === 0) return new Map();
  const outdir = join(config.root, 'dist', 'bundle');
  const result = await build({
    ...commonOptions(config),
    entryPoints: Object.fromEntries(promises.map((p) => [p, p])),
    splitting: true,
    format: 'esm',
    outdir,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunks/[hash]',
    metafile: true,
  });
  const fingerprints = new Map<string, Promise<string>>();
  const fingerprint = (input: string) => {
    let known = fingerprints.get(input);
    if (!known) fingerprints.set(input, (known = fingerprintModule(config, input)));
    return known;
  };
  const bundles = new Map<string, WorkflowBundle>();
  for (const promise of promises) {
    const inputs = new Set<string>();
    for (const file of closureOf(`${promise}.mjs`, result.metafile!, config.root, outdir)) {
      for (const input of Object.keys(result.metafile!.outputs[relative(config.root, join(outdir, file))]?.inputs ?? {})) inputs.add(input);
    }
    const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\0${CONTAINER_FORMAT}\0`);
    for (const input of [...inputs].sort()) hash.update(`${input}\0${await fingerprint(input)}\0`);
    bundles.set(promise, { digest: hash.digest('hex').slice(0, 12) });
  }
  return bundles;
}

// Bump when the container script's build options change, so every tag moves with them.
const CONTAINER_FORMAT = 'cjs-minified-snapshot-1';

async function fingerprintModule(config: ProjectConfig, input: string): Promise<string> {
  const sha = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
  if (input.startsWith(`${ENTRY_NAMESPACE}:`)) return sha(await entryContents(config, input.slice(ENTRY_NAMESPACE.length + 1)));
  const source = readFileSync(join(config.root, input));
  if (input.includes('node_modules/') || !/\.[cm]?[jt]sx?$/.test(input)) return sha(source);
  const loader = /\.[cm]?tsx?$/.test(input) ? 'ts' : 'js';
  return sha((await transform(source.toString('utf8'), { loader, minify: true, legalComments: 'none' })).code);
}

/**
 * The file the container runs: one CommonJS script, because Node 20 builds a V8 startup snapshot
 * only from a single script. Loaded normally, it runs the workflow; loaded by
 * `node --snapshot-blob workflow.blob --build-snapshot`, it loads every module and leaves the
 * run to the snapshot's main function, so each container start skips module loading.
 */
export async function bundleContainerScript(config: ProjectConfig, promise: string): Promise<Uint8Array> {
  const result = await build({ ...commonOptions(config), entryPoints: { workflow: promise }, format: 'cjs', outdir: join(config.root, 'dist', 'script'), outExtension: { '.js': '.cjs' } });
  return result.outputFiles![0]!.contents;
}

// The entry of one Promise's workflow: run it, or, while a startup snapshot is built, warm it up
// on the example request and leave the run to the snapshot's main function. The objects of the
// Promise's manifest files are written into it, so the image carries them (a Promise module
// cannot read files: its folder is not in the image) and the digest covers them.
async function entryContents(config: ProjectConfig, promise: string): Promise<string> {
  // This module's own sources: the same kratix-cdktf the Promises were compiled with. Paths are
  // relative, because this text is part of the digest.
  const main = join(import.meta.dirname, '..', 'workflow', 'main.ts');
  const warm = join(import.meta.dirname, '..', 'workflow', 'warm-up.ts');
  const example = join(config.promisesDir, promise, 'example-request.yaml');
  const { manifests } = await loadPromise(config, promise, { example: false });
  return [
    `import definition from ${JSON.stringify(`./${relative(config.root, join(config.promisesDir, promise, 'index.ts'))}`)};`,
    `import { runContainer } from ${JSON.stringify(`./${relative(config.root, main)}`)};`,
    `import { warmUp } from ${JSON.stringify(`./${relative(config.root, warm)}`)};`,
    "import { startupSnapshot } from 'node:v8';",
    `const props = { manifests: new Map(${JSON.stringify([...manifests])}) };`,
    'if (startupSnapshot?.isBuildingSnapshot()) {',
    `  warmUp(definition, ${JSON.stringify(existsSync(example) ? readFileSync(example, 'utf8') : '')});`,
    '  startupSnapshot.setDeserializeMainFunction(() => runContainer(definition, props));',
    '} else runContainer(definition, props);',
  ].join('\n');
}

function commonOptions(config: ProjectConfig): BuildOptions {
  const entries: Plugin = {
    name: 'workflow-entries',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: args.path, namespace: ENTRY_NAMESPACE } : undefined));
      b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, async (args) => ({
        resolveDir: config.root,
        loader: 'ts',
        contents: await entryContents(config, args.path),
        watchFiles: [join(config.promisesDir, args.path, 'example-request.yaml')],
      }));
    },
  };
  return {
    absWorkingDir: config.root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    preserveSymlinks: true,
    write: false,
    logLevel: 'silent',
    plugins: [entries],
  };
}

// An entry and every chunk it imports, sorted, as paths relative to the output folder.
function closureOf(entry: string, metafile: Metafile, root: string, outdir: string): string[] {
  const key = (file: string) => relative(root, join(outdir, file));
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[key(file)]?.imports ?? []) {
      if (!imported.external) visit(relative(outdir, join(root, imported.path)));
    }
  };
  visit(entry);
  return [...seen].sort();
}
