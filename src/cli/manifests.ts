import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseKubernetesYamlDocuments, YamlDocumentError, type YamlDocument } from '../artifacts/yaml.js';
import { kubernetesObjectProblem, type ResolvedManifests } from '../kratix/dependencies.js';
import * as errors from '../kratix/errors.js';
import type { KubernetesObject, PromiseDefinition } from '../promise/define-promise.js';
import { isManifestFile, manifestPathProblem } from '../promise/manifest-file.js';
import type { Issue, Result } from '../schema/issue.js';

/**
 * Reads the manifest files a Promise's `dependencies` name (`manifestFile(path)`), relative to
 * its folder: each must stay inside the folder (symbolic links included), and each document
 * must be a Kubernetes object. A file that fails gets issues naming the dependency
 * (`dependencies[2]`), the file and the document; the compiler reports them with all others.
 * `shownFolder` is how messages name the folder, e.g. `promises/postgres/`.
 */
export function readManifestFiles(def: Pick<PromiseDefinition, 'dependencies'>, folder: string, shownFolder: string): ResolvedManifests {
  const manifests = new Map<string, Result<readonly KubernetesObject[]>>();
  (def.dependencies ?? []).forEach((dep, i) => {
    // A bad path is reported by the compiler, which checks it without a disk.
    if (!isManifestFile(dep) || manifests.has(dep.path) || manifestPathProblem(dep.path)) return;
    manifests.set(dep.path, readManifestFile(`dependencies[${i}]`, folder, dep.path, shownFolder));
  });
  return manifests;
}

function readManifestFile(path: string, folder: string, file: string, shownFolder: string): Result<KubernetesObject[]> {
  const fail = (issue: Issue): Result<KubernetesObject[]> => ({ ok: false, issues: [issue] });
  let text: string;
  try {
    const real = realpathSync(join(folder, file));
    const inside = relative(realpathSync(folder), real);
    if (inside.startsWith(`..${sep}`) || inside === '..') return fail(errors.manifestFileOutside(path, file, shownFolder));
    text = readFileSync(real, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail(errors.manifestFileMissing(path, file, shownFolder));
    return fail(errors.manifestFileUnreadable(path, file, code === 'EISDIR' ? 'it is a folder' : (code ?? (e as Error).message)));
  }
  return parseManifests(path, file, text);
}

// Parsing a large CRD takes up to a second, and one synth asks for the same file more than
// once (compiling, and digesting the workflow that carries it): results are kept by content.
const parsed = new Map<string, Result<KubernetesObject[]>>();

function parseManifests(path: string, file: string, text: string): Result<KubernetesObject[]> {
  const key = createHash('sha256').update(`${path}\0${file}\0${text}`).digest('hex');
  let result = parsed.get(key);
  if (!result) parsed.set(key, (result = parseUncached(path, file, text)));
  return result;
}

function parseUncached(path: string, file: string, text: string): Result<KubernetesObject[]> {
  let documents: YamlDocument[];
  try {
    documents = parseKubernetesYamlDocuments(text);
  } catch (e) {
    if (!(e instanceof YamlDocumentError)) throw e;
    return { ok: false, issues: [errors.manifestNotYaml(path, file, `document ${e.index} (line ${e.line})`, e.reason)] };
  }
  if (documents.length === 0) return { ok: false, issues: [errors.emptyManifestFile(path, file)] };
  const issues: Issue[] = [];
  for (const doc of documents) {
    const problem = kubernetesObjectProblem(doc.value);
    if (problem) issues.push(errors.manifestDocumentProblem(path, file, `document ${doc.index} (line ${doc.line})`, problem));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: documents.map((d) => d.value as KubernetesObject) };
}
