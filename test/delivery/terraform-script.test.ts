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

test('workspace steps wait out a lock held by another run for the lock timeout, since Terraform does not', () => {
  const waits = (s: ReturnType<typeof script>) => s.steps.filter((step) => step.retryWhen).map((step) => [step.phase, step.retryWithinMs]);
  expect(waits(script('configure'))).toEqual([
    ['init', 16_000],
    ['workspace select', 300_000],
  ]);
  expect(waits(script('delete', '90s'))).toEqual([
    ['init', 16_000],
    ['workspace select', 90_000],
    ['workspace delete', 90_000],
  ]);
  // No lock timeout, no waiting: the run fails at the first refusal, as Terraform's own locks do.
  expect(waits(script('delete', '0s')).filter(([phase]) => phase !== 'init')).toEqual([
    ['workspace select', 0],
    ['workspace delete', 0],
  ]);
});

test('the lock refusals waited out are the backends’ own words for a lock another run holds', () => {
  // As the runs report them: `workspace new` prints the backend's error, `workspace delete`
  // Terraform's "Error acquiring the state lock" around it (texts from Terraform 1.11.4's pg and
  // kubernetes backends, client.go).
  const info = 'Lock Info: ID: 28d245ac-4c4c-b952-7e6f-5ee90212d535 Path: Operation: state-replace-provider Who: root@vm Version: 1.11.4';
  const held = [
    'failed to lock state in Postgres: Already locked for workspace creation: echo-team-a-x',
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
  for (const step of script('delete').steps.filter((s) => s.phase.startsWith('workspace ') && s.retryWhen)) {
    for (const text of held) expect(step.retryWhen!.test(text), `${step.phase}: ${text}`).toBe(true);
    for (const text of other) expect(step.retryWhen!.test(text), `${step.phase}: ${text}`).toBe(false);
  }
});
