// Worst-case requests for the workflow: object.yaml as large as Kubernetes stores it (1.5 MiB,
// less a little) filled with the values cheapest to write and dearest to read, then as much of
// each as the workflow reads (MAX_REQUEST_NODES); each request runs as the container runs it.
// Part of `npm run bench`; alone: npx tsx --conditions=kratix-cdktf-source bench/worst-case.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { countYamlNodes } from '../src/artifacts/yaml.js';
import { readConfig } from '../src/cli/project.js';
import { MAX_REQUEST_NODES } from '../src/workflow/input.js';
import { containerWorkflow, fmtS, measure, type Measured, RUNS, range, REPO, WORK } from './measure.js';

/** One worst-case request for a fixture Promise, as the YAML text of object.yaml. */
export interface WorstCase {
  readonly label: string;
  readonly promise: 'echo' | 'kitchen-sink';
  readonly yaml: string;
}

/** What one worst case cost, and how the workflow answered. */
export interface WorstCaseResult extends WorstCase {
  readonly bytes: number;
  readonly measured: Measured;
  readonly code: number;
  /** The first line of status.yaml's message, cut to 160 characters. */
  readonly answer: string;
}

const HEAD = {
  echo: 'apiVersion: fixtures.example.com/v1alpha1\nkind: Echo\nmetadata:\n  name: worst\n  namespace: team-a\n',
  'kitchen-sink': 'apiVersion: fixtures.example.com/v1beta1\nkind: KitchenSink\nmetadata:\n  name: worst\n  namespace: team-a\n',
};

// Repeats `item(i)` between `open` and `close` while the text stays within `bytes` and, if given,
// `nodes` YAML nodes (each item adding `perItem`).
function fill(open: string, item: (i: number) => string, close: string, limit: { bytes: number; nodes?: number; perItem?: number }): string {
  const parts = [open];
  let size = Buffer.byteLength(open + close);
  let nodes = countYamlNodes(open + close);
  for (let i = 0; ; i++) {
    const next = item(i);
    nodes += limit.perItem ?? 1;
    if (size + next.length > limit.bytes || nodes > (limit.nodes ?? Number.POSITIVE_INFINITY)) break;
    parts.push(next);
    size += next.length;
  }
  parts.push(close);
  return parts.join('');
}

interface Shape {
  readonly label: string;
  readonly promise: WorstCase['promise'];
  readonly open: string;
  readonly item: (i: number) => string;
  readonly close: string;
  /** YAML nodes each item adds. */
  readonly perItem: number;
}

// Lists and maps the fixtures leave unbounded (no maxItems or maxProperties), in the densest YAML.
const SHAPES: Record<string, Shape> = {
  list: {
    label: 'list of 1-character strings, flow style',
    promise: 'echo',
    open: 'spec:\n  items: [{name: a, values: [a',
    item: () => ',a',
    close: ']}]\n',
    perItem: 1,
  },
  wrong: {
    label: 'list of wrong-typed items (each an issue)',
    promise: 'echo',
    open: 'spec:\n  items: [{name: a, values: [1',
    item: () => ',1',
    close: ']}]\n',
    perItem: 1,
  },
  block: {
    label: 'list of strings, block style (as Kratix writes it)',
    promise: 'echo',
    open: 'spec:\n  items:\n  - name: a\n    values:\n',
    item: () => '    - a\n',
    close: '',
    perItem: 2,
  },
  objects: {
    label: 'list of small objects, flow style',
    promise: 'echo',
    open: 'spec:\n  items: [{name: a}',
    item: () => ',{name: a}',
    close: ']\n',
    perItem: 3,
  },
  map: { label: 'map with short keys', promise: 'echo', open: 'spec:\n  labels:\n', item: (i) => `    k${i.toString(36)}: v\n`, close: '', perItem: 2 },
  unknown: { label: 'unknown fields (each an issue)', promise: 'echo', open: 'spec:\n', item: (i) => `  k${i.toString(36)}: v\n`, close: '', perItem: 2 },
  cel: {
    label: 'list of objects with a CEL rule each',
    promise: 'kitchen-sink',
    open: 'spec:\n  email: a@example.com\n  port: 80\n  password: {name: a, key: b}\n  rules: [{name: a, max: 1}',
    item: () => ',{name: a, max: 1}',
    close: ']\n',
    perItem: 5,
  },
};

/**
 * The worst-case requests: 1.5 MiB (less 4 KiB) of list items and of map keys, which the workflow
 * refuses by counting; then, for each shape, the most of it that is read (MAX_REQUEST_NODES
 * nodes), which goes through validation, CEL and synthesis.
 */
