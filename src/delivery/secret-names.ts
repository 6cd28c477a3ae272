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
