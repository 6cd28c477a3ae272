// What a change to a Promise's API does to the requests already stored: Kubernetes keeps them as
// they were admitted, and the workflow validates each one again on every reconcile, so whatever
// the new schema refuses fails there. Compares the committed CRD with the new one, field by field.
import type { StructuralSchema } from '../schema/structural.js';

/** The kinds of change that can break a stored request. */
export const BREAKING_KINDS = [
  'removed',
  'type-changed',
  'enum-narrowed',
  'enum-added',
  'minimum-raised',
  'maximum-lowered',
  'length-narrowed',
  'items-narrowed',
  'entries-narrowed',
  'pattern-changed',
  'format-changed',
  'multiple-of-changed',
  'required-added',
  'nullable-removed',
  'unique-items-added',
  'rule-added',
  'names-changed',
  'version-removed',
] as const;

export type BreakingKind = (typeof BREAKING_KINDS)[number];

/** One change that can break stored requests. */
export interface BreakingChange {
  /** The field (`spec.size`, `spec.tags[*]`, `spec.rules[*].name`) or, for the API itself, `api.kind`, `api.version`. */
  readonly path: string;
  readonly change: BreakingKind;
  /** What exactly changed (`"large"`, `35 → 30`), so an acknowledgement of it accepts no other change. */
  readonly detail?: string;
  /** What changed and what it does to stored requests. */
  readonly message: string;
  readonly fix: string;
}

/** The parts of a CRD that stored requests depend on. */
export interface ApiSnapshot {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: string;
  /** Each served version's spec schema, by version name. */
  readonly versions: Readonly<Record<string, StructuralSchema>>;
}

/** The snapshot of a CustomResourceDefinition object (a Promise's `spec.api`). */
export function apiSnapshot(crd: unknown): ApiSnapshot | undefined {
  const c = crd as {
    spec?: {
      group?: string;
      scope?: string;
      names?: { kind?: string; plural?: string };
      versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: StructuralSchema } }[];
    };
  };
  const spec = c?.spec;
  if (!spec?.group || !spec.names?.kind || !Array.isArray(spec.versions)) return undefined;
  const versions: Record<string, StructuralSchema> = {};
  for (const v of spec.versions) {
    if (v.served === false) continue;
    const root = v.schema?.openAPIV3Schema;
    versions[v.name] = root?.properties?.spec ?? { type: 'object' };
  }
  return { group: spec.group, kind: spec.names.kind, plural: spec.names.plural ?? '', scope: spec.scope ?? 'Namespaced', versions };
}

/** Every change from `before` to `after` that can break a stored request. */
export function breakingChanges(before: ApiSnapshot, after: ApiSnapshot): BreakingChange[] {
  const out: BreakingChange[] = [];
  for (const key of ['group', 'kind', 'plural', 'scope'] as const) {
    if (before[key] !== after[key])
      out.push({
        path: `api.${key}`,
        change: 'names-changed',
        message: `changed from ${JSON.stringify(before[key])} to ${JSON.stringify(after[key])}: Kubernetes sees a new API, and the stored requests of the old one are orphaned`,
        fix: `keep ${key} ${JSON.stringify(before[key])}, or make a new Promise for the new API`,
        detail: `${before[key]} → ${after[key]}`,
      });
  }
  // A new group or plural is a new CRD: nothing of the old one's schema carries over to compare.
  // A new kind or scope updates the same CRD in place, over the same stored requests.
  if (before.group !== after.group || before.plural !== after.plural) return out;
  for (const [version, schema] of Object.entries(before.versions)) {
    const next = after.versions[version];
    if (!next) {
      out.push({
        path: `api.version`,
        change: 'version-removed',
        message: `${version} is no longer served: requests stored as ${version} cannot be read or updated through it`,
        fix: `keep serving ${version} beside the new version (versions), until every request has moved`,
        detail: version,
      });
      continue;
    }
    const prefix = Object.keys(before.versions).length > 1 || Object.keys(after.versions).length > 1 ? `${version}: ` : '';
    const found: BreakingChange[] = [];
    compareNode(schema, next, 'spec', found);
    // A spec that becomes required needs no check of its own: an optional spec defaults to {}, which
    // Kubernetes stored with each request, and the fields that made it required are compared above.
    out.push(...found.map((c) => (prefix ? { ...c, message: `${prefix}${c.message}` } : c)));
  }
  return out;
}