export function worstCaseRequests(bytes = 1.5 * 1024 * 1024 - 4096): WorstCase[] {
  const make = (shape: Shape, nodes?: number): WorstCase => ({
    label: `${shape.label}, ${nodes ? 'at the node limit' : '1.5 MiB'}`,
    promise: shape.promise,
    yaml: fill(`${HEAD[shape.promise]}${shape.open}`, shape.item, shape.close, { bytes, nodes, perItem: shape.perItem }),
  });
  return [make(SHAPES.list!), make(SHAPES.map!), ...Object.values(SHAPES).map((shape) => make(shape, MAX_REQUEST_NODES))];
}

// Each row runs for seconds, not milliseconds: fewer runs than the other rows.
const WORST_CASE_RUNS = Math.min(RUNS, 3);

/** Runs each worst case as the container does (startup snapshot), `runs` times after a warm-up. */
export async function measureWorstCases(runs = WORST_CASE_RUNS): Promise<WorstCaseResult[]> {
  const config = { ...readConfig(REPO), promisesDir: join(REPO, 'test', 'fixtures') };
  const workflows = new Map<string, Awaited<ReturnType<typeof containerWorkflow>>>();
  const results: WorstCaseResult[] = [];
  for (const worst of worstCaseRequests()) {
    let workflow = workflows.get(worst.promise);
    if (!workflow) {
      workflow = await containerWorkflow(config, worst.promise, join(WORK, 'worst-case', worst.promise));
      workflows.set(worst.promise, workflow);
    }
    const { dir, env, clean } = workflow;
    writeFileSync(join(dir, 'input', 'object.yaml'), worst.yaml);
    const measured = measure(`worst case: ${worst.label}`, process.execPath, ['--snapshot-blob', 'workflow.blob'], {
      cwd: dir,
      env,
      before: clean,
      runs,
      codes: [0, 1],
    });
    const status = parse(readFileSync(join(dir, 'metadata', 'status.yaml'), 'utf8')) as { message: string; conditions: { status: string }[] };
    const refused = status.conditions.some((c) => c.status === 'False');
    const message = status.message.split('\n')[0]!;
    results.push({
      ...worst,
      bytes: Buffer.byteLength(worst.yaml),
      measured,
      code: refused ? 1 : 0,
      answer: message.length > 160 ? `${message.slice(0, 157)}...` : message,
    });
  }
  return results;
}

/** The "Worst-case requests" section of docs/BENCHMARKS.md. */
export function worstCaseReport(results: readonly WorstCaseResult[], runs = WORST_CASE_RUNS): string[] {
  const wall = Math.max(...results.map((r) => r.measured.wall.max));
  const rss = Math.max(...results.map((r) => r.measured.rssMiB.max));
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const answer = (r: WorstCaseResult) =>
    `${r.code === 0 ? 'accepted' : 'refused'}: ${r.answer
      .replace(/^[^:]*: /, '')
      .slice(0, 110)
      .replaceAll('|', '\\|')}`;
  return [
    '## Worst-case requests',
    '',
    'object.yaml as large as Kubernetes stores it (1.5 MiB, less 4 KiB), filled with the values cheapest to write and',
    "dearest to read, in the test fixtures' lists and maps that have no maxItems or maxProperties: first as many as fit",
    `(refused before parsing: more than ${MAX_REQUEST_NODES} YAML nodes), then as many as the workflow reads, which go`,
    'through parsing, validation, CEL rules and synthesis. Each runs as the container runs it, from the startup snapshot,',
    `and writes status.yaml. Median of ${runs} runs after one warm-up, with min–max; CPU is user plus system time.`,
    '',
    '| Request | Bytes | Wall | Peak RSS MiB | CPU | Answer |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.label} (${r.promise}) | ${r.bytes} | ${range(r.measured.wall, fmtS)} | ${range(r.measured.rssMiB, (n) => n.toFixed(0))} | ${fmtS(r.measured.cpu.median)} | ${answer(r)} |`,
    ),
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| every request answered within 20 s | at most ${fmtS(wall)} | ${verdict(wall <= 20)} |`,
    `| under 512 MiB peak RSS (the container has 1 GiB) | at most ${rss.toFixed(0)} MiB | ${verdict(rss <= 512)} |`,
    '',
  ];
}

if (process.argv[1] === import.meta.filename) {
  console.log(worstCaseReport(await measureWorstCases()).join('\n'));
}
