// Where synth reads the API it compares with: a git revision, or generated/ as it is.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * The committed promise.yaml to compare with: `since` a git revision (what CI compares a pull
 * request with: `synth --check --since origin/main`), else the file in generated/ as it is.
 */
export function committedPromise(root: string, file: string, relativePath: string, since?: string): string | undefined {
  if (since === undefined) return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  try {
    // `./`: relative to the project, which may be a folder of a larger repository.
    return execFileSync('git', ['show', `${since}:./${relativePath}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    // A Promise new since that revision has nothing to break.
    if (/does not exist in|exists on disk, but not in/.test(stderr)) return undefined;
    throw new Error(`--since ${since}: git could not read ${relativePath}: ${stderr.trim().split('\n')[0] || (e as Error).message}`);
  }
}
