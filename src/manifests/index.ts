// Kubernetes objects a request's workflow writes for Kratix to schedule, beside the Terraform
// stack or instead of it. Kratix turns /kratix/output into the request's Work, and
// /kratix/metadata/destination-selectors.yaml can send a folder of it to other Destinations
// (work-creator/lib/work_creator.go): an entry with a `directory` routes that folder by its own
// matchLabels alone, without the Promise's destinationSelectors; the folder must be a direct
// child of the output, each directory listed once, each entry with labels.
import type { KubernetesObject, PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { toYaml } from '../artifacts/yaml.js';
import { dnsLabelProblem, dnsSubdomainProblem, labelKeyProblem, labelValueProblem } from '../kratix/names.js';
import { describeObject, kubernetesObjectProblem, objectId } from '../kratix/dependencies.js';
import type { Issue, Result } from '../schema/issue.js';
import { authorThrew } from '../terraform/errors.js';
import { decorationsOf } from '../decorate/index.js';
import { cut } from '../workflow/status.js';

/**
 * A Kubernetes object for `manifests()`: plain data, or a `kubernetes-models` instance (whose
 * optional metadata the type allows). The workflow checks that apiVersion, kind and
 * metadata.name are there, and what the object's own `validate()` says.
 */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Objects for the Destinations whose labels match `matchLabels`, in a folder of their own. */
export interface ManifestGroup {
  /** The folder in the output: a DNS label, so a plain folder name on every system. */
  readonly directory: string;
  /**
   * Labels a Destination must have; the Promise's destinationSelectors do not apply here. (Typed
   * to allow `undefined` so that groups with different keys in one list type-check; an undefined
   * label is refused when the workflow runs.)
   */
  readonly matchLabels: Readonly<Record<string, string | undefined>>;
  readonly objects: readonly ManifestObject[];
}

/** What `manifests()` returns items of: an object (scheduled with the request's other output), or a group. */
export type Manifest = ManifestObject | ManifestGroup;

/** The files and routing of a request's manifests. */
export interface ManifestFiles {
  /** Output path to YAML text. */
  readonly files: Map<string, string>;
  /** destination-selectors.yaml entries, one per group. */
  readonly selectors: readonly { readonly directory: string; readonly matchLabels: Readonly<Record<string, string>> }[];
  /** The objects as written, plain data, by directory ('' for the output's root). */
  readonly objects: readonly { readonly directory: string; readonly object: KubernetesObject }[];
}

/** Most objects one request may write: each is a file in the Work Kratix keeps in etcd. */
export const MAX_MANIFESTS = 500;

/**
 * Checks what `manifests()` returned and lays it out as files. Objects built with
 * `kubernetes-models` classes are validated against the Kubernetes OpenAPI schema they carry;
 * plain objects need apiVersion, kind and a valid metadata.name (and namespace, if any).
 */
export function manifestFiles(items: unknown, at = 'manifests()', prefix = '', labels: Readonly<Record<string, string>> = {}): Result<ManifestFiles> {
  if (!Array.isArray(items))
    return { ok: false, issues: [{ path: at, message: `returned ${describe(items)}, not a list`, fix: 'return a list of objects and groups' }] };
  const issues: Issue[] = [];
  const files = new Map<string, string>();
  const selectors: { directory: string; matchLabels: Record<string, string> }[] = [];
  const objects: { directory: string; object: KubernetesObject }[] = [];
  const seen = new Map<string, string>();
  const add = (directory: string, value: unknown, path: string) => {
    const object = checkObject(value, path, issues);
    if (!object) return;
    // The platform's decoration wins over the labels the object was written with.
    if (Object.keys(labels).length) object.metadata.labels = { ...((object.metadata.labels as Record<string, string> | undefined) ?? {}), ...labels };
    const id = `${directory}/${objectId(object)}`;
    const first = seen.get(id);
    if (first) {
      issues.push({ path, message: `is ${describeObject(object)} again, as ${first} is`, fix: 'write each object once' });
      return;
    }
    seen.set(id, path);
    const file = `${prefix}${String(objects.length).padStart(3, '0')}-${object.kind.toLowerCase().replace(/[^a-z0-9]/g, '')}-${object.metadata.name.slice(0, 100)}.yaml`;
    files.set(directory ? `${directory}/${file}` : file, toYaml(object));
    objects.push({ directory, object });
  };
  const directories = new Map<string, string>();
  items.forEach((item: unknown, i) => {
    const path = `${at}[${i}]`;
    if (!isGroup(item)) return add('', item, path);
    const problem = typeof item.directory === 'string' ? dnsLabelProblem(item.directory) : 'must be a string';
    if (problem)
      issues.push({
        path: `${path}.directory`,
        message: `${JSON.stringify(item.directory)} ${problem}`,
        fix: 'name the folder like a DNS label: "platform", "dev-clusters"',
      });
    else if (directories.has(item.directory as string))
      issues.push({
        path: `${path}.directory`,
        message: `is ${JSON.stringify(item.directory)} again, as ${directories.get(item.directory as string)}.directory is: Kratix refuses a directory listed twice`,
        fix: 'put the objects of one directory in one group',
      });
    const labels = labelsProblem(item.matchLabels, `${path}.matchLabels`);
    issues.push(...labels);
    if (!Array.isArray(item.objects)) {
      issues.push({ path: `${path}.objects`, message: `is ${describe(item.objects)}, not a list`, fix: 'write objects: [ ... ]' });
      return;
    }
    if (problem || labels.length || directories.has(item.directory as string)) return;
    directories.set(item.directory as string, path);
    selectors.push({ directory: item.directory as string, matchLabels: { ...(item.matchLabels as Record<string, string>) } });
    item.objects.forEach((object: unknown, j) => add(item.directory as string, object, `${path}.objects[${j}]`));
  });
  if (objects.length > MAX_MANIFESTS)
    issues.push({
      path: at,
      message: `returned ${objects.length} objects; at most ${MAX_MANIFESTS} fit in one request's Work`,
      fix: 'split the request, or let a Promise workflow install what every request shares',
    });
  return issues.length ? { ok: false, issues } : { ok: true, value: { files, selectors, objects } };
}

function isGroup(item: unknown): item is { directory?: unknown; matchLabels?: unknown; objects?: unknown } {
  return typeof item === 'object' && item !== null && !Array.isArray(item) && 'objects' in item && !('apiVersion' in item);
}

// A plain copy of a valid object, or undefined with its problems in `issues`.
function checkObject(value: unknown, path: string, issues: Issue[]): KubernetesObject | undefined {
  const validate = typeof value === 'object' && value !== null ? (value as { validate?: unknown }).validate : undefined;
  if (typeof validate === 'function') {
    // A kubernetes-models object: its schema first, then its plain data (through its toJSON).
    try {
      validate.call(value);
    } catch (e) {
      const kind = (value as { kind?: unknown }).kind;
      issues.push({
        path,
        message: `is not a valid ${typeof kind === 'string' ? kind : 'object'}: ${cut(e instanceof Error ? e.message : String(e), 400)}`,
        fix: 'give the fields the types the Kubernetes API expects',
      });
      return undefined;
    }
    value = JSON.parse(JSON.stringify(value));
  }
  const shape = kubernetesObjectProblem(value);
  if (shape) {
    issues.push({ path, message: shape, fix: 'return objects with apiVersion, kind and metadata.name, holding only JSON values' });
    return undefined;
  }
  // The Work holds plain data; a copy, so nothing the author keeps can change it.
  const object = JSON.parse(JSON.stringify(value)) as KubernetesObject;
  const name = dnsSubdomainProblem(object.metadata.name);
  if (name)
    issues.push({
      path: `${path}.metadata.name`,
      message: `${JSON.stringify(cut(object.metadata.name, 80))} ${name}`,
      fix: 'build names from request fields the schema constrains (a pattern), or physicalName()',
    });
  const ns = object.metadata.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || dnsLabelProblem(ns)))
    issues.push({
      path: `${path}.metadata.namespace`,
      message: `${JSON.stringify(ns)} ${typeof ns === 'string' ? dnsLabelProblem(ns) : 'must be a string'}`,
      fix: 'use a namespace name (a DNS label)',
    });
  return name || (ns !== undefined && (typeof ns !== 'string' || dnsLabelProblem(ns))) ? undefined : object;
}

