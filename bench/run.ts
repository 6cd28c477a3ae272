// npm run bench: whole-process measurements of the workflow's cold start and of repository
// synth, written to docs/BENCHMARKS.md. Median of BENCH_RUNS runs (default 7) after a warm-up.
// Needs GNU time (/usr/bin/time, Debian package "time") for peak RSS, and cdktf-cli 0.21 for the
// comparison row, installed here on first use into .bench/ (not a dependency of the project).
// Then apply mode under load (bench/burst.ts), BENCH_BURSTS times (default 3): needs Terraform and
// PostgreSQL, no network. `npm run bench -- burst` runs only that and rewrites only its section.
// Then a no-op reconcile in apply mode against the same terraform commands by hand (bench/noop.ts),
// BENCH_NOOP_RUNS times each (default 15): `npm run bench -- noop` runs only that.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';
import { bundleContainerScript } from '../src/cli/bundle.js';
import { readConfig } from '../src/cli/project.js';
import { linkPackages } from '../test/helpers/project.js';
import { type BurstResult, burstRig, describeBurst } from './burst.js';
import { containerWorkflow, fmtS, measure, type Measured, RUNS, range, REPO, stats, TIME, WORK } from './measure.js';
import { describeNoop, measureNoop, NOOP_RUNS, noopReport, type NoopResult } from './noop.js';
import { measureWorstCases, type WorstCaseResult, worstCaseReport } from './worst-case.js';

const EXAMPLES = ['bucket', 'postgres', 'team-env'];
const BURSTS = Number(process.env.BENCH_BURSTS ?? 3);
const BURST_REQUESTS = 32;
const BURST_HEADING = `## Apply mode under load: ${BURST_REQUESTS} requests at once on one pg backend`;

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim();

async function perRequest() {
  const { dir, env, clean } = await containerWorkflow(readConfig(REPO), 'postgres', join(WORK, 'request'));
  cpSync(join(REPO, 'promises', 'postgres', 'example-request.yaml'), join(dir, 'input', 'object.yaml'));
  // The reference program of DESIGN.md §6, bundled as the anchor row was.
  await build({
    entryPoints: [join(REPO, 'bench', 'programs', 'rds-stack.mjs')],
    define: { 'process.env.BENCH_IMPORT': '"submodule"' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    target: 'node20',
    outfile: join(WORK, 'rds-bundle.mjs'),
    logLevel: 'silent',
    banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" },
  });
  const cli = await cdktfCli();
  const cdktfProject = join(WORK, 'cdktf-project');
  mkdirSync(cdktfProject, { recursive: true });
  writeFileSync(
    join(cdktfProject, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `node ${join(REPO, 'bench', 'programs', 'rds-stack.mjs')}`,
      output: 'cdktf.out',
      sendCrashReports: 'false',
      terraformProviders: [],
    }),
  );
  const out = join(WORK, 'rds-out');
  const rows = {
    floor: measure('node -e 0', process.execPath, ['-e', '0']),
    snapshot: measure('workflow, as the image runs it (startup snapshot)', process.execPath, ['--snapshot-blob', 'workflow.blob'], {
      cwd: dir,
      env,
      before: clean,
    }),
    script: measure('workflow script without the snapshot', process.execPath, ['workflow.cjs'], { cwd: dir, env, before: clean }),
    submodule: measure('reference stack: in-process synth, submodule imports', process.execPath, ['bench/programs/rds-stack.mjs'], {
      env: { BENCH_OUTDIR: out },
    }),
    bundle: measure('reference stack: esbuild bundle of that', process.execPath, [join(WORK, 'rds-bundle.mjs')], { env: { BENCH_OUTDIR: out } }),
    root: measure('reference stack: provider-aws imported from package root', process.execPath, ['bench/programs/rds-stack.mjs'], {
      env: { BENCH_OUTDIR: out, BENCH_IMPORT: 'root' },
    }),
    cdktf: measure('reference stack: cdktf synth (cdktf-cli 0.21)', cli, ['synth'], {
      cwd: cdktfProject,
      env: { CHECKPOINT_DISABLE: '1', CI: '1' },
      runs: Math.min(RUNS, 5),
    }),
  };
  return { rows, blob: statSync(join(dir, 'workflow.blob')).size };
}

