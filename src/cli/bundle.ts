import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, version as esbuildVersion, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import type { ProjectConfig } from './project.js';

/** The identity of one Promise's workflow code. */
export interface WorkflowBundle {
  /**
   * First 12 hex digits of a SHA-256 over the Promise's bundled code (its entry and every chunk
   * it imports) and the esbuild version: the content part of its image tag.
   */
  readonly digest: string;
}

const ENTRY_NAMESPACE = 'kratix-cdktf-workflow';

/**
 * Digests the workflow code of every named Promise, from one esbuild run with code splitting:
 * each Promise's entry imports only the chunks it uses (its provider classes, tree-shaken from
 * submodule imports), and code shared between Promises is parsed and emitted once, which keeps
 * `synth` fast however many Promises there are. Minified code, so comments and formatting do not
 * count; the result depends only on the sources and installed packages, never on the checkout's
 * location. The container script ({@link bundleContainerScript}) is built from the same code.
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
    // cdktf and the providers are CommonJS and require() Node's built-ins.
    banner: { js: "import{createRequire as __kcr}from'node:module';const require=__kcr(import.meta.url);" },
    metafile: true,
  });
  const contents = new Map(result.outputFiles!.map((f) => [relative(outdir, f.path), f.contents]));
  const bundles = new Map<string, WorkflowBundle>();
  for (const promise of promises) {
    const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\0`);
    for (const file of closureOf(`${promise}.mjs`, result.metafile, config.root, outdir)) {
      hash.update(`${file === `${promise}.mjs` ? 'entry' : file}\0`).update(contents.get(file)!);
    }
    bundles.set(promise, { digest: hash.digest('hex').slice(0, 12) });
  }
  return bundles;
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

function commonOptions(config: ProjectConfig): BuildOptions {
  // This module's own sources: the same kratix-cdktf the Promises were compiled with.
  const main = join(import.meta.dirname, '..', 'workflow', 'main.ts');
  const warm = join(import.meta.dirname, '..', 'workflow', 'warm-up.ts');
  const entries: Plugin = {
    name: 'workflow-entries',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: args.path, namespace: ENTRY_NAMESPACE } : undefined));
      b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => {
        const example = join(config.promisesDir, args.path, 'example-request.yaml');
        return {
          resolveDir: config.root,
          loader: 'ts',
          contents: [
            `import definition from ${JSON.stringify(`./${relative(config.root, join(config.promisesDir, args.path, 'index.ts'))}`)};`,
            `import { runContainer } from ${JSON.stringify(main)};`,
            `import { warmUp } from ${JSON.stringify(warm)};`,
            "import { startupSnapshot } from 'node:v8';",
            'if (startupSnapshot?.isBuildingSnapshot()) {',
            `  warmUp(definition, ${JSON.stringify(existsSync(example) ? readFileSync(example, 'utf8') : '')});`,
            '  startupSnapshot.setDeserializeMainFunction(() => runContainer(definition));',
            '} else runContainer(definition);',
          ].join('\n'),
          watchFiles: [example],
        };
      });
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
