// Business rules: what a platform decides about a request beyond what its schema and CEL can say
// (who may ask for what, in which namespace, at which size). They run in the workflow after the
// request is validated and before anything is synthesized, and a violation refuses the request as
// a schema error does. On delete they do not run: deletion is never blocked.
import type { PipelineEnv, PipelinePermission } from '../delivery/delivery.js';
import { CLUSTER_CA_ENV, kubeRequest } from '../delivery/kube-api.js';
import type { ResourceRequest } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';
import { authorThrew } from '../terraform/errors.js';
import { requestMetadataMap } from '../kratix/request.js';
import { checkNamedChecks } from '../promise/named-checks.js';

/** What a rule sees: the validated request, its labels and annotations, and what it asked to read. */
export interface RuleContext<Spec> {
  readonly request: ResourceRequest<Spec>;
  /** The request's own labels and annotations, as the tenant wrote them. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The request's namespace, with its labels when the rule `reads: { namespaceLabels: true }`. */
  readonly namespace: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly promise: { readonly name: string; readonly version?: string };
}

/**
 * A violation: the field it is about (`spec.size`, `metadata.namespace`), why, and what the
 * requester can do. Shown in the request's status and the log like a schema error.
 */
export interface Violation {
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

/** One business rule, written once and shared by Promises (a platform's rules are a module they all import). */
export interface BusinessRule<Spec = any> {
  /** A short name for the log and the audit: "size-by-tier". */
  readonly name: string;
  /** One sentence for the API README: what the platform still checks beyond the schema. @default none */
  readonly description?: string;
  /**
   * What the rule needs read from the cluster. `namespaceLabels`: the request's Namespace,
   * read through the Kubernetes API (the pipeline gets `get` on namespaces).
   * @default nothing
   */
  readonly reads?: { readonly namespaceLabels?: boolean };
  /** The violations, none when the request may go on. */
  check(ctx: RuleContext<Spec>): readonly Violation[] | undefined | Promise<readonly Violation[] | undefined>;
}

/** What checking a request's rules came to. */
export type RulesVerdict =
  | { readonly ok: true; readonly checked: readonly string[] }
  | { readonly ok: false; readonly reason: 'RuleViolated' | 'RuleFailed' | 'NamespaceUnreadable'; readonly issues: readonly Issue[] };

/** Whether any rule reads the request's namespace, and so what the pipeline needs for it. */
export function rulesNeeds(rules: readonly BusinessRule[] | undefined): { permissions: PipelinePermission[]; env: PipelineEnv[] } {
  if (!Array.isArray(rules) || !rules.some((r) => r?.reads?.namespaceLabels)) return { permissions: [], env: [] };
  // Namespaces are cluster-scoped: Kratix grants them through a ClusterRole ("*").
  return { permissions: [{ resourceNamespace: '*', apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }], env: [CLUSTER_CA_ENV] };
}

/** Problems in `rules` that synth reports: each an object with a name and a check function. */
export function checkRules(rules: unknown): Issue[] {
  return checkNamedChecks('rules', rules, { what: 'rule', example: "[{ name: 'size-by-tier', check(ctx) { ... } }]", name: 'size-by-tier', arg: 'ctx' });
}

/**
 * Runs every rule on a validated request: all of them, so that the requester sees every
 * violation at once. A rule that throws is the platform's mistake, reported apart from violations.
 */
export async function runRules(
  rules: readonly BusinessRule[],
  request: ResourceRequest<unknown>,
  raw: unknown,
  promise: { readonly name: string; readonly version?: string },
  // Where the namespace's labels come from: the Kubernetes API, or given (tests).
  from: { readonly env: Readonly<Record<string, string | undefined>> } | { readonly namespaceLabels: Readonly<Record<string, string>> },
): Promise<RulesVerdict> {
  let namespaceLabels: Readonly<Record<string, string>> = {};
  if ('namespaceLabels' in from) namespaceLabels = requestMetadataMap({ metadata: { labels: from.namespaceLabels } }, 'labels');
  else if (rules.some((r) => r.reads?.namespaceLabels)) {
    const read = await readNamespaceLabels(from.env, request.metadata.namespace);
    if (typeof read === 'string')
      return {
        ok: false,
        reason: 'NamespaceUnreadable',
        issues: [{ path: 'metadata.namespace', message: read, fix: 'the platform team must fix this; the request is tried again' }],
      };
    namespaceLabels = read;
  }
  const ctx: RuleContext<unknown> = Object.freeze({
    // A copy: a rule that changes what it is shown must not change what is synthesized.
    request: deepFreeze(structuredClone(request)),
    labels: requestMetadataMap(raw, 'labels'),
    annotations: requestMetadataMap(raw, 'annotations'),
    namespace: Object.freeze({ name: request.metadata.namespace, labels: namespaceLabels }),
    promise,
  });
  const violations: Issue[] = [];
  for (const rule of rules) {
    let found: readonly Violation[] | undefined;
    try {
      found = await rule.check(ctx);
    } catch (e) {
      return { ok: false, reason: 'RuleFailed', issues: [authorThrew(`rules ${rule.name}: check()`, e)] };
    }
    if (found !== undefined && !Array.isArray(found))
      return {
        ok: false,
        reason: 'RuleFailed',
        issues: [
          { path: `rules ${rule.name}: check()`, message: `returned ${describe(found)}, not a list of violations`, fix: 'return [] or [{ path, message }]' },
        ],
      };
    for (const v of found ?? []) {
      if (typeof v?.path !== 'string' || typeof v?.message !== 'string')
        return {
          ok: false,
          reason: 'RuleFailed',
          issues: [
            {
              path: `rules ${rule.name}: check()`,
              message: `returned a violation without a path and a message: ${describe(v)}`,
              fix: 'return { path, message, fix? }',
            },
          ],
        };
      violations.push({ path: v.path, message: `${v.message} (rule ${rule.name})`, ...(typeof v.fix === 'string' ? { fix: v.fix } : {}) });
    }
  }
  return violations.length ? { ok: false, reason: 'RuleViolated', issues: violations } : { ok: true, checked: rules.map((r) => r.name) };
}

// The Namespace's labels, or why they could not be read.
async function readNamespaceLabels(env: Readonly<Record<string, string | undefined>>, namespace: string): Promise<Record<string, string> | string> {
  try {
    const { status, body } = await kubeRequest(env, 'GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`);
    if (status === 403) return `the workflow may not read Namespace ${namespace} (403); check the pipeline's RBAC`;
    if (status !== 200) return `reading Namespace ${namespace} failed with HTTP ${status}`;
    return requestMetadataMap(JSON.parse(body), 'labels');
  } catch (e) {
    return `the Namespace ${namespace} could not be read: ${(e as Error).message}`;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
