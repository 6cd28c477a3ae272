import { deliveryOf } from '../delivery/index.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { WorkflowLog } from './run.js';

/**
 * Runs a task of the Promise's delivery (KRATIX_CDKTF_TASK), for what the workflow image does
 * outside Kratix's pipelines, such as tofu-controller's clean-up CronJob. Returns the exit code.
 */
export async function runTask(
  def: PromiseDefinition,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  log: WorkflowLog,
  signal?: AbortSignal,
): Promise<number> {
  const delivery = deliveryOf(def);
  const task = Object.hasOwn(delivery.tasks ?? {}, name) ? delivery.tasks![name] : undefined;
  if (!task) {
    const known = Object.keys(delivery.tasks ?? {});
    log.error(
      `kratix-cdktf: KRATIX_CDKTF_TASK=${JSON.stringify(name.slice(0, 60))} is not a task of ${def.name}'s delivery (${delivery.kind}); it has ${known.length ? known.join(', ') : 'none'}`,
    );
    return 2;
  }
  return task({ def, env, now: new Date(), log, ...(signal ? { signal } : {}) });
}
