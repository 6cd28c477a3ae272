// A no-op reconcile in apply mode: the workflow run again on a request whose resources all exist
// and match, so Terraform finds nothing to change, against the terraform commands a person would
// type for the same result in a fresh folder. Each is a whole process tree, started the same way
// and timed the same way, alternately, in one run. Needs Terraform and PostgreSQL; no network.
//   npx tsx --conditions=kratix-cdktf-source bench/noop.ts [runs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { bundleContainerScript } from '../src/cli/bundle.js';
import type { ApplyProps } from '../src/delivery/apply/options.js';
import { terraformScript } from '../src/delivery/apply/terraform-script.js';
import { requestOwner } from '../src/delivery/owner.js';
import { requestSlug } from '../src/workflow/run.js';
import { synthRequest } from '../src/terraform/stack.js';
import { startPostgres } from '../test/helpers/postgres.js';
import noop from './promises/noop/index.js';
import { fmtS, range, REPO, type Stats, stats, TIME } from './measure.js';

const PROMISE = 'noop';
/** Runs of each side (BENCH_NOOP_RUNS). */
export const NOOP_RUNS = Number(process.env.BENCH_NOOP_RUNS ?? 15);
const HEADING = '## Apply mode: a no-op reconcile against the same terraform commands by hand';
const TARGET = 1.3;
const METADATA = { name: 'unchanged', namespace: 'team-a' };
const SPEC = { message: 'hello' };

/** The two sides of the comparison, each timed around its whole process tree. */
export interface NoopResult {
  readonly workflow: Measured;
  readonly byHand: Measured;
  /** The commands of the by-hand side, as typed. */
  readonly commands: readonly string[];
  readonly runs: number;
  readonly breakdown: { readonly workflow: Breakdown; readonly byHand: Breakdown };
}

export interface Measured {
  readonly wall: Stats;
  /** User plus system CPU seconds of the process and everything it started. */
  readonly cpu: Stats;
}

/** One timed run: wall and CPU seconds; with a trace, each terraform command's start (from the run's) and duration. */
export interface Timed {
  readonly wall: number;
  readonly cpu: number;
  readonly commands?: readonly { readonly command: string; readonly startS: number; readonly seconds: number }[];
}

export interface NoopRig {
  /** One no-op reconcile through the workflow as its container runs it. */
  workflow(trace?: boolean): Timed;
  /** The same result by hand: the commands, in a fresh folder holding the same main.tf.json. */
  byHand(trace?: boolean): Timed;
  readonly commands: readonly string[];
  /** The rig's folder and the workflow's environment, for looking closer by hand. */
  readonly dir: string;
  readonly workflowEnv: Readonly<Record<string, string>>;
  stop(): void;
}

