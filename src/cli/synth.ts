import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compilePromise, type Artifacts } from '../artifacts/compile.js';
import { renderLocation } from '../backstage/index.js';
import { committedPromise } from '../evolution/committed.js';
import { evolution, evolutionIssues } from '../evolution/index.js';
import { formatIssues, IssuesError } from '../schema/issue.js';
import { StackError } from '../terraform/errors.js';
import { synthPromiseStack, synthRequest } from '../terraform/stack.js';
import { requestMetadataMap } from '../kratix/request.js';
import { requestManifests } from '../manifests/index.js';
import { promiseManifestFiles } from '../workflow/dependencies.js';
import { bundleWorkflows, formatBundleIssues, type BundleReport } from './bundle.js';
import { listPromises, loadPromise, parseExample, type LoadedPromise, type ProjectConfig } from './project.js';
import { workflowImage } from './image.js';

/** Options for {@link synth}. */
export interface SynthOptions {
  /** Promise names to compile. @default every folder in promises/ */
  readonly names?: readonly string[];
  /** Compare with generated/ instead of writing. @default false */
  readonly check?: boolean;
  /** The git revision whose generated/ the APIs are compared with for breaking changes. @default generated/ as it is on disk */
  readonly since?: string;
}

/** What a synth run found; the CLI prints `errors` and `changes` and sets the exit code. */
export interface SynthReport {
  readonly errors: string[];
  /** Lines like `wrote generated/x/promise.yaml` or, in check mode, `stale generated/x/README.md`. */
  readonly changes: string[];
  readonly compiled: string[];
  /** Size of each compiled Promise's workflow bundle, in bytes. */
  readonly bundleBytes: Map<string, number>;
  /** Accepted breaking changes, and acknowledgements that matched nothing: printed, never failing. */
  readonly notes: string[];
}

/**
 * Compiles the named Promises (or all) into `generated/`. Nothing is written unless every Promise
 * passes every phase: its workflow bundles for the container, its module loads, it compiles,
 * and its `stack()` synthesizes its example request. Then only changed files are replaced, each
 * atomically, and artifacts of Promises that no longer exist are removed. In check mode nothing
 * is written and every difference is reported; the phases run all the same, so a CI check fails
 * on a Promise that could not run.
 */
export async function synth(config: ProjectConfig, options: SynthOptions = {}): Promise<SynthReport> {
  const all = listPromises(config);
  const names = options.names?.length ? [...options.names] : all;
  const report: SynthReport = { errors: [], changes: [], compiled: [], bundleBytes: new Map(), notes: [] };
  for (const name of names) {
    if (!all.includes(name)) report.errors.push(`${relative(config.root, join(config.promisesDir, name))}: no such Promise (expected ${name}/index.ts)`);
  }
  const known = names.filter((n) => all.includes(n));
  // Bundle first: it is fast, and it refuses what would make loading slow or break only in the
  // container (a provider's package root, files read relative to the module) before any loads.
  let bundled: BundleReport;
  try {
    bundled = await bundleWorkflows(config, known);
  } catch (e) {
    report.errors.push(`bundling the workflows failed: ${(e as Error).message}`);
    return report;
  }
  report.errors.push(...formatBundleIssues(bundled));
  if (report.errors.length > 0) return report;
  const loaded: LoadedPromise[] = [];
  for (const name of known) {
    try {
      loaded.push(await loadPromise(config, name));
    } catch (e) {
      report.errors.push((e as Error).message);
    }
  }
  if (report.errors.length > 0) return report;
  const outputs = new Map<string, Artifacts>();
  for (const promise of loaded) {
    const bundle = bundled.bundles.get(promise.name)!;
    const result = await compilePromise(promise.definition, {
      image: workflowImage(config, promise.name, bundle.digest),
      exampleRequest: promise.exampleRequest,
      manifests: promise.manifests,
      imagePullSecrets: config.imagePullSecrets ?? [],
    });
    if (!result.ok) {
      report.errors.push(formatIssues(promise.file, result.issues));
      continue;
    }
    const failure = exampleStackFailure(promise) ?? evolutionFailure(config, promise, result.value.get('promise.yaml')!, options.since, report.notes);
    if (failure) report.errors.push(failure);
    else outputs.set(promise.name, result.value);
    report.bundleBytes.set(promise.name, bundle.bytes);
  }
  if (report.errors.length > 0) return report;

  const plan = planChanges(config, outputs, options.names?.length ? undefined : all);
  // One Location for Backstage listing every Promise's entities: the only file outside a Promise's folder.
  const location = join(config.generatedDir, LOCATION_FILE);
  const text = renderLocation(all);
  if (!existsSync(location)) plan.push({ kind: 'missing', file: location, content: text });
  else if (readFileSync(location, 'utf8') !== text) plan.push({ kind: 'stale', file: location, content: text });
  report.compiled.push(...outputs.keys());
  for (const change of plan) {
    report.changes.push(`${options.check ? change.kind : verb[change.kind]} ${relative(config.root, change.file)}`);
    if (!options.check) apply(change);
  }
  return report;
}

