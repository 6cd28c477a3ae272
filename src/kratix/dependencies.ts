import { deliveryOf } from '../delivery/index.js';
import type { KubernetesObject, PromiseDefinition } from '../promise/define-promise.js';
import { isManifestFile, manifestPathProblem } from '../promise/manifest-file.js';
import type { Issue, Result } from '../schema/issue.js';
import * as errors from './errors.js';

/**
 * What reading the manifest files a Promise's `dependencies` name gave, keyed by the path as
 * written in `manifestFile(path)`: each file's objects, or why it could not be used. Read by the
 * CLI (the compiler is pure, and reports these issues with all the others), and carried into the
 * workflow image so its Promise configure workflow can write the objects.
 */
export type ResolvedManifests = ReadonlyMap<string, Result<readonly KubernetesObject[]>>;

/** The workflow image and its pull Secrets, which objects a delivery adds may run. */
export interface DependencyJob {
  readonly image: string;
  readonly imagePullSecrets: readonly string[];
}

/**
 * Everything a Promise sends to its Destinations once: the author's dependencies, then what its
 * delivery needs there (tofu-controller's clean-up CronJob). One function for `spec.dependencies`
 * and for the Promise workflow that writes them, so that neither path drops the delivery's part.
 */
export interface PromiseDependencies {
  /** Every object, the author's first: duplicates are checked across both. */
  readonly all: readonly KubernetesObject[];
  readonly author: readonly KubernetesObject[];
  readonly delivery: readonly KubernetesObject[];
  /**
   * Where the delivery's objects must go when its `destinationLabels` narrow where requests go:
   * the Promise workflow writes them to this folder of its output with these labels (the
   * Promise's selectors and the delivery's, as Kratix does not add the Promise's to a folder's).
   * Undefined when they go wherever the author's go.
   */
  readonly narrowed?: { readonly directory: string; readonly matchLabels: Readonly<Record<string, string>> };
}

/** The output folder of the Promise workflow for a delivery's own objects, when narrowed. */
export const DELIVERY_DEPENDENCIES_DIR = 'kratix-cdktf-delivery';

export function promiseDependencies(def: PromiseDefinition, job: DependencyJob, manifests?: ResolvedManifests): Result<PromiseDependencies> {
  const delivery = deliveryOf(def);
  const own = delivery.dependencies?.(def, job) ?? [];
  const expanded = expandDependencies(own.length ? { dependencies: [...(def.dependencies ?? []), ...own] } : def, manifests);
  if (!expanded.ok) return expanded;
  const all = expanded.value;
  const split = all.length - own.length;
  const labels = delivery.destinationLabels;
  const narrowed =
    own.length && labels && Object.keys(labels).length
      ? {
          directory: DELIVERY_DEPENDENCIES_DIR,
          matchLabels: Object.assign({}, ...(def.destinationSelectors ?? []).map((s) => s.matchLabels ?? {}), labels) as Record<string, string>,
        }
      : undefined;
  return { ok: true, value: { all, author: all.slice(0, split), delivery: all.slice(split), ...(narrowed ? { narrowed } : {}) } };
}

/**
 * Every dependency as Kubernetes objects, in the order written: objects as they are, each
 * manifest file expanded to its documents. Issues name the dependency (`dependencies[2]`), and
 * the file and document where there is one.
 */
export function expandDependencies(def: Pick<PromiseDefinition, 'dependencies'>, manifests: ResolvedManifests = new Map()): Result<KubernetesObject[]> {
  const issues: Issue[] = [];
  const objects: KubernetesObject[] = [];
  const seen = new Map<string, string>();
  const add = (object: KubernetesObject, path: string, where: string) => {
    const id = objectId(object);
    const first = seen.get(id);
    if (first) issues.push(errors.duplicateDependency(path, describeObject(object), first));
    else seen.set(id, where);
    objects.push(object);
  };
  for (const [i, dep] of (def.dependencies ?? []).entries()) {
    const path = `dependencies[${i}]`;
    if (!isManifestFile(dep)) {
      const problem = kubernetesObjectProblem(dep);
      if (problem) issues.push(errors.badDependency(path, problem));
      else add(dep, path, path);
      continue;
    }
    const pathProblem = manifestPathProblem(dep.path);
    const read = pathProblem ? undefined : manifests.get(dep.path);
    if (pathProblem) issues.push(errors.badManifestPath(path, String(dep.path), pathProblem));
    else if (!read) issues.push(errors.manifestNotRead(path, dep.path));
    // The reader names the first dependency that lists the file; report at this one.
    else if (!read.ok) issues.push(...read.issues.map((issue) => ({ ...issue, path })));
    else read.value.forEach((object, d) => add(object, path, `${path} (${dep.path}, object ${d + 1})`));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: objects };
}

/**
 * Why a value is not a Kubernetes object a Destination could apply, or undefined: it must be a
 * mapping with `apiVersion`, `kind` and `metadata.name`, holding only what JSON can (kubectl
 * and Kratix carry objects as JSON).
 */
export function kubernetesObjectProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `is ${describeValue(value)}, not a Kubernetes object`;
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof object.apiVersion !== 'string' || !object.apiVersion) return 'has no apiVersion';
  if (typeof object.kind !== 'string' || !object.kind) return 'has no kind';
  if (typeof object.metadata !== 'object' || object.metadata === null || typeof object.metadata.name !== 'string' || !object.metadata.name)
    return 'has no metadata.name';
  const notJson = nonJsonPath(value, '');
  return notJson === undefined ? undefined : `holds a value JSON cannot represent at ${notJson || '(root)'}`;
}

/** `CustomResourceDefinition terraforms.infra.contrib.fluxcd.io`, `ConfigMap ns/name`. */
export function describeObject(object: KubernetesObject): string {
  const { name, namespace } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * Two objects are the same on a cluster when group, kind, namespace and name agree; the version
 * does not count (v1beta1 and v1 of one kind are one object).
 */
export function objectId(object: KubernetesObject): string {
  return JSON.stringify([apiGroup(object.apiVersion), object.kind, object.metadata.namespace ?? '', object.metadata.name]);
}

/** The API group of an apiVersion: '' for the core group (`v1`). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

// The path of the first value that JSON.stringify would drop or change, if any.
function nonJsonPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonJsonPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, child] of Object.entries(value)) {
      const found = nonJsonPath(child, path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return path;
}
