import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build, transform, version as esbuildVersion, type BuildFailure, type BuildOptions, type Message, type Metafile, type Plugin } from 'esbuild';
import { formatIssues, type Issue } from '../schema/issue.js';
import * as errors from './errors.js';
import type { ProjectConfig } from './project.js';

/** The identity and size of one Promise's workflow code. */
export interface WorkflowBundle {
  /**
   * First 12 hex digits of a SHA-256 over every module the Promise's workflow bundles (project
   * sources minified, so comments and formatting do not count; packages by content) and the
   * bundler: the content part of its image tag.
   */
  readonly digest: string;
  /** Bytes of minified code the Promise's workflow bundles (its entry and every chunk it loads). */
  readonly bytes: number;
}

/** What bundling found: each Promise's bundle, and the problems that keep a Promise from running in its container. */
export interface BundleReport {
  readonly bundles: ReadonlyMap<string, WorkflowBundle>;
  /** Problems by Promise name, each with `promises/<name>/<file>:<line>` and a fix. */
  readonly issues: ReadonlyMap<string, readonly Issue[]>;
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
 *
 * The same run finds what would break only in the container, before any Promise module is
 * loaded: imports of a provider's package root, `import.meta` and `__dirname` (empty or wrong in
 * the one-script bundle), modules named at run time, and any other bundler warning.
 */
