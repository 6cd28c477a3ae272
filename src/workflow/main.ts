import type { PromiseDefinition } from '../promise/define-promise.js';
import { runWorkflow, type RunWorkflowProps } from './run.js';

/**
 * The workflow container's entry point for one Promise: runs the workflow Kratix asked for
 * (from KRATIX_WORKFLOW_TYPE and KRATIX_WORKFLOW_ACTION) and exits with its code. `props`
 * carries what the build read for the Promise (its manifest files).
 * @example import postgres from './promises/postgres/index.js'; runContainer(postgres);
 */
export function runContainer(def: PromiseDefinition, props: RunWorkflowProps = {}): void {
  runWorkflow(def, process.env, { info: (l) => console.log(l), error: (l) => console.error(l) }, props).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // An unexpected failure: say what it was; the stack trace only on request.
      console.error(`kratix-cdktf: the workflow failed: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env.KRATIX_CDKTF_DEBUG && e instanceof Error) console.error(e.stack);
      process.exit(2);
    },
  );
}