export async function noopRig(): Promise<NoopRig> {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-noop-'));
  const config = { root: REPO, image: 'x', promisesDir: join(REPO, 'bench', 'promises'), generatedDir: join(dir, 'generated'), bundleBudget: 5_000_000 };
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
  // What both sides share: what a container has (a short PATH), and the image's Terraform settings.
  const real = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
  if (!real) throw new Error('terraform is not on the PATH');
  const base = {
    PATH: [...new Set([dirname(real), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':'),
    HOME: join(dir, 'home'),
    TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'),
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    PG_CONN_STR: pg.connStr,
  };
  mkdirSync(base.HOME);
  // For the breakdown: a terraform first on the PATH that notes when each command starts and ends.
  const traced = join(dir, 'traced');
  mkdirSync(traced);
  writeFileSync(join(traced, 'terraform'), `#!/bin/sh\ns=$(date +%s%N)\n${real} "$@"\nc=$?\necho "$s $(date +%s%N) $*" >> "$BENCH_TRACE"\nexit $c\n`, {
    mode: 0o755,
  });
  const run = join(dir, 'run');
  for (const sub of ['input', 'output', 'metadata', 'work']) mkdirSync(join(run, sub), { recursive: true });
  const request = { apiVersion: 'bench.example.com/v1alpha1', kind: 'Noop', metadata: METADATA, spec: SPEC };
  writeFileSync(join(run, 'input', 'object.yaml'), JSON.stringify(request));
  const workflowEnv = {
    ...base,
    KRATIX_WORKFLOW_TYPE: 'resource',
    KRATIX_WORKFLOW_ACTION: 'configure',
    KRATIX_CDKTF_INPUT_DIR: join(run, 'input'),
    KRATIX_CDKTF_OUTPUT_DIR: join(run, 'output'),
    KRATIX_CDKTF_METADATA_DIR: join(run, 'metadata'),
    KRATIX_CDKTF_WORK_DIR: join(run, 'work'),
  };
  const timed = (command: string[], cwd: string, env: Record<string, string>, trace: boolean): Timed & { stdout: string } => {
    const cpuFile = join(dir, 'cpu.txt');
    const traceFile = join(dir, 'trace.txt');
    rmSync(traceFile, { force: true });
    const traceEnv = trace ? { PATH: `${traced}:${env.PATH}`, BENCH_TRACE: traceFile } : {};
    const start = process.hrtime.bigint();
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const result = spawnSync(TIME, ['-f', '%U %S', '-o', cpuFile, ...command], {
      cwd,
      env: { ...env, ...traceEnv },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0)
      throw new Error(`${command.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`.slice(0, 4000));
    const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    const commands = trace
      ? readFileSync(traceFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => {
            const [from, to, ...words] = line.split(' ');
            return { command: words.join(' '), startS: Number(BigInt(from!) - startedNs) / 1e9, seconds: Number(BigInt(to!) - BigInt(from!)) / 1e9 };
          })
      : undefined;
    return { wall, cpu: user! + system!, stdout: result.stdout, ...(commands ? { commands } : {}) };
  };
  const status = () =>
    parse(readFileSync(join(run, 'metadata', 'status.yaml'), 'utf8')) as { message: string; outputs?: Record<string, unknown>; conditions?: unknown[] };
  const workflow = (trace = false) => {
    for (const sub of ['output', 'metadata']) {
      rmSync(join(run, sub), { recursive: true, force: true });
      mkdirSync(join(run, sub));
    }
    const result = timed([process.execPath, '--snapshot-blob', join(dir, 'workflow.blob')], run, workflowEnv, trace);
    return { ...result, status: status() };
  };
  // The first run creates the request's workspace and resources: not measured.
  const first = workflow();
  if (!/^Terraform applied: 4 added/.test(first.status.message)) throw new Error(`the first run did not create the resources: ${first.status.message}`);
  // As Kratix passes it on the next reconcile: the request with the status the first run wrote.
  writeFileSync(join(run, 'input', 'object.yaml'), JSON.stringify({ ...request, status: first.status }));
  // What a person has: the same configuration the workflow runs, written out.
  const slug = requestSlug(PROMISE, { metadata: METADATA });
  const script = terraformScript({
    delivery: noop.delivery as unknown as ApplyProps,
    promise: PROMISE,
    slug,
    owner: requestOwner(PROMISE, METADATA),
    namespace: METADATA.namespace,
    stack: synthRequest(noop, { metadata: METADATA, spec: SPEC } as never).json,
    secrets: [],
    action: 'configure',
    dryRun: false,
  });
  const hand = join(dir, 'by-hand');
  mkdirSync(hand);
  writeFileSync(join(hand, 'main.tf.json'), script.files.get('main.tf.json')!);
  const commands = ['terraform init -input=false', `terraform workspace select ${slug}`, 'terraform apply -auto-approve -input=false'];
  return {
    workflow(trace = false) {
      const { stdout: _, status: s, ...timing } = workflow(trace);
      if (s.message !== 'Terraform applied: no changes') throw new Error(`the workflow's reconcile was not a no-op: ${s.message}`);
      return timing;
    },
    byHand(trace = false) {
      // A fresh folder: nothing from the last run.
      rmSync(join(hand, '.terraform'), { recursive: true, force: true });
      rmSync(join(hand, '.terraform.lock.hcl'), { force: true });
      const { stdout, ...timing } = timed(['sh', '-ec', commands.join('\n')], hand, base, trace);
      if (!/No changes\. Your infrastructure matches the configuration\./.test(stdout.replace(/\u001b\[[0-9;]*m/g, '')))
        throw new Error(`the by-hand apply was not a no-op:\n${stdout.slice(-2000)}`);
      return timing;
    },
    commands,
    dir,
    workflowEnv,
    stop() {
      pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const BREAKDOWN_RUNS = 5;

/** Where one side's time goes: each terraform command, and the rest (Node, the workflow's own work, the shell). */
export interface Breakdown {
  /** In the order they start; `startS` from the run's start, so commands that overlap show it. */
  readonly steps: readonly { readonly command: string; readonly startS: number; readonly seconds: number }[];
  /** The wall time when no terraform command runs. */
  readonly outside: number;
  readonly wall: number;
}

/** `runs` of each side, alternately (so drift in the machine's speed hits both alike), after one warm-up of each; then a few traced runs of each for the breakdown. */
export async function measureNoop(runs: number): Promise<NoopResult> {
  const rig = await noopRig();
  try {
    rig.workflow();
    rig.byHand();
    const workflow: Timed[] = [];
    const byHand: Timed[] = [];
    for (let i = 0; i < runs; i++) {
      // Which goes first alternates too.
      if (i % 2) byHand.push(rig.byHand());
      workflow.push(rig.workflow());
      if (!(i % 2)) byHand.push(rig.byHand());
    }
    const tracedWorkflow: Timed[] = [];
    const tracedByHand: Timed[] = [];
    for (let i = 0; i < BREAKDOWN_RUNS; i++) {
      tracedWorkflow.push(rig.workflow(true));
      tracedByHand.push(rig.byHand(true));
    }
    const summary = (xs: Timed[]): Measured => ({ wall: stats(xs.map((x) => x.wall)), cpu: stats(xs.map((x) => x.cpu)) });
    return {
      workflow: summary(workflow),
      byHand: summary(byHand),
      commands: rig.commands,
      runs,
      breakdown: { workflow: breakdown(tracedWorkflow), byHand: breakdown(tracedByHand) },
    };
  } finally {
    rig.stop();
  }
}

// The median of each command's start and duration, by command (every run runs the same ones;
// commands that run side by side may start in either order).
function breakdown(runs: readonly Timed[]): Breakdown {
  const median = (command: string, of: 'startS' | 'seconds') => stats(runs.map((r) => r.commands!.find((c) => c.command === command)![of])).median;
  const steps = runs[0]!.commands!.map((c) => ({ command: c.command, startS: median(c.command, 'startS'), seconds: median(c.command, 'seconds') }));
  steps.sort((a, b) => a.startS - b.startS);
  const outside = stats(runs.map((r) => r.wall - busy(r.commands!))).median;
  return { steps, outside, wall: stats(runs.map((r) => r.wall)).median };
}

// How long at least one of the commands ran: overlapping ones count once.
function busy(commands: readonly { readonly startS: number; readonly seconds: number }[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of [...commands].sort((a, b) => a.startS - b.startS)) {
    const stop = c.startS + c.seconds;
    total += Math.max(0, stop - Math.max(c.startS, end));
    end = Math.max(end, stop);
  }
  return total;
}

export function describeNoop(r: NoopResult): string {
  const side = (m: Measured) => `${fmtS(m.wall.median)} (${fmtS(m.wall.min)}–${fmtS(m.wall.max)}), cpu ${fmtS(m.cpu.median)}`;
  const steps = (b: Breakdown) => [
    ...b.steps.map((s) => `    ${fmtS(s.seconds)}  from ${fmtS(s.startS)}  terraform ${s.command}`),
    `    ${fmtS(b.outside)}  outside terraform`,
  ];
  return [
    `workflow (apply mode, pg): ${side(r.workflow)}`,
    `by hand (${r.commands.length} terraform commands): ${side(r.byHand)}`,
    `ratio of medians: ${(r.workflow.wall.median / r.byHand.wall.median).toFixed(2)}x`,
    `where the time goes, median of ${BREAKDOWN_RUNS} traced runs each:`,
    `  workflow (${fmtS(r.breakdown.workflow.wall)} traced):`,
    ...steps(r.breakdown.workflow),
    `  by hand (${fmtS(r.breakdown.byHand.wall)} traced):`,
    ...steps(r.breakdown.byHand),
  ].join('\n');
}

/** The section of docs/BENCHMARKS.md, heading first. */
export function noopReport(r: NoopResult): string[] {
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const ratio = r.workflow.wall.median / r.byHand.wall.median;
  const row = (label: string, m: Measured) => `| ${label} | ${range(m.wall, fmtS)} | ${fmtS(m.cpu.median)} |`;
  const steps = (side: string, b: Breakdown) => [
    ...b.steps.map(
      (s) => `| ${side} | \`terraform ${s.command.replace(/ noop-team-a-unchanged-[0-9a-f]+/, ' <slug>')}\` | ${fmtS(s.startS)} | ${fmtS(s.seconds)} |`,
    ),
    `| ${side} | outside terraform: ${side === 'workflow' ? 'Node from the snapshot, the request, synthesis, status' : 'the shell'} | | ${fmtS(b.outside)} |`,
  ];
  return [
    HEADING,
    '',
    'The configure workflow run again on a request whose resources all exist and match, so Terraform changes nothing: the',
    'bench Promise `bench/promises/noop` (four `terraform_data` resources, two outputs; apply mode on a pg backend, a',
    'private PostgreSQL on loopback), bundled and run from its startup snapshot as the container runs it, in a fresh',
    'working folder, with a provider mirror as the image has. It reads and validates the request, synthesizes the stack,',
    'runs Terraform and writes status.yaml; its request carries the status of the first run, as Kratix passes it. By',
    'hand is the fair minimum a person types for the same result in a folder',
    'holding the same main.tf.json and no `.terraform` (the container starts empty too): `terraform init -input=false`,',
    '`terraform workspace select <slug>` and `terraform apply -auto-approve -input=false`, whose output ends with the',
    "outputs' values. Both sides get the image's `TF_IN_AUTOMATION=1` and `CHECKPOINT_DISABLE=1`, and are timed around",
    `their whole process tree (CPU from GNU time), ${r.runs} runs each, alternately, after one warm-up each.`,
    '',
    '| What | Wall (median, min–max) | CPU (median) |',
    '| --- | --- | --- |',
    row('**no-op reconcile, workflow (apply mode, pg)**', r.workflow),
    row(`same terraform commands by hand (${r.commands.length} commands)`, r.byHand),
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| within ${TARGET}× of the commands by hand | ${ratio.toFixed(2)}× | ${verdict(ratio <= TARGET)} |`,
    '',
    `Where the time goes: median of ${BREAKDOWN_RUNS} more runs of each, with a \`terraform\` first on the PATH that notes when`,
    "each command starts and ends (so each command's time includes starting that shell); outside terraform is the time",
    'when no terraform command runs.',
    '',
    '| Side | Command | Starts at | Takes (median) |',
    '| --- | --- | --- | --- |',
    ...steps('workflow', r.breakdown.workflow),
    ...steps('by hand', r.breakdown.byHand),
    '',
    ...BEFORE,
    '',
  ];
}

// What the section says besides its tables: the figures before the work on it (measured with
// this benchmark on the code before it, alternately with the new code) and what was done.
const BEFORE = [
  '**The drift check.** Since apply mode reports drift (README, "Drift"), a configure run first makes a saved plan',
  "(`plan -detailed-exitcode -out`, no lock): Terraform's `-json` stream names changed resources but never their",
  'attributes (Terraform 1.11.4: `planned_change` and `resource_drift` carry the address and the action only), and',
  'correcting drift before its attributes are read would lose them, so the apply can no longer be the first command',
  'after init. A no-op reconcile is init, the plan and `terraform output -json` for the outputs; a reconcile that',
  'changes something reads the plan with `show -json` and applies the saved plan, so Terraform refreshes once. With',
  'the three commands one after the other (2026-12-03, 15 runs each side, two rounds): 0.400 s and 0.381 s against',
  '0.26–0.27 s by hand, 1.46× and 1.45×, where before the drift check the same rounds measured 1.25× and 1.20×. Now',
  "two things win that back. `output` starts together with the plan when the request's status shows an earlier apply",
  '(both only read the state and neither locks it); its result is used only when the plan changes nothing: 1.38×,',
  "1.39× and 1.29× in three runs. And `init` starts as Node does, on the Promise's example stack, which the warm-up",
  'recorded in the startup snapshot, while the request is read, validated and synthesized (about 30 ms here); the run',
  "goes on in that folder when the request's stack inits alike (the same terraform block, module sources and",
  'providers), and inits again otherwise (src/delivery/apply/head-start.ts): 1.19× to 1.31× in ten runs on 2026-12-04, median',
  "1.23× (one of the ten above 1.3×: on these shared 2-core machines a run's median moves by ±0.05×).",
  'The by-hand side checks no drift; the same result by hand takes a plan and an `output` too.',
  '',
  '**Before.** The workflow ran five terraform commands for the same result: init, `workspace select` (`new` on a',
  'first run), the owner check (`terraform output -json kratix_cdktf_owner`), apply, and `terraform output -json` for',
  'the outputs. Measured with this benchmark on 2026-12-03, on this machine under the same load, alternately with',
  'the new code (15 runs each, two rounds): workflow 0.702 s (0.560–0.964 s) and 0.817 s (0.754–1.007 s) against',
  '0.330 s and 0.377 s by hand, 2.13× and 2.17×; the new code in the rounds between them: 0.414 s (0.327–0.692 s) and',
  '0.421 s (0.363–0.516 s) against 0.355 s and 0.334 s, 1.17× and 1.26×.',
  '',
  "**What changed.** Each terraform command costs 60–70 ms of CPU before it does anything (Go's runtime and",
  "Terraform's package initialisation: `terraform version` alone takes that), so the saving is in commands. The",
  'workspace is selected by `TF_WORKSPACE` on the commands that use it, which also creates it on a first run, as',
  "`workspace new` did; the owner check is the apply's own plan: the stack records its owner in",
  "`terraform_data.kratix_cdktf_owner` and the owner output's precondition fails the plan before anything changes",
  '(the separate `output` command is left for a state that records no owner yet, and for delete); the outputs come',
  "from the apply's `-json` stream. What is left above the commands by hand is Node's start from the snapshot and the",
  "workflow's own work, about what `terraform workspace select` costs by hand. Not done: skipping `init` by writing",
  "`.terraform` ourselves (the backend hash is Terraform's internal format, and a stack with providers needs init to",
  'install them); `-refresh=false` (drift must still be seen); a plugin cache (there is nothing to cache with built-in',
  'providers, and each container starts empty).',
  '',
  "**Beyond this benchmark.** A stack with real providers makes `init` unpack each one from the image's mirror on",
  'every run: `terraform providers mirror`, which the Dockerfile runs, writes zip files. From a mirror in the unpacked',
  'layout, `init` links the provider instead (measured here with a 50 MB stand-in provider: 0.15 s from a zip, 0.11 s',
  "unpacked; the AWS provider's binary is several hundred MB). That is a change to the image, not made here.",
];

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  if (!existsSync(TIME)) throw new Error('GNU time is needed: apt-get install -y time');
  console.log(describeNoop(await measureNoop(Number(process.argv[2] ?? NOOP_RUNS))));
}
