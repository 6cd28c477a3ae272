// The Promise's own stack (promiseStack), with real Terraform and PostgreSQL: the Promise's
// configure workflow applies it, a request's stack reads its outputs through Terraform's
// terraform_remote_state, and the Promise's delete workflow deletes the requests, waits for
// them, and destroys it. The platform cluster's API cannot run here: a stand-in lists the
// Promise's requests as Kubernetes would (GET /apis/<group>/<version>/<plural>) and records
// the DELETEs the pipeline sends.
import { createServer, type Server } from 'node:http';
import { DataResource, Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { kubernetesBackend } from '../../src/delivery/apply/options.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { definePromise, type PromiseDefinition } from '../../src/promise/define-promise.js';
import { Type } from '../../src/schema/index.js';
import { promiseOutput } from '../../src/terraform/promise-output.js';
import type { PlanView } from '../../src/policies/index.js';
import { synthRequest } from '../../src/terraform/stack.js';
import { requestSlug } from '../../src/workflow/run.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SCHEMA = 'kratix_promise_stack_test';
const t = applyEnvironment(SCHEMA);
const delivery = applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }) });

const base = definePromise({
  name: 'shared',
  api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Shared' },
  spec: Type.Object({ suffix: Type.String({ default: 'x' }) }),
  outputs: {
    network: { description: 'The Promise stack’s network, as the request saw it' },
    token: { description: 'The join token, read from the Promise stack', sensitive: true },
  },
  delivery,
  promiseStack: {
    outputs: { networkId: { description: 'The shared network' }, joinToken: { sensitive: true } },
    stack(scope) {
      const network = new DataResource(scope, 'network', { input: { cidr: '10.0.0.0/16' } });
      return { networkId: network.id, joinToken: 'token-only-terraform-sees' };
    },
  },
  stack(scope, request) {
    const attachment = new DataResource(scope, 'attachment', { input: { network: promiseOutput(scope, 'networkId'), suffix: request.spec.suffix } });
    return { network: `\${${attachment.fqn}.output.network}`, token: promiseOutput(scope, 'joinToken') };
  },
});

// The fixture with some fields replaced, as an author (or a cast) might write them.
const shared = (overrides: Record<string, unknown> = {}) => ({ ...base, ...overrides }) as PromiseDefinition;

// The stand-in API: the Promise's requests, and the DELETEs it was sent.
const requests = new Map<
  string,
  { metadata: { name: string; namespace: string; deletionTimestamp?: string; labels?: Record<string, string> }; status?: unknown }
>();
const deletes: string[] = [];
let listStatus = 200;
let server: Server;
let api = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const base = '/apis/fixtures.example.com/v1alpha1';
    if (req.method === 'GET' && url === `${base}/shareds`)
      return res.writeHead(listStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'SharedList', items: [...requests.values()] }));
    const found = /^\/apis\/fixtures\.example\.com\/v1alpha1\/namespaces\/([^/]+)\/shareds\/([^/]+)$/.exec(url);
    if (req.method === 'DELETE' && found) {
      deletes.push(`${found[1]}/${found[2]}`);
      const request = requests.get(`${found[1]}/${found[2]}`);
      if (!request) return res.writeHead(404).end('{}');
      // Finalizers keep it until its delete workflow is done.
      request.metadata.deletionTimestamp = '2026-12-04T00:00:00Z';
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request));
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());
beforeEach(() => {
  requests.clear();
  deletes.length = 0;
  listStatus = 200;
});

const promiseObject = JSON.stringify({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'shared' } });
const promiseRun = (def: PromiseDefinition, action: 'configure' | 'delete') =>
  runRequest(def, promiseObject, {
    ...t.env,
    KRATIX_CDKTF_KUBE_API: api,
    KRATIX_WORKFLOW_TYPE: 'promise',
    KRATIX_WORKFLOW_ACTION: action,
    KRATIX_PIPELINE_NAME: 'stack',
  });
const requestRun = (def: PromiseDefinition, action: 'configure' | 'delete', name = 'app') =>
  runRequest(def, requestYaml(def, { suffix: 'a' }, meta(name)), { ...t.env, KRATIX_WORKFLOW_ACTION: action });
const stateOf = (workspace: string) => {
  const row = t.pg.query(`select data from ${SCHEMA}.states where name = '${workspace}'`);
  return row ? JSON.parse(row) : undefined;
};

