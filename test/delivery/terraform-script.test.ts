// The apply-mode script as data: how long its steps wait out other runs. Runs nothing.
import { expect, test } from 'vitest';
import { durationMs, terraformScript } from '../../src/delivery/terraform-script.js';
import { applyInWorkflow, pgBackend } from '../../src/promise/delivery.js';

const script = (action: 'configure' | 'delete', lockTimeout?: string) =>
  terraformScript({
    delivery: applyInWorkflow({ backend: pgBackend(), ...(lockTimeout ? { lockTimeout } : {}) }),
    promise: 'echo',
    slug: 'echo-team-a-x',
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
