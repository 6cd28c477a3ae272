// The Promise's own stack (promiseStack), with real Terraform and PostgreSQL: the Promise's
// configure workflow applies it, a request's stack reads its outputs through Terraform's
// terraform_remote_state, and the Promise's delete workflow destroys it.
import { DataResource } from 'cdktf';
import type { Construct } from 'constructs';
import { expect, test } from 'vitest';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { definePromise, type PromiseDefinition } from '../../src/promise/define-promise.js';
import { Type } from '../../src/schema/index.js';
import { promiseOutput } from '../../src/terraform/promise-output.js';
import type { PlanView } from '../../src/policies/index.js';
import { synthRequest } from '../../src/terraform/stack.js';
import { applyEnvironment, meta } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const SCHEMA = 'kratix_promise_stack_test';
const t = applyEnvironment(SCHEMA);
const delivery = applyInWorkflow({ backend: pgBackend({ schemaName: SCHEMA }) });

const base = definePromise({
  name: 'shared',
  api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Shared' },
  spec: Type.Object({ suffix: Type.String({ default: 'x' }) }),
  outputs: { network: { description: 'The Promise stack’s network, as the request saw it' } },
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
    return { network: `\${${attachment.fqn}.output.network}` };
  },
});

// The fixture with some fields replaced, as an author (or a cast) might write them.
const shared = (overrides: Record<string, unknown> = {}) => ({ ...base, ...overrides }) as PromiseDefinition;

const promiseObject = JSON.stringify({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'shared' } });
const promiseRun = (def: PromiseDefinition, action: 'configure' | 'delete') =>
  runRequest(def, promiseObject, { ...t.env, KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: action, KRATIX_PIPELINE_NAME: 'stack' });
const stateOf = (workspace: string) => {
  const row = t.pg.query(`select data from ${SCHEMA}.states where name = '${workspace}'`);
  return row ? JSON.parse(row) : undefined;
};

test('the Promise applies its stack once, a request reads its outputs through Terraform, and the Promise’s delete destroys it', async () => {
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
  expect(applied.stdout).not.toContain('token-only-terraform-sees');
  expect(applied.output).toEqual({});

  const request = await runRequest(def, requestYaml(def, { suffix: 'a' }, meta('app')), t.env);
  expect(request.ending, request.stderr).toBe('done');
  expect(request.status.outputs.network).toBe(networkId);
  // The reference, not the value, is what the request's configuration holds.
  const json = synthRequest(def, { metadata: meta('app'), spec: { suffix: 'a' } }).json as any;
  expect(json.data.terraform_remote_state['kratix-cdktf-promise-stack']).toEqual({
    backend: 'pg',
    config: { schema_name: SCHEMA },
    workspace: 'shared-promise',
  });

  // A second configure of the Promise changes nothing.
  const again = await promiseRun(def, 'configure');
  expect(again.ending, again.stderr).toBe('done');
  expect(stateOf('shared-promise').outputs.networkId.value).toBe(networkId);

  await runRequest(def, requestYaml(def, { suffix: 'a' }, meta('app')), { ...t.env, KRATIX_WORKFLOW_ACTION: 'delete' });
  const removed = await promiseRun(def, 'delete');
  expect(removed.ending, removed.stderr).toBe('done');
  expect(stateOf('shared-promise')).toBeUndefined();
  for (const run of [applied, request, again, removed]) expect([run.stdout, run.stderr, run.statusText].join('\n')).not.toContain(t.pg.password);
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

test('the Promise’s plan policies hold for its own stack: a violation is reported on the Promise, retried, nothing applied', async () => {
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
  expect(run.ending).toBe('retry');
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
  const badNames = shared({ promiseStack: { outputs: { '1st': {}, kratix_cdktf_owner: {} }, stack: () => ({}) } });
  expect(issues(badNames).map((i) => i.path)).toEqual(['promiseStack.outputs.1st', 'promiseStack.outputs.kratix_cdktf_owner']);
  expect(issues(shared({ promiseStack: { outputs: {} } }))).toEqual([expect.objectContaining({ path: 'promiseStack' })]);
});