test('the Promise applies its stack once, a request reads its outputs through Terraform, and the Promise’s delete deletes the request first, then destroys', async () => {
  const def = shared();
  const applied = await promiseRun(def, 'configure');
  expect(applied.ending, applied.stderr).toBe('done');
  // Kratix keeps only `message` of a Promise workflow's status.
  expect(Object.keys(applied.status)).toEqual(['message']);
  expect(applied.status.message).toMatch(/^Promise shared: promiseStack: /);
  const state = stateOf('shared-promise');
  const networkId = state.outputs.networkId.value;
  expect(networkId).toMatch(/^[0-9a-f-]{36}$/);
  expect(applied.stdout).toContain(`output networkId = "${networkId}"`);
  expect(applied.output).toEqual({});

  const request = await requestRun(def, 'configure');
  expect(request.ending, request.stderr).toBe('done');
  expect(request.status.outputs.network).toBe(networkId);
  // A sensitive output of the Promise's stack stays sensitive in the request's.
  expect(request.status.outputs.token).toBe('(sensitive)');
  const slug = requestSlug('shared', { metadata: meta('app') });
  expect(stateOf(slug).outputs.token).toMatchObject({ value: 'token-only-terraform-sees', sensitive: true });
  // The reference, not the value, is what the request's configuration holds.
  const json = synthRequest(def, { metadata: meta('app'), spec: { suffix: 'a' } }).json as any;
  expect(json.data.terraform_remote_state['kratix-cdktf-promise-stack']).toEqual({
    backend: 'pg',
    config: { schema_name: SCHEMA },
    workspace: 'shared-promise',
    defaults: { networkId: null, joinToken: null, kratix_cdktf_destroyed: false },
  });

  // A second configure of the Promise changes nothing.
  const again = await promiseRun(def, 'configure');
  expect(again.ending, again.stderr).toBe('done');
  expect(stateOf('shared-promise').outputs.networkId.value).toBe(networkId);

  // Kratix runs the Promise's delete workflow before it deletes the requests: the pipeline
  // deletes them itself and waits, with the shared stack still in place.
  requests.set('team-a/app', { metadata: { name: 'app', namespace: 'team-a' } });
  const waiting = await promiseRun(def, 'delete');
  expect(waiting.ending).toBe('retry');
  expect(waiting.status.message).toMatch(/waiting for 1 request\(s\) to be deleted first \(team-a\/app\)/);
  expect(waiting.metadata['workflow-control.yaml']).toMatch(/^retryAfter: 30s$/m);
  expect(deletes).toEqual(['team-a/app']);
  expect(stateOf('shared-promise').outputs.networkId.value).toBe(networkId);
  // Still there (its delete workflow has not finished): no second DELETE, still waiting.
  const still = await promiseRun(def, 'delete');
  expect(still.ending).toBe('retry');
  expect(deletes).toEqual(['team-a/app']);

  // The request's delete workflow destroys what it built, reading the Promise's state.
  const removedRequest = await requestRun(def, 'delete');
  expect(removedRequest.ending, removedRequest.stderr).toBe('done');
  expect(removedRequest.status.message).toMatch(/destroyed/i);
  expect(stateOf(slug)).toBeUndefined();
  requests.clear();

  const removed = await promiseRun(def, 'delete');
  expect(removed.ending, removed.stderr).toBe('done');
  // Apply-mode requests destroy before they are gone: nothing reads the state any more.
  expect(stateOf('shared-promise')).toBeUndefined();
  for (const run of [applied, request, again, waiting, removedRequest, removed])
    for (const secret of [t.pg.password, 'token-only-terraform-sees']) expect([run.stdout, run.stderr, run.statusText].join('\n')).not.toContain(secret);
});

test('a request output built from a sensitive Promise output, but not declared sensitive, is refused by Terraform and nothing is applied', async () => {
  const def = shared({
    name: 'leaky',
    api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Leaky' },
    outputs: { token: {} },
    stack: (scope: Construct) => ({ token: promiseOutput(scope, 'joinToken') }),
  });
  expect((await promiseRun(def, 'configure')).ending).toBe('done');
  const run = await requestRun(def, 'configure');
  expect(run.ending).toBe('retry');
  expect(run.status.message).toMatch(/sensitive/i);
  expect([run.stdout, run.stderr, run.statusText].join('\n')).not.toContain('token-only-terraform-sees');
  expect(stateOf(requestSlug('leaky', { metadata: meta('app') }))?.outputs?.token).toBeUndefined();
});