async function cdktfCli(): Promise<string> {
  const dir = join(WORK, 'cdktf-cli');
  const bin = join(dir, 'node_modules', '.bin', 'cdktf');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"bench-cdktf-cli","private":true}');
    console.log('installing cdktf-cli@0.21.0 into .bench/ for the comparison row ...');
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', 'cdktf-cli@0.21.0'], { cwd: dir, encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`npm install cdktf-cli failed: ${install.stderr}`);
  }
  return bin;
}

/** A temp platform repository holding `n` Promises: copies of the examples, renamed. */
function repoOf(n: number): string {
  const root = mkdtempSync(join(tmpdir(), `kratix-cdktf-bench-${n}-`));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', version: '1.0.0', type: 'module' }));
  // As a platform repository installs kratix-cdktf: a package of its own, beside the others.
  linkPackages(root);
  // The examples' shared module (the platform's decoration and policies).
  mkdirSync(join(root, 'promises'), { recursive: true });
  cpSync(join(REPO, 'promises', 'platform.ts'), join(root, 'promises', 'platform.ts'));
  for (let i = 0; i < n; i++) {
    const source = EXAMPLES[i % EXAMPLES.length]!;
    const name = `${source}-${i}`;
    mkdirSync(join(root, 'promises', name), { recursive: true });
    const index = readFileSync(join(REPO, 'promises', source, 'index.ts'), 'utf8')
      .replaceAll("'../../src/index.js'", `'${join(REPO, 'src', 'index.js')}'`)
      .replace(`name: '${source}',`, `name: '${name}',`);
    writeFileSync(join(root, 'promises', name, 'index.ts'), index);
    cpSync(join(REPO, 'promises', source, 'example-request.yaml'), join(root, 'promises', name, 'example-request.yaml'));
  }
  return root;
}

// The linked kratix-cdktf is its TypeScript source (no lib/ built): resolved by its export condition.
const SOURCE = '--conditions=kratix-cdktf-source';

function repositorySynth() {
  const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
  const main = join(REPO, 'src', 'cli', 'main.ts');
  const results: { n: number; synth: Measured; check: Measured }[] = [];
  for (const n of [1, 10, 50]) {
    const root = repoOf(n);
    const plural = n === 1 ? '' : 's';
    // Interleaved, one synth then one check, so drift in the machine's speed hits both alike.
    const synthRuns: Measured[] = [];
    const checkRuns: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      synthRuns.push(
        measure(`npm run synth, ${n} Promise${plural}, from scratch`, tsx, [SOURCE, main, 'synth'], {
          cwd: root,
          runs: 1,
          quiet: true,
          before: () => rmSync(join(root, 'generated'), { recursive: true, force: true }),
        }),
      );
      checkRuns.push(measure(`npm run synth -- --check, ${n} Promise${plural}`, tsx, [SOURCE, main, 'synth', '--check'], { cwd: root, runs: 1, quiet: true }));
    }
    const merge = (runs: Measured[], label: string): Measured => {
      const m = { wall: stats(runs.map((r) => r.wall.median)), rssMiB: stats(runs.map((r) => r.rssMiB.median)), cpu: stats(runs.map((r) => r.cpu.median)) };
      console.log(`${label.padEnd(58)} ${fmtS(m.wall.median)}  ${m.rssMiB.median.toFixed(0)} MiB`);
      return m;
    };
    results.push({
      n,
      synth: merge(synthRuns, `npm run synth, ${n} Promise${plural}, from scratch`),
      check: merge(checkRuns, `npm run synth -- --check, ${n} Promise${plural}`),
    });
    rmSync(root, { recursive: true, force: true });
  }
  return results;
}

