// How a request's stack reads what the Promise's own stack (promiseStack) built: Terraform reads
// that state itself, with a terraform_remote_state data source, at plan time. No value passes
// through the workflow, Kubernetes or git.
//
// Terraform gives a remote state's outputs without their sensitive mark, so a sensitive one is
// marked again here; a request output built from it must then be declared sensitive too.
//
// A request's destroy must not need the Promise's resources: a GitOps controller destroys a
// request after Kratix has deleted it, possibly after the Promise's own delete. So that delete
// does not empty the state: it applies the {@link promiseStackTombstone}, which destroys every
// resource and keeps the outputs' last values, with a marker. A request's destroy then plans
// with real values (a null one would fail any function or required argument it feeds), and a
// guard resource refuses any other plan on a destroyed or not yet applied stack: Terraform checks
// preconditions when it creates or updates, never when it destroys.
import type { IConstruct } from 'constructs';
import type { RemoteState } from '../delivery/delivery.js';
import { DESTROYED_OUTPUT, PROMISE_STATE_GUARD, promiseStackSlug } from '../delivery/owner.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { DataResource, Fn, Lazy, TerraformRemoteState, TerraformStack } from './cdktf.js';
import { StackError } from './errors.js';
import { PROMISE_CONTEXT, type TerraformJson } from './stack.js';

/** The construct id (and Terraform name) of the remote state a request's stack reads. */
export const PROMISE_STATE_ID = 'kratix-cdktf-promise-stack';

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
  // What a reader gets from a state that lacks them (not applied yet, or emptied by hand): an
  // override, since cdktf's own `defaults` cannot hold null.
  state.addOverride('defaults', { ...Object.fromEntries(declared.map((n) => [n, null])), [DESTROYED_OUTPUT]: false });
  const outputs = `data.terraform_remote_state.${PROMISE_STATE_ID}.outputs`;
  new DataResource(stack, PROMISE_STATE_GUARD, {
    lifecycle: {
      precondition: [
        {
          // Output names are checked at synth (letters, digits, "_", "-"): safe inside quotes.
          condition: Lazy.stringValue({
            produce: () => `\${!${outputs}.${DESTROYED_OUTPUT} && alltrue([for k in ${JSON.stringify([...state.read].sort())} : ${outputs}[k] != null])}`,
          }),
          errorMessage:
            "the Promise's own stack (promiseStack) has not been applied yet, or has been destroyed (the Promise is being deleted), so this request cannot build on it. Nothing was built; Kratix runs this again. Apply the Promise, or let its deletion finish",
        },
      ],
    },
  });
  return state;
}

/**
 * The configuration the Promise's delete applies, instead of a destroy, when requests' stacks
 * may still read the state after the Promise's requests are gone (a GitOps delivery destroys
 * them later): no resource, so Terraform destroys them all, and every declared output kept at
 * the value the state holds (read through the state itself), with {@link DESTROYED_OUTPUT}.
 */
export function promiseStackTombstone(def: PromiseDefinition, at: RemoteState): TerraformJson {
  const outputs = def.promiseStack?.outputs ?? {};
  const self = `data.terraform_remote_state.${PROMISE_STATE_ID}.outputs`;
  return {
    data: { terraform_remote_state: { [PROMISE_STATE_ID]: { backend: at.backend, config: at.config, ...(at.workspace ? { workspace: at.workspace } : {}) } } },
    output: {
      ...Object.fromEntries(
        Object.entries(outputs).map(([name, props]) => [name, { value: `\${try(${self}["${name}"], null)}`, ...(props.sensitive ? { sensitive: true } : {}) }]),
      ),
      [DESTROYED_OUTPUT]: { value: true },
    },
  };
}
