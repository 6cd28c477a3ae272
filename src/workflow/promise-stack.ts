import { toYaml } from '../artifacts/yaml.js';
import { kubeRequest } from '../delivery/kube-api.js';
import type { DeliveryResult, DeliveryRun } from '../delivery/delivery.js';
import { promiseStackOwner, promiseStackSlug } from '../delivery/owner.js';
import { apiNames } from '../kratix/crd.js';
import { promiseStackDelivery } from '../kratix/promise-stack.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { formatIssues, type Issue } from '../schema/issue.js';
import { evaluatePolicies, planFromConfiguration } from '../policies/index.js';
import { StackError } from '../terraform/errors.js';
import { promiseStackTombstone } from '../terraform/promise-output.js';
import { synthPromiseStack, type SynthesizedStack } from '../terraform/stack.js';
import type { WorkflowContext } from './context.js';
import { durationMs, type Ending, retryAttempts, workflowControlFile } from './control.js';
import { writeAllOrNothing } from './files.js';
import { readRequestFile } from './input.js';
import type { WorkflowLog } from './run.js';
import { describeIssues } from './status.js';

/**
 * The Promise's `stack` pipeline: applies the Promise's own stack on configure, destroys it on
 * delete, through its delivery (which runs Terraform here), in the workspace named by
 * {@link promiseStackSlug}. Kratix keeps only `message` of a Promise workflow's status
 * (work-creator update_status.go), so that is all this writes there; outputs go to the log, and
 * requests' stacks read them from the state. A failure asks Kratix to run the pipeline again:
 * until configure succeeds the Promise serves no request, and until delete succeeds Kratix keeps
 * the Promise.
 *
 * Kratix runs a Promise's delete workflows before it deletes the Promise's requests
 * (promise_controller.go deletePromise: the delete-workflows finalizer comes before the
 * resource-request-cleanup one). Destroying first would pull the shared stack from under every
 * request, so the delete deletes the requests itself and waits until they are gone.
 */
