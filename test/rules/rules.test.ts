// Business rules (src/rules) in the workflow, as a configure run meets them. The platform
// cluster's API cannot run here: a stand-in serves Namespaces as Kubernetes does
// (GET /api/v1/namespaces/<name>; 403 without RBAC, 404 when absent).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { definePromise, Type } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import type { BusinessRule } from '../../src/rules/index.js';
import { requestRules } from '../../src/testing/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const namespaces = new Map<string, { code: number; body?: unknown }>();
const asked: string[] = [];
let server: Server;
let api = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const found = namespaces.get(req.url ?? '');
    res.writeHead(found?.code ?? 404, { 'content-type': 'application/json' }).end(JSON.stringify(found?.body ?? { kind: 'Status', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());
const env = () => ({ KRATIX_CDKTF_KUBE_API: api, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' });

const spec = Type.Object({ size: Type.Integer({ default: 1, minimum: 1 }), name: Type.String({ default: 'app' }) });
const maxSize: BusinessRule<{ size: number }> = {
  name: 'max-size',
  check: ({ request, labels }) =>
    request.spec.size > (labels['example.com/tier'] === 'gold' ? 10 : 3)
      ? [{ path: 'spec.size', message: `${request.spec.size} is above what this tier may ask for`, fix: 'ask for 3 or less' }]
      : [],
};
const productionOnly: BusinessRule = {
  name: 'production-only',
  reads: { namespaceLabels: true },
  check: ({ namespace }) =>
    namespace.labels.environment === 'production' ? [] : [{ path: 'metadata.namespace', message: `${namespace.name} is not a production namespace` }],
};
const promise = (rules: readonly BusinessRule[]) =>
  definePromise({
    name: 'ruled',
    api: { group: 'test.example.com', version: 'v1', kind: 'Ruled' },
    spec,
    rules,
    manifests: ({ metadata, spec }) => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: spec.name, namespace: metadata.namespace }, data: {} }],
  });
const run = (rules: readonly BusinessRule[], requestSpec: Record<string, unknown>, metadata: Record<string, unknown> = {}, action = 'configure') => {
  const def = promise(rules);
  return runRequest(def, requestYaml(def, requestSpec, { name: 'r', namespace: 'team-a', ...metadata }), { ...env(), KRATIX_WORKFLOW_ACTION: action });
};

describe('a configure run', () => {
  test('a violation refuses the request like a schema error: field, reason, rule and fix in status, suspended, nothing written', async () => {
    const ran = await run([maxSize], { size: 5 });
    expect(ran.ending).toBe('suspended');
    expect(ran.output).toEqual({});
    expect(ran.status.conditions).toContainEqual(expect.objectContaining({ type: 'RequestValid', status: 'False', reason: 'RuleViolated' }));
    expect(ran.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'RuleViolated' }));
    expect(ran.status.message).toMatch(/Ruled team-a\/r: refused by the platform’s rules: spec\.size: 5 is above what this tier may ask for \(rule max-size\)/);
    expect(ran.stderr).toMatch(/fix: ask for 3 or less/);
  });

  test('the request’s own labels are what the rule reads, and a request within its rules goes on', async () => {
    const ran = await run([maxSize], { size: 5 }, { labels: { 'example.com/tier': 'gold' } });
    expect(ran.ending, ran.stderr).toBe('done');
    expect(Object.values(ran.output).join('\n')).toMatch(/kind: ConfigMap/);
    expect(ran.stdout).toMatch(/rules passed: max-size/);
  });

  test('every rule runs, and every violation is listed', async () => {
    namespaces.set('/api/v1/namespaces/team-a', { code: 200, body: { metadata: { name: 'team-a', labels: { environment: 'dev' } } } });
    const ran = await run([maxSize, productionOnly], { size: 5 });
    expect(ran.stderr).toMatch(/spec\.size: 5 is above/);
    expect(ran.stderr).toMatch(/metadata\.namespace: team-a is not a production namespace \(rule production-only\)/);
  });

  test('a rule on the namespace’s labels reads them through the API; its verdict is retried, so relabelling the namespace is enough', async () => {
    namespaces.set('/api/v1/namespaces/team-a', { code: 200, body: { metadata: { name: 'team-a', labels: { environment: 'dev' } } } });
    asked.length = 0;
    const refused = await run([productionOnly], {});
    expect(asked).toEqual(['/api/v1/namespaces/team-a']);
    expect(refused.ending).toBe('retry');
    namespaces.set('/api/v1/namespaces/team-a', { code: 200, body: { metadata: { name: 'team-a', labels: { environment: 'production' } } } });
    expect((await run([productionOnly], {})).ending).toBe('done');
  });

  test('a namespace the workflow may not read is the platform’s problem: said, retried, nothing written', async () => {
    namespaces.set('/api/v1/namespaces/team-a', { code: 403 });
    const ran = await run([productionOnly], {});
    expect(ran.ending).toBe('retry');
    expect(ran.output).toEqual({});
    expect(ran.status.message).toMatch(/the rules could not read the namespace: metadata\.namespace: the workflow may not read Namespace team-a \(403\)/);
  });

  test('no rule reads the namespace: the API is never asked', async () => {
    asked.length = 0;
    await run([maxSize], { size: 1 });
    expect(asked).toEqual([]);
  });

  test('a rule that throws, returns nonsense or changes the request is the platform’s mistake: named, retried, nothing written', async () => {
    const thrower: BusinessRule = {
      name: 'thrower',
      check: () => {
        throw new Error('quota service down');
      },
    };
    const nonsense = { name: 'nonsense', check: () => 'no' } as unknown as BusinessRule;
    const mutator: BusinessRule<{ size: number }> = {
      name: 'mutator',
      check: ({ request }) => {
        (request.spec as { size: number }).size = 1;
        return [];
      },
    };
    for (const [rule, said] of [
      [thrower, /rules thrower: check\(\)( at \S+)?: threw quota service down/],
      [nonsense, /rules nonsense: check\(\): returned "no", not a list of violations/],
      [mutator, /rules mutator: check\(\)( at \S+)?: threw TypeError: Cannot assign to read only property 'size'/],
    ] as const) {
      const ran = await run([rule as BusinessRule], { size: 2 });
      expect(ran.ending).toBe('retry');
      expect(ran.output).toEqual({});
      expect(ran.status.conditions).toContainEqual(expect.objectContaining({ type: 'RequestValid', status: 'False', reason: 'RuleFailed' }));
      expect(ran.stderr).toMatch(said);
    }
  });

  test('a request being deleted is never held back by the rules', async () => {
    asked.length = 0;
    const ran = await run([maxSize, productionOnly], { size: 50 }, {}, 'delete');
    expect(ran.code).toBe(0);
    expect(ran.ending).toBe('done');
    expect(asked).toEqual([]);
  });
});

