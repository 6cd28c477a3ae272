// The apply-mode script as data: how long its steps wait out other runs. Runs nothing.
import { expect, test } from 'vitest';
import { terraformScript } from '../../src/delivery/apply/terraform-script.js';
import { durationMs } from '../../src/workflow/control.js';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';

const script = (action: 'configure' | 'delete', lockTimeout?: string) =>
  terraformScript({
    delivery: applyInWorkflow({ backend: pgBackend(), ...(lockTimeout ? { lockTimeout } : {}) }),
    promise: 'echo',
    slug: 'echo-team-a-x',
    owner: 'echo/team-a/x',
    namespace: 'team-a',
    stack: {},
    secrets: [],
    action,
    dryRun: false,
  });

test('-lock-timeout is read as Terraform reads it, a Go duration', () => {
  expect(durationMs('5m')).toBe(300_000);
  expect(durationMs('0')).toBe(0);
  expect(durationMs('0s')).toBe(0);
  expect(durationMs('1.5h')).toBe(5_400_000);
  expect(durationMs('2h45m30.5s')).toBe(9_930_500);
  expect(durationMs('300ms')).toBe(300);
  for (const bad of ['', '5', '5 m', 'm', '5min', '1s ']) expect(durationMs(bad), bad).toBeUndefined();
});

test('steps that may create or delete a workspace wait out a lock held by another run for the lock timeout, since Terraform does not', () => {
  const waits = (s: ReturnType<typeof script>) => s.steps.filter((step) => step.retryWhen).map((step) => [step.phase, step.retryWithinMs]);
  // The apply creates the workspace on a first run (TF_WORKSPACE); the second apply is the one
  // that records the owner of a state that records none.
  expect(waits(script('configure'))).toEqual([
    ['init', 16_000],
    // Not the drift check's plan: it takes no lock, and on a first run, which has nothing to
    // drift from, the apply after it waits for the workspace's creation.
    ['apply', 300_000],
    ['apply', 300_000],
    ['apply', 300_000],
  ]);
  // Reading the owner output of a workspace that does not exist creates it.
  expect(waits(script('delete', '90s'))).toEqual([
    ['init', 16_000],
    ['owner check', 90_000],
    ['workspace delete', 90_000],
  ]);
  // No lock timeout, no waiting: the run fails at the first refusal, as Terraform's own locks do.
  expect(waits(script('delete', '0s')).filter(([phase]) => phase !== 'init')).toEqual([
    ['owner check', 0],
    ['workspace delete', 0],
  ]);
});

test('a reconcile runs init, the drift check’s plan, then output or the saved plan’s apply; the owner check and a second apply only for a state that records no owner', () => {
  const { steps } = script('configure');
  const workspace = { TF_WORKSPACE: 'echo-team-a-x' };
  const when = (s: (typeof steps)[number]) => s.onlyAfter?.says ?? (s.onlyIfPlan ? `plan shows ${s.onlyIfPlan.shows}` : undefined);
  expect(steps.map((s) => [s.phase, s.attempts.map((a) => a.args.join(' ')).join(' || '), s.env, when(s)])).toEqual([
    ['init', 'init -input=false -no-color', undefined, undefined],
    ['drift check', 'plan -input=false -no-color -json -lock=false -detailed-exitcode -out=drift.tfplan', workspace, undefined],
    ['drift detail', 'show -json -no-color drift.tfplan', workspace, 'plan shows request changes'],
    // Nothing to change: the outputs are read, nothing is applied.
    ['outputs', 'output -no-color -json', workspace, 'plan shows no changes'],
    // The check's saved plan is applied; a fresh plan only when another run changed the state since.
    [
      'apply',
      'apply -input=false -no-color -json -lock-timeout=5m drift.tfplan || apply -auto-approve -input=false -no-color -json -lock-timeout=5m',
      workspace,
      'plan shows changes',
    ],
    // The check failed: as before the check, one apply whose plan checks the owner...
    ['apply', 'apply -auto-approve -input=false -no-color -json -lock-timeout=5m', workspace, ''],
    ['owner check', 'output -no-color -json kratix_cdktf_owner', workspace, 'kratix-cdktf-owner: null'],
    ['apply', 'apply -auto-approve -input=false -no-color -json -lock-timeout=5m -var=kratix_cdktf_record_owner=true', workspace, 'kratix-cdktf-owner: null'],
  ]);
  expect(steps.filter((s) => s.checksOwner).map((s) => s.phase)).toEqual(['drift check', 'apply', 'apply', 'apply']);
  expect(steps.filter((s) => s.checksOwner).every((s) => s.checksOwner === 'echo/team-a/x')).toBe(true);
  expect(steps.filter((s) => s.optional).map((s) => s.phase)).toEqual(['drift check', 'drift detail']);
  expect(steps.find((s) => s.afterDriftCheck)?.phase).toBe('outputs');
  // The configuration records the owner and checks it, whatever the stack declares itself.
  const main = JSON.parse(
    terraformScript({
      delivery: applyInWorkflow({ backend: pgBackend() }),
      promise: 'echo',
      slug: 'echo-team-a-x',
      owner: 'echo/team-a/x',
      namespace: 'team-a',
      stack: { variable: { a: {} }, resource: { terraform_data: { b: {} } }, import: [{ to: 'terraform_data.b', id: 'b' }], output: { c: { value: 1 } } },
      secrets: [],
      action: 'configure',
      dryRun: false,
    }).files.get('main.tf.json')!,
  );
  expect(Object.keys(main.variable)).toEqual(['a', 'kratix_cdktf_record_owner']);
  expect(Object.keys(main.resource.terraform_data)).toEqual(['b', 'kratix_cdktf_owner', 'kratix_cdktf_stack']);
  // The stack record: a digest per resource, the providers', and each variable's, computed by Terraform.
  expect(Object.keys(main.resource.terraform_data.kratix_cdktf_stack.input)).toEqual(['terraform_data.b', '(providers)', 'var.a']);
  expect(main.resource.terraform_data.kratix_cdktf_stack.input['var.a']).toBe('${sha256(jsonencode(var.a))}');
  expect(main.import.map((i: { to: string }) => i.to)).toEqual(['terraform_data.b', 'terraform_data.kratix_cdktf_owner']);
  expect(main.output.kratix_cdktf_owner.precondition[0].condition).toBe('${terraform_data.kratix_cdktf_owner.output == "echo/team-a/x"}');
  expect(Object.keys(main.output)).toEqual(['c', 'kratix_cdktf_owner']);
});

