// spec.workflows.config and the kratix.io/reconciliation-interval annotation, as Kratix reads them
// (syntasso/kratix ae170e22: promise_types.go WorkflowConfig; promiserevision_types.go
// ReconciliationInterval, where an annotation that is not a Go duration of at least 1m is ignored).
import { describe, expect, test } from 'vitest';
import { applyInWorkflow, hcpTerraformOperator, pgBackend } from '../../src/index.js';
import { crdValidator } from '../helpers/upstream.js';
import { renderWidget } from '../helpers/widget.js';

const validPromise = crdValidator('kratix/platform.kratix.io_promises.yaml');
const rendered = (overrides: Record<string, unknown>) => {
  const result = renderWidget(overrides);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  expect(validPromise(result.value.promise)).toEqual([]);
  return result.value.promise as any;
};
const refused = (overrides: Record<string, unknown>) => {
  const result = renderWidget(overrides);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('workflows.config', () => {
  test('the author’s pipeline namespace and interval go to spec.workflows.config', () => {
    const promise = rendered({ workflow: { pipelineNamespace: 'platform-jobs', reconciliationInterval: '30m' } });
    expect(promise.spec.workflows.config).toEqual({ pipelineNamespace: 'platform-jobs', reconciliationInterval: '30m' });
  });

  test('without either, there is no config (Kratix: each request’s namespace, 10h)', () => {
    expect(rendered({}).spec.workflows).not.toHaveProperty('config');
  });

  test('the author’s interval wins over a delivery’s default (HCP: 10m)', () => {
    const hcp = hcpTerraformOperator({ organization: 'acme', tokenSecretRef: { name: 'hcp-token', key: 'token' } });
    expect(rendered({ delivery: hcp }).spec.workflows.config.reconciliationInterval).toBe('10m');
    expect(rendered({ delivery: hcp, workflow: { reconciliationInterval: '2h' } }).spec.workflows.config.reconciliationInterval).toBe('2h');
  });

  test('a namespace that differs from the one the delivery grants RBAC in is refused, with the fix', () => {
    expect(refused({ delivery: applyInWorkflow({ backend: pgBackend() }), workflow: { pipelineNamespace: 'ops' } })).toEqual([
      'workflow.pipelineNamespace: is "ops", but the apply delivery runs the pipelines in "kratix-cdktf" (the RBAC it grants is for that namespace)',
    ]);
    // The same namespace on both is fine.
    rendered({ delivery: applyInWorkflow({ backend: pgBackend(), pipelineNamespace: 'ops' }), workflow: { pipelineNamespace: 'ops' } });
  });

  test.each([
    [{ pipelineNamespace: 'Ops' }, /^workflow\.pipelineNamespace: "Ops" must be lower-case/],
    [{ pipelineNamespace: 42 }, /^workflow\.pipelineNamespace: 42 is not a namespace name/],
    [{ reconciliationInterval: '30 minutes' }, /^workflow\.reconciliationInterval: "30 minutes" is not a duration/],
    [{ reconciliationInterval: '30s' }, /^workflow\.reconciliationInterval: "30s" is under a minute: Kratix ignores/],
    [{ reconciliationInterval: 600 }, /^workflow\.reconciliationInterval: 600 is not a duration/],
  ])('workflow %j is refused, naming the field', (workflow, expected) => {
    expect(refused({ workflow })).toEqual([expect.stringMatching(expected)]);
  });
});

describe('annotations', () => {
  test('go on the Promise object, the reconciliation-interval one included', () => {
    const promise = rendered({ annotations: { 'kratix.io/reconciliation-interval': '15m', 'example.com/owner': 'team-data' } });
    expect(promise.metadata.annotations).toEqual({ 'kratix.io/reconciliation-interval': '15m', 'example.com/owner': 'team-data' });
  });

  test.each([
    [{ 'kratix.io/reconciliation-interval': '59s' }, /^annotations\.kratix\.io\/reconciliation-interval: "59s" is under a minute/],
    [{ 'kratix.io/reconciliation-interval': 'hourly' }, /^annotations\.kratix\.io\/reconciliation-interval: "hourly" is not a duration/],
    [{ 'not a key': 'x' }, /^annotations\.not a key: the key must be letters/],
    [{ 'example.com/n': 5 }, /^annotations\.example\.com\/n: 5 is not a string/],
  ])('%j is refused', (annotations, expected) => {
    expect(refused({ annotations })).toEqual([expect.stringMatching(expected)]);
  });

  test('a list is refused', () => {
    expect(refused({ annotations: ['x'] })).toEqual(['annotations: ["x"] is not a map of strings']);
  });
});