export async function bundleWorkflows(config: ProjectConfig, promises: readonly string[]): Promise<BundleReport> {
  if (promises.length === 0) return { bundles: new Map(), issues: new Map() };
  const outdir = join(config.root, 'dist', 'bundle');
  const rootImports: { importer: string; specifier: string }[] = [];
  let result: Awaited<ReturnType<typeof build>> & { metafile: Metafile };
  try {
    result = (await build({
      ...commonOptions(config, [providerRoots(rootImports)]),
      entryPoints: Object.fromEntries(promises.map((p) => [p, p])),
      splitting: true,
      format: 'esm',
      // The container script is CommonJS, where import.meta is empty: make the bundler say so here.
      supported: { 'import-meta': false },
      logOverride: { 'unsupported-require-call': 'warning', 'unsupported-dynamic-import': 'warning' },
      outdir,
      outExtension: { '.js': '.mjs' },
      entryNames: '[name]',
      chunkNames: 'chunks/[hash]',
      metafile: true,
    })) as typeof result;
  } catch (e) {
    const failure = e as Partial<BuildFailure>;
    if (!failure.errors) throw e;
    const issues = new Map<string, Issue[]>();
    for (const m of failure.errors) {
      const file = m.location?.file ?? '';
      const owners = promises.filter((p) => isInside(config, file, p) || file === `${ENTRY_NAMESPACE}:${p}`);
      // The generated entry imports the Promise's default export; without one, say so plainly.
      const noDefault = /^No matching export in "([^"]+)" for import "default"$/.exec(m.text);
      const issue = noDefault ? errors.noDefaultExport(noDefault[1]!) : errors.bundlerError(where(m), m.text);
      for (const owner of owners.length ? owners : promises) push(issues, owner, issue);
    }
    return { bundles: new Map(), issues };
  }
  const fingerprints = new Map<string, Promise<string>>();
  const fingerprint = (input: string) => {
    let known = fingerprints.get(input);
    if (!known) fingerprints.set(input, (known = fingerprintModule(config, input)));
    return known;
  };
  const bundles = new Map<string, WorkflowBundle>();
  const inputsOf = new Map<string, Set<string>>();
  for (const promise of promises) {
    let bytes = 0;
    for (const file of closureOf(`${promise}.mjs`, result.metafile, config.root, outdir))
      bytes += result.metafile.outputs[relative(config.root, join(outdir, file))]?.bytes ?? 0;
    // The modules the entry reaches through imports: a property of the sources alone, where the
    // chunks a run emits also depend on which other Promises are in it.
    const inputs = reachable(`${ENTRY_NAMESPACE}:${promise}`, result.metafile);
    inputsOf.set(promise, inputs);
    const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\0${CONTAINER_FORMAT}\0`);
    for (const input of [...inputs].sort()) hash.update(`${input}\0${await fingerprint(input)}\0`);
    bundles.set(promise, { digest: hash.digest('hex').slice(0, 12), bytes });
  }
  return { bundles, issues: containerProblems(config, result, inputsOf, rootImports, bundles) };
}

/** The report's problems as the CLI prints them: one block per Promise, sorted by name. */
export function formatBundleIssues(report: Pick<BundleReport, 'issues'>): string[] {
  return [...report.issues]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, list]) => formatIssues(`promises/${name}: the workflow cannot run in its container`, list));
}

// Problems of each Promise's code in the container, from the bundler's run.
function containerProblems(
  config: ProjectConfig,
  result: { warnings: Message[]; metafile: Metafile },
  inputsOf: ReadonlyMap<string, ReadonlySet<string>>,
  rootImports: readonly { importer: string; specifier: string }[],
  bundles: ReadonlyMap<string, WorkflowBundle>,
): Map<string, Issue[]> {
  const issues = new Map<string, Issue[]>();
  const owners = (file: string) => [...inputsOf].filter(([, inputs]) => inputs.has(file)).map(([p]) => p);
  for (const m of result.warnings) {
    const file = m.location?.file ?? '';
    // Packages are the package authors' business; they run as published.
    if (file.includes('node_modules/')) continue;
    const issue =
      m.id === 'empty-import-meta'
        ? errors.emptyImportMeta(where(m))
        : m.id === 'unsupported-require-call' || m.id === 'unsupported-dynamic-import'
          ? errors.computedImport(where(m), m.text)
          : errors.bundlerWarning(where(m), m.text);
    for (const owner of owners(file)) push(issues, owner, issue);
  }
  for (const [promise, inputs] of inputsOf) {
    for (const input of [...inputs].sort()) {
      if (input.includes('node_modules/') || input.startsWith(`${ENTRY_NAMESPACE}:`) || !/\.[cm]?[jt]sx?$/.test(input)) continue;
      for (const use of moduleDirectoryUses(readFileSync(join(config.root, input), 'utf8'))) {
        push(issues, promise, errors.moduleDirectory(`${input}:${use.line}`, use.name));
      }
    }
  }
  const seen = new Set<string>();
  // A package-root import already says how big the bundle is and why; no second issue for it.
  const rootImporters = new Set<string>();
  for (const { importer, specifier } of rootImports) {
    const file = relative(config.root, importer);
    if (seen.has(`${file}\0${specifier}`)) continue;
    seen.add(`${file}\0${specifier}`);
    const text = readFileSync(importer, 'utf8');
    const line = lineOf(text, specifier);
    for (const owner of owners(file)) {
      rootImporters.add(owner);
      push(issues, owner, errors.providerPackageRoot(`${file}:${line}`, specifier, bundles.get(owner)?.bytes ?? 0, submoduleImports(config, text, specifier)));
    }
  }
  const budget = config.bundleBudget;
  for (const [promise, bundle] of bundles) {
    if (bundle.bytes > budget && !rootImporters.has(promise)) push(issues, promise, errors.overBudget(promise, bundle.bytes, budget));
  }
  return issues;
}

// Records every import of a cdktf provider's package root (`@cdktf/provider-aws`), which pulls in
// every resource class of the provider, instead of a submodule (`@cdktf/provider-aws/lib/vpc`).
function providerRoots(found: { importer: string; specifier: string }[]): Plugin {
  return {
    name: 'provider-package-roots',
    setup(b) {
      b.onResolve({ filter: /^@cdkt[fn]\/provider-[^/]+$/ }, (args) => {
        if (!args.importer.includes('node_modules')) found.push({ importer: args.importer, specifier: args.path });
        return undefined;
      });
    },
  };
}

// The provider packages export one namespace per resource (`dbInstance`), each also a submodule
// (`lib/db-instance`): the fix names the exact submodule for every namespace imported.
function submoduleImports(config: ProjectConfig, text: string, specifier: string): string[] {
  const statement = new RegExp(`import\\s*(?:type\\s*)?\\{([^}]*)\\}\\s*from\\s*['"]${specifier.replace('/', '\\/')}['"]`).exec(text);
  if (!statement) return [];
  const out: string[] = [];
  for (const part of statement[1]!
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, alias] = part.replace(/^type\s+/, '').split(/\s+as\s+/);
    const submodule = `${specifier}/lib/${name!.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
    if (!existsSync(join(config.root, 'node_modules', submodule))) return [];
    out.push(`* as ${alias ?? name} from '${submodule}'`);
  }
  return out;
}

// `__dirname` and `__filename` outside comments and strings; tsx defines them while synth loads
// the module, the container's bundle gives them the bundle's own location.
function moduleDirectoryUses(text: string): { name: string; line: number }[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
  const out: { name: string; line: number }[] = [];
  code.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/(?<![\w$.])(__dirname|__filename)(?![\w$])/g)) out.push({ name: m[1]!, line: i + 1 });
  });
  return out;
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(`'${needle}'`) >= 0 ? text.indexOf(`'${needle}'`) : text.indexOf(`"${needle}"`);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

function where(m: Message): string {
  return m.location ? `${m.location.file}:${m.location.line}` : '(bundle)';
}

function isInside(config: ProjectConfig, file: string, promise: string): boolean {
  return file.startsWith(`${relative(config.root, join(config.promisesDir, promise))}/`);
}

function push(map: Map<string, Issue[]>, key: string, issue: Issue): void {
  const list = map.get(key) ?? [];
  if (!list.some((i) => i.path === issue.path && i.message === issue.message)) list.push(issue);
  map.set(key, list);
}

// Bump when the container script's build options change, so every tag moves with them.
const CONTAINER_FORMAT = 'cjs-minified-snapshot-1';

async function fingerprintModule(config: ProjectConfig, input: string): Promise<string> {
  const sha = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
  if (input.startsWith(`${ENTRY_NAMESPACE}:`)) return sha(entryContents(config, input.slice(ENTRY_NAMESPACE.length + 1)));
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
  const result = await build({
    ...commonOptions(config),
    entryPoints: { workflow: promise },
    format: 'cjs',
    outdir: join(config.root, 'dist', 'script'),
    outExtension: { '.js': '.cjs' },
  });
  return result.outputFiles![0]!.contents;
}

// The entry of one Promise's workflow: run it, or, while a startup snapshot is built, warm it up
// on the example request and leave the run to the snapshot's main function. The texts of the
// YAML files in the Promise's folder are written into it, so that its Promise workflow can write
// the manifest files its dependencies name (the image has no Promise folder, and a module cannot
// read one), and the digest covers them. Reading them needs no Promise module loaded: synth
// bundles before it loads anything.
function entryContents(config: ProjectConfig, promise: string): string {
  const example = join(config.promisesDir, promise, 'example-request.yaml');
  const texts = yamlFiles(join(config.promisesDir, promise));
  // Paths are relative and the library is named by its package name, because this text is part
  // of the digest.
  return [
    `import definition from ${JSON.stringify(`./${relative(config.root, join(config.promisesDir, promise, 'index.ts'))}`)};`,
    "import { runContainer, warmUp } from 'kratix-cdktf/workflow';",
    "import { startupSnapshot } from 'node:v8';",
    `const props = { manifestTexts: ${JSON.stringify(texts)} };`,
    'if (startupSnapshot?.isBuildingSnapshot()) {',
    `  warmUp(definition, ${JSON.stringify(existsSync(example) ? readFileSync(example, 'utf8') : '')});`,
    '  startupSnapshot.setDeserializeMainFunction(() => runContainer(definition, props));',
    '} else runContainer(definition, props);',
  ].join('\n');
}

// Every YAML file under a Promise's folder but its example request, by path with / separators,
// in a fixed order: what manifestFile() paths can name.
function yamlFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((file) => file !== 'example-request.yaml')
    .sort();
  return Object.fromEntries(files.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

// Run from a checkout of kratix-cdktf (src/), bundle its sources; installed as a package (lib/),
// bundle what the package exports. Promises get the same library code the CLI runs.
const FROM_SOURCES = import.meta.url.endsWith('.ts');

function commonOptions(config: ProjectConfig, extraPlugins: readonly Plugin[] = []): BuildOptions {
  const entries: Plugin = {
    name: 'workflow-entries',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: args.path, namespace: ENTRY_NAMESPACE } : undefined));
      b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => ({
        resolveDir: config.root,
        loader: 'ts',
        contents: entryContents(config, args.path),
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
    ...(FROM_SOURCES ? { conditions: ['kratix-cdktf-source'] } : {}),
    plugins: [entries, ...extraPlugins],
  };
}

// Every module an input imports, directly or not, itself included.
function reachable(entry: string, metafile: Metafile): Set<string> {
  const seen = new Set<string>();
  const visit = (input: string) => {
    if (seen.has(input) || !metafile.inputs[input]) return;
    seen.add(input);
    for (const imported of metafile.inputs[input].imports) if (!imported.external) visit(imported.path);
  };
  visit(entry);
  return seen;
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
