// The Promise's spec schema as a Backstage scaffolder form: JSON Schema (draft-07, what
// react-jsonschema-form and its ajv validator read) with `ui:` keys, which Backstage moves into
// the form's uiSchema. What a form cannot check (CEL rules, formats it reads differently,
// patterns JavaScript cannot compile) is left out of the schema and listed, so the requester
// knows what the platform will still refuse.
import type { CelRule, StructuralSchema } from '../schema/structural.js';

/** A JSON Schema node of the form, `ui:` keys included. */
export type FormSchema = { [key: string]: unknown };

/** The form of one spec, and the checks only the platform makes. */
export interface SpecForm {
  readonly schema: FormSchema;
  /** One line per check the form leaves to the platform: `<field path>: <what>`. */
  readonly platformChecks: readonly string[];
}

// Formats ajv-formats (the form's validator) reads as the workflow does (src/schema/formats.ts
// takes these two from ajv-formats); the others differ in details, so the platform checks them.
const SHARED_FORMATS = new Set(['date', 'date-time']);

/** The form for `spec`: every field with its type, limits, default and description. */
export function specForm(spec: StructuralSchema, secretRefs: readonly string[]): SpecForm {
  const checks: string[] = [];
  const schema = convert(spec, 'spec', 'spec', new Set(secretRefs), checks);
  return { schema, platformChecks: checks };
}

function convert(node: StructuralSchema, path: string, key: string, secrets: Set<string>, checks: string[]): FormSchema {
  const out: FormSchema = { title: titleOf(key, node) };
  if (node.description) out.description = node.description;
  const types = typesOf(node);
  if (types) out.type = types.length === 1 ? types[0] : types;
  if (node.enum) {
    out.enum = node.enum;
    // rjsf shows `ui:enumNames` as the options' labels; the values stay what the API takes.
    if (node.enum.every((v) => typeof v === 'string')) out['ui:enumNames'] = node.enum.map((v) => humanize(v as string));
  }
  if (node.default !== undefined) out.default = node.default;
  copy(node, out, ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf']);
  // OpenAPI 3.0's boolean exclusive bounds are draft-07's numeric ones.
  if (node.minimum !== undefined) out[node.exclusiveMinimum ? 'exclusiveMinimum' : 'minimum'] = node.minimum;
  if (node.maximum !== undefined) out[node.exclusiveMaximum ? 'exclusiveMaximum' : 'maximum'] = node.maximum;
  // The workflow refuses integers a JavaScript number cannot hold exactly (src/schema/validate.ts).
  if (node.type === 'integer' && node.minimum === undefined) out.minimum = -Number.MAX_SAFE_INTEGER;
  if (node.type === 'integer' && node.maximum === undefined) out.maximum = Number.MAX_SAFE_INTEGER;
  if (node.pattern !== undefined) {
    if (formReads.pattern(node.pattern)) out.pattern = node.pattern;
    else checks.push(`${path}: must match ${JSON.stringify(node.pattern)} (a pattern the form cannot read)`);
  }
  if (node.format !== undefined) {
    if (formReads.format(node.format)) out.format = node.format;
    else checks.push(`${path}: must be a valid ${node.format}`);
  }
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (node['x-kubernetes-list-type'] === 'map')
    checks.push(`${path}: no two items may have the same ${(node['x-kubernetes-list-map-keys'] ?? []).join(' and ')}`);
  for (const rule of node['x-kubernetes-validations'] ?? []) checks.push(`${rule.fieldPath ? `${path}${rule.fieldPath}` : path}: ${ruleText(rule)}`);
  if (secrets.has(path)) {
    out['ui:help'] = 'Name a Secret in the same namespace as this request, and the key in it; the value never passes through Backstage.';
  }
  if (node.type === 'object' && node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [name, convert(child, `${path}.${name}`, name, secrets, checks)]),
    );
    if (node.required?.length) out.required = node.required;
    // The workflow refuses unknown fields, so the form does too.
    out.additionalProperties = false;
  } else if (node.type === 'object' && node.additionalProperties) {
    out.additionalProperties = convert(node.additionalProperties, `${path}[*]`, 'value', secrets, checks);
  } else if (node.type === 'object' && node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = true;
  }
  if (node.items) out.items = convert(node.items, `${path}[*]`, 'item', secrets, checks);
  return out;
}

function typesOf(node: StructuralSchema): string[] | undefined {
  const base = node['x-kubernetes-int-or-string'] ? ['integer', 'string'] : node.type ? [node.type] : undefined;
  if (!base) return undefined;
  return node.nullable ? [...base, 'null'] : base;
}

function copy(from: StructuralSchema, to: FormSchema, keys: readonly (keyof StructuralSchema)[]): void {
  for (const key of keys) if (from[key] !== undefined) to[key] = from[key];
}

function ruleText(rule: CelRule): string {
  return rule.message ?? `must pass the rule ${rule.rule}`;
}

/** What the form checks itself; the rest is listed as the platform's (see {@link withoutPlatformChecks}). */
export const formReads = {
  // The form's validator compiles patterns as JavaScript regular expressions with the `u` flag;
  // Kubernetes reads them as RE2, which accepts a few things JavaScript does not.
  pattern(pattern: string): boolean {
    try {
      new RegExp(pattern, 'u');
      return true;
    } catch {
      return false;
    }
  },
  format: (format: string): boolean => SHARED_FORMATS.has(format),
};

/**
 * The schema with what the form leaves to the platform taken out: CEL rules, list-map key
 * uniqueness, formats and patterns the form does not read. What the form and the API must agree on.
 */
export function withoutPlatformChecks(node: StructuralSchema): StructuralSchema {
  const {
    'x-kubernetes-validations': _rules,
    'x-kubernetes-list-type': listType,
    'x-kubernetes-list-map-keys': _keys,
    pattern,
    format,
    properties,
    additionalProperties,
    items,
    ...rest
  } = node;
  return {
    ...rest,
    ...(listType === 'set' ? { 'x-kubernetes-list-type': 'set' as const } : {}),
    ...(pattern !== undefined && formReads.pattern(pattern) ? { pattern } : {}),
    ...(format !== undefined && formReads.format(format) ? { format } : {}),
    ...(properties ? { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, withoutPlatformChecks(v)])) } : {}),
    ...(additionalProperties ? { additionalProperties: withoutPlatformChecks(additionalProperties) } : {}),
    ...(items ? { items: withoutPlatformChecks(items) } : {}),
  };
}

/** A field's label: its own title, or its name in sentence case (`storageGiB` → `Storage GiB`). */
export function titleOf(key: string, node: StructuralSchema): string {
  return node.title ?? humanize(key);
}

// Splits camelCase where a capital starts a lowercase word, so acronyms stay whole: `maxStorageGiB`
// → `Max storage GiB`, `awsRegion` → `Aws region`, `us-east-1` → `Us-east-1`.
function humanize(text: string): string {
  const words = text.replace(/([a-z0-9])([A-Z][a-z])/g, '$1 $2').split(' ');
  const sentence = words.map((w, i) => (i > 0 && /^[A-Z][a-z0-9]*$/.test(w) ? w.toLowerCase() : w)).join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
