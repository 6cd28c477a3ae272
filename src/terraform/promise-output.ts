// How a request's stack reads what the Promise's own stack (promiseStack) built: Terraform reads
// that state itself, with a terraform_remote_state data source, at plan time. No value passes
// through the workflow, Kubernetes or git.
//
// Terraform gives a remote state's outputs without their sensitive mark, so a sensitive one is
// marked again here; a request output built from it must then be declared sensitive too.
//
// A request's destroy must not depend on the Promise's stack still being there: Kratix deletes a
// Promise's requests after its delete workflow, and a GitOps controller destroys after the
// request is gone. Every declared output therefore defaults to null (Terraform's `defaults`, used
// when the state holds no such output: after the Promise stack's destroy), and a guard resource
// refuses a plan that would build with a missing output. Terraform checks preconditions when it
// creates or updates, never when it destroys.
import type { IConstruct } from 'constructs';
import type { RemoteState } from '../delivery/delivery.js';
import { promiseStackSlug } from '../delivery/owner.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { DataResource, Fn, Lazy, TerraformRemoteState, TerraformStack } from './cdktf.js';
import { StackError } from './errors.js';
import { PROMISE_CONTEXT } from './stack.js';

/** The construct id (and Terraform name) of the remote state a request's stack reads. */
export const PROMISE_STATE_ID = 'kratix-cdktf-promise-stack';
/** The guard resource that refuses to build with outputs the Promise's stack does not hold. */
export const PROMISE_STATE_GUARD = 'kratix-cdktf-promise-stack-applied';

class PromiseState extends TerraformRemoteState {
  /** The outputs this stack reads, which the guard checks. */
  readonly read = new Set<string>();
}

/**
 * The output `name` of the Promise's own stack (`promiseStack`), as a Terraform reference for an
 * attribute of a request's stack. The request's stack must be able to reach that state: with
 * `applyInWorkflow`, the same backend and credentials do. An output declared sensitive stays
 * sensitive.
 * @example new IamRolePolicyAttachment(scope, 'attach', { role: promiseOutput(scope, 'roleName'), ... })
 */
export function promiseOutput(scope: IConstruct, name: string): string {
  const def = scope.node.tryGetContext(PROMISE_CONTEXT) as PromiseDefinition | undefined;
  if (def === undefined) throw new Error('promiseOutput() was called outside a stack that kratix-cdktf builds');
  const fail = (message: string, fix: string) => new StackError({ path: `promiseOutput(scope, ${JSON.stringify(name)})`, message, fix });
  const promiseStack = def.promiseStack;
  if (!promiseStack) throw fail('this Promise has no promiseStack, whose outputs it reads', 'add a promiseStack that returns the output');
  const outputs = promiseStack.outputs ?? {};
  const declared = Object.keys(outputs);
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
  const state = (stack.node.tryFindChild(PROMISE_STATE_ID) as PromiseState | undefined) ?? readPromiseState(stack, at, declared);
  state.read.add(name);
  const value = state.getString(name);
  return outputs[name]?.sensitive ? (Fn.sensitive(value) as string) : value;
}

function readPromiseState(stack: TerraformStack, at: RemoteState, declared: readonly string[]): PromiseState {
  const state = new PromiseState(stack, PROMISE_STATE_ID, at.backend, {
    ...at.config,
    ...(at.workspace ? { workspace: at.workspace } : {}),
  });
  // An override: cdktf's own `defaults` cannot hold null.
  state.addOverride('defaults', Object.fromEntries(declared.map((n) => [n, null])));
  const outputs = `data.terraform_remote_state.${PROMISE_STATE_ID}.outputs`;
  new DataResource(stack, PROMISE_STATE_GUARD, {
    lifecycle: {
      precondition: [
        {
          // Output names are checked at synth (letters, digits, "_", "-"): safe inside quotes.
          condition: Lazy.stringValue({ produce: () => `\${alltrue([for k in ${JSON.stringify([...state.read].sort())} : ${outputs}[k] != null])}` }),
          errorMessage:
            "the Promise's own stack (promiseStack) has no value for an output this request reads: it has not been applied yet, or it has been destroyed (the Promise is being deleted). Nothing was built; Kratix runs this again. Apply the Promise, or let its deletion finish",
        },
      ],
    },
  });
  return state;
}
