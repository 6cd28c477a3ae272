// Throw-away platform repositories for CLI tests: a package.json, promises/ and node_modules
// linked to ours, in a temp folder, driven through the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
const SRC_INDEX = join(REPO, 'src', 'index.js');

/** A temp project holding copies of the example Promises (or none), importing kratix-cdktf from this checkout. */
export function makeProject(options: { examples?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kratix-cdktf-project-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'platform', version: '1.2.3', type: 'module', 'kratix-cdktf': { image: 'registry.test/wf' } }));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'promises'));
  if (options.examples !== false) {
    for (const name of readdirSync(join(REPO, 'promises'))) {
      cpSync(join(REPO, 'promises', name), join(root, 'promises', name), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
      const index = join(root, 'promises', name, 'index.ts');
      writeFileSync(index, readFileSync(index, 'utf8').replaceAll("'../../src/index.js'", `'${SRC_INDEX}'`));
    }
  }
  return root;
}

/** Adds a Promise to a temp project from its source text and example request. */
export function addPromise(root: string, name: string, source: string, example: string): void {
  mkdirSync(join(root, 'promises', name), { recursive: true });
  writeFileSync(join(root, 'promises', name, 'index.ts'), source.replaceAll('kratix-cdktf', SRC_INDEX));
  writeFileSync(join(root, 'promises', name, 'example-request.yaml'), example);
}

/** Runs the kratix-cdktf CLI in `cwd`, as `npm run` would. */
export function cli(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(join(REPO, 'node_modules', '.bin', 'tsx'), [join(REPO, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under `dir` with its content, for byte-for-byte comparisons. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name).slice(dir.length + 1)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}