test('with GitOps requests the Promise’s delete destroys its resources and keeps its outputs: a request destroyed later still plans its destroy, and one built then is refused', async () => {
  // The requests' controller destroys after Kratix deletes the request, reading the Promise's
  // state. Its Terraform is not here: the request's stack is run by the apply delivery on the
  // same backend, which plans with the same configuration and the same remote state. The
  // request passes the output through a function, as a required argument would need a value:
  // a null there fails even a destroy's plan.
  const gitops = shared({
    name: 'later',
    api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Later' },
    delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 's', namespace: 'flux-system' } }),
    promiseStack: { ...base.promiseStack, delivery },
  });
  const applyMode = shared({
    name: 'later',
    api: gitops.api,
    outputs: { network: {} },
    stack(scope: Construct, request: { spec: { suffix: string } }) {
      const attachment = new DataResource(scope, 'attachment', {
        input: { network: Fn.upper(promiseOutput(scope, 'networkId')), suffix: request.spec.suffix },
      });
      return { network: `\${${attachment.fqn}.output.network}` };
    },
  });
  expect((await promiseRun(gitops, 'configure')).ending).toBe('done');
  const networkId = stateOf('later-promise').outputs.networkId.value;
  expect((await requestRun(applyMode, 'configure')).ending).toBe('done');
  const removed = await promiseRun(gitops, 'delete');
  expect(removed.ending, removed.stderr).toBe('done');
  const kept = stateOf('later-promise');
  expect(kept.outputs.networkId.value).toBe(networkId);
  expect(kept.outputs.joinToken).toEqual({ value: 'token-only-terraform-sees', type: 'string', sensitive: true });
  expect(kept.outputs.kratix_cdktf_destroyed.value).toBe(true);
  expect(kept.resources.filter((r: { mode: string; name: string }) => r.mode === 'managed' && !r.name.startsWith('kratix_cdktf_'))).toEqual([]);
  // Run again (Kratix retries a pipeline whose pod died): nothing more to do, the outputs stay.
  expect((await promiseRun(gitops, 'delete')).ending).toBe('done');
  expect(stateOf('later-promise').outputs.networkId.value).toBe(networkId);

  // A change built on the destroyed stack is refused before anything is applied.
  const slug = requestSlug('later', { metadata: meta('app') });
  const before = JSON.stringify(stateOf(slug).resources);
  const changed = await runRequest(applyMode, requestYaml(applyMode, { suffix: 'b' }, meta('app')), t.env);
  expect(changed.ending).toBe('retry');
  expect(changed.status.message).toMatch(/has not been applied yet, or has been destroyed/);
  expect(JSON.stringify(stateOf(slug).resources)).toBe(before);

  const destroyed = await requestRun(applyMode, 'delete');
  expect(destroyed.ending, destroyed.stderr).toBe('done');
  expect(stateOf(slug)).toBeUndefined();
  for (const run of [removed, changed, destroyed]) expect([run.stdout, run.stderr, run.statusText].join('\n')).not.toContain('token-only-terraform-sees');
});

test('a request that will not go by itself is named in the Promise’s message with what holds it', async () => {
  const gone = '2026-12-04T00:00:00Z';
  requests.set('team-a/held', { metadata: { name: 'held', namespace: 'team-a', deletionTimestamp: gone, labels: { 'kratix.io/paused': 'true' } } });
  requests.set('team-b/failed', {
    metadata: { name: 'failed', namespace: 'team-b', deletionTimestamp: gone },
    status: { conditions: [{ type: 'DeleteWorkflowCompleted', status: 'False', reason: 'DeleteWorkflowFailed' }] },
  });
  const run = await promiseRun(shared({ name: 'stuck', api: base.api }), 'delete');
  expect(run.ending).toBe('retry');
  expect(run.status.message).toMatch(
    /waiting for 2 request\(s\).*team-a\/held \(paused: remove its kratix\.io\/paused label\), team-b\/failed \(its delete workflow: DeleteWorkflowFailed; see its status\)/,
  );
  // Both are being deleted already: no DELETE sent again.
  expect(deletes).toEqual([]);
});

test('the Promise’s delete cannot list its requests: retried, with the reason, and nothing destroyed', async () => {
  const def = shared({ name: 'listless', api: base.api });
  expect((await promiseRun(def, 'configure')).ending).toBe('done');
  listStatus = 403;
  const run = await promiseRun(def, 'delete');
  expect(run.ending).toBe('retry');
  expect(run.status.message).toMatch(
    /could not delete the Promise's requests before its stack: .*may not list \/apis\/fixtures\.example\.com\/v1alpha1\/shareds \(HTTP 403\)/,
  );
  expect(stateOf('listless-promise').outputs.networkId).toBeDefined();
  listStatus = 200;
  expect((await promiseRun(def, 'delete')).ending).toBe('done');
  expect(stateOf('listless-promise')).toBeUndefined();
});

