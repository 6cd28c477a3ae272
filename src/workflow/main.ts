import type { PromiseDefinition } from '../promise/define-promise.js';
import { runWorkflow, type RunWorkflowProps } from './run.js';
import { runTask } from './task.js';

/**
 * The workflow container's entry point for one Promise: runs the workflow Kratix asked for
 * (from KRATIX_WORKFLOW_TYPE and KRATIX_WORKFLOW_ACTION), or the delivery's task that
 * KRATIX_CDKTF_TASK names, and exits with its code. `props`
 * carries what the build read for the Promise (its manifest files).
 *
 * SIGTERM (a pod being stopped) and SIGINT stop the run: a running terraform is signalled and
 * waited for (killed after KRATIX_CDKTF_STOP_TIMEOUT, 25 s by default), nothing further starts,
 * and status says the run was interrupted before the process exits.
 * @example import postgres from './promises/postgres/index.js'; runContainer(postgres);
 */
export function runContainer(def: PromiseDefinition, props: RunWorkflowProps = {}): void {
  const stop = new AbortController();
  // As PID 1 in its container, Node has no default action for SIGTERM: without a handler a
  // stopped pod runs on, terraform unsignalled, until the kubelet's SIGKILL, which leaves a
  // state lock held and no status.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // Terraform takes a second interrupt as "exit now, without saving the state": it is not
      // passed on. The stop timeout still bounds the wait.
      console.error(`kratix-cdktf: ${signal} again; already stopping, waiting for terraform to exit`);
      return;
    }
    console.error(`kratix-cdktf: ${signal} received; stopping terraform, then writing status`);
    stop.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const log = { info: (l: string) => console.log(l), error: (l: string) => console.error(l) };
  const task = process.env.KRATIX_CDKTF_TASK;
  const run = task ? runTask(def, task, process.env, log, stop.signal) : runWorkflow(def, process.env, log, { ...props, signal: stop.signal });
  run.then(
    (code) => process.exit(code),
    (e: unknown) => {
      // An unexpected failure: say what it was; the stack trace only on request.
      console.error(`kratix-cdktf: the workflow failed: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env.KRATIX_CDKTF_DEBUG && e instanceof Error) console.error(e.stack);
      process.exit(2);
    },
  );
}
