// Approval: a person looks at the plan Terraform will apply and approves that exact plan. The run
// plans, and when the Promise's rules say this plan needs a person, it writes the plan's digest
// and a readable summary to status and suspends; it applies only a fresh plan whose digest the
// request's approval annotation names. Apply mode only: a GitOps plan runs on the Destination.
//
// The annotation is on the request, which its tenant can edit: the ValidatingAdmissionPolicy
// that `approvalPolicy()` writes lets only the approvers' groups set or change it.
import { createHash } from 'node:crypto';
import { stableJson } from '../artifacts/yaml.js';
import { isInternal, type PlannedResource, type PlanView } from '../policies/plan.js';
import type { Issue } from '../schema/issue.js';

/** The request annotation that approves one plan, by its digest. */
export const APPROVED_PLAN_ANNOTATION = 'approval.kratix-cdktf.io/plan';

/** Which plans need a person's approval before they are applied. */
export interface ApprovalProps {
  /** Who may approve: Kubernetes groups, checked by the admission policy synth writes. */
  readonly approvers: { readonly groups: readonly string[] };
  /** Every plan that changes something. @default false */
  readonly anyChange?: boolean;
  /** A plan that replaces a resource (delete and create again). @default true */
  readonly replace?: boolean;
  /** A plan that destroys a resource. @default true */
  readonly destroy?: boolean;
  /**
   * The Promise's own reason to ask, from the plan (a budget, a size): a sentence, or nothing.
   * @default none
   */
  when?(plan: PlanView): string | undefined;
}

/** One line of the summary an approver reads. */
export interface PlanSummaryLine {
  readonly address: string;
  readonly action: 'create' | 'update' | 'replace' | 'destroy';
  /** Top-level attributes whose value changes (sensitive ones as they are named, never their values). */
  readonly attributes?: readonly string[];
}

/** What a run that needs approval writes to `status.approval`. */
export interface ApprovalRequest {
  /** The digest the approval annotation must carry. */
  readonly plan: string;
  /** The request's metadata.generation the plan was made for. */
  readonly generation?: number;
  /** Summary lines left out (status is bounded: 100 at most). */
  readonly omitted?: number;
  /** Why this plan needs a person. */
  readonly reasons: readonly string[];
  readonly summary: readonly PlanSummaryLine[];
}

function actionOf(r: PlannedResource): PlanSummaryLine['action'] | undefined {
  const a = r.actions;
  if (a.includes('delete') && a.includes('create')) return 'replace';
  if (a.includes('delete')) return 'destroy';
  if (a.includes('create')) return 'create';
  if (a.includes('update')) return 'update';
  return undefined;
}

