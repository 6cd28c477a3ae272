import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { TerraformStack, TerraformVariable } from './cdktf.js';

/** A Terraform variable whose value comes from a key of a Kubernetes Secret at apply time. */
export interface SecretBinding {
  /** Terraform variable name, e.g. `secret_1a2b3c4d`. */
  readonly variable: string;
  readonly secretName: string;
  readonly secretKey: string;
}

const bindings = new WeakMap<TerraformStack, Map<string, SecretBinding>>();

/**
 * The value of a field declared with `secretRef()`, as a sensitive Terraform variable: the
 * secret itself is read where Terraform runs (the workflow in apply mode, tofu-controller's
 * runner in GitOps mode), so it never appears in the workflow's output, in status or in git.
 * @example new DbInstance(scope, 'db', { password: secretValue(scope, request.spec.password) })
 */
export function secretValue(scope: Construct, ref: { readonly name: string; readonly key: string }): string {
  const stack = TerraformStack.of(scope);
  const variable = `secret_${createHash('sha256').update(`${ref.name}\n${ref.key}`).digest('hex').slice(0, 12)}`;
  let known = bindings.get(stack);
  if (!known) bindings.set(stack, (known = new Map()));
  if (!known.has(variable)) {
    const v = new TerraformVariable(stack, variable, { type: 'string', sensitive: true, description: `Secret ${ref.name}, key ${ref.key}` });
    v.overrideLogicalId(variable);
    known.set(variable, { variable, secretName: ref.name, secretKey: ref.key });
  }
  return `\${var.${variable}}`;
}

/** The secret bindings a stack's author created with {@link secretValue}, sorted by variable. */
export function secretBindings(stack: TerraformStack): SecretBinding[] {
  return [...(bindings.get(stack)?.values() ?? [])].sort((a, b) => (a.variable < b.variable ? -1 : 1));
}
