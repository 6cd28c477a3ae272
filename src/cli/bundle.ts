import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import type { ProjectConfig } from './project.js';

/** One Promise's workflow, bundled: everything its container runs, and the tag derived from it. */
export interface WorkflowBundle {
  /** Files of the image's /app folder: `workflow.mjs` and the `chunks/` it imports. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** First 12 hex digits of the SHA-256 of those files: the image tag's content part. */
  readonly digest: string;
}

const ENTRY_NAMESPACE = 'kratix-cdktf-workflow';

/**
 * Bundles the workflow of every named Promise in one esbuild run with code splitting: each
 * Promise gets an entry that imports only the chunks it uses (its provider classes, tree-shaken
 * from submodule imports), and code shared between Promises is parsed and emitted once. No
 * node_modules are needed at run time. The output depends only on the sources and the installed
 * packages, never on the checkout's location.
 */
export async function bundleWorkflows(config: ProjectConfig, promises: readonly string[]): Promise<Map<string, WorkflowBundle>> {
  if (promises.length === 0) return new Map();
  // This module's own sources: the same kratix-cdktf the Promises were compiled with.
  const main = join(import.meta.dirname, '..', 'workflow', 'main.ts');
  const entries: Plugin = {
    name: 'workflow-entries',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: args.path, namespace: ENTRY_NAMESPACE } : undefined));
      b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => ({
        resolveDir: config.root,
        loader: 'ts',
        contents: [
          `import definition from ${JSON.stringify(`./${relative(config.root, join(config.promisesDir, args.path, 'index.ts'))}`)};`,
          `import { runContainer } from ${JSON.stringify(main)};`,
          'runContainer(definition);',
        ].join('\n'),
      }));
    },
  };
  const result = await build({
    absWorkingDir: config.root,
    entryPoints: Object.fromEntries(promises.map((p) => [p, p])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    preserveSymlinks: true,
    outdir: join(config.root, 'dist', 'bundle'),
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunks/[hash]',
    // cdktf and the providers are CommonJS and require() Node's built-ins.
    banner: { js: "import{createRequire as __kcr}from'node:module';const require=__kcr(import.meta.url);" },
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [entries],
  });
  const outdir = join(config.root, 'dist', 'bundle');
  const contents = new Map(result.outputFiles.map((f) => [relative(outdir, f.path), f.contents]));
  const bundles = new Map<string, WorkflowBundle>();
  for (const promise of promises) {
    const closure = closureOf(`${promise}.mjs`, result.metafile, config.root, outdir);
    const files = new Map<string, Uint8Array>();
    const hash = createHash('sha256');
    for (const file of closure) {
      const bytes = contents.get(file)!;
      const name = file === `${promise}.mjs` ? 'workflow.mjs' : file;
      files.set(name, bytes);
      hash.update(`${name}\0`).update(bytes);
    }
    bundles.set(promise, { files, digest: hash.digest('hex').slice(0, 12) });
  }
  return bundles;
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
