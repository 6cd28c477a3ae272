import { gzipSync } from 'node:zlib';
import type { KubernetesObject } from '../promise/define-promise.js';
import { toYaml } from './yaml.js';

/**
 * The most a `promise.yaml` may weigh. kubectl's client-side apply (its default, and what most
 * CI and GitOps setups run) stores the whole object, as JSON, in the annotation
 * `kubectl.kubernetes.io/last-applied-configuration`, and the API server refuses an object whose
 * annotations total more than 256 KiB: the apply fails with "metadata.annotations: Too long".
 */
export const MAX_PROMISE_BYTES = 256 * 1024;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Kratix keeps a workflow's output as a Work in etcd (gzipped), whose objects are at most about
 * 1.5 MiB; keep well under it, as the resource workflow does.
 */
export const MAX_DEPENDENCIES_GZIP_BYTES = 512 * 1024;

/**
 * The bytes of the annotation kubectl's client-side apply would add to an object: key plus
 * compact JSON, escaped as Go's encoding/json does. It must stay within
 * {@link MAX_PROMISE_BYTES}, and so must the YAML file, which is usually the larger.
 */
export function annotationBytes(object: unknown): number {
  return LAST_APPLIED.length + goJsonBytes(object);
}

/**
 * The files the Promise configure workflow writes to `/kratix/output`: one object per file, in
 * the order written, named `<position>-<kind>-<name>.yaml` (`000-customresourcedefinition-
 * terraforms.infra.contrib.fluxcd.io.yaml`), so names are stable, unique and sort in order.
 * One object per file keeps each file as small as its object and a diff in the state store
 * readable.
 */
export function dependencyFiles(objects: readonly KubernetesObject[]): Map<string, string> {
  const width = Math.max(3, String(objects.length - 1).length);
  const files = new Map<string, string>();
  objects.forEach((object, i) => {
    files.set(`${String(i).padStart(width, '0')}-${slug(object.kind)}-${slug(object.metadata.name)}.yaml`, toYaml(object));
  });
  return files;
}

/** The gzipped size of a set of files, as Kratix would store them. */
export function gzippedSize(files: ReadonlyMap<string, string>): number {
  let total = 0;
  for (const text of files.values()) total += gzipSync(text).length;
  return total;
}

// Names are DNS subdomains in practice, but RBAC names may hold ":"; the position keeps
// files unique whatever this does, and the cap keeps them well under 255 bytes.
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .slice(0, 100) || 'object'
  );
}

// Go's encoding/json (which kubectl uses) writes <, > and & as \u003c..., and U+2028/U+2029
// escaped; JSON.stringify writes them raw.
function goJsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  let extra = 0;
  for (const ch of json) {
    if (ch === '<' || ch === '>' || ch === '&') extra += 5;
    else if (ch === '\u2028' || ch === '\u2029') extra += 3;
  }
  return Buffer.byteLength(json) + extra;
}
