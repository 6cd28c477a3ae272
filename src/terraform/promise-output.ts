// How a request's stack reads what the Promise's own stack (promiseStack) built: Terraform reads
// that state itself, with a terraform_remote_state data source, at plan time. No value passes
// through the workflow, Kubernetes or git, and a sensitive output stays sensitive.
import type { IConstruct } from 'constructs';
import { promiseStackSlug } from '../delivery/owner.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { TerraformRemoteState, TerraformStack } from './cdktf.js';
import { StackError } from './errors.js';
import { PROMISE_CONTEXT } from './stack.js';

const STATE_ID = 'kratix-cdktf-promise-stack';

class PromiseState extends TerraformRemoteState {}

/**
 * The output `name` of the Promise's own stack (`promiseStack`), as a Terraform reference for an
 * attribute of a request's stack. The request's stack must be able to reach that state: with
 * `applyInWorkflow`, the same backend and credentials do.
 * @example new IamRolePolicyAttachment(scope, 'attach', { role: promiseOutput(scope, 'roleName'), ... })
 */
export function promiseOutput(scope: IConstruct, name: string): string {
  const def = scope.node.tryGetContext(PROMISE_CONTEXT) as PromiseDefinition | undefined;
  if (def === undefined) throw new Error('promiseOutput() was called outside a stack that kratix-cdktf builds');
  const fail = (message: string, fix: string) => new StackError({ path: `promiseOutput(scope, ${JSON.stringify(name)})`, message, fix });
  const promiseStack = def.promiseStack;
  if (!promiseStack) throw fail('this Promise has no promiseStack, whose outputs it reads', 'add a promiseStack that returns the output');
  const declared = Object.keys(promiseStack.outputs ?? {});
  if (!declared.includes(name))
    throw fail(
      `promiseStack.outputs has no ${JSON.stringify(name)}${declared.length ? `; it has ${declared.map((n) => JSON.stringify(n)).join(', ')}` : ''}`,
      `declare it in promiseStack.outputs and return it from promiseStack.stack()`,
    );
  const stack = TerraformStack.of(scope);
  // The Promise's stack itself has no state to read but its own.
  if (stack.node.id === 'promise') throw fail('is called in promiseStack.stack(), which builds those outputs', 'use the value itself there');
  const delivery = promiseStack.delivery ?? def.delivery;
  const at = delivery?.stateOf?.(def, promiseStackSlug(def.name));
  // synth refuses such a Promise: this is reached only by tests and render.
  if (!at)
    throw fail(
      `the Promise stack's delivery (${delivery?.kind ?? 'none'}) keeps no state a request can read`,
      'give promiseStack an applyInWorkflow() delivery',
    );
  const found = stack.node.tryFindChild(STATE_ID) as PromiseState | undefined;
  const state = found ?? new PromiseState(stack, STATE_ID, at.backend, { ...at.config, ...(at.workspace ? { workspace: at.workspace } : {}) });
  return state.getString(name);
}
