// The durations in apply mode's options (src/kratix/delivery.ts) are checked at synth, where the
// author reads the error, and not first in the container on a tenant's request.
import { expect, test } from 'vitest';
import { applyInWorkflow, pgBackend, tofuController } from '../../src/index.js';
import { renderWidget, SOURCE_REF } from '../helpers/widget.js';

const issues = (delivery: unknown) => {
  const result = renderWidget({ delivery });
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}${i.fix ? ` (fix: ${i.fix})` : ''}`);
};

test('durations Terraform and Kratix can read pass, the defaults too', () => {
  expect(issues(applyInWorkflow({ backend: pgBackend() }))).toEqual([]);
  expect(issues(applyInWorkflow({ backend: pgBackend(), lockTimeout: '90s', retry: { first: '1m', max: '2h30m' } }))).toEqual([]);
  expect(issues(tofuController({ sourceRef: SOURCE_REF }))).toEqual([]);
});

test('a duration without a unit, a negative one, or one of another type is named with the fix', () => {
  expect(issues(applyInWorkflow({ backend: pgBackend(), lockTimeout: '5' }))).toEqual([
    'delivery.lockTimeout: "5" is not a duration (fix: write a number with a unit: "30s", "5m", "1h30m")',
  ]);
  expect(issues(applyInWorkflow({ backend: pgBackend(), retry: { first: '-1m', max: 60 as never } }))).toEqual([
    'delivery.retry.first: "-1m" is not a duration (fix: write a number with a unit: "30s", "5m", "1h30m")',
    'delivery.retry.max: 60 is not a duration (fix: write a number with a unit: "30s", "5m", "1h30m")',
  ]);
});

test('a retry with no wait, or a longest wait shorter than the first, is refused', () => {
  expect(issues(applyInWorkflow({ backend: pgBackend(), retry: { first: '0s' } }))).toEqual([
    'delivery.retry.first: is 0: Kratix would run a failing pipeline again at once, without end (fix: wait at least "10s")',
  ]);
  expect(issues(applyInWorkflow({ backend: pgBackend(), retry: { first: '10m', max: '1m' } }))).toEqual([
    'delivery.retry.max: 1m is shorter than retry.first (10m) (fix: make max at least first)',
  ]);
});
