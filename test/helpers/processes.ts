// What is running, read from /proc: for the tests that stop a run and check that terraform, and
// whatever it started, is gone.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface RunningProcess {
  readonly pid: number;
  /** The command line, arguments joined by spaces. */
  readonly cmd: string;
}

/**
 * The processes whose working directory is `dir` or under it (a removed folder still counts:
 * /proc shows it with " (deleted)"). Terraform runs in its run's folder, and what it starts
 * (a provisioner's command) inherits it.
 */
export function processesIn(dir: string): RunningProcess[] {
  const found: RunningProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      // A zombie (exited, not yet reaped) has an empty command line and runs nothing.
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmd) found.push({ pid: Number(entry), cmd });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * Polls `check` every 50 ms until it returns a value other than undefined or false, and returns
 * it; throws, naming `what`, when that takes longer than `timeoutMs`.
 */
export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