// Runs the Promise's stack() on its example request, as every workflow run will: an error here
// would otherwise surface only in the container, on a tenant's request.
function exampleStackFailure(promise: LoadedPromise): string | undefined {
  const heading = `promises/${promise.name}: stack() on example-request.yaml`;
  try {
    const example = parseExample(promise);
    const labels = requestMetadataMap(promise.exampleRequest, 'labels');
    synthRequest(promise.definition, example, { labels });
    const manifests = requestManifests(promise.definition, example, labels);
    if (manifests && !manifests.ok) return formatIssues(`promises/${promise.name}: manifests() on example-request.yaml`, manifests.issues);
    const once = promiseManifestFiles(promise.definition, undefined);
    if (once && !once.ok) return formatIssues(`promises/${promise.name}: promiseManifests()`, once.issues);
  } catch (e) {
    if (e instanceof StackError) return formatIssues(heading, [e.issue]);
    if (e instanceof IssuesError) return formatIssues(`promises/${promise.name}/example-request.yaml`, e.issues);
    return `${heading}: kratix-cdktf failed, not the Promise (please report this): ${(e as Error).message}`;
  }
  // The Promise's own stack, as its configure workflow will build it.
  if (typeof promise.definition.promiseStack?.stack !== 'function') return undefined;
  try {
    synthPromiseStack(promise.definition);
    return undefined;
  } catch (e) {
    if (e instanceof StackError) return formatIssues(`promises/${promise.name}: promiseStack.stack()`, [e.issue]);
    return `promises/${promise.name}: promiseStack.stack(): kratix-cdktf failed, not the Promise (please report this): ${(e as Error).message}`;
  }
}

// The Promise's API against the committed one: a change that can break stored requests fails
// synth, naming the field, unless the Promise acknowledges it.
function evolutionFailure(config: ProjectConfig, promise: LoadedPromise, next: string, since: string | undefined, notes: string[]): string | undefined {
  const file = join(config.generatedDir, promise.name, 'promise.yaml');
  let committed: string | undefined;
  try {
    committed = committedPromise(config.root, file, relative(config.root, file), since);
  } catch (e) {
    return `promises/${promise.name}: ${(e as Error).message}`;
  }
  let e: ReturnType<typeof evolution>;
  try {
    e = evolution(committed, next, promise.definition.acceptBreakingChanges ?? []);
  } catch (err) {
    return `${relative(config.root, file)}: ${(err as Error).message}`;
  }
  const what = (c: { path: string; change: string; detail?: string }) => `${c.path} (${c.change}${c.detail !== undefined ? `: ${c.detail}` : ''})`;
  for (const c of e.accepted) notes.push(`promises/${promise.name}: accepted breaking change ${what(c)}`);
  for (const a of e.unused) notes.push(`promises/${promise.name}: acceptBreakingChanges names ${what(a)}, which no longer changes: remove it`);
  if (!e.breaking.length) return undefined;
  return formatIssues(
    `promises/${promise.name}: the API change can break requests already stored${since ? ` (compared with ${since})` : ''}`,
    evolutionIssues(e),
  );
}

interface Change {
  readonly kind: 'missing' | 'stale' | 'extra';
  readonly file: string;
  readonly content?: string;
}

const verb = { missing: 'wrote', stale: 'updated', extra: 'removed' } as const;

/** The Backstage Location of every Promise, at the top of `generated/`. */
export const LOCATION_FILE = 'catalog-info.yaml';

// `keep` lists every existing Promise when synthesizing all of them: other folders are extra.
function planChanges(config: ProjectConfig, outputs: ReadonlyMap<string, Artifacts>, keep: readonly string[] | undefined): Change[] {
  const changes: Change[] = [];
  for (const [name, files] of outputs) {
    const dir = join(config.generatedDir, name);
    for (const [file, content] of files) {
      const path = join(dir, file);
      if (!existsSync(path)) changes.push({ kind: 'missing', file: path, content });
      else if (readFileSync(path, 'utf8') !== content) changes.push({ kind: 'stale', file: path, content });
    }
    for (const existing of listFiles(dir)) {
      if (!files.has(relative(dir, existing))) changes.push({ kind: 'extra', file: existing });
    }
  }
  if (keep && existsSync(config.generatedDir)) {
    for (const entry of readdirSync(config.generatedDir).sort()) {
      if (!keep.includes(entry) && entry !== LOCATION_FILE) changes.push({ kind: 'extra', file: join(config.generatedDir, entry) });
    }
  }
  return changes;
}

function apply(change: Change): void {
  if (change.kind === 'extra') {
    rmSync(change.file, { recursive: true, force: true });
    return;
  }
  mkdirSync(join(change.file, '..'), { recursive: true });
  // Write beside the target, then rename: a reader never sees half a file.
  const temp = `${change.file}.tmp-${process.pid}`;
  writeFileSync(temp, change.content!);
  renameSync(temp, change.file);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
