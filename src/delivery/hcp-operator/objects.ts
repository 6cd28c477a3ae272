import { createHash } from 'node:crypto';
import type { SecretBinding } from '../../terraform/secrets.js';
import { withOwnerGuard } from '../owner.js';
import { controllerSecretName } from '../secret-names.js';
import { DEFAULT_NAMESPACE, type HcpTerraformOperatorProps } from './props.js';

/** What one request's `Workspace` object is made from. */
export interface WorkspaceObjectProps {
  readonly props: HcpTerraformOperatorProps;
  /** The request's identity slug: the object's name, the workspace name after the prefix. */
  readonly slug: string;
  readonly promise: string;
  readonly request: { readonly name: string; readonly namespace: string };
  readonly secrets: readonly SecretBinding[];
}

/**
 * The HCP Terraform workspace name of a request: the prefix, then the slug. The slug is a DNS
 * label of at most 52 characters ending in 80 bits of SHA-256 of promise, namespace and name, so
 * the name is unique per request and within HCP Terraform's rules (letters, digits, `-`, `_`; at
 * most 90 characters, which check() keeps the prefix within).
 */
export function workspaceName(props: Pick<HcpTerraformOperatorProps, 'workspacePrefix'>, slug: string): string {
  return `${props.workspacePrefix ?? ''}${slug}`;
}

// HCP Terraform keeps tags of at most 255 characters: letters, digits, ":", "_" and "-", starting
// and ending with a letter or digit (the operator's CRD checks the first two).
const MAX_TAG = 255;

/**
 * The workspace's tags: for people (which Promise and request), and for the workflow, which uploads
 * only to a workspace that carries them all, that is, one the operator made from this request's
 * object. A request name may hold dots, which tags cannot: they become `_`.
 */
export function workspaceTags(promise: string, request: { readonly name: string; readonly namespace: string }): string[] {
  const tag = (text: string) =>
    text
      .replace(/[^a-z0-9:_-]/g, '_')
      .slice(0, MAX_TAG)
      .replace(/[^a-z0-9]+$/, '');
  return ['kratix-cdktf', tag(`kratix-promise:${promise}`), tag(`kratix-namespace:${request.namespace}`), tag(`kratix-request:${request.name}`)];
}

/**
 * The `Workspace` (app.terraform.io/v1alpha2) the HCP Terraform Operator turns into the request's
 * workspace. Runs are the workflow's (it uploads each new stack as a configuration version);
 * the operator creates the workspace, keeps its settings, tags and variables, and on deletion
 * (`deletionPolicy: destroy`) runs a destroy and then deletes the workspace. `applyMethod: auto`
 * is not a choice: with `manual`, every run and the destroy at deletion would wait for a person
 * to confirm them in HCP Terraform's UI.
 */
export function renderWorkspace(p: WorkspaceObjectProps) {
  const { props, slug } = p;
  const name = workspaceName(props, slug);
  return {
    apiVersion: 'app.terraform.io/v1alpha2',
    kind: 'Workspace',
    metadata: {
      name: slug,
      namespace: props.namespace ?? DEFAULT_NAMESPACE,
      labels: {
        'app.kubernetes.io/managed-by': 'kratix-cdktf',
        'kratix.io/promise-name': p.promise,
        'kratix.io/resource-name': p.request.name,
        'kratix.io/resource-namespace': p.request.namespace,
      },
    },
    spec: {
      name,
      organization: props.organization,
      ...(props.project ? { project: { name: props.project } } : {}),
      token: { secretKeyRef: { name: props.tokenSecretRef.name, key: props.tokenSecretRef.key } },
      description: `kratix-cdktf: ${p.promise} request ${p.request.namespace}/${p.request.name}`,
      executionMode: 'remote',
      applyMethod: 'auto',
      allowDestroyPlan: true,
      deletionPolicy: 'destroy',
      ...(props.terraformVersion ? { terraformVersion: props.terraformVersion } : {}),
      tags: workspaceTags(p.promise, p.request),
      ...(p.secrets.length
        ? {
            // The operator reads each Secret in the Workspace's namespace and sets a sensitive
            // workspace variable: the value never passes through the workflow, git or status.
            terraformVariables: p.secrets.map((s) => ({
              name: s.variable,
              sensitive: true,
              valueFrom: { secretKeyRef: { name: controllerSecretName(p.request.namespace, s.secretName), key: s.secretKey } },
            })),
          }
        : {}),
    },
  };
}

/** The configuration uploaded to the workspace: the stack with the owner guard, as `main.tf.json`. */
export function stackFile(stack: Record<string, unknown>, owner: string): { text: string; sha256: string } {
  // HCP Terraform runs the stack, as tofu-controller does: the guard fails the plan, before
  // anything changes, when the workspace's state records another request.
  const guarded = withOwnerGuard(stack, owner);
  const text = `${JSON.stringify(guarded, null, 2)}\n`;
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
}
