// Throw-away platform repositories for CLI tests: a package.json, promises/ copied from the
// library's fixtures, and node_modules where `kratix-cdktf` is this checkout, in a temp folder.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures');

/**
 * A temp project holding copies of the named fixture Promises, with `settings` added to the
 * `kratix-cdktf` key of its package.json. Its node_modules links every
 * package of this checkout, and `kratix-cdktf` is a folder whose `src` links to this checkout's,
 * so Promises import `kratix-cdktf` as a platform repository does, and packages resolve to one
 * copy whether symlinks are followed (Node) or kept (the bundler).
 */
export function makeProject(fixtures: readonly string[] = ['echo', 'postgres'], settings: Record<string, unknown> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kratix-cdktf-project-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'platform', version: '1.2.3', type: 'module', 'kratix-cdktf': { image: 'registry.test/wf', ...settings } }),
  );
  linkPackages(root);
  mkdirSync(join(root, 'promises'));
  for (const name of fixtures)
    cpSync(join(FIXTURES, name), join(root, 'promises', name), { recursive: true, filter: (src) => !src.includes('/expected') && !src.endsWith('.test.ts') });
  return root;
}

export function linkPackages(root: string): void {
  const modules = join(root, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry !== '.bin' && entry !== 'kratix-cdktf') symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  mkdirSync(join(modules, 'kratix-cdktf'));
  writeFileSync(join(modules, 'kratix-cdktf', 'package.json'), readFileSync(join(REPO, 'package.json')));
  symlinkSync(join(REPO, 'src'), join(modules, 'kratix-cdktf', 'src'));
}

/** Adds a Promise to a temp project from its source text and example request. */
export function addPromise(root: string, name: string, source: string, example: string): void {
  mkdirSync(join(root, 'promises', name), { recursive: true });
  writeFileSync(join(root, 'promises', name, 'index.ts'), source);
  writeFileSync(join(root, 'promises', name, 'example-request.yaml'), example);
}

/** Runs the kratix-cdktf command in `cwd`, as `npx kratix-cdktf` would. */
export function cli(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO, 'bin', 'kratix-cdktf.js'), ...args], { cwd, encoding: 'utf8' });
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