/** The plan's changes, as an approver reads them: sensitive values are already masked in the view. */
export function planSummary(plan: PlanView): PlanSummaryLine[] {
  const lines: PlanSummaryLine[] = [];
  for (const r of plan.resources) {
    const action = actionOf(r);
    if (!action || isInternal(r)) continue;
    const before = r.before ?? {};
    const after = r.after ?? {};
    const changed =
      action === 'update' || action === 'replace'
        ? [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort()
        : [];
    lines.push({ address: r.address, action, ...(changed.length ? { attributes: changed } : {}) });
  }
  return lines.sort((x, y) => x.address.localeCompare(y.address));
}

/** What binds a digest to more than the masked changes. */
export interface DigestContext {
  /** The configuration Terraform planned (main.tf.json: request values as literals, no secrets). */
  readonly configuration?: unknown;
  /** The request's metadata.generation: an approval holds for the spec it was given for. */
  readonly generation?: number;
  /** `terraform show -json` of the plan: which values are unknown or sensitive, per resource. */
  readonly document?: unknown;
}

/**
 * The plan's digest: SHA-256, in full, over its changes (address, actions, before and after,
 * keys sorted), which values are unknown or sensitive, the configuration planned and the request's
 * generation. Sensitive values are masked first, so the digest tells nothing of them; two plans
 * that differ only in a sensitive value, with the same configuration and generation (a Secret
 * the request references changed), have the same digest.
 */
export function planDigest(plan: PlanView, context: DigestContext = {}): string {
  const changes = plan.resources
    .filter((r) => actionOf(r) !== undefined)
    .map((r) => ({ address: r.address, actions: r.actions, before: r.before, after: r.after }))
    .sort((x, y) => x.address.localeCompare(y.address));
  const doc = context.document as { resource_changes?: { address?: string; change?: Record<string, unknown> }[] } | undefined;
  const markers = (doc?.resource_changes ?? []).map((rc) => ({
    address: rc.address,
    unknown: rc.change?.after_unknown,
    sensitive: [rc.change?.before_sensitive, rc.change?.after_sensitive],
  }));
  const configuration = context.configuration === undefined ? null : createHash('sha256').update(stableJson(context.configuration)).digest('hex');
  return createHash('sha256')
    .update(stableJson({ changes, markers, configuration, generation: context.generation ?? null }))
    .digest('hex');
}

/** Why this plan needs approval under `props`; none when it does not. A throwing `when` is the author's bug. */
export function approvalReasons(props: ApprovalProps, plan: PlanView): string[] {
  const lines = planSummary(plan);
  const reasons: string[] = [];
  const of = (action: PlanSummaryLine['action']) => lines.filter((l) => l.action === action).map((l) => l.address);
  if ((props.replace ?? true) && of('replace').length) reasons.push(`it replaces ${of('replace').join(', ')}`);
  if ((props.destroy ?? true) && of('destroy').length) reasons.push(`it destroys ${of('destroy').join(', ')}`);
  if (props.anyChange && lines.length && !reasons.length) reasons.push('every change needs approval');
  const own = props.when?.(plan);
  if (typeof own === 'string' && own.trim()) reasons.push(own.trim());
  return reasons;
}

/** Problems of `approval`, for synth. */
export function checkApproval(approval: unknown, runsTerraform: boolean): Issue[] {
  if (approval === undefined) return [];
  const a = approval as Partial<ApprovalProps> | null;
  const issues: Issue[] = [];
  if (!a || typeof a !== 'object')
    return [{ path: 'approval', message: 'is not an object', fix: "write approval: { approvers: { groups: ['platform-approvers'] } }" }];
  const groups = (a.approvers as { groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== 'string' || g === '' || /["\\\x00-\x1f]/.test(g)))
    issues.push({
      path: 'approval.approvers.groups',
      message: 'must list the Kubernetes groups whose members may approve (names without quotes, backslashes or control characters)',
      fix: "write approvers: { groups: ['platform-approvers'] }",
    });
  for (const key of ['anyChange', 'replace', 'destroy'] as const)
    if (a[key] !== undefined && typeof a[key] !== 'boolean')
      issues.push({ path: `approval.${key}`, message: 'is not true or false', fix: `write ${key}: true` });
  if (a.when !== undefined && typeof a.when !== 'function')
    issues.push({
      path: 'approval.when',
      message: 'is not a function',
      fix: 'write when(plan) { return plan.resources.length > 3 ? "more than 3 resources" : undefined; }',
    });
  if (!runsTerraform)
    issues.push({
      path: 'approval',
      message:
        "needs a delivery that runs Terraform in the workflow: a GitOps delivery's plan is made on the Destination, where no run can show it to an approver",
      fix: 'use applyInWorkflow(), or leave approval out',
    });
  return issues;
}

/**
 * The ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1, Kubernetes
 * 1.30+) for the platform cluster: only members of the approvers' groups may set or change the
 * approval annotation on the Promise's requests. Without it, a tenant could approve
 * their own plan.
 */
export function approvalPolicy(promise: string, api: { readonly group: string; readonly plural: string }, approval: ApprovalProps): unknown[] {
  const name = `kratix-cdktf-approval-${promise}`;
  const key = `'${APPROVED_PLAN_ANNOTATION}'`;
  const value = (o: string) => `${o} != null && has(${o}.metadata.annotations) && ${key} in ${o}.metadata.annotations ? ${o}.metadata.annotations[${key}] : ''`;
  const groups = approval.approvers.groups.map((g) => `"${g}"`).join(', ');
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [api.group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [api.plural] }],
        },
        variables: [
          { name: 'approved', expression: value('object') },
          { name: 'before', expression: value('oldObject') },
        ],
        validations: [
          {
            // Removing it approves nothing, so anyone may (a kubectl replace without it).
            expression: `variables.approved == variables.before || variables.approved == '' || request.userInfo.groups.exists(g, g in [${groups}])`,
            message: `only members of ${approval.approvers.groups.join(', ')} may set ${APPROVED_PLAN_ANNOTATION}`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