export async function runPromiseStack(def: PromiseDefinition, ctx: WorkflowContext, log: WorkflowLog, signal?: AbortSignal): Promise<number> {
  const heading = `Promise ${def.name}: promiseStack`;
  const delivery = promiseStackDelivery(def);
  if (!def.promiseStack || !delivery?.runsTerraform) {
    // synth writes this pipeline only for a Promise stack it accepted: the image is not that code.
    log.error(`${heading}: promises/${def.name} has no promiseStack applied in the workflow; apply the promise.yaml that \`npm run synth\` writes`);
    return 2;
  }
  const input = readRequestFile(ctx.inputFile);
  const object = input.ok ? input.value : undefined;
  const retry = delivery.retry;
  const backoff = { firstMs: durationMs(retry?.first ?? '30s') ?? 30_000, maxMs: durationMs(retry?.max ?? '30m') ?? 1_800_000 };
  const end = (message: string, ending?: Ending, policy = backoff): number => {
    const files = new Map([['status.yaml', toYaml({ message })]]);
    if (ending && ctx.workflowControl) {
      const control = workflowControlFile(ending, retryAttempts(object, ctx.pipelineName), policy);
      files.set('workflow-control.yaml', control);
      log.info(`Kratix runs this pipeline again: ${control.split('\n')[0]}`);
    }
    writeAllOrNothing(ctx.metadataDir, files);
    return ending && !ctx.workflowControl ? 1 : 0;
  };
  // `authors`: only a new version of the Promise fixes it. Still a retry, at the longest wait:
  // a suspended Promise workflow keeps Kratix from ever starting the Promise's delete workflow
  // (handleSuspendedDeleteWorkflow) until someone removes the label by hand.
  const fail = (what: string, issues: readonly Issue[], whose: 'platform' | 'authors' = 'platform'): number => {
    log.error(formatIssues(`${heading}: ${what}`, issues));
    const message = `${heading}: ${what}: ${describeIssues(issues, 0)}`;
    return end(message, { kind: 'retry', message }, whose === 'authors' ? { firstMs: backoff.maxMs, maxMs: backoff.maxMs } : backoff);
  };
  if (ctx.action === 'delete') {
    let waiting: readonly string[];
    try {
      waiting = await deleteRequests(def, ctx.env);
    } catch (e) {
      return fail("could not delete the Promise's requests before its stack", [{ path: requestsApi(def).list, message: (e as Error).message }]);
    }
    if (waiting.length > 0) {
      const shown = waiting.slice(0, 5).join(', ') + (waiting.length > 5 ? `, and ${waiting.length - 5} more` : '');
      const message = `${heading}: waiting for ${waiting.length} request(s) to be deleted first (${shown}): their delete workflows undo what they built on the Promise's stack, which is destroyed after them`;
      log.info(message);
      // Not a failure: look again soon, and never wait longer than 5 minutes between looks.
      return end(message, { kind: 'retry', message }, { firstMs: backoff.firstMs, maxMs: Math.min(backoff.maxMs, 300_000) });
    }
  }
  let synthesized: SynthesizedStack;
  try {
    synthesized = synthPromiseStack(def);
  } catch (e) {
    if (e instanceof StackError) return fail(`promises/${def.name} could not build the Promise's stack`, [e.issue]);
    return fail('kratix-cdktf failed while synthesizing (a bug; please report it)', [{ path: '(kratix-cdktf)', message: (e as Error).message }]);
  }
  // The platform's plan policies hold for what the Promise builds too: on the configuration here,
  // and on the plan where the delivery has one.
  // Not on delete: tightened policies must never keep a Promise from going.
  if (ctx.action === 'configure' && def.policies?.length) {
    const verdict = evaluatePolicies(def.policies, planFromConfiguration(synthesized.json));
    // A violation is the author's to fix with a new version of the Promise.
    if (!verdict.ok)
      return verdict.reason === 'PolicyViolated'
        ? fail('refused by the plan policies', verdict.issues, 'authors')
        : fail('the plan policies could not be checked', verdict.issues);
  }
  // A GitOps controller destroys a request's stack after Kratix has deleted the request, and
  // that destroy still reads this state: the delete applies the tombstone (every resource
  // destroyed, the outputs kept) instead. Apply-mode requests destroy before they are gone.
  const tombstone = ctx.action === 'delete' && def.stack !== undefined && !def.delivery?.runsTerraform;
  const at = tombstone ? delivery.stateOf?.(def, promiseStackSlug(def.name)) : undefined;
  const run: DeliveryRun = {
    // What the delivery may read: the Promise stack's outputs, not requests', and no request
    // stack, status field or rule that could be mistaken for this stack's. No policies on the
    // way out: tightened policies must never keep a Promise from going.
    def: stackDefinition(def, ctx.action === 'configure'),
    action: at ? 'configure' : ctx.action,
    dryRun: false,
    // The Promise has no request: its stack stands in for one, with no spec and no Secrets.
    request: { metadata: { name: def.name, namespace: ctx.objectNamespace }, spec: {} },
    slug: promiseStackSlug(def.name),
    owner: promiseStackOwner(def.name),
    synthesized: at ? { json: promiseStackTombstone(def, at), knownOutputs: {}, secrets: [] } : synthesized,
    input: object,
    env: ctx.env,
    now: ctx.now(),
    log: (line) => log.info(`${heading}: ${line}`),
    ...(signal ? { signal } : {}),
  };
  if (at) log.info(`${heading}: destroying every resource and keeping the outputs, which requests' late destroys (their controller's) still read`);
  const result: DeliveryResult = await (run.action === 'delete' && typeof delivery.delete === 'function' ? delivery.delete(run) : delivery.configure(run));
  if (result.refused) return fail(result.refused.what, result.refused.issues);
  const message = `${heading}: ${result.status.message}`;
  if (result.log?.error) log.error(`${heading}: ${result.log.text}`);
  else log.info(message);
  const outputs = result.status.outputs as Readonly<Record<string, unknown>> | undefined;
  for (const [name, value] of Object.entries(outputs ?? {})) log.info(`  output ${name} = ${JSON.stringify(value)}`);
  // Terraform keeps no null output in the state, and requests' stacks refuse to build on a
  // missing one (src/terraform/promise-output.ts): a declared output must have a value.
  const missing = Object.keys(def.promiseStack.outputs ?? {}).filter((name) => outputs?.[name] === undefined);
  if (ctx.action === 'configure' && !result.ending && missing.length > 0)
    return fail(
      'applied, but requests could not read it',
      missing.map((name) => ({
        path: `promiseStack.outputs.${name}`,
        message: "is null after the apply: Terraform keeps no null output, and a request's stack that reads it refuses to build",
        fix: 'return a value for it from promiseStack.stack(), or remove it from promiseStack.outputs',
      })),
      'authors',
    );
  return end(message, result.ending);
}

