// Which request a state belongs to, recorded in the state itself, so that no hash length is the
// only thing keeping two requests apart: a run refuses a state that records another owner.

/** The output (and, for GitOps, the resource) that records a request's owner in its state. */
export const OWNER_OUTPUT = 'kratix_cdktf_owner';

/** `<promise>/<namespace>/<name>`: the request a state belongs to. */
export function requestOwner(promise: string, metadata: { readonly namespace: string; readonly name: string }): string {
  return `${promise}/${metadata.namespace}/${metadata.name}`;
}

/**
 * The Promise's own stack (`promiseStack`): its workspace and its owner. No request's slug ends
 * like this (theirs end in a hash), nor does any request's owner have one "/".
 */
export function promiseStackSlug(promise: string): string {
  return `${promise}-promise`;
}
export function promiseStackOwner(promise: string): string {
  return `${promise}/promise-stack`;
}

/**
 * For stacks that a controller plans and applies (GitOps): a terraform_data resource that keeps
 * the owner of the state's first apply (ignore_changes), and an output whose precondition fails
 * the plan when that owner is not this request's. Nothing is changed then: Terraform checks
 * output preconditions before it applies.
 */
export function ownerGuard(owner: string) {
  const recorded = `terraform_data.${OWNER_OUTPUT}.output`;
  return {
    resource: { terraform_data: { [OWNER_OUTPUT]: { input: owner, lifecycle: [{ ignore_changes: ['input'] }] } } },
    output: {
      [OWNER_OUTPUT]: {
        value: `\${${recorded}}`,
        precondition: [
          {
            condition: `\${${recorded} == ${JSON.stringify(owner)}}`,
            error_message: `The state belongs to \${${recorded}}, not to this request (${owner}): nothing was changed.`,
          },
        ],
      },
    },
  };
}

/**
 * The stack with the owner guard merged in (resource and output blocks keyed as the guard's),
 * for the deliveries where a controller or HCP Terraform runs the stack.
 */
export function withOwnerGuard(stack: Record<string, unknown>, owner: string): Record<string, unknown> {
  const guard = ownerGuard(owner);
  const resource = (stack.resource ?? {}) as Record<string, Record<string, unknown>>;
  return {
    ...stack,
    resource: { ...resource, terraform_data: { ...resource.terraform_data, ...guard.resource.terraform_data } },
    output: { ...((stack.output ?? {}) as Record<string, unknown>), ...guard.output },
  };
}

/** Resources the author's stack declares (the owner guard not counted). */
export function countResources(stack: Record<string, unknown>): number {
  const resources = (stack.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(resources).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/**
 * The guard a request's stack that reads the Promise's stack carries (promiseOutput): a
 * terraform_data whose precondition refuses to build on a Promise stack not applied or
 * destroyed. kratix-cdktf's, not the request's: never counted, listed or taken for drift.
 */
export const PROMISE_STATE_GUARD = 'kratix_cdktf_promise_stack_applied';

/** The output the Promise stack's tombstone sets: its resources are destroyed, its outputs kept. */
export const DESTROYED_OUTPUT = 'kratix_cdktf_destroyed';
