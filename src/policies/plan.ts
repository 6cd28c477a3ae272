// What a plan policy reads: the resources a run would create, change or destroy, from one of two
// sources. Apply mode has Terraform's own plan (`terraform show -json` of the saved plan: before
// and after values, the actions); a GitOps delivery has only the synthesized configuration, in
// which every resource is one to create and values Terraform computes are expressions. Sensitive
// values never reach a policy: Terraform marks them in the plan, and they are masked here.

/** One resource of the plan. */
export interface PlannedResource {
  /** `aws_s3_bucket.logs`, as Terraform names it. */
  readonly address: string;
  readonly type: string;
  /** Terraform's actions: ["create"], ["update"], ["delete"], ["delete","create"] (replace), ["no-op"], ["read"]. */
  readonly actions: readonly string[];
  /** The values before the change (the state), null for a create; sensitive ones "(sensitive)". */
  readonly before: Readonly<Record<string, unknown>> | null;
  /**
   * The values after it, null for a delete; sensitive ones "(sensitive)". From a configuration,
   * a value Terraform computes is its expression, a string starting with "${".
   */
  readonly after: Readonly<Record<string, unknown>> | null;
}

/** A provider configuration of the plan, for rules on regions and accounts. */
export interface PlannedProvider {
  /** `aws`, or `aws.west` for an alias. */
  readonly name: string;
  /** The constant values of its arguments (expressions left out). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** What every plan policy reads. */
export interface PlanView {
  /** `plan`: Terraform's plan of this run; `configuration`: the synthesized stack alone. */
  readonly source: 'plan' | 'configuration';
  readonly resources: readonly PlannedResource[];
  readonly providers: readonly PlannedProvider[];
}

export const SENSITIVE = '(sensitive)';

/** kratix-cdktf's own records in a request's stack (owner, stack digest, the Promise stack's guard): not the request's resources. */
export function isInternal(r: Pick<PlannedResource, 'type' | 'address'>): boolean {
  return r.type === 'terraform_data' && r.address.startsWith('terraform_data.kratix_cdktf_');
}

type Json = Record<string, unknown>;

/** The view of a `terraform show -json` plan document. */
export function planFromShowJson(doc: unknown): PlanView {
  const plan = (doc ?? {}) as {
    resource_changes?: { address?: string; type?: string; mode?: string; change?: Json }[];
    configuration?: { provider_config?: Record<string, { name?: string; alias?: string; expressions?: Record<string, { constant_value?: unknown }> }> };
  };
  const resources: PlannedResource[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed' || typeof rc.address !== 'string' || typeof rc.type !== 'string') continue;
    const change = rc.change ?? {};
    resources.push({
      address: rc.address,
      type: rc.type,
      actions: Array.isArray(change.actions) ? change.actions.map(String) : [],
      before: masked(change.before, change.before_sensitive),
      after: masked(change.after, change.after_sensitive),
    });
  }
  const providers = Object.entries(plan.configuration?.provider_config ?? {}).map(([key, p]) => ({
    name: key,
    config: Object.fromEntries(
      Object.entries(p.expressions ?? {})
        .filter(([, e]) => e && typeof e === 'object' && 'constant_value' in e)
        .map(([arg, e]) => [arg, e.constant_value]),
    ),
  }));
  return { source: 'plan', resources, providers };
}

/** The view of a synthesized stack (Terraform JSON): every resource one to create. */
export function planFromConfiguration(json: Json): PlanView {
  const resources: PlannedResource[] = [];
  for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, Json>>))
    for (const [name, attributes] of Object.entries(byName)) {
      const { lifecycle: _l, depends_on: _d, provider: _p, count: _c, for_each: _f, provisioner: _v, connection: _n, ...after } = attributes;
      resources.push({ address: `${type}.${name}`, type, actions: ['create'], before: null, after });
    }
  const providers: PlannedProvider[] = [];
  for (const [type, configs] of Object.entries((json.provider ?? {}) as Record<string, Json[] | Json>))
    for (const config of Array.isArray(configs) ? configs : [configs]) {
      const alias = typeof config.alias === 'string' ? config.alias : undefined;
      const constant = Object.fromEntries(Object.entries(config).filter(([k, v]) => k !== 'alias' && !(typeof v === 'string' && v.includes('${'))));
      providers.push({ name: alias ? `${type}.${alias}` : type, config: constant });
    }
  return { source: 'configuration', resources, providers };
}

// Values with the sensitive ones replaced, following Terraform's parallel `*_sensitive` structure
// (true for a sensitive value, or an object/array of the same shape).
function masked(value: unknown, sensitive: unknown): Json | null {
  if (value === null || value === undefined) return null;
  return mask(value, sensitive) as Json;
}

function mask(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return SENSITIVE;
  if (Array.isArray(value)) return value.map((v, i) => mask(v, Array.isArray(sensitive) ? sensitive[i] : undefined));
  if (value !== null && typeof value === 'object') {
    const marks = sensitive !== null && typeof sensitive === 'object' ? (sensitive as Json) : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, marks[k])]));
  }
  return value;
}
