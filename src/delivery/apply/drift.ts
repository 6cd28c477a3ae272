// Drift: what a reconcile finds changed outside Terraform, told apart from what the request asked for.
import { stableJson } from '../../artifacts/yaml.js';
import { createHash } from 'node:crypto';
import type { TerraformJson } from '../../terraform/stack.js';
import { condition, cut, type Condition } from '../../workflow/status.js';
import type { DriftPolicy } from './options.js';
import { OWNER_OUTPUT, PROMISE_STATE_GUARD } from '../owner.js';

/** The resource that records, in the state, a digest of each block of the last applied stack. */
export const STACK_RECORD = 'kratix_cdktf_stack';
export const STACK_ADDRESS = `terraform_data.${STACK_RECORD}`;
/** The plan file of the drift check, in the run's working folder. */
export const DRIFT_PLAN_FILE = 'drift.tfplan';

/** At most this many resources, and attributes per resource, are listed in status; the rest are counted. */
export const MAX_DRIFT_RESOURCES = 20;
export const MAX_DRIFT_ATTRIBUTES = 10;
const MAX_VALUE = 120;

// Keys of the stack record's input besides resource addresses: a change there can change any resource.
const PROVIDERS_KEY = '(providers)';

/**
 * The stack record's block: a digest of every resource's and module's configuration, and of the
 * providers', keyed by address. Applied with the stack, so the state always holds the digests of
 * what was last applied; the drift check's plan shows its before (last applied) and after (now).
 */
export function stackRecord(stack: TerraformJson): Record<string, unknown> {
  const digests: Record<string, string> = {};
  const digest = (value: unknown) => createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
  const resources = (stack.resource as Record<string, Record<string, unknown>> | undefined) ?? {};
  for (const [type, byName] of Object.entries(resources)) for (const [name, block] of Object.entries(byName)) digests[`${type}.${name}`] = digest(block);
  for (const [name, block] of Object.entries((stack.module as Record<string, unknown> | undefined) ?? {})) digests[`module.${name}`] = digest(block);
  digests[PROVIDERS_KEY] = digest({
    provider: stack.provider ?? null,
    required: (stack.terraform as Record<string, unknown> | undefined)?.required_providers ?? null,
  });
  // A variable's value (a Secret's, set by the workflow) is not in the stack: Terraform digests
  // it. The record's value is then as sensitive as the variable; only its equality is read.
  // Variable names are the author's or secretValue()'s identifiers, never request data.
  for (const name of Object.keys((stack.variable as Record<string, unknown> | undefined) ?? {}))
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) digests[`var.${name}`] = `\${sha256(jsonencode(var.${name}))}`;
  return { input: digests };
}

/** One attribute found changed: its path and the values, masked when sensitive. */
export interface DriftedAttribute {
  readonly path: string;
  /** What the real object (or the state) holds now. */
  readonly actual: string;
  /** What the configuration says it should hold. */
  readonly expected: string;
}

/** One resource found changed outside Terraform. */
export interface DriftedResource {
  readonly address: string;
  /** What correcting it takes: update, replace, create (deleted outside), delete. */
  readonly action: string;
  /** `plan`: Terraform plans to change it although nothing that configures it changed; `refresh`: Terraform's refresh saw the real object differ from the state. */
  readonly seenBy: 'plan' | 'refresh';
  readonly attributes: readonly DriftedAttribute[];
  readonly moreAttributes?: number;
}

/** What the drift check's plan says. */
export interface DriftFindings {
  /** Resources changed outside Terraform, all of them, sorted by address. */
  readonly drifted: readonly DriftedResource[];
  /** Addresses of the resources whose planned change the request (or its inputs) asked for. */
  readonly requested: readonly string[];
  /** The outputs in the state before this run, for a run that applies nothing. */
  readonly priorOutputs: Record<string, { readonly value?: unknown; readonly sensitive: boolean }>;
}

interface Change {
  readonly actions?: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}
interface ResourceChange {
  readonly address?: string;
  readonly mode?: string;
  readonly type?: string;
  readonly name?: string;
  readonly module_address?: string;
  readonly change?: Change;
}

/**
 * Reads `terraform show -json <plan>` and sorts each planned change into drift or requested.
 * The rule: a resource's change is drift when neither its own configuration block, nor the
 * providers', nor a variable's value (a Secret's), nor any resource it references changed since
 * the last apply (the stack record's digests), and it references no data source, local or module,
 * whose values the record cannot see. Everything else is requested, and so is everything in a first apply. Terraform's
 * own `resource_drift` (its refresh found the real object changed) is always drift.
 * Values are masked where the plan marks them sensitive and redacted with `redact`.
 */
