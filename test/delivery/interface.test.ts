// A delivery is one folder: the workflow, the Promise renderer and the warm-up reach it only
// through the Delivery interface. Proved two ways: no code outside src/delivery names a delivery's
// folder, and a delivery written here, in a test, works end to end without touching anything else.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Delivery, DeliveryRun } from '../../src/delivery/delivery.js';
import { condition } from '../../src/workflow/status.js';
import { warmUp } from '../../src/workflow/warm-up.js';
import echo from '../fixtures/echo/index.js';
import { renderWidget } from '../helpers/widget.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('outside src/delivery, only the public entry point imports a delivery folder', () => {
  const deliveries = readdirSync(join(SRC, 'delivery'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  expect(deliveries).toEqual(expect.arrayContaining(['apply', 'tofu-controller']));
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const path = relative(SRC, file);
    if (path === 'index.ts' || path.startsWith('delivery/')) continue;
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
      if (deliveries.some((d) => target!.includes(`delivery/${d}/`))) offenders.push(`${path} imports ${target}`);
    }
  }
  expect(offenders).toEqual([]);
});

/** A delivery that exists only in this test: it hands each request to a made-up controller. */
function notebookDelivery(calls: string[] = []): Delivery {
  return {
    kind: 'notebook',
    runsTerraform: false,
    destinationLabels: { notebook: 'yes' },
    retry: { first: '2m', max: '10m' },
    check: (def) => (def.name === 'echo' ? [] : [{ path: 'delivery.page', message: 'is not a notebook page' }]),
    pipeline: (_def, facts) => ({
      namespace: 'notebooks',
      permissions: [{ apiGroups: ['notebook.example.com'], resources: ['pages'], verbs: ['get'] }],
      env: facts.secretRefs ? [{ name: 'READS_SECRETS', value: 'yes' }] : [{ name: 'NOTEBOOK', value: 'on' }],
    }),
    configure(run: DeliveryRun) {
      calls.push(`configure ${run.slug}`);
      if (run.request.spec && (run.request.spec as { message?: string }).message === 'refuse me')
        return {
          refused: {
            what: 'the page is full',
            type: 'Delivered',
            reason: 'PageFull',
            fixedBy: 'request',
            issues: [{ path: 'spec.message', message: 'does not fit' }],
          },
        };
      const failing = (run.request.spec as { message?: string }).message === 'fail';
      return {
        files: new Map([[`${run.slug}.yaml`, 'kind: Page\n']]),
        status: { message: failing ? 'the notebook is away' : 'written down', notebook: { page: run.slug } },
        conditions: [condition('Written', !failing, failing ? 'Away' : 'Written', 'the page', run.now)],
        ...(failing ? { ending: { kind: 'retry' as const, message: 'the notebook is away' } } : {}),
      };
    },
    delete: { message: 'the notebook forgets by itself' },
    warmUp: (run) => calls.push(`warm-up ${run.slug}`),
  };
}

describe('a delivery that kratix-cdktf does not know', () => {
  const noted = { ...echo, delivery: notebookDelivery() };

  test("the Promise's pipelines carry what it declares, and synth reports its checks", () => {
    const rendered = renderWidget({ delivery: notebookDelivery() });
    expect(rendered.ok).toBe(false);
    if (rendered.ok) return;
    expect(rendered.issues).toEqual([{ path: 'delivery.page', message: 'is not a notebook page' }]);
    const promise = renderWidget({ name: 'echo', delivery: notebookDelivery() });
    if (!promise.ok) throw new Error(JSON.stringify(promise.issues));
    const spec = promise.value.promise.spec as any;
    expect(spec.workflows.config).toEqual({ pipelineNamespace: 'notebooks' });
    const pipeline = spec.workflows.resource.configure[0].spec;
    expect(pipeline.rbac.permissions).toEqual([{ apiGroups: ['notebook.example.com'], resources: ['pages'], verbs: ['get'] }]);
    expect(pipeline.containers[0].env).toEqual([{ name: 'NOTEBOOK', value: 'on' }]);
  });

  test('configure: its files, status, conditions and destination labels are written', async () => {
    const run = await runRequest(noted, requestYaml(echo, { message: 'hello' }, { name: 'one', namespace: 'team-a' }));
    expect(run.ending).toBe('done');
    const [file] = Object.keys(run.output);
    expect(file).toMatch(/^echo-team-a-one-[0-9a-f]{20}\.yaml$/);
    expect(run.status.notebook).toEqual({ page: file!.replace('.yaml', '') });
    expect(run.status.message).toBe('written down');
    expect(run.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'RequestValid=True',
      'StackSynthesized=True',
      'Written=True',
      // The delivery set none: nothing says Terraform converged.
      'Ready=Unknown',
    ]);
    expect(parse(run.metadata['destination-selectors.yaml']!)).toEqual([{ matchLabels: { notebook: 'yes' } }]);
  });

  test("a failed run is retried on the delivery's own schedule, and a refusal suspends with its reason", async () => {
    const failed = await runRequest(noted, requestYaml(echo, { message: 'fail' }));
    expect(failed.ending).toBe('retry');
    expect(failed.control).toEqual({ retryAfter: '2m', message: 'the notebook is away' });
    const refused = await runRequest(noted, requestYaml(echo, { message: 'refuse me' }));
    expect(refused.ending).toBe('suspended');
    expect(refused.output).toEqual({});
    expect(refused.status.conditions).toEqual([
      expect.objectContaining({ type: 'Delivered', status: 'False', reason: 'PageFull' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'PageFull' }),
    ]);
    expect(refused.stderr).toContain('spec.message: does not fit');
  });

  test('delete with nothing to do reads nothing, even an unreadable request', async () => {
    const calls: string[] = [];
    const run = await runRequest({ ...echo, delivery: notebookDelivery(calls) }, 'not: [valid', { KRATIX_WORKFLOW_ACTION: 'delete' });
    expect(run.ending).toBe('done');
    expect(run.stdout).toContain('the notebook forgets by itself');
    expect(calls).toEqual([]);
  });

  test('the warm-up runs its hot path', () => {
    const calls: string[] = [];
    warmUp({ ...echo, delivery: notebookDelivery(calls) }, requestYaml(echo, { message: 'hi' }));
    expect(calls).toEqual(['warm-up warm-up']);
  });
});