function compareNode(a: StructuralSchema, b: StructuralSchema, path: string, out: BreakingChange[]): void {
  const add = (change: BreakingKind, message: string, fix: string, detail?: string) => out.push({ path, change, message, fix, ...(detail ? { detail } : {}) });
  const shape = (s: StructuralSchema) =>
    s['x-kubernetes-int-or-string'] ? 'integer or string' : s.type === 'object' && s.additionalProperties ? 'map' : (s.type ?? 'any');
  const [from, to] = [shape(a), shape(b)];
  // int-or-string → integer or string narrows; integer → number widens: the only safe type change.
  if (from !== to && !(from === 'integer' && to === 'number') && !(to === 'integer or string' && (from === 'integer' || from === 'string'))) {
    add(
      'type-changed',
      `changed from ${from} to ${to}: stored values of type ${from} are refused`,
      `keep the type ${from}, or add a new field beside it`,
      `${from} → ${to}`,
    );
    return;
  }
  if (a.nullable && !b.nullable) add('nullable-removed', 'no longer takes null: stored nulls are refused', 'keep nullable');
  enumChange(a, b, add);
  bound(a.minimum, b.minimum, a.exclusiveMinimum, b.exclusiveMinimum, 'min', add);
  bound(a.maximum, b.maximum, a.exclusiveMaximum, b.exclusiveMaximum, 'max', add);
  limit(a.minLength, b.minLength, 'min', 'length-narrowed', 'characters', add);
  limit(a.maxLength, b.maxLength, 'max', 'length-narrowed', 'characters', add);
  limit(a.minItems, b.minItems, 'min', 'items-narrowed', 'items', add);
  limit(a.maxItems, b.maxItems, 'max', 'items-narrowed', 'items', add);
  limit(a.minProperties, b.minProperties, 'min', 'entries-narrowed', 'entries', add);
  limit(a.maxProperties, b.maxProperties, 'max', 'entries-narrowed', 'entries', add);
  if (b.pattern !== undefined && a.pattern !== b.pattern)
    add(
      'pattern-changed',
      a.pattern === undefined
        ? `now must match ${JSON.stringify(b.pattern)}: stored values may not`
        : `pattern changed from ${JSON.stringify(a.pattern)} to ${JSON.stringify(b.pattern)}: stored values may not match`,
      a.pattern === undefined ? 'leave the pattern out' : `keep ${JSON.stringify(a.pattern)}`,
      b.pattern,
    );
  if (b.format !== undefined && a.format !== b.format)
    add('format-changed', `now must be a valid ${b.format}: stored values may not be`, a.format ? `keep format ${a.format}` : 'leave the format out', b.format);
  if (b.multipleOf !== undefined && !(a.multipleOf !== undefined && isMultiple(a.multipleOf, b.multipleOf)))
    add(
      'multiple-of-changed',
      `now must be a multiple of ${b.multipleOf}: stored values may not be`,
      a.multipleOf ? `keep multipleOf ${a.multipleOf}` : 'leave multipleOf out',
    );
  const setBefore = a['x-kubernetes-list-type'] ?? 'atomic';
  const setAfter = b['x-kubernetes-list-type'] ?? 'atomic';
  if (setBefore !== setAfter && setAfter !== 'atomic')
    add(
      'unique-items-added',
      `items must now be unique (list-type ${setAfter}): stored lists with repeats are refused`,
      `keep list-type ${setBefore}`,
      setAfter,
    );
  // Fewer map keys: items the old keys told apart may now be duplicates.
  if (setBefore === 'map' && setAfter === 'map') {
    const keysAfter = b['x-kubernetes-list-map-keys'] ?? [];
    const keysBefore = a['x-kubernetes-list-map-keys'] ?? [];
    if (!keysBefore.every((k) => keysAfter.includes(k)))
      add(
        'unique-items-added',
        `items are now told apart by ${keysAfter.join(' and ')} only, not ${keysBefore.join(' and ')}: stored lists may now hold duplicates`,
        `keep the list-map keys ${keysBefore.join(', ')}`,
        keysAfter.join(','),
      );
  }
  const rulesBefore = new Set((a['x-kubernetes-validations'] ?? []).map((r) => r.rule));
  for (const rule of b['x-kubernetes-validations'] ?? [])
    if (!rulesBefore.has(rule.rule))
      add(
        'rule-added',
        `new rule ${JSON.stringify(rule.rule)}${rule.message ? ` (${rule.message})` : ''}: stored requests may break it`,
        'leave the rule out, or check that no stored request breaks it before acknowledging it',
        rule.rule,
      );
  if (a.properties && b.properties) {
    const required = new Set(b.required ?? []);
    const had = new Set(a.required ?? []);
    for (const [name, child] of Object.entries(a.properties)) {
      const next = b.properties[name];
      if (!next) {
        const renamed = Object.entries(b.properties).find(([other, s]) => !a.properties![other] && JSON.stringify(s) === JSON.stringify(child))?.[0];
        out.push({
          path: `${path}.${name}`,
          change: 'removed',
          ...(renamed ? { detail: `→ ${renamed}` } : {}),
          message: `was removed${renamed ? ` (renamed to ${renamed}?)` : ''}: stored requests that set it are refused ("is not a field of this API")`,
          fix: renamed ? `keep ${name} beside ${renamed} until every request has moved` : `keep ${name}, deprecated in its description`,
        });
        continue;
      }
      compareNode(child, next, `${path}.${name}`, out);
    }
    for (const name of required) {
      // Defaulting fills a missing field before validation: only a required field without a default
      // breaks. One that had a default was defaulted when each request was stored.
      if (had.has(name) && a.properties[name]) continue;
      const node = b.properties[name];
      if (node?.default !== undefined || a.properties[name]?.default !== undefined) continue;
      out.push(requiredAdded(`${path}.${name}`, name));
    }
  }
  if (a.additionalProperties && b.additionalProperties) compareNode(a.additionalProperties, b.additionalProperties, `${path}[*]`, out);
  if (a.items && b.items) compareNode(a.items, b.items, `${path}[*]`, out);
}