function labelsProblem(labels: unknown, path: string): Issue[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || Object.keys(labels).length === 0)
    return [
      { path, message: 'must be a map with at least one label: Kratix refuses an entry without labels', fix: "write matchLabels: { environment: 'dev' }" },
    ];
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? (typeof value === 'string' ? labelValueProblem(value) : 'must be a string');
    if (problem) issues.push({ path: `${path}.${key}`, message: problem, fix: 'use a label a Destination can carry' });
  }
  return issues;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Runs the Promise's `manifests()` on a validated request; none without it. What it threw is the author's. */
export function requestManifests(
  def: PromiseDefinition,
  request: ResourceRequest<unknown>,
  requestLabels: Readonly<Record<string, string>> = {},
): Result<ManifestFiles> | undefined {
  if (typeof def.manifests !== 'function') return undefined;
  const labels = decorationsOf(def.decorate, 'labels', { promise: promiseOf(def), request: { ...request, labels: requestLabels } });
  if (!labels.ok) return labels;
  let items: unknown;
  try {
    items = def.manifests(request as ResourceRequest<never>);
  } catch (e) {
    return { ok: false, issues: [authorThrew('manifests()', e)] };
  }
  return manifestFiles(items, 'manifests()', '', labels.value);
}

/** The Promise as a decoration sees it. */
export function promiseOf(def: PromiseDefinition): { name: string; version?: string } {
  return { name: def.name, ...(def.version ? { version: def.version } : {}) };
}
