// Status flowing back from composed requests (src/manifests/components.ts). The platform
// cluster's API cannot run here: a stand-in serves the composed requests as Kubernetes would
// (GET /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>, 404 when absent, 403 without RBAC).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { definePromise, Type } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const objects = new Map<string, { code: number; body?: unknown }>();
let server: Server;
let api = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const found = objects.get(req.url ?? '');
    res.writeHead(found?.code ?? 404, { 'content-type': 'application/json' }).end(JSON.stringify(found?.body ?? { kind: 'Status', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

const env = () => ({ KRATIX_CDKTF_KUBE_API: api, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' });
const stack = definePromise({
  name: 'stack',
  api: { group: 'test.example.com', version: 'v1', kind: 'Stack' },
  spec: Type.Object({ app: Type.String({ pattern: '^[a-z]+$' }) }),
  components: [
    { apiVersion: 'data.example.com/v1alpha1', plural: 'postgreses' },
    { apiVersion: 'storage.example.com/v1alpha1', plural: 'buckets' },
  ],
  manifests: ({ metadata, spec }) => [
    { apiVersion: 'data.example.com/v1alpha1', kind: 'Postgres', metadata: { name: `${spec.app}-db`, namespace: metadata.namespace } },
    { apiVersion: 'storage.example.com/v1alpha1', kind: 'Bucket', metadata: { name: `${spec.app}-files`, namespace: metadata.namespace } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-a-component', namespace: metadata.namespace } },
  ],
});
const DB = '/apis/data.example.com/v1alpha1/namespaces/team-a/postgreses/shop-db';
const FILES = '/apis/storage.example.com/v1alpha1/namespaces/team-a/buckets/shop-files';
const run = () => runRequest(stack, requestYaml(stack, { app: 'shop' }, { name: 'shop', namespace: 'team-a' }), env());
const ready = (status: 'True' | 'False', message: string, outputs?: Record<string, unknown>) => ({
  code: 200,
  body: { status: { message, conditions: [{ type: 'Ready', status, reason: 'x' }], ...(outputs ? { outputs } : {}) } },
});

describe('status.components', () => {
  test('the first run finds nothing yet: listed as not created, Ready Unknown; the run succeeds', async () => {
    objects.clear();
    const ran = await run();
    expect(ran.code).toBe(0);
    expect(ran.status.components).toEqual([
      { kind: 'Postgres', name: 'shop-db', namespace: 'team-a', ready: 'Unknown', message: 'not created yet: Kratix applies it after this run' },
      { kind: 'Bucket', name: 'shop-files', namespace: 'team-a', ready: 'Unknown', message: 'not created yet: Kratix applies it after this run' },
    ]);
    expect(ran.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'ComponentsNotReady' });
  });

  test('one Ready, one failing: their messages and outputs, and Ready False naming the one that is not', async () => {
    objects.set(DB, ready('True', 'Terraform applied', { endpoint: 'db.example.com', password: '(sensitive)' }));
    objects.set(FILES, ready('False', 'terraform apply failed: AccessDenied'));
    const ran = await run();
    expect(ran.status.components[0]).toEqual({
      kind: 'Postgres',
      name: 'shop-db',
      namespace: 'team-a',
      ready: 'True',
      message: 'Terraform applied',
      outputs: { endpoint: 'db.example.com', password: '(sensitive)' },
    });
    expect(ran.status.components[1]).toMatchObject({ ready: 'False', message: 'terraform apply failed: AccessDenied' });
    expect(ran.status.conditions.at(-1)).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'ComponentsNotReady',
      message: 'Bucket team-a/shop-files: terraform apply failed: AccessDenied',
    });
  });

  test('all Ready: Ready True, so kubectl wait on the parent waits for its parts', async () => {
    objects.set(FILES, ready('True', 'Terraform applied'));
    const ran = await run();
    expect(ran.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'True', reason: 'ComponentsReady' });
  });

  test('a forbidden read or an unreachable API is said, never fails the run', async () => {
    objects.set(DB, { code: 403 });
    const forbidden = await run();
    expect(forbidden.code).toBe(0);
    expect(forbidden.status.components[0]).toMatchObject({ ready: 'Unknown', message: 'could not be read: HTTP 403 (check components in the Promise)' });
    const unreachable = await runRequest(stack, requestYaml(stack, { app: 'shop' }, { name: 'shop', namespace: 'team-a' }), {
      KRATIX_CDKTF_KUBE_API: 'http://127.0.0.1:1',
      KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent',
    });
    expect(unreachable.code).toBe(0);
    expect(unreachable.status.components[0].message).toMatch(/^could not be read: the Kubernetes API at http:\/\/127\.0\.0\.1:1 did not answer/);
  });
});

describe('the pipeline', () => {
  test('gets get on each component API, and the cluster’s CA', () => {
    const rendered = renderPromise(stack, { image: 'img:1' });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const pipeline = (rendered.value.promise as any).spec.workflows.resource.configure[0];
    expect(pipeline.spec.rbac.permissions).toEqual([
      { resourceNamespace: '*', apiGroups: ['data.example.com'], resources: ['postgreses'], verbs: ['get'] },
      { resourceNamespace: '*', apiGroups: ['storage.example.com'], resources: ['buckets'], verbs: ['get'] },
    ]);
    expect(pipeline.spec.containers[0].env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
  });

  test.each([
    [[{ apiVersion: 'Postgres', plural: 'postgreses' }], 'components[0].apiVersion', /is not <group>\/<version>/],
    [[{ apiVersion: 'data.example.com/v1', plural: 'Postgreses' }], 'components[0].plural', /lower-case/],
    [{ apiVersion: 'a/b' }, 'components', /is not a list/],
  ])('%j is refused', (components, path, reason) => {
    const rendered = renderPromise({ ...stack, components } as never, { image: 'img:1' });
    expect(rendered.ok ? [] : rendered.issues).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(reason) }));
  });
});
