// Apply mode under load: n first runs of n different requests at once on one pg backend, then
// their n deletes at once. Each run is its own process, as each is its own container in the
// cluster: the echo fixture's bundled workflow from its startup snapshot (test/fixtures/
// echo-applied), with its own input, output and metadata folders. Each burst starts on a new pg
// schema, so the first runs also race to create the backend's table, as a new Promise's do.
// Needs Terraform and PostgreSQL; no network.
//   npx tsx --conditions=kratix-cdktf-source bench/burst.ts [bursts] [requests]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { bundleContainerScript } from '../src/cli/bundle.js';
import echoApplied from '../test/fixtures/echo-applied/index.js';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js';

const REPO = join(import.meta.dirname, '..');
const TIME = '/usr/bin/time';
const PROMISE = 'echo-applied';
// The schema the fixture's pg backend uses.
const SCHEMA = (echoApplied.delivery as { backend: { schemaName: string } }).backend.schemaName;

export interface PhaseResult {
  readonly succeeded: number;
  readonly total: number;
  /** From starting the first process to the last one's exit. */
  readonly wallSeconds: number;
  /** The runs that failed: request name, exit code, status message. */
  readonly failures: readonly { readonly name: string; readonly code: number | null; readonly message: string }[];
  /** Tries again after meeting another run (apply.ts logs each), in all and by step. */
  readonly retries: Readonly<Record<string, number>>;
  /** The most tries again of one step in one run. */
  readonly mostRetries: number;
  /** CPU time (user and system) of the runs and every process they started, when GNU time is there. */
  readonly cpuSeconds?: number;
}

export interface BurstResult {
  readonly creates: PhaseResult;
  readonly deletes: PhaseResult;
  /** Rows left in the states table after the deletes, `default` aside: state left behind. */
  readonly stateRowsLeft: number;
  /** Rows after the creates: one per request, or the creates did not store their state. */
  readonly stateRowsAfterCreates: number;
}

/** What a burst needs once: PostgreSQL, the bundled workflow and its snapshot. */
export interface BurstRig {
  burst(requests: number): Promise<BurstResult>;
  stop(): void;
}

