// A named pipeline's TypeScript step, run by the workflow image with KRATIX_CDKTF_STEP: the
// request read and validated as for the Promise's own pipeline, what the step returns written to
// status.yaml for Kratix to merge (top-level keys replaced, conditions by type:
// work-creator/lib/status_updater.go), and nothing synthesized or delivered.
import { describe, expect, test } from 'vitest';
import { definePromise, Type } from '../../src/index.js';
import { SOURCE_REF } from '../helpers/widget.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const seen: unknown[] = [];
const def = definePromise({
  name: 'stepped',
  api: { group: 'test.example.com', version: 'v1', kind: 'Stepped' },
  spec: Type.Object({ owner: Type.String({ maxLength: 40 }), tier: Type.String({ default: 'bronze' }) }),
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  stack() {},
  workflow: {
    configure: {
      pipelines: {
        before: [
          {
            name: 'ticket',
            async step({ metadata, spec }) {
              seen.push(spec);
              await new Promise((r) => setTimeout(r, 5));
              return { status: { ticket: `OPS-${metadata.name}`, tier: spec.tier }, message: `ticket filed for ${spec.owner}` };
            },
          },
          {
            name: 'broken',
            step() {
              throw new TypeError('cannot reach the ticket system');
            },
          },
          { name: 'greedy', step: () => ({ status: { conditions: [] } }) },
          { name: 'quiet', step: () => undefined as never },
        ],
      },
    },
    delete: { pipelines: { after: [{ name: 'ticket', step: ({ spec }) => ({ status: { closed: true }, message: `closed for ${String(spec.owner)}` }) }] } },
  },
});
const meta = { name: 'web', namespace: 'team-a' };
const run = (step: string, spec: unknown = { owner: 'ana' }, env: Record<string, string> = {}) =>
  runRequest(def, requestYaml(def, spec, meta), { KRATIX_CDKTF_STEP: step, ...env });

describe('a step that succeeds', () => {
  test('gets the validated, defaulted request; its status and a <Name>Step condition go to status.yaml; nothing else is written', async () => {
    const ran = await run('ticket');
    expect(ran.code).toBe(0);
    expect(seen.at(-1)).toEqual({ owner: 'ana', tier: 'bronze' });
    expect(ran.status).toEqual({
      ticket: 'OPS-web',
      tier: 'bronze',
      conditions: [{ type: 'TicketStep', status: 'True', reason: 'Succeeded', message: 'ticket filed for ana', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    });
    expect(ran.output).toEqual({});
    expect(Object.keys(ran.metadata)).toEqual(['status.yaml']);
    expect(ran.stdout).toMatch(/Stepped team-a\/web: step ticket: ticket filed for ana/);
  });

  test('returning nothing is fine: "done"', async () => {
    const ran = await run('quiet');
    expect(ran.status.conditions[0]).toMatchObject({ type: 'QuietStep', status: 'True', message: 'done' });
  });

  test('on delete, the delete action’s step of that name runs, on a request read leniently', async () => {
    const ran = await run('ticket', { owner: 7 }, { KRATIX_WORKFLOW_ACTION: 'delete' });
    expect(ran.code).toBe(0);
    expect(ran.status).toMatchObject({ closed: true, conditions: [expect.objectContaining({ type: 'TicketStep', message: 'closed for 7' })] });
  });
});

describe('a step that fails', () => {
  test('what it throws is reported as the author’s, with where; the pipeline is retried', async () => {
    const ran = await run('broken');
    expect(ran.code).toBe(0);
    expect(ran.ending).toBe('retry');
    expect(ran.status.message).toMatch(
      /^Stepped team-a\/web: step broken: workflow\.configure\.pipelines broken: step\(\) at .*step\.test\.ts:\d+: threw TypeError: cannot reach the ticket system/,
    );
    expect(ran.status.conditions).toEqual([
      expect.objectContaining({ type: 'BrokenStep', status: 'False', reason: 'StepFailed' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'StepFailed' }),
    ]);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  test('status keys Kratix and kratix-cdktf own are refused', async () => {
    const ran = await run('greedy');
    expect(ran.ending).toBe('retry');
    expect(ran.status.message).toMatch(/returned status\.conditions, which Kratix and kratix-cdktf write/);
  });

  test('an invalid request is refused before the step runs, and waits for a new spec', async () => {
    const before = seen.length;
    const ran = await run('ticket', { owner: 'x'.repeat(41) });
    expect(seen.length).toBe(before);
    expect(ran.ending).toBe('suspended');
    expect(ran.status.conditions[0]).toMatchObject({ type: 'TicketStep', status: 'False', reason: 'InvalidRequest' });
    expect(ran.status.message).toMatch(/spec\.owner/);
  });

  test('a step name the Promise does not have is a broken image: exit 2, as a crash', async () => {
    const ran = await run('nope');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/KRATIX_CDKTF_STEP="nope", but promises\/stepped has no step of that name in workflow\.configure\.pipelines/);
  });
});
