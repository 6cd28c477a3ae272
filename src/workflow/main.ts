import type { PromiseDefinition } from '../promise/define-promise.js';
import { runWorkflow } from './run.js';

/**
 * The workflow container's entry point for one Promise: runs the workflow Kratix asked for
 * (from KRATIX_WORKFLOW_TYPE and KRATIX_WORKFLOW_ACTION) and exits with its code.
 * @example import postgres from './promises/postgres/index.js'; runContainer(postgres);
 */
export function runContainer(def: PromiseDefinition): void {
  runWorkflow(def, process.env, { info: (l) => console.log(l), error: (l) => console.error(l) }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // An unexpected failure: say what it was; the stack trace only on request.
      console.error(`kratix-cdktf: the workflow failed: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env.KRATIX_CDKTF_DEBUG && e instanceof Error) console.error(e.stack);
      process.exit(2);
    },
  );
}
