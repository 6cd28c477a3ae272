import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { kubernetesObjectProblem, type ResolvedManifests } from '../kratix/dependencies.js';
import * as errors from '../kratix/errors.js';
import type { KubernetesObject, PromiseDefinition } from '../promise/define-promise.js';
import { isManifestFile, manifestPathProblem } from '../promise/manifest-file.js';
import type { Issue, Result } from '../schema/issue.js';
import { parseKubernetesYamlDocuments, YamlDocumentError, type YamlDocument } from './yaml.js';

/**
 * The manifest files a Promise's `dependencies` name, resolved from texts the workflow image
 * carries (`texts`, by path inside the Promise folder) rather than from a disk: the image has no
 * Promise folder. synth has already refused every problem, so one here means the image was built
 * from files synth never saw.
 */
export function embeddedManifests(def: Pick<PromiseDefinition, 'dependencies' | 'name'>, texts: Readonly<Record<string, string>>): ResolvedManifests {
  const manifests = new Map<string, Result<readonly KubernetesObject[]>>();
  (def.dependencies ?? []).forEach((dep, i) => {
    if (!isManifestFile(dep) || manifests.has(dep.path) || manifestPathProblem(dep.path)) return;
    const text = texts[posix.normalize(dep.path)];
    const path = `dependencies[${i}]`;
    manifests.set(
      dep.path,
      text === undefined
        ? { ok: false, issues: [errors.manifestFileMissing(path, dep.path, `the ${def.name} workflow image`)] }
        : parseManifests(path, dep.path, text),
    );
  });
  return manifests;
}

// Parsing a large CRD takes up to a second, and one synth asks for the same file more than
// once (compiling, and digesting the workflow that carries it): results are kept by content.
const parsed = new Map<string, Result<KubernetesObject[]>>();

/** The objects of one manifest file's text, or the issues that name the dependency, file and document. */
export function parseManifests(path: string, file: string, text: string): Result<KubernetesObject[]> {
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
