import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Writes a set of files under `dir` all or nothing: everything goes into a staging folder
 * beside the files first (same filesystem, so renames are atomic), then each file is renamed
 * into place. On any failure the staging folder and anything already moved are removed.
 */
export function writeAllOrNothing(dir: string, files: ReadonlyMap<string, string>): void {
  const staging = join(dir, `.kratix-cdktf-staging-${process.pid}`);
  const moved: string[] = [];
  try {
    for (const [name, content] of files) {
      const target = inside(staging, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    for (const name of files.keys()) {
      const target = inside(dir, name);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(inside(staging, name), target);
      moved.push(target);
    }
  } catch (e) {
    for (const file of moved) rmSync(file, { force: true });
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// File names come from our own code, but a path must never leave its folder whatever they are.
function inside(dir: string, name: string): string {
  const target = resolve(dir, name);
  const rel = relative(resolve(dir), target);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`refusing to write ${JSON.stringify(name)} outside ${dir}`);
  return target;
}
