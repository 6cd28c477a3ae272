// Approval in apply mode, with real Terraform and PostgreSQL: a plan that needs a person is not
// applied; its digest and summary go to status and the run suspends; the request annotated with
// that digest applies it; a changed request plans again, and its new plan waits again.
import { DataResource } from 'cdktf';
import { expect, test } from 'vitest';
import { APPROVED_PLAN_ANNOTATION } from '../../src/approval/index.js';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { definePromise, Type } from '../../src/index.js';
import { requestSlug } from '../../src/workflow/run.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SCHEMA = 'kratix_approval_test';
const t = applyEnvironment(SCHEMA);

// A cache whose `generation` forces a new resource (as an engine version does): its
// replacement needs a person, its size does not.
const cache = (approval: Parameters<typeof definePromise>[0]['approval']) =>
  definePromise({
    name: 'cache',
    api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Cache' },
    spec: Type.Object({
      generation: Type.Integer({ default: 1 }),
      sizeMiB: Type.Integer({ default: 64 }),
      password: Type.String({ default: 'hunter2-in-a-plan' }),
    }),
    outputs: { size: {} },
    delivery: applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }) }),
    ...(approval ? { approval } : {}),
    stack(scope, { spec }) {
      const node = new DataResource(scope, 'node', {
        input: { sizeMiB: spec.sizeMiB, password: spec.password },
        triggersReplace: { generation: spec.generation },
      });
      return { size: `\${${node.fqn}.output.sizeMiB}` };
    },
  });
const approvers = { groups: ['platform-approvers'] };

const state = (name: string) => {
  const row = t.pg.query(`select data from ${SCHEMA}.states where name = '${requestSlug('cache', { metadata: meta(name) })}'`);
  return row ? JSON.parse(row) : undefined;
};
const nodeOf = (name: string) => state(name)?.resources.find((r: { name: string }) => r.name === 'node')?.instances[0]?.attributes;
// Kratix writes the whole object, metadata.generation included: an approval is bound to it.
const run = (def: ReturnType<typeof cache>, name: string, spec: Record<string, unknown>, approved?: string, generation = 1) =>
  runRequest(def, requestYaml(def, spec, { ...meta(name), generation, ...(approved ? { annotations: { [APPROVED_PLAN_ANNOTATION]: approved } } : {}) }), t.env);

test('every change needs approval: the first plan waits, the approved digest is applied, a changed request waits again with a new digest', async () => {
  const def = cache({ approvers, anyChange: true });
  const first = await run(def, 'a', { sizeMiB: 64 });
  expect(first.ending, first.stderr).toBe('suspended');
  const waiting = first.status.approval;
  expect(waiting).toMatchObject({ needed: true, approved: false, reasons: ['every change needs approval'] });
  expect(waiting.plan).toMatch(/^[0-9a-f]{64}$/);
  expect(waiting.summary).toEqual([{ address: 'terraform_data.node', action: 'create' }]);
  expect(first.status.conditions).toContainEqual(expect.objectContaining({ type: 'Approved', status: 'False', reason: 'AwaitingApproval' }));
  expect(first.status.message).toMatch(new RegExp(`plan ${waiting.plan} needs approval: every change needs approval`));
  expect(nodeOf('a')).toBeUndefined();
  // The digest is in status.terraform and in the deliver stage's audit record too.
  expect(first.status.terraform.plan).toBe(waiting.plan);
  const deliver = first.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"kind":"kratix-cdktf.audit"'))
    .map((l) => JSON.parse(l))
    .find((r) => r.stage === 'deliver');
  expect(deliver).toMatchObject({ verdict: 'refused', reason: 'AwaitingApproval', plan: waiting.plan });

  // The approver's digest, on the request: this run's fresh plan is the same, so it is applied.
  const applied = await run(def, 'a', { sizeMiB: 64 }, waiting.plan);
  expect(applied.ending, applied.stderr).toBe('done');
  expect(applied.status.approval).toMatchObject({ needed: true, approved: true, plan: waiting.plan });
  expect(applied.status.conditions).toContainEqual(expect.objectContaining({ type: 'Approved', status: 'True' }));
  expect(nodeOf('a').input.value.sizeMiB).toBe(64);

  // Nothing to change: no plan to judge, and status.approval is left as it was.
  const same = await run(def, 'a', { sizeMiB: 64 }, waiting.plan);
  expect(same.ending, same.stderr).toBe('done');
  expect(same.status.approval).toBeUndefined();

  // A change after the approval: its plan is another, and waits.
  const changed = await run(def, 'a', { sizeMiB: 128 }, waiting.plan);
  expect(changed.ending).toBe('suspended');
  expect(changed.status.approval.plan).not.toBe(waiting.plan);
  expect(changed.status.approval.summary).toEqual([{ address: 'terraform_data.node', action: 'update', attributes: ['input', 'output'] }]);
  expect(changed.status.message).toMatch(new RegExp(`the approved plan is ${waiting.plan}: this one differs`));
  expect(nodeOf('a').input.value.sizeMiB).toBe(64);

  const approvedChange = await run(def, 'a', { sizeMiB: 128 }, changed.status.approval.plan);
  expect(approvedChange.ending, approvedChange.stderr).toBe('done');
  expect(nodeOf('a').input.value.sizeMiB).toBe(128);

  // Every stage's audit record, and nowhere the password the plan holds.
  for (const r of [first, applied, same, changed, approvedChange]) {
    const text = [r.stdout, r.stderr, r.statusText].join('\n');
    expect(text).not.toContain('hunter2-in-a-plan');
    expect(text).toMatch(/"kind":"kratix-cdktf\.audit"/);
  }
});

test('by default only a replacement (or a destroy) waits: a resize is applied at once, a new generation needs approval', async () => {
  const def = cache({ approvers });
  const created = await run(def, 'b', { sizeMiB: 64 });
  expect(created.ending, created.stderr).toBe('done');
  expect(created.status.approval).toEqual({ needed: false });
  expect(created.status.conditions).toContainEqual(expect.objectContaining({ type: 'Approved', status: 'True', reason: 'NotNeeded' }));
  expect((await run(def, 'b', { sizeMiB: 96 })).ending).toBe('done');
  const id = nodeOf('b').id;
  const replace = await run(def, 'b', { sizeMiB: 96, generation: 2 });
  expect(replace.ending).toBe('suspended');
  expect(replace.status.approval).toMatchObject({ needed: true, reasons: ['it replaces terraform_data.node'] });
  expect(nodeOf('b').id).toBe(id);
  expect(replace.status.approval.generation).toBe(1);
  // The same plan for another generation of the request is another approval.
  const later = await run(def, 'b', { sizeMiB: 96, generation: 2 }, replace.status.approval.plan, 2);
  expect(later.ending).toBe('suspended');
  expect(later.status.approval.plan).not.toBe(replace.status.approval.plan);
  const approved = await run(def, 'b', { sizeMiB: 96, generation: 2 }, replace.status.approval.plan);
  expect(approved.ending, approved.stderr).toBe('done');
  expect(nodeOf('b').id).not.toBe(id);
});

test('an annotation that is not a digest approves nothing', async () => {
  const def = cache({ approvers, anyChange: true });
  const run1 = await runRequest(def, requestYaml(def, {}, { ...meta('c'), annotations: { [APPROVED_PLAN_ANNOTATION]: 'yes please' } }), t.env);
  expect(run1.ending).toBe('suspended');
  expect(nodeOf('c')).toBeUndefined();
});
