// Breaking API changes through synth, as a platform repository meets them: a temp project with
// the echo fixture, edited between synths, and a real git repository for `--since`. Each synth
// is the command in its own process: an edited Promise module is loaded afresh.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, makeProject, snapshotTree } from '../helpers/project.js';

let project: string;
let source: string;
const file = () => join(project, 'promises', 'echo', 'index.ts');
const run = (...args: string[]) => {
  const r = cli(project, 'synth', ...args);
  return { ...r, out: `${r.stdout}\n${r.stderr}` };
};
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: project, encoding: 'utf8' });
// The echo fixture's message field, narrowed from 4096 characters to 100.
const narrowed = () =>
  source.replace("message: Type.String({ default: 'hello', maxLength: 4096 })", "message: Type.String({ default: 'hello', maxLength: 100 })");
const accepting = (text: string, reason = 'every stored message is under 100 characters: checked with kubectl on 2026-12-04') =>
  text.replace(
    "  api: { group: 'fixtures.example.com'",
    `  acceptBreakingChanges: [{ path: 'spec.message', change: 'length-narrowed', detail: 'max 4096 → 100', reason: ${JSON.stringify(reason)} }],\n  api: { group: 'fixtures.example.com'`,
  );

beforeAll(() => {
  project = makeProject(['echo']);
  source = readFileSync(file(), 'utf8');
  expect(narrowed()).not.toBe(source);
  expect(run().status).toBe(0);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'first');
});

describe('synth', () => {
  test('refuses a change that breaks stored requests, naming the field, the change and both ways out, and writes nothing', () => {
    const before = snapshotTree(join(project, 'generated'));
    writeFileSync(file(), narrowed());
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('promises/echo: the API change can break requests already stored');
    expect(r.stderr).toContain('spec.message: length-narrowed: most characters changed from 4096 to 100');
    expect(r.stderr).toContain(`add { path: 'spec.message', change: 'length-narrowed', detail: "max 4096 → 100", reason:`);
    expect(r.stderr).toContain('synth failed; generated/ was left as it was');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(join(project, 'generated'))).toEqual(before);
  });

  test('takes it when the Promise acknowledges it, and says so', () => {
    writeFileSync(file(), accepting(narrowed()));
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('promises/echo: accepted breaking change spec.message (length-narrowed: max 4096 → 100)');
    // Once it has landed, the acknowledgement matches nothing: synth says to remove it, and passes.
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(
      'promises/echo: acceptBreakingChanges names spec.message (length-narrowed: max 4096 → 100), which no longer changes: remove it',
    );
  });

  test('--check --since compares with the revision a pull request starts from, where generated/ still has the old API', () => {
    // generated/ holds the new API already: against it, the acknowledgement matches nothing ...
    const onDisk = run('--check');
    expect(onDisk.status).toBe(0);
    expect(onDisk.stdout).toContain('which no longer changes: remove it');
    // ... and against main, where the old API is, it is what lets the change through.
    const sinceMain = run('--check', '--since', 'main');
    expect(sinceMain.status).toBe(0);
    expect(sinceMain.stdout).toContain('accepted breaking change spec.message (length-narrowed: max 4096 → 100)');
    // Without it, only the comparison with main sees the break.
    writeFileSync(file(), narrowed());
    expect(run('--check').stderr).not.toContain('length-narrowed');
    const refused = run('--check', '--since', 'main');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('(compared with main)');
    expect(refused.stderr).toContain('spec.message: length-narrowed');
    writeFileSync(file(), accepting(narrowed()));
  });

  test('an unknown revision is an error that says so', () => {
    const r = run('--check', '--since', 'no-such-branch');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--since no-such-branch: git could not read generated\/echo\/promise.yaml/);
  });

  test('a Promise new since that revision has nothing to compare with', () => {
    cpSync(join(project, 'promises', 'echo'), join(project, 'promises', 'echo2'), { recursive: true });
    writeFileSync(join(project, 'promises', 'echo2', 'index.ts'), narrowed().replace("name: 'echo'", "name: 'echo2'").replace("kind: 'Echo'", "kind: 'Echo2'"));
    const example = join(project, 'promises', 'echo2', 'example-request.yaml');
    writeFileSync(example, readFileSync(example, 'utf8').replace('kind: Echo', 'kind: Echo2'));
    const r = run('--since', 'main');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('wrote generated/echo2/promise.yaml');
    rmSync(join(project, 'promises', 'echo2'), { recursive: true });
  });

  test('an acknowledgement of one narrowing does not accept a later one of the same field', () => {
    writeFileSync(file(), accepting(narrowed().replace('maxLength: 100', 'maxLength: 50')));
    const r = run('--check', '--since', 'main');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('spec.message: length-narrowed: most characters changed from 4096 to 50');
    writeFileSync(file(), accepting(narrowed()));
  });

  test('a committed promise.yaml that is not YAML (a merge conflict) is named, not a crash', () => {
    const committed = join(project, 'generated', 'echo', 'promise.yaml');
    const text = readFileSync(committed, 'utf8');
    writeFileSync(committed, `<<<<<<< HEAD\n${text}=======\n${text}>>>>>>> branch\n`);
    const r = run('--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('generated/echo/promise.yaml: the committed promise.yaml is not YAML (a merge conflict?)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(committed, text);
  });

  test('--since works in a project that is a folder of a larger repository', () => {
    const mono = makeProject([]);
    const inner = join(mono, 'platform');
    cpSync(project, inner, { recursive: true, filter: (src) => !src.includes('/.git') && !src.includes('/node_modules') });
    cpSync(join(project, 'node_modules'), join(inner, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(inner, 'promises', 'echo', 'index.ts'), source);
    expect(cli(inner, 'synth').status).toBe(0);
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: mono });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', 'platform/promises', 'platform/generated'], { cwd: mono });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'first'], { cwd: mono });
    writeFileSync(join(inner, 'promises', 'echo', 'index.ts'), narrowed());
    const r = cli(inner, 'synth', '--check', '--since', 'main');
    expect(r.stderr).toContain('spec.message: length-narrowed');
    expect(r.stderr).not.toContain('git could not read');
  });

  test('an acknowledgement without a kind synth knows or a real reason is refused', () => {
    writeFileSync(file(), accepting(narrowed(), 'ok'));
    expect(run().stderr).toContain('acceptBreakingChanges[0].reason: must say, in a sentence, why stored requests are safe');
    writeFileSync(file(), accepting(narrowed()).replace("change: 'length-narrowed'", "change: 'shorter'"));
    expect(run().stderr).toContain('acceptBreakingChanges[0].change: "shorter" is not a kind of change synth reports');
    writeFileSync(file(), source);
  });
});
