// Status in `kubectl get`: printer columns on outputs (`.status.outputs.<name>`) beside the spec
// fields' own, and the Ready column every request gets (the Ready condition the workflow writes:
// tests in test/delivery and test/workflow). Checked against the Kubernetes CRD schema, since
// apiextensions refuses a column type it does not know.
import { describe, expect, test } from 'vitest';
import { Type } from '../../src/index.js';
import { kubernetesCrdValidator } from '../helpers/upstream.js';
import { renderWidget } from '../helpers/widget.js';

const columns = (overrides: Record<string, unknown>) => {
  const rendered = renderWidget(overrides);
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
  const crd = (rendered.value.promise as { spec: { api: any } }).spec.api;
  expect(kubernetesCrdValidator()(crd)).toEqual([]);
  return crd.spec.versions[0].additionalPrinterColumns as { name: string; type: string; jsonPath: string; priority?: number; description?: string }[];
};

const issues = (overrides: Record<string, unknown>) => {
  const rendered = renderWidget(overrides);
  expect(rendered.ok).toBe(false);
  return rendered.ok ? [] : rendered.issues;
};

describe('printer columns on outputs', () => {
  test('after the spec fields’ columns, before Ready, Status and Age; string by default, type and priority as given', () => {
    const all = columns({
      spec: Type.Object({ size: Type.String({ default: 's', printerColumn: 'Size' }) }),
      outputs: {
        endpoint: { description: 'Hostname.', printerColumn: 'Endpoint' },
        port: { printerColumn: { name: 'Port', type: 'integer', priority: 1 } },
        arn: { description: 'Not a column.' },
      },
    });
    expect(all.map((c) => c.name)).toEqual(['Size', 'Endpoint', 'Port', 'Ready', 'Status', 'Age']);
    expect(all[1]).toEqual({ name: 'Endpoint', type: 'string', jsonPath: '.status.outputs.endpoint', description: 'Hostname.' });
    expect(all[2]).toEqual({ name: 'Port', type: 'integer', jsonPath: '.status.outputs.port', priority: 1 });
    expect(all[3]).toEqual({ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' });
  });

  test('every request has a Ready column, with no outputs at all', () => {
    expect(columns({}).map((c) => c.name)).toEqual(['Ready', 'Status', 'Age']);
  });

  test.each([
    ['a sensitive output', { token: { sensitive: true, printerColumn: 'Token' } }, 'outputs.token.printerColumn', /the output is sensitive/],
    ['an empty name', { endpoint: { printerColumn: ' ' } }, 'outputs.endpoint.printerColumn', /expected a column name/],
    ['a number for a name', { endpoint: { printerColumn: 3 } }, 'outputs.endpoint.printerColumn', /expected a column name/],
    [
      'an unknown type',
      { endpoint: { printerColumn: { name: 'E', type: 'text' } } },
      'outputs.endpoint.printerColumn',
      /type "text" is not a printer column type/,
    ],
    [
      'a negative priority',
      { endpoint: { printerColumn: { name: 'E', priority: -1 } } },
      'outputs.endpoint.printerColumn',
      /priority -1 is not a whole number/,
    ],
    [
      'the name of a column kratix-cdktf adds',
      { endpoint: { printerColumn: 'ready' } },
      'outputs.endpoint.printerColumn',
      /"ready", which kratix-cdktf names already/,
    ],
    [
      'the same name twice',
      { a: { printerColumn: 'Host' }, b: { printerColumn: 'Host' } },
      'outputs.b.printerColumn',
      /"Host", which outputs\.a names already/,
    ],
  ])('%s is refused with the field, the reason and a fix', (_what, outputs, path, reason) => {
    const found = issues({ outputs });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path, message: expect.stringMatching(reason), fix: expect.any(String) });
  });

  test('an output column named like a spec field’s column is refused', () => {
    const found = issues({
      spec: Type.Object({ namespace: Type.String({ default: 'a', printerColumn: 'Namespace' }) }),
      outputs: { namespace: { printerColumn: 'Namespace' } },
    });
    expect(found).toEqual([
      {
        path: 'outputs.namespace.printerColumn',
        message: 'names the column "Namespace", which the field spec.namespace names already',
        fix: expect.any(String),
      },
    ]);
  });
});