async function sizes() {
  const config = readConfig(REPO);
  const out: { name: string; bytes: number; gzip: number }[] = [];
  for (const name of EXAMPLES) {
    const bytes = await bundleContainerScript(config, name);
    out.push({ name, bytes: bytes.length, gzip: gzipSync(bytes).length });
  }
  return out;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  return total;
}

async function bursts(): Promise<BurstResult[]> {
  console.log(`\napply mode: ${BURSTS} bursts of ${BURST_REQUESTS} creates, then ${BURST_REQUESTS} deletes, at once`);
  const rig = await burstRig();
  const results: BurstResult[] = [];
  try {
    for (let i = 0; i < BURSTS; i++) {
      results.push(await rig.burst(BURST_REQUESTS));
      console.log(`burst ${i + 1}: ${describeBurst(results.at(-1)!)}`);
    }
  } finally {
    rig.stop();
  }
  return results;
}

async function noop(): Promise<NoopResult> {
  console.log(`\napply mode: a no-op reconcile, workflow and by hand, ${NOOP_RUNS} runs each, alternately`);
  const result = await measureNoop(NOOP_RUNS);
  console.log(describeNoop(result));
  return result;
}

async function main() {
  if (!existsSync(TIME)) throw new Error('GNU time is needed for peak RSS: apt-get install -y time');
  mkdirSync(WORK, { recursive: true });
  const file = join(REPO, 'docs', 'BENCHMARKS.md');
  // `npm run bench -- burst` or `-- worst` measures one section and rewrites only it; the others
  // keep their last full run's figures.
  const only = process.argv[2];
  if (only === 'burst' || only === 'worst' || only === 'noop') {
    const lines = only === 'burst' ? burstReport(await bursts()) : only === 'noop' ? noopReport(await noop()) : worstCaseReport(await measureWorstCases());
    const heading = lines[0]!;
    const section = `${lines.join('\n').trimEnd()}\n\n`;
    const old = readFileSync(file, 'utf8');
    const found = old.indexOf(heading);
    const start = found < 0 ? old.indexOf('## Notes') : found;
    const next = old.indexOf('\n## ', start + 1);
    const end = found < 0 ? start : next < 0 ? old.length : next + 1;
    writeFileSync(file, `${old.slice(0, start)}${section}${old.slice(end)}`);
    console.log(`\nrewrote its section of docs/BENCHMARKS.md: ${heading}`);
    return;
  }
  console.log(`runs per row: ${RUNS} (after one warm-up)\n`);
  const request = await perRequest();
  const repo = repositorySynth();
  const size = await sizes();
  const awsMB = dirSize(join(REPO, 'node_modules', '@cdktf', 'provider-aws')) / 1e6;
  const burst = await bursts();
  const idle = await noop();
  const worst = await measureWorstCases();
  writeFileSync(file, report(request, repo, size, awsMB, burst, idle, worst));
  console.log('\nwrote docs/BENCHMARKS.md');
}

