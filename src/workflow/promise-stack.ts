import { toYaml } from '../artifacts/yaml.js';
import type { DeliveryResult, DeliveryRun } from '../delivery/delivery.js';
import { promiseStackOwner, promiseStackSlug } from '../delivery/owner.js';
import { promiseStackDelivery } from '../kratix/promise-stack.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { formatIssues, type Issue } from '../schema/issue.js';
import { evaluatePolicies, planFromConfiguration } from '../policies/index.js';
import { StackError } from '../terraform/errors.js';
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
 * the Promise, so nothing is orphaned.
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
  const end = (message: string, ending?: Ending): number => {
    const files = new Map([['status.yaml', toYaml({ message })]]);
    if (ending && ctx.workflowControl) {
      const retry = delivery.retry;
      const policy = { firstMs: durationMs(retry?.first ?? '30s') ?? 30_000, maxMs: durationMs(retry?.max ?? '30m') ?? 1_800_000 };
      const control = workflowControlFile(ending, retryAttempts(object, ctx.pipelineName), policy);
      files.set('workflow-control.yaml', control);
      log.info(`Kratix runs this pipeline again: ${control.split('\n')[0]}`);
    }
    writeAllOrNothing(ctx.metadataDir, files);
    return ending && !ctx.workflowControl ? 1 : 0;
  };
  const fail = (what: string, issues: readonly Issue[]): number => {
    log.error(formatIssues(`${heading}: ${what}`, issues));
    const message = `${heading}: ${what}: ${describeIssues(issues, 0)}`;
    return end(message, { kind: 'retry', message });
  };
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
    if (!verdict.ok)
      return fail(verdict.reason === 'PolicyViolated' ? 'refused by the plan policies' : 'the plan policies could not be checked', verdict.issues);
  }
  const run: DeliveryRun = {
    // What the delivery reads the outputs by: the Promise stack's, not requests'.
    def: { ...def, outputs: def.promiseStack.outputs ?? {} },
    action: ctx.action,
    dryRun: false,
    // The Promise has no request: its stack stands in for one, with no spec and no Secrets.
    request: { metadata: { name: def.name, namespace: ctx.objectNamespace }, spec: {} },
    slug: promiseStackSlug(def.name),
    owner: promiseStackOwner(def.name),
    synthesized,
    input: object,
    env: ctx.env,
    now: ctx.now(),
    log: (line) => log.info(`${heading}: ${line}`),
    ...(signal ? { signal } : {}),
  };
  const result: DeliveryResult = await (ctx.action === 'delete' && typeof delivery.delete === 'function' ? delivery.delete(run) : delivery.configure(run));
  if (result.refused) return fail(result.refused.what, result.refused.issues);
  const message = `${heading}: ${result.status.message}`;
  if (result.log?.error) log.error(`${heading}: ${result.log.text}`);
  else log.info(message);
  const outputs = result.status.outputs as Readonly<Record<string, unknown>> | undefined;
  for (const [name, value] of Object.entries(outputs ?? {})) log.info(`  output ${name} = ${JSON.stringify(value)}`);
  return end(message, result.ending);
}