test('the lock refusals waited out are the backends’ own words for a lock another run holds', () => {
  // As the runs report them: `workspace new` prints the backend's error, `workspace delete`
  // Terraform's "Error acquiring the state lock" around it (texts from Terraform 1.11.4's pg and
  // kubernetes backends, client.go).
  const info = 'Lock Info: ID: 28d245ac-4c4c-b952-7e6f-5ee90212d535 Path: Operation: state-replace-provider Who: root@vm Version: 1.11.4';
  const held = [
    'failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-x',
    // An apply or output creating the workspace (TF_WORKSPACE), as they report it.
    `error loading state: failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-x ${info.replace('state-replace-provider', 'init')}`,
    `Failed to load state: failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-x ${info.replace('state-replace-provider', 'init')}`,
    `Error acquiring the state lock: Error message: Cannot lock workspace; already locked for workspace creation: echo-team-a-x ${info}`,
    `Error acquiring the state lock: Error message: Workspace is already locked: echo-team-a-x ${info}`,
    `Error acquiring the state lock: Error message: the state is already locked by another terraform client ${info}`,
  ];
  const other = [
    'Workspace is not empty: Workspace "echo-team-a-x" is currently tracking the following resource instances: - terraform_data.echo',
    'Workspace "echo-team-a-x" doesn\'t exist.',
    'failed to lock s3 state: operation error S3: PutObject, https response error StatusCode: 403, api error AccessDenied: Access Denied',
    'Error acquiring the state lock: Error message: dial tcp 127.0.0.1:5432: connect: connection refused',
    'Error loading state: pq: password authentication failed for user "postgres"',
  ];
  for (const step of [...script('configure').steps, ...script('delete').steps].filter((s) => s.phase !== 'init' && s.retryWhen)) {
    for (const text of held) expect(step.retryWhen!.test(text), `${step.phase}: ${text}`).toBe(true);
    for (const text of other) expect(step.retryWhen!.test(text), `${step.phase}: ${text}`).toBe(false);
  }
});

test('with plan policies, the drift check’s plan is read whenever it changes something, and only that plan is ever applied after it', () => {
  const props = { ...script('configure').props, inspectChanges: true };
  const inspected = terraformScript(props);
  expect(inspected.steps.find((s) => s.phase === 'drift detail')!.onlyIfPlan).toEqual({ phase: 'drift check', shows: 'changes' });
  const saved = inspected.steps.find((s) => s.phase === 'apply' && s.onlyIfPlan)!;
  // No fallback to a fresh plan-and-apply when the saved plan is stale: that plan was never checked.
  expect(saved.attempts.map((a) => a.args.at(-1))).toEqual(['drift.tfplan']);
  const plain = script('configure').steps.find((s) => s.phase === 'apply' && s.onlyIfPlan)!;
  expect(plain.attempts).toHaveLength(2);
  // A dry run saves its plan and reads it for them.
  const dry = terraformScript({ ...props, dryRun: true });
  expect(dry.steps.find((s) => s.phase === 'plan')!.attempts[0]!.args).toContain('-out=drift.tfplan');
  expect(dry.steps.at(-1)!.phase).toBe('plan detail');
});