test('a declared Promise output that is null after the apply is reported on the Promise, naming it, and retried at the longest wait', async () => {
  const def = shared({
    name: 'nullish',
    promiseStack: {
      outputs: { networkId: {}, region: {} },
      stack: (scope: Construct) => ({ networkId: new DataResource(scope, 'n', {}).id, region: '${null}' }),
    },
  });
  const run = await promiseRun(def, 'configure');
  // Only a new version of the Promise fixes it: retried at the longest wait, never suspended (a
  // suspended Promise workflow would keep Kratix from starting the Promise's delete).
  expect(run.ending, run.status.message).toBe('retry');
  expect(run.metadata['workflow-control.yaml']).toMatch(/^retryAfter: 30m$/m);
  expect(run.status.message).toMatch(/promiseStack\.outputs\.region: is null after the apply/);
  expect((await promiseRun(def, 'delete')).ending).toBe('done');
});

test('a promiseStack.stack() that throws is reported on the Promise and retried, with nothing applied', async () => {
  const def = shared({
    name: 'broken',
    promiseStack: {
      stack() {
        throw new Error('no network plan for this region');
      },
    },
  });
  const run = await promiseRun(def, 'configure');
  expect(run.ending).toBe('retry');
  expect(run.status.message).toMatch(/could not build the Promise's stack.*promiseStack\.stack\(\).*no network plan for this region/s);
  expect(run.stderr).toMatch(/promiseStack\.stack\(\)( at \S+)?: threw no network plan for this region/);
  expect(stateOf('broken-promise')).toBeUndefined();
});

test('the Promise’s plan policies hold for its own stack: a violation is reported, retried at the longest wait, nothing applied', async () => {
  const def = shared({
    name: 'policed',
    policies: [
      {
        name: 'no-networks',
        check: (plan: PlanView) =>
          plan.resources.filter((r) => r.address === 'terraform_data.network').map((r) => ({ address: r.address, message: 'no shared networks here' })),
      },
    ],
  });
  const run = await promiseRun(def, 'configure');
  // A new version of the Promise fixes it: retried at the longest wait.
  expect(run.ending).toBe('retry');
  expect(run.metadata['workflow-control.yaml']).toMatch(/^retryAfter: 30m$/m);
  expect(run.status.message).toMatch(/refused by the plan policies: terraform_data\.network: no shared networks here \(policy no-networks\)/);
  expect(stateOf('policed-promise')).toBeUndefined();
  // Policies tightened after the stack was applied never keep the Promise from going.
  const applied = await promiseRun(shared({ name: 'policed' }), 'configure');
  expect(applied.ending, applied.stderr).toBe('done');
  const removed = await promiseRun(def, 'delete');
  expect(removed.ending, removed.stderr).toBe('done');
  expect(stateOf('policed-promise')).toBeUndefined();
});

test('a Promise delete before any apply succeeds and leaves no state', async () => {
  const run = await promiseRun(shared({ name: 'never' }), 'delete');
  expect(run.ending, run.stderr).toBe('done');
  expect(stateOf('never-promise')).toBeUndefined();
});

test('promiseOutput() names an output the Promise stack does not declare: the author is told which it has', () => {
  const def = shared({
    stack(scope: Construct) {
      new DataResource(scope, 'a', { input: { network: promiseOutput(scope, 'networkID') } });
      return { network: 'n' };
    },
  });
  expect(() => synthRequest(def, { metadata: meta('x'), spec: { suffix: 'a' } })).toThrow(
    /promiseStack\.outputs has no "networkID"; it has "networkId", "joinToken"/,
  );
  const without = shared({ promiseStack: undefined });
  expect(() => synthRequest(without, { metadata: meta('x'), spec: { suffix: 'a' } })).toThrow(/this Promise has no promiseStack/);
});

test('the Promise gets a stack pipeline in configure and delete, with the delivery’s RBAC and the workflow’s credentials', () => {
  const def = shared({ workflow: { envFrom: [{ secretRef: { name: 'terraform-credentials' } }] } });
  const rendered = renderPromise(def, { image: 'example.com/w:1' });
  expect(rendered.ok, JSON.stringify(!rendered.ok && rendered.issues)).toBe(true);
  if (!rendered.ok) return;
  const workflows = (rendered.value.promise as any).spec.workflows;
  expect(workflows.promise.configure.map((p: any) => p.metadata.name)).toEqual(['stack']);
  expect(workflows.promise.delete.map((p: any) => p.metadata.name)).toEqual(['stack']);
  const [container] = workflows.promise.delete[0].spec.containers;
  expect(container.name).toBe('destroy');
  expect(container.envFrom).toEqual([{ secretRef: { name: 'terraform-credentials' } }]);
  // The delete deletes the Promise's requests in every namespace first, through the API.
  expect(workflows.promise.delete[0].spec.rbac.permissions).toContainEqual({
    resourceNamespace: '*',
    apiGroups: ['fixtures.example.com'],
    resources: ['shareds'],
    verbs: ['list', 'delete'],
  });
  expect(container.env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
  // Applying needs no such right.
  expect(JSON.stringify(workflows.promise.configure[0].spec.rbac ?? {})).not.toContain('shareds');
  // Kratix runs Promise workflows in the pipeline namespace, where the credentials are.
  expect(workflows.config.pipelineNamespace).toBe('kratix-cdktf');
});

test('synth refuses a Promise stack a GitOps delivery would carry, bad output names, and a namespace Kratix would not run it in', () => {
  const issues = (def: PromiseDefinition) => {
    const rendered = renderPromise(def, { image: 'example.com/w:1' });
    return rendered.ok ? [] : rendered.issues;
  };
  const gitops = shared({ delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 's', namespace: 'flux-system' } }) });
  expect(issues(gitops)).toContainEqual(expect.objectContaining({ path: 'delivery', message: expect.stringMatching(/every Destination the Promise selects/) }));
  // A GitOps Promise can still apply its own stack in the workflow, in the namespace its workflows run in.
  const mixed = shared({
    delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 's', namespace: 'flux-system' } }),
    promiseStack: { ...base.promiseStack, delivery },
  });
  expect(issues(mixed)).toContainEqual(
    expect.objectContaining({ path: 'promiseStack.delivery.pipelineNamespace', message: expect.stringMatching(/"kratix-platform-system"/) }),
  );
  const together = shared({
    delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 's', namespace: 'flux-system' } }),
    promiseStack: { ...base.promiseStack, delivery: applyInWorkflow({ backend: pgBackend(), pipelineNamespace: 'kratix-platform-system' }) },
  });
  expect(issues(together)).toEqual([]);
  // A state in a Secret of the platform cluster: GitOps requests' Terraform runs on the Destinations.
  const inCluster = shared({
    delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 's', namespace: 'flux-system' } }),
    promiseStack: {
      ...base.promiseStack,
      delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'kratix-platform-system' }), pipelineNamespace: 'kratix-platform-system' }),
    },
  });
  expect(issues(inCluster)).toEqual([
    expect.objectContaining({
      path: 'promiseStack.delivery',
      message: expect.stringMatching(/cannot read: tofu-controller runs their Terraform on the Destinations/),
    }),
  ]);
  const badNames = shared({ promiseStack: { outputs: { '1st': {}, kratix_cdktf_owner: {} }, stack: () => ({}) } });
  expect(issues(badNames).map((i) => i.path)).toEqual(['promiseStack.outputs.1st', 'promiseStack.outputs.kratix_cdktf_owner']);
  expect(issues(shared({ promiseStack: { outputs: {} } }))).toEqual([expect.objectContaining({ path: 'promiseStack' })]);
});

test('apply-mode requests get read access to a Promise stack state kept in another namespace’s Secret', () => {
  const def = shared({
    promiseStack: {
      ...base.promiseStack,
      delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'platform-state' }) }),
    },
  });
  const rendered = renderPromise(def, { image: 'example.com/w:1' });
  expect(rendered.ok, JSON.stringify(!rendered.ok && rendered.issues)).toBe(true);
  if (!rendered.ok) return;
  const [configure] = (rendered.value.promise as any).spec.workflows.resource.configure;
  // That one Secret (tfstate-<workspace>-<secret_suffix>, as Terraform's kubernetes backend names
  // it): the namespace holds others'.
  expect(configure.spec.rbac.permissions).toContainEqual({
    resourceNamespace: 'platform-state',
    apiGroups: [''],
    resources: ['secrets'],
    resourceNames: ['tfstate-shared-promise-shared'],
    verbs: ['get'],
  });
});
