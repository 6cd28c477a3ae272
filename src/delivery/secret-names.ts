import { IssuesError } from '../schema/issue.js';

/**
 * The name under which a tenant's Secret must exist where a controller reads it (tofu-controller,
 * the HCP Terraform Operator):
 * `kratix-cdktf.<request namespace>.<secret name>`. tofu-controller reads `secretKeyRef`s in the
 * Terraform object's own namespace, which also holds every request's state and outputs, the
 * runner's credentials and the controller's own certificates. The fixed first segment keeps
 * tenants away from anything the platform did not sync for them, and the namespace (a DNS label,
 * so it has no dots) keeps them away from each other.
 */
export function controllerSecretName(namespace: string, name: string): string {
  const full = `kratix-cdktf.${namespace}.${name}`;
  if (full.length > 253)
    throw new IssuesError('invalid request', [
      {
        path: 'spec',
        message: `Secret name ${JSON.stringify(full.slice(0, 60))}... is over 253 characters once prefixed with the namespace`,
        fix: 'use a shorter Secret name',
      },
    ]);
  return full;
}

/**
 * Terraform's kubernetes backend check (hasNumericSuffix, since 1.11): the text after the last
 * "-" parses as a Go int, sign allowed, within 64 bits.
 */
export function endsWithGoInt(text: string): boolean {
  const i = text.lastIndexOf('-');
  if (i < 0) return false;
  const tail = text.slice(i + 1);
  if (!/^[+-]?\d+$/.test(tail)) return false;
  const value = BigInt(tail);
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}