function burstReport(results: readonly BurstResult[]): string[] {
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const n = BURST_REQUESTS;
  const created = results.reduce((sum, r) => sum + r.creates.succeeded, 0);
  const deleted = results.reduce((sum, r) => sum + r.deletes.succeeded, 0);
  const left = results.reduce((sum, r) => sum + r.stateRowsLeft, 0);
  const tries = (r: BurstResult) =>
    [...Object.entries(r.creates.retries), ...Object.entries(r.deletes.retries)].map(([step, count]) => `${count} ${step}`).join(', ') || 'none';
  const wall = (p: BurstResult['creates']) => `${p.wallSeconds.toFixed(1)} s${p.cpuSeconds === undefined ? '' : ` (${p.cpuSeconds.toFixed(0)} s CPU)`}`;
  const failures = results.flatMap((r, i) => [...r.creates.failures, ...r.deletes.failures].map((f) => `- burst ${i + 1}, ${f.name}: ${f.message}`));
  return [
    BURST_HEADING,
    '',
    `${n} configure workflows of ${n} different requests started at once, each its own process as each is its own container`,
    '(the echo fixture, `test/fixtures/echo-applied`: one `terraform_data`, bundled and run from its startup snapshot,',
    'real Terraform against a private PostgreSQL on loopback); when all have ended, their delete workflows, at once. Each',
    "burst starts on a fresh schema, so the first runs also race to create the backend's table. Wall time is from the",
    "first start to the last exit; CPU is that of the workflows and their terraform processes (PostgreSQL's not counted).",
    '',
    '| Burst | Creates succeeded | Wall | Deletes succeeded | Wall | State rows left | Steps tried again after meeting another run |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${r.creates.succeeded}/${n} | ${wall(r.creates)} | ${r.deletes.succeeded}/${n} | ${wall(r.deletes)} | ${r.stateRowsLeft} | ${tries(r)} |`,
    ),
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| every create succeeds | ${created}/${n * results.length} | ${verdict(created === n * results.length)} |`,
    `| every delete succeeds | ${deleted}/${n * results.length} | ${verdict(deleted === n * results.length)} |`,
    `| no state left behind | ${left} rows | ${verdict(left === 0)} |`,
    ...(failures.length ? ['', 'Failed runs, with their status message:', '', ...failures] : []),
    '',
  ];
}

function report(
  request: Awaited<ReturnType<typeof perRequest>>,
  repo: ReturnType<typeof repositorySynth>,
  size: Awaited<ReturnType<typeof sizes>>,
  awsMB: number,
  burst: readonly BurstResult[],
  idle: NoopResult,
  worst: readonly WorstCaseResult[],
): string {
  const { rows } = request;
  const w = rows.snapshot.wall.median;
  const vsCdktf = rows.cdktf.wall.median / w;
  const vsFloor = w / rows.floor.wall.median;
  const one = repo.find((r) => r.n === 1)!;
  const ten = repo.find((r) => r.n === 10)!;
  const fifty = repo.find((r) => r.n === 50)!;
  const perAdded = ((fifty.synth.wall.median - one.synth.wall.median) / 49) * 1000;
  const slopeLow = ((ten.synth.wall.median - one.synth.wall.median) / 9) * 1000;
  const slopeHigh = ((fifty.synth.wall.median - ten.synth.wall.median) / 40) * 1000;
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const row = (label: string, m: Measured) => `| ${label} | ${range(m.wall, fmtS)} | ${range(m.rssMiB, (n) => n.toFixed(0))} |`;
  const lines = [
    '# Benchmarks',
    '',
    'Whole processes, as a user or Kratix starts them: wall time measured around the process, peak RSS from GNU time.',
    `Median of ${RUNS} runs after one warm-up, with min–max (the cdktf-cli row: ${Math.min(RUNS, 5)} runs).`,
    '',
    '## Machine',
    '',
    `- ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node ${process.version}, ${sh('terraform', ['version']).split('\n')[0]}, esbuild ${esbuildVersion}`,
    `- measured ${new Date().toISOString().slice(0, 10)}`,
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'apt-get install -y time            # GNU time, for peak RSS',
    'npm run bench                      # BENCH_RUNS=11 npm run bench for more runs',
    'npm run bench -- burst             # only apply mode under load (BENCH_BURSTS, default 3); no network',
    'npm run bench -- noop              # only the no-op reconcile against the commands by hand (BENCH_NOOP_RUNS, default 15)',
    '```',
    '',
    'The first run installs cdktf-cli 0.21.0 into `.bench/` (423 MB) for the comparison row; it is not a dependency of the project.',
    '',
    "## Per request: the workflow's cold start",
    '',
    "The workflow row is the postgres example's configure workflow exactly as the container runs it: read and validate",
    'the request (CEL rules included), synthesize the stack (AWS provider, one RDS instance, three outputs), write the',
    'tofu-controller objects and status.yaml. The reference rows synthesize the anchor stack of DESIGN.md §6 (S3 backend,',
    'AWS provider, one RDS instance) with plain cdktf, in the same run.',
    '',
    '| What | Wall (median, min–max) | Peak RSS MiB (median, min–max) |',
    '| --- | --- | --- |',
    row('`node -e 0` (floor)', rows.floor),
    row('**workflow, as the image runs it (`node --snapshot-blob`)**', rows.snapshot),
    row('workflow script, no snapshot (`node workflow.cjs`)', rows.script),
    row('reference: in-process synth, submodule imports', rows.submodule),
    row('reference: esbuild bundle of that program', rows.bundle),
    row('reference: `@cdktf/provider-aws` from its package root', rows.root),
    row('reference: `cdktf synth` (cdktf-cli 0.21)', rows.cdktf),
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| at most 0.15 s | ${fmtS(w)} | ${verdict(w <= 0.15)} |`,
    `| at most 70 MiB peak RSS | ${rows.snapshot.rssMiB.median.toFixed(0)} MiB | ${verdict(rows.snapshot.rssMiB.median <= 70)} |`,
    `| at least 15× faster than \`cdktf synth\` | ${vsCdktf.toFixed(1)}× | ${verdict(vsCdktf >= 15)} |`,
    `| within 2.5× of \`node -e 0\` | ${vsFloor.toFixed(2)}× | ${verdict(vsFloor <= 2.5)} |`,
    '',
    `The startup snapshot is ${(request.blob / 1e6).toFixed(1)} MB; the Dockerfile builds it with the Node that runs it.`,
    '',
    '## Repository synth',
    '',
    '`npm run synth` over temporary repositories of 1, 10 and 50 Promises (copies of the three examples), from an empty',
    '`generated/`, and the check mode on a current one; the two are run alternately (each after its own warm-up run).',
    '',
    '| Promises | synth | synth --check |',
    '| --- | --- | --- |',
    ...repo.map((r) => `| ${r.n} | ${range(r.synth.wall, fmtS)} | ${range(r.check.wall, fmtS)} |`),
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| at most 50 ms per added Promise | ${perAdded.toFixed(0)} ms (1→50) | ${verdict(perAdded <= 50)} |`,
    `| linear growth | ${slopeLow.toFixed(0)} ms per Promise from 1 to 10, ${slopeHigh.toFixed(0)} ms from 10 to 50 | ${verdict(slopeHigh <= slopeLow * 1.5 + 5)} |`,
    `| check mode no slower than synth | ${repo.map((r) => `${r.n}: ${fmtS(r.check.wall.median)} vs ${fmtS(r.synth.wall.median)}`).join('; ')} | ${verdict(repo.every((r) => r.check.wall.median <= r.synth.wall.median * 1.05))} |`,
    '',
    '## Size of the workflow bundles',
    '',
    '| Promise | workflow.cjs | gzipped |',
    '| --- | --- | --- |',
    ...size.map((s) => `| ${s.name} | ${(s.bytes / 1e6).toFixed(2)} MB | ${(s.gzip / 1e6).toFixed(2)} MB |`),
    '',
    `Target: at most 5 MB each: ${verdict(size.every((s) => s.bytes <= 5e6))}. The installed \`@cdktf/provider-aws\` package they draw from is ${awsMB.toFixed(0)} MB.`,
    '',
    ...burstReport(burst),
    ...noopReport(idle),
    ...worstCaseReport(worst),
    ...NOTES,
  ];
  return `${lines.join('\n')}\n`;
}