// A delivery reads its run's definition for outputs, policies and names: give it only those.
function stackDefinition(def: PromiseDefinition, withPolicies: boolean): PromiseDefinition {
  const { name, api, spec, version, policies } = def;
  return {
    name,
    api,
    spec,
    ...(version ? { version } : {}),
    ...(policies && withPolicies ? { policies } : {}),
    outputs: def.promiseStack?.outputs ?? {},
  } as PromiseDefinition;
}

// Where the Promise's requests are served: the API group and version the CRD declares.
function requestsApi(def: PromiseDefinition) {
  const { group, version, plural } = apiNames(def.api);
  return {
    list: `/apis/${group}/${version}/${plural}`,
    one: (ns: string, name: string) => `/apis/${group}/${version}/namespaces/${encodeURIComponent(ns)}/${plural}/${encodeURIComponent(name)}`,
  };
}

/**
 * Deletes the Promise's requests, in every namespace, as Kratix itself would after this workflow
 * (background propagation), and returns those still there (`<namespace>/<name>`): a request
 * stays until its own delete workflow has finished. The pipeline has `list` and `delete` on them.
 */
async function deleteRequests(def: PromiseDefinition, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const api = requestsApi(def);
  const listed = await kubeRequest(env, 'GET', api.list);
  // No such API any more: no request can be left.
  if (listed.status === 404) return [];
  if (listed.status === 403)
    throw new Error(
      `the pipeline may not list ${api.list} (HTTP 403); apply the promise.yaml that \`npm run synth\` writes, whose stack pipeline has that RBAC`,
    );
  if (listed.status !== 200) throw new Error(`listing ${api.list} failed with HTTP ${listed.status}`);
  const items = ((JSON.parse(listed.body) as { items?: unknown }).items ?? []) as Listed[];
  const left: string[] = [];
  for (const item of items) {
    const { name = '', namespace = '' } = item.metadata ?? {};
    if (!item.metadata?.deletionTimestamp) {
      const deleted = await kubeRequest(env, 'DELETE', api.one(namespace, name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
      if (deleted.status === 404) continue;
      if (deleted.status >= 300) throw new Error(`deleting ${namespace}/${name} failed with HTTP ${deleted.status}`);
    }
    left.push(`${namespace}/${name}${stuck(item)}`);
  }
  return left.sort();
}

type Listed = {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string; labels?: Record<string, string> };
  status?: { conditions?: { type?: string; status?: string; reason?: string }[] };
};

// Why a request may never go by itself, so the Promise's message says whom to call: Kratix
// skips a paused request (reconcileIfPaused) and does not rerun a failed delete workflow.
function stuck(item: Listed): string {
  if (item.metadata?.labels?.['kratix.io/paused'] === 'true') return ' (paused: remove its kratix.io/paused label)';
  const failed = item.status?.conditions?.find((c) => c.type === 'DeleteWorkflowCompleted' && c.status === 'False');
  return failed ? ` (its delete workflow: ${failed.reason ?? 'not completed'}; see its status)` : '';
}