export function readDrift(showJson: string, redact: (text: string) => string): DriftFindings {
  const plan = JSON.parse(showJson) as {
    resource_changes?: ResourceChange[];
    resource_drift?: ResourceChange[];
    prior_state?: { values?: { outputs?: Record<string, { value?: unknown; sensitive: boolean }> } };
    configuration?: { root_module?: { resources?: { address?: string; expressions?: unknown }[] } };
  };
  const internal = (address: string) =>
    address === STACK_ADDRESS || address === `terraform_data.${OWNER_OUTPUT}` || address === `terraform_data.${PROMISE_STATE_GUARD}`;
  const record = plan.resource_changes?.find((c) => c.address === STACK_ADDRESS)?.change;
  const before = (record?.before as { input?: Record<string, string> } | null | undefined)?.input;
  const after = (record?.after as { input?: Record<string, string> } | null | undefined)?.input;
  // Configurations that changed since the last apply; all of them when nothing was recorded.
  const changedBlock = (key: string) => !before || !after || before[key] !== after[key];
  const references = new Map<string, string[]>();
  for (const r of plan.configuration?.root_module?.resources ?? []) if (r.address) references.set(r.address, collectReferences(r.expressions));
  // A resource is touched by the request when its block, the providers, or what it references changed.
  const touched = new Map<string, boolean>();
  const isTouched = (address: string, seen: Set<string>): boolean => {
    const known = touched.get(address);
    if (known !== undefined) return known;
    if (seen.has(address)) return false;
    seen.add(address);
    const refs = references.get(address);
    const result =
      changedBlock(address) ||
      changedBlock(PROVIDERS_KEY) ||
      refs === undefined ||
      refs.some((ref) => {
        if (/^(each|count|path|terraform|self)(\.|$)/.test(ref)) return false;
        const variable = /^var\.([^.[]+)/.exec(ref);
        if (variable) return changedBlock(`var.${variable[1]}`);
        // Values the record cannot see: a data source's read, a local, a module's outputs.
        if (/^(data|local|module)\./.test(ref)) return true;
        const target = resourceOf(ref);
        return target !== undefined && target !== address && isTouched(target, seen);
      });
    touched.set(address, result);
    return result;
  };
  const drifted = new Map<string, DriftedResource>();
  const requested: string[] = [];
  for (const c of plan.resource_changes ?? []) {
    const actions = c.change?.actions ?? [];
    if (!c.address || c.mode === 'data' || internal(c.address) || actions.every((a) => a === 'no-op' || a === 'read')) continue;
    const base = c.module_address ? c.module_address.replace(/\[[^\]]*\]/g, '') : `${c.type}.${c.name}`;
    if (isTouched(base, new Set())) requested.push(c.address);
    else drifted.set(c.address, describe(c, 'plan', redact));
  }
  for (const c of plan.resource_drift ?? []) {
    if (!c.address || c.mode === 'data' || internal(c.address) || drifted.has(c.address)) continue;
    drifted.set(c.address, describe(c, 'refresh', redact));
  }
  return {
    drifted: [...drifted.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
    requested,
    priorOutputs: plan.prior_state?.values?.outputs ?? {},
  };
}

// The resource a reference names ("terraform_data.a.output.x" -> "terraform_data.a"), if any.
function resourceOf(ref: string): string | undefined {
  const [type, name] = ref.split('.');
  return type && name && !['var', 'data', 'local', 'module', 'path', 'terraform', 'self'].includes(type) ? `${type}.${name.replace(/\[.*$/, '')}` : undefined;
}

// Every "references" list in a configuration's expressions, nested blocks included.
function collectReferences(expressions: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'references' && Array.isArray(value)) out.push(...value.filter((v): v is string => typeof v === 'string'));
        else walk(value);
      }
    }
  };
  walk(expressions);
  return out;
}

function describe(c: ResourceChange, seenBy: 'plan' | 'refresh', redact: (text: string) => string): DriftedResource {
  const change = c.change ?? {};
  const actions = change.actions ?? [];
  const action = seenBy === 'refresh' ? 'changed outside Terraform' : actions.length === 2 ? 'replace' : (actions[0] ?? 'update');
  const diffs: DriftedAttribute[] = [];
  diffAttributes(change, '', change.before, change.after, change.after_unknown, change.before_sensitive, change.after_sensitive, diffs, redact);
  // A plan's "actual" is the state's value and its "expected" the configuration's; a refresh's
  // drift has the state's value before and the real object's after.
  const attributes = seenBy === 'refresh' ? diffs.map((d) => ({ path: d.path, actual: d.expected, expected: d.actual })) : diffs;
  return {
    // Addresses hold the author's names and, with for_each, the request's keys.
    address: cut(redact(c.address!), 300),
    action,
    seenBy,
    attributes: attributes.slice(0, MAX_DRIFT_ATTRIBUTES),
    ...(attributes.length > MAX_DRIFT_ATTRIBUTES ? { moreAttributes: attributes.length - MAX_DRIFT_ATTRIBUTES } : {}),
  };
}

