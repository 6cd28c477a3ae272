// Runs the real Terraform CLI on a synthesized configuration, in a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TF_ENV = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

export function terraform(dir: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('terraform', args, { cwd: dir, env: TF_ENV, encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Applies a Terraform JSON configuration with the local backend and returns its outputs' values. */
export function applyAndReadOutputs(config: unknown): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-tf-'));
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
  for (const step of [
    ['init', '-no-color'],
    ['apply', '-auto-approve', '-no-color'],
  ]) {
    const run = terraform(dir, ...step);
    if (run.status !== 0) throw new Error(`terraform ${step[0]} failed:\n${run.stderr}`);
  }
  const out = terraform(dir, 'output', '-json');
  const parsed = JSON.parse(out.stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
}
