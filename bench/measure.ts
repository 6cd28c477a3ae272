// How the benchmarks measure: whole processes, wall time from here, peak RSS from GNU time; and
// a Promise's workflow set up as its container runs it. Shared by run.ts and worst-case.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleContainerScript } from '../src/cli/bundle.js';
import type { ProjectConfig } from '../src/cli/project.js';

export const REPO = join(import.meta.dirname, '..');
export const WORK = join(REPO, '.bench');
export const RUNS = Number(process.env.BENCH_RUNS ?? 7);
export const TIME = '/usr/bin/time';

export interface Stats {
  median: number;
  min: number;
  max: number;
}
export interface Measured {
  wall: Stats;
  rssMiB: Stats;
  /** User plus system CPU seconds: on a busy machine, steadier than wall time. */
  cpu: Stats;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export interface MeasureProps {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly before?: () => void;
  /** @default RUNS */
  readonly runs?: number;
  readonly quiet?: boolean;
  /** Exit codes that count as a run, not a failure of the benchmark. @default [0] */
  readonly codes?: readonly number[];
}

/** Runs a command `runs` times after one warm-up; wall time from here, peak RSS from GNU time. */
export function measure(label: string, command: string, args: string[], options: MeasureProps = {}): Measured {
  const runs = options.runs ?? RUNS;
  const walls: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  const rssFile = join(WORK, 'rss.txt');
  for (let i = 0; i <= runs; i++) {
    options.before?.();
    const start = process.hrtime.bigint();
    const result = spawnSync(TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (!(options.codes ?? [0]).includes(result.status ?? -1))
      throw new Error(`${label} failed (${result.status ?? result.signal}):\n${result.stderr.slice(0, 4000)}${result.stdout.slice(0, 4000)}`);
    if (i === 0) continue; // warm-up: page cache, not the process, is what it warms
    walls.push(wall);
    const [kib, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    rss.push(kib! / 1024);
    cpu.push(user! + system!);
  }
  const m = { wall: stats(walls), rssMiB: stats(rss), cpu: stats(cpu) };
  if (!options.quiet) console.log(`${label.padEnd(58)} ${fmtS(m.wall.median)}  ${m.rssMiB.median.toFixed(0)} MiB  (cpu ${fmtS(m.cpu.median)})`);
  return m;
}

export const fmtS = (s: number) => `${s.toFixed(3)} s`;
export const range = (s: Stats, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

/** A Promise's workflow in `dir` as its image runs it: the container script and its startup snapshot. */
export interface ContainerWorkflow {
  readonly dir: string;
  /** The environment of a configure run on `dir`'s input, output and metadata folders. */
  readonly env: Record<string, string>;
  /** Empties the output and metadata folders, as each run of Kratix starts with them. */
  readonly clean: () => void;
}

/** Bundles `promise` of `config` into `dir` and builds its startup snapshot, as the Dockerfile does. */
export async function containerWorkflow(config: ProjectConfig, promise: string, dir: string): Promise<ContainerWorkflow> {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['input', 'output', 'metadata']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'workflow.cjs'), await bundleContainerScript(config, promise));
  const snap = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob', '--build-snapshot', 'workflow.cjs'], { cwd: dir, encoding: 'utf8' });
  if (snap.status !== 0) throw new Error(`snapshot build failed: ${snap.stderr}`);
  const env = {
    KRATIX_WORKFLOW_TYPE: 'resource',
    KRATIX_WORKFLOW_ACTION: 'configure',
    KRATIX_CDKTF_INPUT_DIR: join(dir, 'input'),
    KRATIX_CDKTF_OUTPUT_DIR: join(dir, 'output'),
    KRATIX_CDKTF_METADATA_DIR: join(dir, 'metadata'),
    // A rule that reads the request's namespace (postgres's) asks the API, as in a cluster.
    KRATIX_CDKTF_KUBE_API: await standInApi(),
    KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent',
  };
  const clean = () => {
    for (const sub of ['output', 'metadata']) {
      rmSync(join(dir, sub), { recursive: true, force: true });
      mkdirSync(join(dir, sub));
    }
  };
  return { dir, env, clean };
}

let api: Promise<string> | undefined;
/**
 * A stand-in for the platform cluster's API in a process of its own (the measured runs are
 * spawned synchronously, which would block one in this process): every Namespace exists,
 * labelled environment=dev. Stopped when the benchmark exits.
 */
function standInApi(): Promise<string> {
  api ??= new Promise((resolve, reject) => {
    const server = spawn(
      process.execPath,
      [
        '-e',
        `require('node:http').createServer((req, res) => {
          const ns = /^\\/api\\/v1\\/namespaces\\/([^/]+)$/.exec(req.url);
          if (!ns) return res.writeHead(404).end('{}');
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { name: ns[1], labels: { environment: 'dev' } } }));
        }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    process.on('exit', () => server.kill());
    server.stdout.once('data', (port: Buffer) => resolve(`http://127.0.0.1:${port.toString().trim()}`));
    server.once('error', reject);
  });
  return api;
}
