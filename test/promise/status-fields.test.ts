// status.details: fields the author declares and computes from the request and the outputs (src/promise/status-fields.ts),
// checked at synth, computed on every configure run, shown as columns where asked.
import { describe, expect, test } from 'vitest';
import { definePromise, Type } from '../../src/index.js';
import { checkStatusFields, computeStatusFields, MAX_DETAIL_CHARS } from '../../src/promise/status-fields.js';
import { kubernetesCrdValidator } from '../helpers/upstream.js';
import { renderWidget, SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const request = { metadata: { name: 'db', namespace: 'team-a' }, spec: { size: 3 } };
type TestRequest = typeof request;
const withStatus = (status: unknown) => ({ ...WIDGET, status }) as never;

describe('computed', () => {
  const def = withStatus({
    fields: { url: { description: 'Where to go.' }, big: {}, ready: {} },
    compute: ({ request, outputs }: { request: TestRequest; outputs: Record<string, string | undefined> }) => ({
      url: outputs.host ? `https://${outputs.host}/${request.metadata.name}` : undefined,
      big: request.spec.size > 2,
    }),
  });

  test('from the request and the outputs; undefined fields are left out', () => {
    expect(computeStatusFields(def, request, { host: 'db.example.com' })).toEqual({ ok: true, value: { url: 'https://db.example.com/db', big: true } });
    expect(computeStatusFields(def, request, {})).toEqual({ ok: true, value: { big: true } });
  });

  test.each([
    ['an undeclared field', () => ({ other: 1 }), 'status.compute().other', /is not a declared field/],
    ['an object', () => ({ url: { a: 1 } }), 'status.compute().url', /is a object, not a string/],
    ['null', () => ({ url: null }), 'status.compute().url', /is null/],
    ['NaN', () => ({ url: Number.NaN }), 'status.compute().url', /not a string, finite number or boolean/],
    ['no object at all', () => 'done', 'status.compute()', /did not return an object/],
  ])('%s is refused with the path and a fix', (_what, compute, path, reason) => {
    const result = computeStatusFields(withStatus({ fields: { url: {} }, compute }), request, {});
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ path, message: expect.stringMatching(reason), fix: expect.any(String) })] });
  });

  test('what compute throws is the author’s, with where', () => {
    const result = computeStatusFields(
      withStatus({
        fields: { url: {} },
        compute() {
          throw new Error('no host yet');
        },
      }),
      request,
      {},
    );
    expect(result).toEqual({
      ok: false,
      issues: [{ path: expect.stringMatching(/^status\.compute\(\) at .*status-fields\.test\.ts:\d+$/), message: 'threw no host yet' }],
    });
  });

  test(`strings are cut to ${MAX_DETAIL_CHARS} characters: request data may flow in, and status lives in etcd`, () => {
    const result = computeStatusFields(withStatus({ fields: { url: {} }, compute: () => ({ url: 'x'.repeat(10_000) }) }), request, {});
    expect(result?.ok && (result.value.url as string).length).toBeLessThanOrEqual(MAX_DETAIL_CHARS);
  });
});

describe('declared', () => {
  test.each([
    [{ fields: {}, compute: () => ({}) }, 'status.fields', /at least one field/],
    [{ fields: { 'has-dash': {} }, compute: () => ({}) }, 'status.fields.has-dash', /not a field name/],
    [{ fields: { ok: {} } }, 'status.compute', /is not a function/],
  ])('%j is refused', (status, path, reason) => {
    expect(checkStatusFields(withStatus(status))).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(reason) }));
  });

  test('a field can be a column, on .status.details.<name>', () => {
    const rendered = renderWidget({ status: { fields: { url: { description: 'Where to go.', printerColumn: 'URL' } }, compute: () => ({}) } });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const crd = (rendered.value.promise as { spec: { api: any } }).spec.api;
    expect(kubernetesCrdValidator()(crd)).toEqual([]);
    expect(crd.spec.versions[0].additionalPrinterColumns[0]).toEqual({
      name: 'URL',
      type: 'string',
      jsonPath: '.status.details.url',
      description: 'Where to go.',
    });
  });
});

test('in the workflow: status.details on every configure run; a mistake is the author’s, retried', async () => {
  const def = definePromise({
    name: 'echoing',
    api: { group: 'test.example.com', version: 'v1', kind: 'Echoing' },
    spec: Type.Object({ message: Type.String() }),
    delivery: tofuController({ sourceRef: SOURCE_REF }),
    outputs: { message: {} },
    stack: (_scope, { spec }) => ({ message: spec.message }),
    status: {
      fields: { shout: {} },
      compute: ({ outputs }) => {
        if (outputs.message === 'boom') throw new RangeError('too loud');
        return { shout: String(outputs.message).toUpperCase() };
      },
    },
  });
  const run = await runRequest(def, requestYaml(def, { message: 'hi' }));
  expect(run.status.details).toEqual({ shout: 'HI' });
  const failed = await runRequest(def, requestYaml(def, { message: 'boom' }));
  expect(failed.ending).toBe('retry');
  expect(failed.output).toEqual({});
  expect(failed.status.message).toMatch(/could not compute its status fields: status\.compute\(\) at .*: threw RangeError: too loud/);
});