// What the numbers mean and what was done about them; kept here so every run rewrites it with the tables.
const NOTES = [
  '## Notes',
  '',
  '**Where a cold start goes.** Node itself costs the floor (about 50 ms here). Loading the 1.2 MB bundle costs about',
  '100 ms more: cdktf is about 560 KiB of it, the CEL evaluator with protobuf and RE2 about 280 KiB, yaml about',
  '110 KiB, TypeBox about 50 KiB, the provider classes the Promise imports about 120 KiB. The work itself (validation,',
  'CEL, synthesis, YAML, writing files) is about 20 ms. So the fix was to stop loading modules at each start:',
  'the container runs from a V8 startup snapshot (`node --build-snapshot`, available in Node 20) of the workflow with',
  "every module loaded (0.156 s to 0.103 s), and the snapshot is taken after running the Promise's example request",
  'once in memory, so the hot functions are already compiled and lazy state is set up (0.103 s to 0.088 s).',
  '`node:http` cannot be loaded while Node 20 builds a snapshot, so the Kubernetes API is called with `fetch`;',
  '`child_process` loads with a warning, and apply mode is tested to work from the snapshot. Submodule imports keep',
  'the AWS provider small: importing the package root costs about 1.5 s and 550 MiB before any work is done.',
  '',
  '**What the comparison rows are.** The reference rows run the DESIGN.md §6 program; its esbuild bundle (0.7 MB)',
  'reproduces the anchor (0.14 s, 58 MiB there). `cdktf synth` and the package-root import measured faster here than',
  'the anchors (2.3 s); the ratios above are from the same run, which is what the targets ask for. The workflow row',
  'does more than the reference program (validation, CEL, YAML, two output files) on a slightly different stack (no',
  'backend block, three outputs).',
  '',
  '**How firm the ratios are.** Over the last five runs of this benchmark on machines of this kind, the workflow took',
  '0.088–0.096 s and `cdktf synth` 1.41–1.53 s, so the ratio ranged from 14.9× to 17.4×: the 15× target is met by the',
  'median run, not with a wide margin. The remaining 40 ms above `node -e 0` are about 20 ms to deserialize the',
  '10 MB snapshot and 20 ms of work spread thinly (YAML, synthesis, RE2, file writes; no function above 2 ms in a CPU',
  'profile). Synth and its check mode do the same work and differ by less than the noise between runs.',
  '',
  '**Repository synth.** About 1.6 s is fixed: starting tsx, which compiles the TypeScript sources, and loading',
  'json-schema-to-typescript (with prettier) and esbuild. Each added Promise costs its module load, its CRD, types and',
  'README, and its share of one esbuild run over all Promises with code splitting (bundling each Promise separately',
  'cost about 70 ms per Promise; with splitting, code shared between Promises is parsed and emitted once). The check',
  'mode does the same work and compares instead of writing. Not done: caching between runs, which CI would not keep.',
  '',
  '**Apply mode under load.** Nearly all of a run is its terraform commands: four on a first run (init, an apply that',
  'finds no owner recorded yet, the owner check, the apply that records it) and four on a delete (init, owner check,',
  'destroy, workspace delete); two when nothing changed (see the no-op reconcile). The drift check adds its plan to every',
  "configure run (five commands on a first run, three when nothing changed). 32 at once take 11–12 s to create and 8–9 s to delete here (2026-12-03, with the drift check; this file's figures",
  'before that work, with five to seven commands a run, were 35–50 s and 50–61 s CPU): the two cores are the limit, and',
  "the runs' own CPU fills about half of them (PostgreSQL's is not counted). pg creates a workspace under one lock for",
  'the whole backend (advisory lock -1) and tries that lock on every lock of an existing workspace too, so first runs',
  'and deletes of different requests meet there; Terraform creates a workspace (the first apply, with `TF_WORKSPACE`)',
  'and deletes one (`workspace delete`) trying that lock once, ignoring `-lock-timeout`, so the workflow runs those',
  'steps again, with waits of 0.25 s doubling to 8 s, within `lockTimeout` (the last column counts those tries; an',
  'apply only if it had not started applying). With that retry taken out, the same bursts lost 4 of 32 creates',
  '("failed to lock state in Postgres: Already locked for workspace creation") and 1–3 of 32 deletes, which destroyed',
  'their resources but left their state rows behind.',
  '',
  '**Not measured here.** The image itself (no Docker engine on these machines): the snapshot row runs the same',
  'script and snapshot the Dockerfile builds, with the same Node major version.',
  '',
];

await main();
