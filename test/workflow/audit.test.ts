// The audit trail (src/workflow/audit.ts): a JSON record per stage on stdout, the last runs in
// status.audit, and nothing of the request's values in either.
import { expect, test } from 'vitest';
import { AUDIT_HISTORY, AUDIT_KIND } from '../../src/workflow/audit.js';
import echo from '../fixtures/echo/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const records = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((r) => r.kind === AUDIT_KIND);
const object = (spec: unknown, status?: unknown) => {
  const request = JSON.parse(requestYaml(echo, spec, { name: 'audited', namespace: 'team-a', generation: 7 }));
  return JSON.stringify(status === undefined ? request : { ...request, status });
};

test('a run prints one record per stage, who it was for and how long each took, and keeps itself in status.audit', async () => {
  const ran = await runRequest(echo, object({ message: 'the-secret-plan-42' }));
  expect(ran.ending, ran.stderr).toBe('done');
  const stages = records(ran.stdout);
  expect(stages.map((r) => [r.stage, r.verdict])).toEqual([
    ['validate', 'passed'],
    ['synthesize', 'passed'],
    ['deliver', 'passed'],
  ]);
  for (const r of stages) {
    expect(r).toMatchObject({
      promise: 'echo',
      action: 'configure',
      at: '2026-01-01T00:00:00Z',
      request: { name: 'audited', namespace: 'team-a', generation: 7 },
    });
    expect(Number.isInteger(r.durationMs) && r.durationMs >= 0).toBe(true);
  }
  expect(ran.status.audit).toEqual([
    {
      at: '2026-01-01T00:00:00Z',
      generation: 7,
      action: 'configure',
      verdict: 'done',
      stages: [
        { stage: 'validate', verdict: 'passed' },
        { stage: 'synthesize', verdict: 'passed' },
        { stage: 'deliver', verdict: 'passed' },
      ],
    },
  ]);
  // Names, verdicts and counts only: no request value reaches a record.
  expect(JSON.stringify(stages) + JSON.stringify(ran.status.audit)).not.toContain('the-secret-plan-42');
});

test('a refusal is recorded at its stage, with its reason and how many problems, and the run ends there', async () => {
  const ran = await runRequest(echo, object({ message: 42 }));
  expect(records(ran.stdout).map((r) => [r.stage, r.verdict, r.reason, r.issues])).toEqual([['validate', 'refused', 'InvalidRequest', 1]]);
  expect(ran.status.audit.at(-1)).toMatchObject({
    verdict: 'suspend',
    stages: [{ stage: 'validate', verdict: 'refused', reason: 'InvalidRequest', issues: 1 }],
  });
});

test(`status.audit keeps the last ${AUDIT_HISTORY} runs, and ignores what is not a run`, async () => {
  const earlier = Array.from({ length: AUDIT_HISTORY }, (_, i) => ({ at: `2025-12-0${i + 1}T00:00:00Z`, action: 'configure', verdict: 'done', stages: [] }));
  const ran = await runRequest(echo, object({}, { audit: [...earlier, 'junk', null, { no: 'at' }] }));
  expect(ran.status.audit).toHaveLength(AUDIT_HISTORY);
  expect(ran.status.audit[0].at).toBe('2025-12-02T00:00:00Z');
  expect(ran.status.audit.at(-1).at).toBe('2026-01-01T00:00:00Z');
  const odd = await runRequest(echo, object({}, { audit: 'not a list' }));
  expect(odd.status.audit).toHaveLength(1);
});

test('a stage the Promise no longer has does not leave its earlier False condition standing', async () => {
  // Kratix merges conditions by type and never drops one: the run says the stage is gone.
  const earlier = (types: string[]) =>
    JSON.stringify({
      ...JSON.parse(requestYaml(echo, {}, { name: 'was-refused', namespace: 'team-a' })),
      status: { conditions: types.map((type) => ({ type, status: 'False', reason: 'x', message: 'x', lastTransitionTime: '2026-12-01T00:00:00Z' })) },
    });
  const run = await runRequest(echo, earlier(['PoliciesPassed', 'Approved', 'WithinBudget']));
  expect(run.ending, run.stderr).toBe('done');
  for (const type of ['PoliciesPassed', 'Approved', 'WithinBudget'])
    expect(run.status.conditions).toContainEqual(expect.objectContaining({ type, status: 'True', reason: 'NotConfigured' }));
  // Nothing said about stages that never reported.
  const fresh = await runRequest(echo, earlier([]));
  expect(fresh.status.conditions.map((c: { type: string }) => c.type)).not.toContain('PoliciesPassed');
});
