// Plan policies: what the platform refuses to build, whatever the request says (public buckets,
// unencrypted storage, open ingress, regions and sizes it does not run). Each is a function over
// the plan (src/policies/plan.ts); a violation names the resource, the attribute and the reason,
// and refuses the request before anything is applied or handed to a controller.
import type { Issue } from '../schema/issue.js';
import { authorThrew } from '../terraform/errors.js';
import { checkNamedChecks } from '../promise/named-checks.js';
import type { PlanView } from './plan.js';

export * from './plan.js';

/** One thing a plan must not do. */
export interface PolicyViolation {
  /** The resource (`aws_s3_bucket.logs`) or provider (`provider.aws`). */
  readonly address: string;
  /** The attribute, dotted (`ingress[0].cidr_blocks`). @default the resource as a whole */
  readonly attribute?: string;
  readonly message: string;
  readonly fix?: string;
}

/** A plan policy, written once and shared (a platform's policies are a module its Promises import). */
export interface PlanPolicy {
  /** A short name for the log and status: "no-public-buckets". */
  readonly name: string;
  /** One sentence for the API README. @default none */
  readonly description?: string;
  check(plan: PlanView): readonly PolicyViolation[] | undefined;
}

export type PolicyVerdict =
  | { readonly ok: true; readonly checked: readonly string[] }
  | { readonly ok: false; readonly reason: 'PolicyViolated' | 'PolicyFailed'; readonly issues: readonly Issue[] };

/** Runs every policy on the plan and collects every violation, each as an issue naming its policy. */
export function evaluatePolicies(policies: readonly PlanPolicy[], plan: PlanView): PolicyVerdict {
  const issues: Issue[] = [];
  for (const policy of policies) {
    let found: readonly PolicyViolation[] | undefined;
    try {
      found = policy.check(plan);
    } catch (e) {
      return { ok: false, reason: 'PolicyFailed', issues: [authorThrew(`policies ${policy.name}: check()`, e)] };
    }
    if (found !== undefined && !Array.isArray(found))
      return {
        ok: false,
        reason: 'PolicyFailed',
        issues: [
          { path: `policies ${policy.name}: check()`, message: 'did not return a list of violations', fix: 'return [] or [{ address, attribute, message }]' },
        ],
      };
    for (const v of found ?? [])
      issues.push({
        path: `${v.address}${v.attribute ? `.${v.attribute}` : ''}`,
        message: `${v.message} (policy ${policy.name})`,
        ...(v.fix ? { fix: v.fix } : {}),
      });
  }
  return issues.length ? { ok: false, reason: 'PolicyViolated', issues } : { ok: true, checked: policies.map((p) => p.name) };
}

/** Problems in `policies` that synth reports. */
export function checkPolicies(policies: unknown): Issue[] {
  return checkNamedChecks('policies', policies, { what: 'policy', example: '[noPublicBuckets(), ...]', name: 'no-public-buckets', arg: 'plan' });
}