function requiredAdded(path: string, name: string): BreakingChange {
  return {
    path,
    change: 'required-added',
    message: 'is now required and has no default: stored requests without it are refused',
    fix: `give ${name} a default, or leave it optional`,
  };
}

type Add = (change: BreakingKind, message: string, fix: string, detail?: string) => void;

function enumChange(a: StructuralSchema, b: StructuralSchema, add: Add): void {
  if (!b.enum) return;
  if (!a.enum) {
    add(
      'enum-added',
      `now takes only ${b.enum.map((v) => JSON.stringify(v)).join(', ')}: stored values may be others`,
      'leave the enum out',
      b.enum.map((v) => JSON.stringify(v)).join(', '),
    );
    return;
  }
  const kept = new Set(b.enum.map((v) => JSON.stringify(v)));
  const gone = a.enum.filter((v) => !kept.has(JSON.stringify(v)));
  if (gone.length)
    add(
      'enum-narrowed',
      `no longer takes ${gone.map((v) => JSON.stringify(v)).join(', ')}: stored requests with ${gone.length === 1 ? 'that value' : 'those values'} are refused`,
      `keep ${gone.map((v) => JSON.stringify(v)).join(', ')} in the enum`,
      gone.map((v) => JSON.stringify(v)).join(', '),
    );
}

function bound(a: number | undefined, b: number | undefined, exA: boolean | undefined, exB: boolean | undefined, side: 'min' | 'max', add: Add): void {
  if (b === undefined) return;
  const name = side === 'min' ? 'minimum' : 'maximum';
  const tighter = a === undefined || (side === 'min' ? b > a : b < a) || (b === a && Boolean(exB) && !exA);
  if (!tighter) return;
  add(
    side === 'min' ? 'minimum-raised' : 'maximum-lowered',
    a === undefined
      ? `now has a ${name} of ${b}${exB ? ' (exclusive)' : ''}: stored values may be ${side === 'min' ? 'below' : 'above'} it`
      : `${name} ${side === 'min' ? 'raised' : 'lowered'} from ${a}${exA ? ' (exclusive)' : ''} to ${b}${exB ? ' (exclusive)' : ''}: stored values between are refused`,
    a === undefined ? `leave the ${name} out` : `keep the ${name} at ${a}`,
    `${a ?? 'none'}${exA ? ' (exclusive)' : ''} → ${b}${exB ? ' (exclusive)' : ''}`,
  );
}

function limit(a: number | undefined, b: number | undefined, side: 'min' | 'max', change: BreakingKind, unit: string, add: Add): void {
  if (b === undefined) return;
  if (a !== undefined && (side === 'min' ? b <= a : b >= a)) return;
  add(
    change,
    a === undefined
      ? `now takes at ${side === 'min' ? 'least' : 'most'} ${b} ${unit}: stored values may have ${side === 'min' ? 'fewer' : 'more'}`
      : `${side === 'min' ? 'least' : 'most'} ${unit} changed from ${a} to ${b}: stored values between are refused`,
    a === undefined ? 'leave the limit out' : `keep the limit at ${a}`,
    `${side} ${a ?? 'none'} → ${b}`,
  );
}

// Every multiple of `old` is a multiple of `next` when old is itself a multiple of next.
function isMultiple(old: number, next: number): boolean {
  const q = old / next;
  return Math.abs(q - Math.round(q)) < 1e-9;
}
