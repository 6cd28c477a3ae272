import { readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseManifests } from '../artifacts/manifests.js';
import type { ResolvedManifests } from '../kratix/dependencies.js';
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
