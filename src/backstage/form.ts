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
  const schema = convert(spec, { path: 'spec', key: 'spec', secrets: new Set(secretRefs), checks, present: true, required: true, ui: true });
  return { schema, platformChecks: checks };
}

interface Where {
  readonly path: string;
  readonly key: string;
  readonly secrets: Set<string>;
  readonly checks: string[];
  /**
   * Whether the node's parent is always there when the request is. react-jsonschema-form
   * creates an optional object to hold a default inside it, and starts an optional list with its
   * least number of items, neither of which Kubernetes does: defaults and least counts are kept
   * only where the API applies them too.
   */
  readonly present: boolean;
  /** Whether the parent requires the node (items and map values: once added). */
  readonly required: boolean;
  /** Whether `ui:` keys reach the form: Backstage moves them out of properties and items only, not map values. */
  readonly ui: boolean;
}

function convert(node: StructuralSchema, at: Where): FormSchema {
  const { path, checks } = at;
  const out: FormSchema = { title: titleOf(at.key, node) };
  if (node.description) out.description = node.description;
  const types = typesOf(node);
  if (types) out.type = types.length === 1 ? types[0] : types;
  if (node.enum) {
    out.enum = node.enum;
    // rjsf shows `ui:enumNames` as the options' labels; the values stay what the API takes.
    if (at.ui && node.enum.every((v) => typeof v === 'string' || v === null))
      out['ui:enumNames'] = node.enum.map((v) => (v === null ? '(none)' : humanize(v as string)));
  }
  if (node.default !== undefined && at.present) out.default = node.default;
  const always = formReads.always(at.present, at.required, node);
  copy(node, out, ['minLength', 'maxLength', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf']);
  if (node.minItems !== undefined) {
    if (formReads.minItems(node.minItems, always)) out.minItems = node.minItems;
    else checks.push(`${path}: when given, at least ${node.minItems} items`);
  }
  // OpenAPI 3.0's boolean exclusive bounds are draft-07's numeric ones.
  if (node.minimum !== undefined) out[node.exclusiveMinimum ? 'exclusiveMinimum' : 'minimum'] = node.minimum;
  if (node.maximum !== undefined) out[node.exclusiveMaximum ? 'exclusiveMaximum' : 'maximum'] = node.maximum;
  // The workflow refuses integers a JavaScript number cannot hold exactly (src/schema/validate.ts).
  if (node.type === 'integer' && node.minimum === undefined) out.minimum = -Number.MAX_SAFE_INTEGER;
  if (node.type === 'integer' && node.maximum === undefined) out.maximum = Number.MAX_SAFE_INTEGER;
  if (node.pattern !== undefined) {
    const js = formPattern(node.pattern);
    if (js !== undefined) out.pattern = js;
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
  if (at.ui && at.secrets.has(path)) {
    out['ui:help'] = 'Name a Secret in the same namespace as this request, and the key in it; the value never passes through Backstage.';
  }
  // An item or a map value is there once the requester adds it, and defaulted then as the API does.
  const inside = (key: string, childPath: string, ui: boolean, present: boolean, required: boolean): Where => ({
    ...at,
    key,
    path: childPath,
    ui,
    present,
    required,
  });
  if (node.type === 'object' && node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [
        name,
        convert(child, inside(name, `${path}.${name}`, at.ui, always, node.required?.includes(name) === true)),
      ]),
    );
    if (node.required?.length) out.required = node.required;
    // The workflow refuses unknown fields, so the form does too.
    out.additionalProperties = false;
  } else if (node.type === 'object' && node.additionalProperties) {
    out.additionalProperties = convert(node.additionalProperties, inside('value', `${path}[*]`, false, true, true));
  } else if (node.type === 'object' && node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = true;
  }
  if (node.items) out.items = convert(node.items, inside('item', `${path}[*]`, at.ui, true, true));
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
  pattern: (pattern: string): boolean => formPattern(pattern) !== undefined,
  format: (format: string): boolean => SHARED_FORMATS.has(format),
  /** Whether a node is always there when the request is: its parent is, and it is required or defaulted. */
  always: (parentPresent: boolean, required: boolean, node: StructuralSchema): boolean => parentPresent && (required || node.default !== undefined),
  /** Whether the form keeps a list's least count: rjsf would start an optional list with that many items. */
  minItems: (minItems: number, always: boolean): boolean => always || minItems === 0,
};

// Character classes as RE2 (Kubernetes) reads them: `\s` is ASCII white space without \v, `.`
// is anything but a newline. JavaScript's `\s` also takes Unicode spaces and `.` refuses \r,
// U+2028 and U+2029, so both are spelled out for the form.
const RE2_SPACE = '\\t\\n\\f\\r ';
const SAME_ESCAPES = new Set([...'dDwWbBtnrfv.\\/-+*?()[]{}|^$']);

/**
 * The pattern as a JavaScript regular expression (`u` flag) that matches what RE2 matches, or
 * undefined when it cannot be written so (inline flags, `\pN`, `\Q…\E`, `\S` inside a class):
 * then the platform checks it alone.
 */
export function formPattern(pattern: string): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return undefined;
      i++;
      if (next === 's') out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${RE2_SPACE}]`;
      else if (SAME_ESCAPES.has(next)) out += `\\${next}`;
      else return undefined;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A leading ] or ^] is a literal ] in both.
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += `\\${pattern[++i]}`;
    } else if (c === '.') out += '[^\\n]';
    else if (c === '(' && pattern[i + 1] === '?' && pattern[i + 2] !== ':') return undefined;
    else out += c;
  }
  try {
    new RegExp(out, 'u');
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The schema with what the form leaves to the platform taken out: CEL rules, list-map key
 * uniqueness, formats and patterns the form does not read, and the least number of items of an
 * optional list. What the form and the API must agree on.
 */
export function withoutPlatformChecks(node: StructuralSchema, present = true, required = true): StructuralSchema {
  const {
    'x-kubernetes-validations': _rules,
    'x-kubernetes-list-type': listType,
    'x-kubernetes-list-map-keys': _keys,
    pattern,
    format,
    minItems,
    properties,
    additionalProperties,
    items,
    ...rest
  } = node;
  const always = formReads.always(present, required, node);
  return {
    ...rest,
    ...(listType === 'set' ? { 'x-kubernetes-list-type': 'set' as const } : {}),
    ...(pattern !== undefined && formReads.pattern(pattern) ? { pattern } : {}),
    ...(format !== undefined && formReads.format(format) ? { format } : {}),
    ...(minItems !== undefined && formReads.minItems(minItems, always) ? { minItems } : {}),
    ...(properties
      ? {
          properties: Object.fromEntries(
            Object.entries(properties).map(([k, v]) => [k, withoutPlatformChecks(v, always, node.required?.includes(k) === true)]),
          ),
        }
      : {}),
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