describe('synth', () => {
  const issues = (rules: unknown) => {
    const rendered = renderPromise({ ...promise([]), rules } as never, { image: 'example.com/w:1' });
    return rendered.ok ? [] : rendered.issues.map((i) => `${i.path}: ${i.message}`);
  };
  test('refuses rules that are not a list, unnamed, named twice or without a check', () => {
    expect(issues({})).toEqual(['rules: is not a list']);
    expect(issues([{ name: 'Big Rule', check() {} }, { name: 'a', check() {} }, { name: 'a', check() {} }, { name: 'b' }])).toEqual([
      'rules[0].name: "Big Rule" is not a short lower-case name',
      'rules[2].name: names "a" a second time',
      'rules[3].check: is not a function',
    ]);
  });
  test('a rule that reads the namespace gives the pipeline get on namespaces, cluster-wide, and the cluster’s CA', () => {
    const rendered = renderPromise(promise([productionOnly]), { image: 'example.com/w:1' });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const [pipeline] = (rendered.value.promise as any).spec.workflows.resource.configure;
    expect(pipeline.spec.rbac.permissions).toContainEqual({ resourceNamespace: '*', apiGroups: [''], resources: ['namespaces'], verbs: ['get'] });
    expect(pipeline.spec.containers[0].env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
    const plain = renderPromise(promise([maxSize]), { image: 'example.com/w:1' });
    expect(plain.ok && (plain.value.promise as any).spec.workflows.resource.configure[0].spec.rbac).toBeUndefined();
  });
});

test('kratix-cdktf/testing runs the rules offline, with the namespace’s labels given', async () => {
  const def = promise([maxSize, productionOnly]);
  expect(await requestRules(def, { spec: { size: 2 } }, { namespaceLabels: { environment: 'production' } })).toEqual([]);
  expect((await requestRules(def, { spec: { size: 4 }, metadata: { labels: { 'example.com/tier': 'gold' } } }, {})).map((v) => v.path)).toEqual([
    'metadata.namespace',
  ]);
  await expect(requestRules(def, { spec: { size: 0 } })).rejects.toThrow(/spec\.size/);
});