// Leaf-by-leaf differences between before and after, skipping values known only after apply
// (computed from the others, not changed outside). A subtree marked sensitive is one masked leaf.
function diffAttributes(
  change: Change,
  path: string,
  before: unknown,
  after: unknown,
  unknown: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  out: DriftedAttribute[],
  redact: (text: string) => string,
): void {
  if (unknown === true) return;
  const sensitive = beforeSensitive === true || afterSensitive === true;
  const container = (v: unknown) => v !== null && typeof v === 'object';
  if (!sensitive && container(before) && container(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = Array.isArray(before)
      ? [...Array(Math.max((before as unknown[]).length, (after as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])].sort();
    for (const key of keys) {
      const at = (v: unknown) => (container(v) ? (v as Record<string, unknown>)[key] : undefined);
      diffAttributes(change, path ? `${path}.${key}` : key, at(before), at(after), at(unknown), at(beforeSensitive), at(afterSensitive), out, redact);
    }
    return;
  }
  if (stableJson(before ?? null) === stableJson(after ?? null)) return;
  if (path === '' && !sensitive) {
    // Created or deleted outside: the whole object is the difference.
    out.push({ path: '(resource)', actual: before == null ? '(absent)' : '(present)', expected: after == null ? '(absent)' : '(present)' });
    return;
  }
  const show = (v: unknown) => (sensitive ? '(sensitive)' : v === undefined ? '(absent)' : cut(redact(JSON.stringify(v)), MAX_VALUE));
  out.push({ path: cut(redact(path || '(resource)'), 200), actual: show(before), expected: show(after) });
}

/** What a configure run's drift check found and did, for `status.drift` and the `Drifted` condition. */
export interface DriftReport {
  readonly policy: DriftPolicy;
  /** False when the check's plan could not be made or read: drift is unknown. */
  readonly checked: boolean;
  /** Why it is unknown. */
  readonly reason?: string;
  /** The drifted resources, all of them (status lists the first {@link MAX_DRIFT_RESOURCES}). */
  readonly drifted: readonly DriftedResource[];
  /** Addresses of the drifted resources this run put back. */
  readonly corrected: readonly string[];
  /** The request's own changes were applied beside drift that was only reported (targeted). */
  readonly requestedApplied?: number;
}

/**
 * `status.drift`: replaced whole on every configure run (Kratix merges top-level keys whole), so
 * a clean run clears an earlier run's findings. Bounded: the first MAX_DRIFT_RESOURCES resources,
 * each with its first MAX_DRIFT_ATTRIBUTES attributes, and how many more.
 */
export function driftStatus(drift: DriftReport): Record<string, unknown> {
  if (!drift.checked) return { policy: drift.policy, checked: false, reason: cut(drift.reason ?? '', 500) };
  const listed = drift.drifted.slice(0, MAX_DRIFT_RESOURCES).map((d) => ({ ...d, corrected: drift.corrected.includes(d.address) }));
  return {
    policy: drift.policy,
    checked: true,
    found: drift.drifted.length,
    corrected: drift.corrected.length,
    ...(listed.length ? { resources: listed } : {}),
    ...(drift.drifted.length > listed.length ? { moreResources: drift.drifted.length - listed.length } : {}),
  };
}

// Drifted says whether the real infrastructure differs from the request's stack after this run:
// True when drift was found and left (reported, or its correction failed), False when none was
// found or all of it was put back (reason DriftCorrected), Unknown when the run could not look.
export function driftCondition(drift: DriftReport, now: Date): Condition {
  if (!drift.checked) return condition('Drifted', 'Unknown', 'DriftNotChecked', cut(drift.reason ?? '', 500), now);
  const n = drift.drifted.length;
  if (n === 0) return condition('Drifted', false, 'NoDrift', 'Terraform found nothing changed outside it', now);
  const kept = n - drift.corrected.length;
  const what = `${n} resource${n === 1 ? '' : 's'} changed outside Terraform (status.drift)`;
  if (kept === 0) return condition('Drifted', false, 'DriftCorrected', `${what}; all were put back`, now);
  if (drift.policy === 'correct') return condition('Drifted', true, 'DriftNotCorrected', `${what}; the apply that would put them back failed`, now);
  return condition('Drifted', true, 'DriftReported', `${what}; ${kept} left as found (drift: report)`, now);
}
