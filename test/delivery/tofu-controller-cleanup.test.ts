// The clean-up after a deleted request's destroy, against a stand-in for the Kubernetes API
// (there is no API server here): it serves Secrets and Terraform objects from memory, filters
// lists by label selector, and honours delete preconditions as the API server does (409 when the
// uid or resourceVersion differs).
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { cleanUp, resourcesIn } from '../../src/delivery/tofu-controller/cleanup.js';
import { CLEANUP_TASK } from '../../src/delivery/tofu-controller/cleanup-job.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { definePromise } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { runTask } from '../../src/workflow/task.js';
import { SOURCE_REF, WIDGET } from '../helpers/widget.js';

type Obj = {
  metadata: { name: string; uid: string; resourceVersion: string; creationTimestamp: string; labels?: Record<string, string> };
  data?: Record<string, string>;
};

const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
let server: Server;
let env: Record<string, string>;
const secrets = new Map<string, Obj>();
const terraforms = new Map<string, Obj>();
const calls: string[] = [];
let forbidden = false;
let noCrd = false;
let changeBeforeDelete: string | undefined;
let afterList: (() => void) | undefined;

function matches(labels: Record<string, string> = {}, selector: string | null) {
  return (selector ?? '')
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const [k, v] = term.split('=');
      return labels[k!] === v;
    });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    calls.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const send = (status: number, value: unknown = {}) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
      if (forbidden) return send(403);
      const secret = url.pathname.match(/^\/api\/v1\/namespaces\/flux-system\/secrets(?:\/([^/]+))?$/);
      const terraform = url.pathname.match(/^\/apis\/infra\.contrib\.fluxcd\.io\/v1alpha2\/namespaces\/flux-system\/terraforms(?:\/([^/]+))?$/);
      if (terraform) {
        if (noCrd) return send(404);
        if (terraform[1]) {
          const found = terraforms.get(decodeURIComponent(terraform[1]));
          return found ? send(200, found) : send(404);
        }
        const items = [...terraforms.values()].filter((t) => matches(t.metadata.labels, url.searchParams.get('labelSelector')));
        afterList?.();
        return send(200, { items });
      }
      if (!secret) return send(404);
      const name = secret[1] && decodeURIComponent(secret[1]);
      if (!name) return send(200, { items: [...secrets.values()].filter((s) => matches(s.metadata.labels, url.searchParams.get('labelSelector'))) });
      const found = secrets.get(name);
      if (!found) return send(404);
      if (req.method === 'GET') return send(200, found);
      if (changeBeforeDelete === name) found.metadata.resourceVersion = String(Number(found.metadata.resourceVersion) + 1);
      const pre = JSON.parse(body || '{}').preconditions ?? {};
      if ((pre.uid && pre.uid !== found.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== found.metadata.resourceVersion)) return send(409);
      secrets.delete(name);
      return send(200, { status: 'Success' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  env = { KRATIX_CDKTF_KUBE_API: `http://127.0.0.1:${port}`, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const labels = (slug: string, promise = 'widget') => ({
  'app.kubernetes.io/managed-by': 'kratix-cdktf',
  'kratix.io/promise-name': promise,
  'kratix-cdktf.io/part': 'stack',
  'kratix-cdktf.io/terraform': slug,
});
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();
let uid = 0;
const obj = (name: string, extra: Partial<Obj> & { created?: number } = {}): Obj => ({
  metadata: {
    name,
    uid: `uid-${++uid}`,
    resourceVersion: '1',
    creationTimestamp: at(extra.created ?? 5),
    ...(extra.metadata?.labels ? { labels: extra.metadata.labels } : {}),
  },
  ...(extra.data ? { data: extra.data } : {}),
});
const stateWith = (instances: number) => ({
  tfstate: gzipSync(JSON.stringify({ version: 4, resources: instances ? [{ type: 'aws_s3_bucket', instances: Array(instances).fill({}) }] : [] })).toString(
    'base64',
  ),
});
const stack = (slug: string, created = 5, promise = 'widget') =>
  secrets.set(`${slug}-stack`, obj(`${slug}-stack`, { created, metadata: { labels: labels(slug, promise) } as unknown as Obj['metadata'] }));
const state = (slug: string, instances: number) => secrets.set(`tfstate-default-${slug}`, obj(`tfstate-default-${slug}`, { data: stateWith(instances) }));
const run = (log: string[] = []) => cleanUp({ env, namespace: 'flux-system', promise: 'widget', now: NOW, graceMs: HOUR, log: (l) => log.push(l) });

beforeEach(() => {
  secrets.clear();
  terraforms.clear();
  calls.length = 0;
  forbidden = false;
  noCrd = false;
  changeBeforeDelete = undefined;
  afterList = undefined;
});

describe('after a destroy', () => {
  test('the stack and the empty state of a request whose Terraform object is gone are deleted', async () => {
    stack('gone');
    state('gone', 0);
    const result = await run();
    expect(result).toEqual({ deleted: ['tfstate-default-gone', 'gone-stack'], kept: [] });
    expect([...secrets.keys()]).toEqual([]);
  });

  test('a request whose slug ends in a number has its state under the suffix its Terraform object names, and that is deleted', async () => {
    const slug = 'widget-team-a-x-03581102541224772931';
    stack(slug);
    secrets.set(`tfstate-default-${slug}-s`, obj(`tfstate-default-${slug}-s`, { data: stateWith(0) }));
    expect((await run()).deleted).toEqual([`tfstate-default-${slug}-s`, `${slug}-stack`]);
    expect([...secrets.keys()]).toEqual([]);
  });

  test('a stack with no state left (never applied) is deleted too', async () => {
    stack('never');
    expect((await run()).deleted).toEqual(['never-stack']);
  });

  test('a live, terminating or young Terraform object keeps its Secrets', async () => {
    stack('live');
    terraforms.set('live', obj('live', { metadata: { labels: { 'kratix.io/promise-name': 'widget' } } as unknown as Obj['metadata'] }));
    stack('young', 0.5);
    const result = await run();
    expect(result).toEqual({ deleted: [], kept: [] });
    expect([...secrets.keys()].sort()).toEqual(['live-stack', 'young-stack']);
  });

  test('a state that still records resources (the finalizer was removed by hand) is kept, with its stack, and said', async () => {
    stack('orphan');
    state('orphan', 2);
    const log: string[] = [];
    const result = await run(log);
    expect(result.deleted).toEqual([]);
    expect(result.kept).toEqual([expect.stringContaining('its state still records 2 resources; apply the object again to destroy them')]);
    expect(log.join('\n')).toContain('kept orphan-stack');
    expect(secrets.size).toBe(2);
  });

  test("other Promises' Secrets and unlabelled Secrets are never touched", async () => {
    stack('theirs', 5, 'other');
    secrets.set('runner-credentials', obj('runner-credentials'));
    expect(await run()).toEqual({ deleted: [], kept: [] });
    expect(secrets.size).toBe(2);
  });

  test('a request back since the list keeps its Secrets: its Terraform object is looked up again before any delete', async () => {
    stack('back');
    state('back', 0);
    // Flux applies the request's files again between the list and the deletes.
    afterList = () => terraforms.set('back', obj('back', { metadata: { labels: { 'kratix.io/promise-name': 'widget' } } as unknown as Obj['metadata'] }));
    expect(await run()).toEqual({ deleted: [], kept: [] });
    expect([...secrets.keys()].sort()).toEqual(['back-stack', 'tfstate-default-back']);
  });

  test('a Secret changed since it was read is not deleted (resourceVersion precondition), and a changed state keeps its stack', async () => {
    stack('busy');
    state('busy', 0);
    // A runner writes the state between the read and the delete: Kubernetes answers 409.
    changeBeforeDelete = 'tfstate-default-busy';
    expect(await run()).toEqual({ deleted: [], kept: [] });
    expect([...secrets.keys()].sort()).toEqual(['busy-stack', 'tfstate-default-busy']);
    // The stack Secret alone, updated by Flux since the list.
    stack('again');
    changeBeforeDelete = 'again-stack';
    expect((await run()).deleted).not.toContain('again-stack');
  });
});

test('a state that cannot be read counts as not empty', () => {
  expect(resourcesIn({ metadata: { name: 's' }, data: { tfstate: Buffer.from('not gzip').toString('base64') } })).toBeUndefined();
  expect(resourcesIn({ metadata: { name: 's' } })).toBeUndefined();
  expect(resourcesIn({ metadata: { name: 's' }, data: stateWith(3) })).toBe(3);
});

describe('the task in the workflow image', () => {
  const def = definePromise({ ...WIDGET, delivery: tofuController({ sourceRef: SOURCE_REF }) });
  const task = (extra: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    return runTask(def, CLEANUP_TASK, { ...env, ...extra }, { info: (l) => out.push(l), error: (l) => err.push(l) }).then((code) => ({ code, out, err }));
  };

  test('runs the clean-up and says what it did', async () => {
    stack('gone', 24 * 365);
    const { code, out } = await task();
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('widget: clean-up of flux-system: 1 Secret(s) deleted, 0 request(s) left for a person');
  });

  test('a pod asked to stop (SIGTERM) deletes nothing more and says so', async () => {
    stack('gone', 24 * 365);
    const stop = new AbortController();
    stop.abort('SIGTERM');
    const out: string[] = [];
    const code = await runTask(def, CLEANUP_TASK, env, { info: (l) => out.push(l), error: () => {} }, stop.signal);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^stopping: the pod was asked to stop/);
    expect(secrets.has('gone-stack')).toBe(true);
  });

  test('fails with the reason when it may not list, or tofu-controller is not installed', async () => {
    forbidden = true;
    expect((await task()).err).toEqual([
      "widget: clean-up of flux-system failed: listing Secrets in flux-system is forbidden (403): check the clean-up's Role",
    ]);
    forbidden = false;
    noCrd = true;
    const { code, err } = await task();
    expect(code).toBe(1);
    expect(err[0]).toMatch(/tofu-controller's CRD is not installed on this destination/);
  });

  test('an unknown task is refused, naming the known ones', async () => {
    const err: string[] = [];
    const code = await runTask(def, 'rm -rf', env, { info: () => {}, error: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err[0]).toContain(`it has ${CLEANUP_TASK}`);
  });
});

test('the CronJob and its Role go out with the Promise, limited to the controller namespace', () => {
  const rendered = renderPromise(
    definePromise({ ...WIDGET, delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'pinned' }, namespace: 'tf' }) }),
    {
      image: 'registry.example.com/widget:abc',
      imagePullSecrets: ['pull'],
    },
  );
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
  const objects = rendered.value.dependencies as unknown as Record<string, any>[];
  expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
    'ServiceAccount tf/kratix-cdktf-cleanup-widget',
    'Role tf/kratix-cdktf-cleanup-widget',
    'RoleBinding tf/kratix-cdktf-cleanup-widget',
    'CronJob tf/kratix-cdktf-cleanup-widget',
  ]);
  expect(objects[1]!.rules).toEqual([
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'delete'] },
    { apiGroups: ['infra.contrib.fluxcd.io'], resources: ['terraforms'], verbs: ['get', 'list'] },
  ]);
  const pod = objects[3]!.spec.jobTemplate.spec.template.spec;
  expect(pod.containers[0]).toMatchObject({
    image: 'registry.example.com/widget:abc',
    env: expect.arrayContaining([{ name: 'KRATIX_CDKTF_TASK', value: CLEANUP_TASK }]),
  });
  expect(pod.imagePullSecrets).toEqual([{ name: 'pull' }]);
  expect(objects[3]!.spec).toMatchObject({ schedule: '17 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { activeDeadlineSeconds: 600 } } });
});
