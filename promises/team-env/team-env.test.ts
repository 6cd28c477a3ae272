import { expect, test } from 'vitest';
import { exampleRequest, renderManifests, validateRequest } from 'kratix-cdktf/testing';
import teamEnv from './index.js';

const example = exampleRequest(import.meta.dirname);
const byKind = (request = example) =>
  Object.fromEntries(renderManifests(teamEnv, request).objects.map(({ object }) => [object.kind, object])) as Record<string, any>;

test('the example request gives a namespace with quota, container defaults and a role binding for the group', () => {
  const { Namespace, ResourceQuota, LimitRange, RoleBinding } = byKind();
  expect(Namespace.metadata.name).toBe('payments-dev');
  expect(Namespace.metadata.labels).toMatchObject({
    'cost-center': '1234',
    'pod-security.kubernetes.io/enforce': 'restricted',
    'kratix.io/resource-namespace': 'team-payments',
  });
  expect(ResourceQuota.spec.hard).toEqual({ 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '50' });
  expect(LimitRange.spec.limits[0]).toEqual({
    type: 'Container',
    defaultRequest: { cpu: '100m', memory: '128Mi' },
    default: { cpu: '500m', memory: '512Mi' },
  });
  expect(RoleBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
  expect(RoleBinding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'payments-engineers' }]);
});

test('every object but the namespace is inside it, and all go with the request’s Work (no group of their own)', () => {
  const { objects, selectors, files } = renderManifests(teamEnv, example);
  expect(objects.map(({ object }) => [object.kind, object.metadata.namespace])).toEqual([
    ['Namespace', undefined],
    ['ResourceQuota', 'payments-dev'],
    ['LimitRange', 'payments-dev'],
    ['RoleBinding', 'payments-dev'],
  ]);
  expect(selectors).toEqual([]);
  expect([...files.keys()]).toEqual([
    '000-namespace-payments-dev.yaml',
    '001-resourcequota-team.yaml',
    '002-limitrange-team.yaml',
    '003-rolebinding-team-edit.yaml',
  ]);
});

test.each([
  [{ namespace: 'kube-system', group: 'g' }, /spec\.namespace: must not be default or start with kube-/],
  [{ namespace: 'Payments', group: 'g' }, /spec\.namespace: "Payments" does not match the pattern/],
  [{ namespace: 'p' }, /spec\.group: is required/],
  [{ namespace: 'p', group: 'g', quota: { memory: '16GB' } }, /spec\.quota\.memory: "16GB" does not match the pattern/],
  [{ namespace: 'p', group: 'g', access: 'cluster-admin' }, /spec\.access: "cluster-admin" is not one of "view", "edit", "admin"/],
  [{ namespace: 'p', group: 'g', labels: { 'kratix.io/x': 'y' } }, /spec\.labels: kratix\.io\/ and pod-security/],
])('%j is refused', (bad, message) => {
  const result = validateRequest(teamEnv, { spec: bad });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(message);
});
