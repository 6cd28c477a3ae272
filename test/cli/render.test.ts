import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readConfig, type ProjectConfig } from '../../src/cli/project.js';
import { parseRenderArgs, render, type RenderOptions } from '../../src/cli/render.js';
import { mergeStatus } from '../../src/workflow/status.js';
import { makeProject, REPO, snapshotTree } from '../helpers/project.js';
import { requestYaml } from '../helpers/workflow.js';
import echo from '../fixtures/echo/index.js';

/** Runs render in this process (a CLI spawn costs seconds), collecting what it prints. */
async function renderIn(config: ProjectConfig, options: RenderOptions) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await render(config, options, { info: (l) => stdout.push(l), error: (l) => stderr.push(l) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('a tofu-controller (GitOps) Promise', () => {
  let project: string;
  let config: ProjectConfig;
  beforeAll(() => {
    project = makeProject();
    config = readConfig(project);
  });

  test('render runs the workflow locally, emulating Kratix around it', async () => {
    const run = await renderIn(config, { promise: 'postgres', requestFile: 'promises/postgres/example-request.yaml', outDir: 'out' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Postgres team-orders\/orders-db: Synthesized 1 Terraform resource.*\n\s+wrote postgres-team-orders-orders-db-[0-9a-f]{20}\.yaml/,
    );
    const files = Object.keys(snapshotTree(join(project, 'out'))).sort();
    expect(files).toHaveLength(4);
    expect(files.slice(0, 3)).toEqual(['input/object.yaml', 'metadata/status.yaml', 'object.yaml']);
    expect(files[3]).toMatch(/^output\/postgres-team-orders-orders-db-[0-9a-f]{20}\.yaml$/);
    expect(statSync(join(project, 'out', 'input', 'object.yaml')).mode & 0o222).toBe(0); // read-only, as Kratix mounts it
    const object = parse(snapshotTree(join(project, 'out'))['object.yaml']!);
    expect(object.status.terraform.delivery).toBe('tofu-controller');
    // Nothing about Terraform files or --apply: render wrote none and refuses --apply here.
    expect(run.stdout).not.toMatch(/main\.tf\.json|commands\.sh|--apply/);
    expect(run.stdout).toMatch(/status: out\/object\.yaml/);
  });

  test('an invalid request exits 1, names the field, and leaves the output empty', async () => {
    writeFileSync(
      join(project, 'bad.yaml'),
      'apiVersion: data.example.com/v1alpha1\nkind: Postgres\nmetadata: {name: x, namespace: y}\nspec: {storageGiB: 1}\n',
    );
    const run = await renderIn(config, { promise: 'postgres', requestFile: 'bad.yaml', outDir: 'bad-out' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/✖ spec\.storageGiB: 1 is below the minimum 20/);
    expect(run.stderr).toMatch(/Kratix suspends this workflow until the request's spec changes .*: Postgres x: invalid request: .*spec\.storageGiB/);
    const files = snapshotTree(join(project, 'bad-out'));
    expect(Object.keys(files).filter((f) => f.startsWith('output/'))).toEqual([]);
    expect(parse(files['metadata/status.yaml']!).message).toMatch(/spec\.storageGiB/);
    expect(parse(files['metadata/workflow-control.yaml']!)).toEqual({ suspend: true, message: expect.stringMatching(/spec\.storageGiB/) });
    // The workflow exited 0, so Kratix's status-writer merges the status: the requester reads why.
    expect(parse(files['object.yaml']!).status.conditions).toEqual([
      expect.objectContaining({ type: 'RequestValid', status: 'False' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'InvalidRequest' }),
    ]);
  });

  test('a workflow that crashes (exits non-zero) leaves the request as it was, as in Kratix', async () => {
    const out = join(project, 'crash-out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'object.yaml'), 'left over from an earlier render');
    const env = { ...process.env, KRATIX_CDKTF_WORKFLOW_CONTROL: 'maybe' };
    const run = await renderIn(config, { promise: 'postgres', requestFile: 'promises/postgres/example-request.yaml', outDir: 'crash-out', env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/KRATIX_CDKTF_WORKFLOW_CONTROL="maybe" is not "true" or "false"/);
    expect(run.stderr).toMatch(/the workflow exited with 2: in Kratix the pipeline's Job fails and none of its status reaches the request/);
    expect(existsSync(join(out, 'object.yaml'))).toBe(false);
  });

  test('--action delete runs the delete workflow', async () => {
    const run = await renderIn(config, { promise: 'postgres', requestFile: 'promises/postgres/example-request.yaml', outDir: 'del', action: 'delete' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/destroys the stack/);
  });

  test('--apply is refused: render never runs terraform for GitOps delivery, so there is nothing to apply', async () => {
    const run = await renderIn(config, { promise: 'postgres', requestFile: 'promises/postgres/example-request.yaml', outDir: 'refused', apply: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/render --apply: postgres delivers through tofu-controller .*never runs terraform/);
    expect(run.stderr).toMatch(/fix: drop --apply/);
    expect(existsSync(join(project, 'refused'))).toBe(false);
  });

  test('a Promise that does not exist is named with its file', async () => {
    await expect(renderIn(config, { promise: 'nope', requestFile: 'x.yaml', outDir: 'o' })).rejects.toThrow(/promises\/nope\/index\.ts: could not be loaded/);
  });
});

describe('an apply-mode Promise', () => {
  // Fake credentials, as a Pipeline's envFrom would provide them: none may appear in any file.
  const PG_CONN_STR = 'postgres://kratix:pg-password-not-real-7781@db.invalid:5432/state';
  const AWS_SECRET_ACCESS_KEY = 'aws-secret-not-real-0123456789abcdef';
  let root: string;
  let config: ProjectConfig;
  let calls: string;
  let env: Record<string, string | undefined>;
  const recorded = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);
  const request = (name: string, file: string, spec: Record<string, unknown> = { message: 'rendered' }) =>
    writeFileSync(join(root, file), requestYaml(echo, spec, { name, namespace: 'team-a' }));
  // The commands of commands.sh, each with its first alternative: what a run that meets no
  // failure executes.
  const commandsOf = (out: string) =>
    readFileSync(join(root, out, 'terraform', 'commands.sh'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('terraform '))
      .map((line) =>
        line
          .split(' || ')[0]!
          .replace(/ \d?>.*$/, '')
          .slice('terraform '.length),
      ); // the command, without redirections

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kratix-cdktf-render-apply-'));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'p', version: '1.0.0', type: 'module', 'kratix-cdktf': { promisesDir: join(REPO, 'test', 'fixtures') } }),
    );
    config = readConfig(root);
    // A terraform that records every call (and the configuration it was given) and fails,
    // unless told to succeed.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    calls = join(root, 'terraform-calls.log');
    writeFileSync(
      join(bin, 'terraform'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n[ -f main.tf.json ] && cp main.tf.json '${calls}.main.tf.json'\nexit "\${FAKE_TERRAFORM_EXIT:-1}"\n`,
    );
    chmodSync(join(bin, 'terraform'), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME,
      PG_CONN_STR,
      AWS_SECRET_ACCESS_KEY,
      // Reading a Secret would fail here: a render that tried would not exit 0.
      KRATIX_CDKTF_KUBE_API: 'http://127.0.0.1:9',
      KRATIX_CDKTF_WORK_DIR: join(root, 'work'),
    };
    request('rendered', 'request.yaml', { message: 'rendered', token: { name: 'creds', key: 'token' } });
    request('plain', 'plain.yaml');
  });

  test('render runs no terraform and writes the configuration and commands it would run', async () => {
    const run = await renderIn(config, { promise: 'echo-applied', requestFile: 'request.yaml', outDir: 'out', env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(recorded()).toEqual([]);
    expect(existsSync(join(root, 'work'))).toBe(false);

    const files = snapshotTree(join(root, 'out'));
    expect(Object.keys(files).sort()).toEqual(['input/object.yaml', 'metadata/status.yaml', 'object.yaml', 'terraform/commands.sh', 'terraform/main.tf.json']);
    const main = JSON.parse(files['terraform/main.tf.json']!);
    expect(main.terraform.backend).toEqual({ pg: { schema_name: 'kratix_snapshot_test' } });
    // The stack's resource, the record of the request's owner, which the apply's plan checks, and
    // the stack record, which tells drift from requested changes.
    expect(Object.keys(main.resource.terraform_data)).toEqual(['echo', 'kratix_cdktf_owner', 'kratix_cdktf_stack']);
    expect(main.output.message.value).toBe('rendered');

    const commands = commandsOf('out');
    const slug = parse(files['metadata/status.yaml']!).terraform.workspace;
    expect(slug).toMatch(/^echo-applied-team-a-rendered-[0-9a-f]{20}$/);
    // The rest is written inside the drift check's branches (exit code 2, 0, or a failure).
    expect(commands).toEqual(['init -input=false -no-color', 'plan -input=false -no-color -json -lock=false -detailed-exitcode -out=drift.tfplan']);
    const script = files['terraform/commands.sh']!;
    expect(script).toContain(`\nexport TF_WORKSPACE=${slug}\nset +e\nterraform plan `);
    expect(script).toContain(' -out=drift.tfplan > .drift-check.out\nchecked=$?\nset -e\nif [ "$checked" = 2 ]; then\n');
    expect(script).toContain(`\n  if grep -E '"type":"(planned_change|resource_drift)"' .drift-check.out | grep -qv`);
    expect(script).toContain('\n    terraform show -json -no-color drift.tfplan > .drift-detail.json || true\n  fi\n');
    expect(script).toContain('\n  terraform apply -input=false -no-color -json -lock-timeout=5m drift.tfplan || terraform apply -auto-approve ');
    expect(script).toContain(
      '\nelif [ "$checked" = 0 ]; then\n  # outputs: the plan changes nothing: read the outputs, apply nothing\n  terraform output -no-color -json\nelse\n',
    );
    expect(script).toContain('\n  terraform apply -auto-approve -input=false -no-color -json -lock-timeout=5m > .apply.out || {\n');
    // Only for a state that records no owner yet: the owner output is checked, then the owner recorded.
    expect(script).toContain("grep -qF 'kratix-cdktf-owner: null' .apply.out || {");
    expect(script).toContain('    terraform apply -auto-approve -input=false -no-color -json -lock-timeout=5m -var=kratix_cdktf_record_owner=true\n  }\nfi\n');
    expect(script).toMatch(/the pg backend reads: PG_CONN_STR\n/);
    expect(script).toContain(`[ "$(cat .owner)" = '"echo-applied/team-a/rendered"' ] || {`);
    expect(main.output.kratix_cdktf_owner.value).toBe('${terraform_data.kratix_cdktf_owner.output}');
    expect(main.output.kratix_cdktf_owner.precondition).toEqual([
      {
        condition: '${terraform_data.kratix_cdktf_owner.output == "echo-applied/team-a/rendered"}',
        error_message:
          'The state in this workspace must record this request (echo-applied/team-a/rendered) as its owner; nothing was changed. kratix-cdktf-owner: ${jsonencode(terraform_data.kratix_cdktf_owner.output)}',
      },
    ]);
    expect(script).toMatch(/TF_VAR_secret_[0-9a-f]+: set by the workflow from the Secret "team-a\/creds", key "token"/);

    const status = parse(files['object.yaml']!).status;
    expect(status.message).toMatch(/^Rendered, not applied: terraform apply in workspace .* was not run; .*--apply/);
    expect(status.conditions.at(-1)).toMatchObject({ type: 'TerraformApplied', status: 'Unknown', reason: 'NotRun' });
    // Nothing ran: a render says nothing about whether Terraform converged.
    expect(status.conditions.map((c: { type: string }) => c.type)).not.toContain('Ready');
    expect(run.stdout).toContain('wrote out/terraform/main.tf.json');
    expect(run.stdout).toContain('wrote out/terraform/commands.sh');
    expect(run.stdout).toMatch(/Nothing was applied\. To run terraform for real.*\n\s+kratix-cdktf render echo-applied request\.yaml --out out --apply$/);

    // Names of the credentials, never their values.
    const written = Object.values(files).join('\n') + run.stdout;
    for (const secret of [PG_CONN_STR, AWS_SECRET_ACCESS_KEY, 'pg-password-not-real-7781']) expect(written).not.toContain(secret);
  });

  test('for delete, the commands destroy, then remove the workspace', async () => {
    const run = await renderIn(config, { promise: 'echo-applied', requestFile: 'request.yaml', outDir: 'del', action: 'delete', env });
    expect(run.code).toBe(0);
    expect(recorded()).toEqual([]);
    const commands = commandsOf('del');
    expect(commands.slice(1)).toEqual([
      'output -no-color -json kratix_cdktf_owner',
      'destroy -auto-approve -input=false -no-color -json -lock-timeout=5m',
      expect.stringMatching(/^workspace delete -no-color -lock-timeout=5m echo-applied-team-a-rendered-[0-9a-f]{20}$/),
    ]);
    expect(parse(readFileSync(join(root, 'del', 'object.yaml'), 'utf8')).status.conditions.at(-1)).toMatchObject({
      type: 'TerraformDestroyed',
      status: 'Unknown',
    });
  });

  test('--apply runs terraform: exactly the rendered commands, on the rendered configuration', async () => {
    // A terraform that fails: the run stops at init, and says so.
    const failing = await renderIn(config, { promise: 'echo-applied', requestFile: 'plain.yaml', outDir: 'applied', apply: true, env });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/Kratix runs this pipeline again in 30s: Terraform init failed/);
    expect(recorded()).toEqual(['init -input=false -no-color']);
    expect(parse(readFileSync(join(root, 'applied', 'object.yaml'), 'utf8')).status.message).toMatch(/^Terraform init failed/);
    // A terraform that succeeds at everything: every command runs, as rendered.
    for (const [action, dryRun] of [
      ['configure', false],
      ['delete', false],
      ['configure', true],
      ['delete', true],
    ] as const) {
      writeFileSync(calls, '');
      const runEnv = { ...env, FAKE_TERRAFORM_EXIT: '0', KRATIX_DRY_RUN: String(dryRun) };
      const rendered = await renderIn(config, { promise: 'echo-applied', requestFile: 'plain.yaml', outDir: 'plain', action, env: runEnv });
      expect(rendered.code).toBe(0);
      expect(recorded()).toEqual([]);
      const applied = await renderIn(config, { promise: 'echo-applied', requestFile: 'plain.yaml', outDir: 'applied', action, apply: true, env: runEnv });
      expect(applied.code, applied.stderr).toBe(0);
      // A configure's commands after the drift check are in its branches: with a terraform that
      // exits 0, the check's plan changes nothing, and the outputs are read.
      const plain = commandsOf('plain');
      const expected = action === 'configure' && !dryRun ? [...plain, 'output -no-color -json'] : plain;
      expect(recorded(), `${action}${dryRun ? ', dry run' : ''}`).toEqual(expected);
      if (action === 'configure' && !dryRun)
        expect(readFileSync(join(root, 'plain', 'terraform', 'commands.sh'), 'utf8')).toContain('\n  terraform output -no-color -json\n');
      expect(readFileSync(`${calls}.main.tf.json`, 'utf8')).toBe(readFileSync(join(root, 'plain', 'terraform', 'main.tf.json'), 'utf8'));
      expect(existsSync(join(root, 'applied', 'terraform'))).toBe(false);
    }
    expect(commandsOf('plain')).toContain('plan -destroy -input=false -no-color -json -lock=false');
  });

  test('a configuration that would hold a credential is not written', async () => {
    // The control: the value reaches main.tf.json through request data, as it could through an
    // author's code reading the environment.
    request('leaky', 'leaky.yaml', { message: AWS_SECRET_ACCESS_KEY });
    const run = await renderIn(config, { promise: 'echo-applied', requestFile: 'leaky.yaml', outDir: 'leaky', env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/✖ main\.tf\.json: holds the value of AWS_SECRET_ACCESS_KEY/);
    expect(existsSync(join(root, 'leaky', 'terraform'))).toBe(false);
    expect(run.stderr).not.toContain(AWS_SECRET_ACCESS_KEY);
  });

  // The one spawn of `kratix-cdktf render`: the command the README shows, through bin/ and main.ts.
  test('the kratix-cdktf command passes --apply through: the recording terraform is called', () => {
    writeFileSync(calls, '');
    const run = spawnSync(process.execPath, [join(REPO, 'bin', 'kratix-cdktf.js'), 'render', 'echo-applied', 'plain.yaml', '--out', 'cli', '--apply'], {
      cwd: root,
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/terraform init failed/);
    expect(recorded()).toEqual(['init -input=false -no-color']);
  });
});

test('usage errors say what is wrong', () => {
  const error = (...args: string[]) => {
    const parsed = parseRenderArgs(args);
    return parsed.ok ? '' : parsed.message;
  };
  expect(error('postgres')).toMatch(/render needs a Promise name, a request file and --out <dir>/);
  expect(error('postgres', 'x.yaml', '--out', 'o', '--action', 'update')).toMatch(/--action must be configure or delete, not "update"/);
  expect(error('postgres', 'x.yaml', '--out', 'o', '--aply')).toBe("render: Unknown option '--aply'");
  expect(error('postgres', 'x.yaml', '--out', 'o', '--apply=yes')).toBe("render: Option '--apply' does not take an argument");
  expect(parseRenderArgs(['postgres', 'x.yaml', '--out', 'o', '--apply'])).toEqual({
    ok: true,
    value: { promise: 'postgres', requestFile: 'x.yaml', outDir: 'o', action: 'configure', apply: true },
  });
  expect(parseRenderArgs(['postgres', 'x.yaml', '--out', 'o'])).toMatchObject({ ok: true, value: { apply: false } });
});

test('the status merge is shallow, merges conditions by type and rejects a kratix key', () => {
  const previous = {
    message: 'old',
    outputs: { a: 1, b: 2 },
    conditions: [
      { type: 'A', status: 'True' },
      { type: 'B', status: 'True' },
    ],
  };
  expect(mergeStatus(previous, { outputs: { a: 3 }, conditions: [{ type: 'B', status: 'False' }] })).toEqual({
    message: 'old',
    outputs: { a: 3 },
    conditions: [
      { type: 'A', status: 'True' },
      { type: 'B', status: 'False' },
    ],
  });
  expect(() => mergeStatus({}, { kratix: {} })).toThrow(/top-level "kratix" key/);
});
