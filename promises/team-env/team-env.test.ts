import { expect, test } from 'vitest';
import { exampleRequest, renderRequest, validateRequest } from 'kratix-cdktf/testing';
import teamEnv from './index.js';

const example = exampleRequest(import.meta.dirname);

test('the example request gives a namespace with quota, container defaults and a role binding for the group', () => {
  const tf = renderRequest(teamEnv, example);
  const ns = tf.resource.kubernetes_namespace_v1.namespace.metadata;
  expect(ns.name).toBe('payments-dev');
  expect(ns.labels).toMatchObject({
    'cost-center': '1234',
    'pod-security.kubernetes.io/enforce': 'restricted',
    'kratix.io/resource-namespace': 'team-payments',
  });
  expect(tf.resource.kubernetes_resource_quota_v1.quota.spec.hard).toEqual({ 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '50' });
  expect(tf.resource.kubernetes_limit_range_v1.limits.spec.limit[0]).toMatchObject({
    type: 'Container',
    default_request: { cpu: '100m', memory: '128Mi' },
    default: { cpu: '500m', memory: '512Mi' },
  });
  const binding = tf.resource.kubernetes_role_binding_v1.access;
  expect(binding.role_ref).toEqual({ api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
  expect(binding.subject).toEqual([{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'payments-engineers' }]);
});

test('objects inside the namespace reference it, so Terraform creates the namespace first', () => {
  const tf = renderRequest(teamEnv, example);
  expect(tf.resource.kubernetes_resource_quota_v1.quota.metadata.namespace).toBe('${kubernetes_namespace_v1.namespace.metadata[0].name}');
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