export async function burstRig(): Promise<BurstRig> {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-burst-'));
  const config = { root: REPO, image: 'x', promisesDir: join(REPO, 'test', 'fixtures'), generatedDir: join(dir, 'generated'), bundleBudget: 5_000_000 };
  writeFileSync(join(dir, 'workflow.cjs'), await bundleContainerScript(config, PROMISE));
  const snap = spawnSync(process.execPath, ['--snapshot-blob', 'workflow.blob', '--build-snapshot', 'workflow.cjs'], { cwd: dir, encoding: 'utf8' });
  if (snap.status !== 0) throw new Error(`snapshot build failed: ${snap.stderr}`);
  // As in the image: providers only from a mirror, never downloaded (the stack needs none).
  mkdirSync(join(dir, 'providers'));
  writeFileSync(
    join(dir, 'terraformrc'),
    `provider_installation {\n  filesystem_mirror {\n    path    = "${join(dir, 'providers')}"\n    include = ["*/*/*"]\n  }\n  direct {\n    exclude = ["*/*/*"]\n  }\n}\n`,
  );
  const pg = await startPostgres();
  let count = 0;
  return {
    async burst(requests) {
      pg.query(`drop schema if exists ${SCHEMA} cascade`);
      const burst = join(dir, `burst-${count++}`);
      const names = Array.from({ length: requests }, (_, i) => `burst-${i}`);
      // The schema is the burst's own: every row but `default` is one of its workspaces.
      const rows = () => Number(pg.query(`select count(*) from ${SCHEMA}.states where name <> 'default'`));
      const creates = await phase(dir, burst, pg, names, 'configure');
      const stateRowsAfterCreates = rows();
      const deletes = await phase(dir, burst, pg, names, 'delete');
      const stateRowsLeft = rows();
      rmSync(burst, { recursive: true, force: true });
      return { creates, deletes, stateRowsLeft, stateRowsAfterCreates };
    },
    stop() {
      pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function phase(dir: string, burst: string, pg: TestPostgres, names: readonly string[], action: 'configure' | 'delete'): Promise<PhaseResult> {
  const runs = names.map((name) => {
    const run = join(burst, action, name);
    for (const sub of ['input', 'output', 'metadata', 'work']) mkdirSync(join(run, sub), { recursive: true });
    const request = { apiVersion: 'fixtures.example.com/v1alpha1', kind: 'Echo', metadata: { name, namespace: 'team-a' }, spec: { message: name } };
    writeFileSync(join(run, 'input', 'object.yaml'), JSON.stringify(request));
    return { name, run };
  });
  const start = process.hrtime.bigint();
  const results = await Promise.all(
    runs.map(
      ({ name, run }) =>
        new Promise<{ name: string; code: number | null; run: string; output: string }>((resolve) => {
          // GNU time counts the CPU of terraform too: the runs wait for their children.
          const command = [process.execPath, '--snapshot-blob', join(dir, 'workflow.blob')];
          const timed = existsSync(TIME) ? [TIME, '-f', '%U %S', '-o', join(run, 'cpu.txt'), ...command] : command;
          // Only what a container has: no developer environment leaks into the runs.
          const child = spawn(timed[0]!, timed.slice(1), {
            cwd: run,
            stdio: ['ignore', 'pipe', 'pipe'],
            env: {
              PATH: process.env.PATH,
              HOME: join(run, 'work'),
              TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'),
              PG_CONN_STR: pg.connStr,
              KRATIX_WORKFLOW_TYPE: 'resource',
              KRATIX_WORKFLOW_ACTION: action,
              KRATIX_CDKTF_INPUT_DIR: join(run, 'input'),
              KRATIX_CDKTF_OUTPUT_DIR: join(run, 'output'),
              KRATIX_CDKTF_METADATA_DIR: join(run, 'metadata'),
              KRATIX_CDKTF_WORK_DIR: join(run, 'work'),
            },
          });
          let output = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
          child.on('close', (code) => resolve({ name, code, run, output }));
        }),
    ),
  );
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const failures = results
    .filter((r) => r.code !== 0)
    .map((r) => {
      let message: string;
      try {
        message = String(parse(readFileSync(join(r.run, 'metadata', 'status.yaml'), 'utf8')).message);
      } catch {
        message = `(no status.yaml) ${r.output.slice(-500)}`;
      }
      return { name: r.name, code: r.code, message };
    });
  const retries: Record<string, number> = {};
  let mostRetries = 0;
  for (const r of results) {
    const inRun: Record<string, number> = {};
    for (const [, step] of r.output.matchAll(/terraform (.+?) met another run /g)) {
      retries[step!] = (retries[step!] ?? 0) + 1;
      mostRetries = Math.max(mostRetries, (inRun[step!] = (inRun[step!] ?? 0) + 1));
    }
  }
  // The last line: GNU time puts "Command exited with non-zero status" before it.
  const cpu = (run: string) => readFileSync(join(run, 'cpu.txt'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  const cpuSeconds = existsSync(TIME) ? results.reduce((sum, r) => sum + cpu(r.run).reduce((a, b) => a + b, 0), 0) : undefined;
  return {
    succeeded: results.length - failures.length,
    total: results.length,
    wallSeconds,
    failures,
    retries,
    mostRetries,
    ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
  };
}

export function describeBurst(r: BurstResult): string {
  const phase = (label: string, p: PhaseResult) => {
    const retries = Object.entries(p.retries).map(([step, n]) => `${n} ${step}`);
    const cpu = p.cpuSeconds === undefined ? '' : `, ${p.cpuSeconds.toFixed(1)} s CPU`;
    return `${label} ${p.succeeded}/${p.total} in ${p.wallSeconds.toFixed(1)} s${cpu} (tries again: ${retries.join(', ') || 'none'}; at most ${p.mostRetries} in a run)`;
  };
  const rows = `state rows after creates: ${r.stateRowsAfterCreates}, left: ${r.stateRowsLeft}`;
  const lines = [`${phase('creates', r.creates)}, ${phase('deletes', r.deletes)}, ${rows}`];
  for (const f of [...r.creates.failures, ...r.deletes.failures]) lines.push(`  ${f.name} exited ${f.code}: ${f.message}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const bursts = Number(process.argv[2] ?? 5);
  const requests = Number(process.argv[3] ?? 32);
  const rig = await burstRig();
  let failed = false;
  try {
    for (let i = 0; i < bursts; i++) {
      const r = await rig.burst(requests);
      console.log(`burst ${i + 1}: ${describeBurst(r)}`);
      failed ||= r.creates.failures.length + r.deletes.failures.length + r.stateRowsLeft > 0;
    }
  } finally {
    rig.stop();
  }
  process.exitCode = failed ? 1 : 0;
}
