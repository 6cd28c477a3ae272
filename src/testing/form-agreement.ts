// Form and API agree: the Software Template's spec form, validated as Backstage's form does it
// (ajv 8 with ajv-formats and the options of @rjsf/validator-ajv8, defaults filled in as the form
// fills them), gives each request of a corpus the verdict the workflow gives, except for what
// the form lists as the platform's own checks (CEL rules and the like).
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { withoutPlatformChecks } from '../backstage/form.js';
import { renderTemplate } from '../backstage/template.js';
import { requestApi } from '../kratix/request.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { applyDefaults } from '../schema/defaults.js';
import type { StructuralSchema } from '../schema/structural.js';
import { validateValue } from '../schema/validate.js';

// ajv-formats is CommonJS: its default export is the function under ESM and under the bundler.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => void;

/** One request of the corpus: what changed from the base request, and its spec. */
export interface FormCase {
  readonly label: string;
  readonly spec: unknown;
}

/** What the corpus showed. */
export interface FormAgreement {
  readonly cases: number;
  /** Cases both accept, and cases both refuse. */
  readonly accepted: number;
  readonly refused: number;
  /** Cases the form accepts that only the platform's listed checks refuse. */
  readonly platformOnly: number;
  readonly disagreements: readonly { readonly label: string; readonly spec: unknown; readonly form: readonly string[]; readonly api: readonly string[] }[];
}

// The Promise's API, or an error naming every problem of its definition.
function apiOf(def: PromiseDefinition) {
  const api = requestApi(def);
  if (!api.ok) throw new Error(`promises/${def.name}: ${api.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return api.value;
}

/** The spec form of a Promise's Template, with its `ui:` keys taken out as Backstage does before validating. */
export function templateSpecSchema(def: PromiseDefinition): Record<string, unknown> {
  const api = apiOf(def);
  const template = renderTemplate({
    promiseName: def.name,
    names: api.names,
    spec: api.spec,
    secretRefs: api.secretRefs,
    rules: [],
    backstage: def.backstage ?? {},
  }).get('backstage/template.yaml') as { spec: { parameters: { properties: { spec: unknown } }[] } };
  return withoutUi(template.spec.parameters[1]!.properties.spec) as Record<string, unknown>;
}

/**
 * Checks the Promise's form against its API on `cases` (by default {@link formCorpus} of the
 * example spec): the form's verdict (Backstage's validator, defaults filled) and the workflow's
 * (Kubernetes defaulting and validation) must be the same, but for the checks the form lists.
 */
export function checkFormAgreement(
  def: PromiseDefinition,
  exampleSpec: unknown,
  cases?: readonly FormCase[],
  /** The form's schema instead of the Template's (a test showing a wrong form is caught). */
  form: Record<string, unknown> = templateSpecSchema(def),
): FormAgreement {
  const api = apiOf(def);
  const full = api.spec;
  const shared = withoutPlatformChecks(full);
  const ajv = new Ajv({ allErrors: true, multipleOfPrecision: 8, strict: false, verbose: true, discriminator: false, useDefaults: true });
  addFormats(ajv);
  const validate = ajv.compile(form);
  const result = { cases: 0, accepted: 0, refused: 0, platformOnly: 0, disagreements: [] as FormAgreement['disagreements'][number][] };
  for (const c of cases ?? formCorpus(full, exampleSpec)) {
    result.cases++;
    const data = structuredClone(c.spec ?? {});
    const form = validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    const raw = c.spec ?? {};
    const apiIssues = validateValue(shared, applyDefaults(shared, raw), 'spec').map((i) => `${i.path}: ${i.message}`);
    if ((form.length === 0) !== (apiIssues.length === 0)) result.disagreements.push({ label: c.label, spec: c.spec, form, api: apiIssues });
    else if (form.length) result.refused++;
    else if (validateValue(full, applyDefaults(full, raw), 'spec').length) result.platformOnly++;
    else result.accepted++;
  }
  return result;
}

function withoutUi(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutUi);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !key.startsWith('ui:'))
      .map(([key, value]) => [key, key === 'default' || key === 'enum' ? value : withoutUi(value)]),
  );
}

/**
 * Requests made from the schema alone: the base spec, then for every field its boundary values
 * (each side of every limit), each enum value and one that is not, wrong types, too few and too
 * many items or entries, duplicates, missing required fields and unknown ones. Never a null where
 * the schema does not allow one: a form cannot send it, and Kubernetes prunes it.
 */
export function formCorpus(spec: StructuralSchema, base: unknown): FormCase[] {
  const root = isObject(base) ? base : {};
  const cases: FormCase[] = [
    { label: 'the base request', spec: root },
    { label: 'an empty spec', spec: {} },
  ];
  const visit = (node: StructuralSchema, path: readonly (string | number)[], sample: unknown) => {
    for (const [label, value] of variants(node, sample)) cases.push({ label: `${show(path)} = ${label}`, spec: setAt(root, path, value) });
    if (node.properties) {
      const here = isObject(sample) ? sample : {};
      for (const [name, child] of Object.entries(node.properties)) visit(child, [...path, name], here[name] ?? sampleOf(child));
    } else if (node.additionalProperties) {
      const entries = isObject(sample) ? Object.entries(sample) : [];
      const [key, value] = entries[0] ?? ['key', sampleOf(node.additionalProperties)];
      visit(node.additionalProperties, [...path, key], value);
    }
    if (node.items) {
      const first = Array.isArray(sample) && sample.length ? sample[0] : sampleOf(node.items);
      visit(node.items, [...path, 0], first);
    }
  };
  visit(spec, [], root);
  return cases;
}

type Variant = readonly [string, unknown];

function variants(node: StructuralSchema, sample: unknown): Variant[] {
  const out: Variant[] = [];
  const add = (label: string, value: unknown) => out.push([label, value]);
  for (const value of node.enum ?? []) add(`enum ${JSON.stringify(value)}`, value);
  if (node.enum) add('a value not in the enum', typeof node.enum[0] === 'number' ? 987654 : 'not-in-enum');
  if (node.nullable) add('null (nullable)', null);
  const type = node['x-kubernetes-int-or-string'] ? 'int-or-string' : node.type;
  switch (type) {
    case 'string':
    case 'int-or-string': {
      const s = typeof sample === 'string' ? sample : 'a';
      const pad = s.slice(-1) || 'a';
      // The characters where JavaScript's and RE2's `.` and `\s` differ: NBSP, CR, VT, U+2028.
      const odd = ['\u00a0', '\r', '\v', '\u2028', '\t', '\n'].map((c) => `${s}${c}${s}`);
      for (const text of ['', s, 'A b!', 'ünïcode', '${{ parameters.x }}', '-leading', s.toUpperCase(), ...odd]) add(JSON.stringify(text.slice(0, 40)), text);
      if (node.minLength !== undefined) {
        add('at minLength', s.slice(0, node.minLength).padEnd(node.minLength, pad));
        if (node.minLength > 0) add('below minLength', s.slice(0, node.minLength - 1));
      }
      if (node.maxLength !== undefined) {
        add('at maxLength', s.padEnd(node.maxLength, pad).slice(0, node.maxLength));
        add('above maxLength', s.padEnd(node.maxLength + 1, pad));
        add('above maxLength in characters, not bytes', 'é'.repeat(node.maxLength));
      }
      if (node.format) for (const text of formatSamples[node.format] ?? []) add(`${node.format} ${JSON.stringify(text)}`, text);
      add('a number', 42);
      if (type === 'int-or-string') add('a fraction', 1.5);
      add('a boolean', true);
      break;
    }
    case 'integer':
    case 'number': {
      const n = typeof sample === 'number' ? sample : 0;
      for (const value of [n, 0, -1, 1.5, 2 ** 53, -(2 ** 60)]) add(String(value), value);
      for (const [bound, value] of [
        ['minimum', node.minimum],
        ['maximum', node.maximum],
      ] as const) {
        if (value === undefined) continue;
        for (const delta of [-1, 0, 1, -0.5, 0.5]) add(`${bound} ${delta >= 0 ? '+' : ''}${delta}`, value + delta);
      }
      if (node.multipleOf !== undefined) for (const k of [1, 3, 2.5]) add(`${k} × multipleOf`, node.multipleOf * k);
      add('a numeric string', String(n));
      add('a boolean', false);
      break;
    }
    case 'boolean':
      add('true', true);
      add('false', false);
      add('a string', 'true');
      add('a number', 1);
      break;
    case 'array': {
      const item = Array.isArray(sample) && sample.length ? sample[0] : sampleOf(node.items ?? {});
      add('an empty list', []);
      add('one item', [item]);
      add('a duplicate item', [item, structuredClone(item)]);
      if (node.minItems !== undefined && node.minItems > 0)
        add(
          'below minItems',
          Array.from({ length: node.minItems - 1 }, () => structuredClone(item)),
        );
      if (node.maxItems !== undefined) add('above maxItems', distinctItems(node.items ?? {}, item, node.maxItems + 1));
      add('an object', {});
      add('a string', 'a');
      break;
    }
    case 'object': {
      add('a string', 'a');
      add('a list', []);
      if (node.properties) {
        const here = isObject(sample) ? sample : {};
        add('an empty object', {});
        add('with an unknown field', { ...here, zzUnknownField: 'x' });
        for (const name of node.required ?? []) {
          const { [name]: _gone, ...without } = here;
          add(`without required ${name}`, without);
        }
      } else if (node.additionalProperties) {
        const value = sampleOf(node.additionalProperties);
        add('an empty map', {});
        add('one entry', { key: value });
        add('an entry with an empty key', { '': value });
        add('an entry of the wrong type', { key: node.additionalProperties.type === 'string' ? 7 : 'x' });
        if (node.maxProperties !== undefined)
          add('above maxProperties', Object.fromEntries(Array.from({ length: node.maxProperties + 1 }, (_, i) => [`key${i}`, value])));
        if (node.minProperties !== undefined && node.minProperties > 0)
          add('below minProperties', Object.fromEntries(Array.from({ length: node.minProperties - 1 }, (_, i) => [`key${i}`, value])));
      }
      break;
    }
  }
  return out;
}

const formatSamples: Record<string, readonly string[]> = {
  date: ['2026-12-04', '2026-02-30', '04/12/2026'],
  'date-time': ['2026-12-04T10:00:00Z', '2026-12-04 10:00', '2026-13-01T00:00:00Z'],
  email: ['team@example.com', 'not-an-email'],
  hostname: ['db.example.com', '-bad-.example'],
  uri: ['https://example.com/x', 'not a uri'],
};

// A value the schema probably accepts, to build lists, maps and paths around.
function sampleOf(node: StructuralSchema): unknown {
  if (node.default !== undefined) return structuredClone(node.default);
  if (node.enum?.length) return node.enum[0];
  if (node['x-kubernetes-int-or-string']) return 1;
  switch (node.type) {
    case 'string':
      return 'a'.repeat(Math.max(1, node.minLength ?? 1));
    case 'integer':
    case 'number':
      return node.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: node.minItems ?? 0 }, () => sampleOf(node.items ?? {}));
    case 'object':
      return node.properties ? Object.fromEntries((node.required ?? []).map((name) => [name, sampleOf(node.properties![name]!)])) : {};
    default:
      return 'a';
  }
}

function distinctItems(node: StructuralSchema, item: unknown, count: number): unknown[] {
  if (node.type === 'string') return Array.from({ length: count }, (_, i) => `${typeof item === 'string' ? item : 'a'}${i}`);
  if (node.type === 'integer' || node.type === 'number') return Array.from({ length: count }, (_, i) => i + (node.minimum ?? 0));
  return Array.from({ length: count }, () => structuredClone(item));
}

function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let here: Record<string | number, unknown> = copy;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      here[key] = value;
      return;
    }
    const next = here[key];
    if (next === null || typeof next !== 'object') here[key] = typeof path[i + 1] === 'number' ? [] : {};
    here = here[key] as Record<string | number, unknown>;
  });
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(path: readonly (string | number)[]): string {
  return path.length ? `spec.${path.join('.')}` : 'spec';
}

/**
 * Whether the form can send every request of the corpus that the API takes, starting from what
 * react-jsonschema-form makes of it (its defaults filled in, optional objects and lists created
 * as it creates them) and judged by its own validator: the requests the form would refuse, or
 * undefined when `@rjsf/utils` and `@rjsf/validator-ajv8` are not installed.
 */
export async function checkFormPrefill(
  def: PromiseDefinition,
  exampleSpec: unknown,
  /** The form's schema instead of the Template's (a test showing a wrong form is caught). */
  form?: Record<string, unknown>,
): Promise<{ readonly label: string; readonly errors: readonly string[] }[] | undefined> {
  let rjsf: {
    getDefaultFormState: (...args: unknown[]) => unknown;
    validator: { validateFormData: (data: unknown, schema: unknown) => { errors: { stack: string }[] } };
  };
  try {
    const utils = (await import('@rjsf/utils')) as unknown as { getDefaultFormState: (...args: unknown[]) => unknown };
    const ajv8 = (await import('@rjsf/validator-ajv8')) as unknown as { customizeValidator: () => never; default?: { customizeValidator?: () => never } };
    const customize = ajv8.customizeValidator ?? ajv8.default?.customizeValidator;
    if (!customize) return undefined;
    rjsf = { getDefaultFormState: utils.getDefaultFormState, validator: customize() };
  } catch {
    return undefined;
  }
  const api = apiOf(def);
  const spec = api.spec;
  const schema = form ?? templateSpecSchema(def);
  const refused: { label: string; errors: string[] }[] = [];
  for (const c of formCorpus(spec, exampleSpec)) {
    if (validateValue(spec, applyDefaults(spec, c.spec ?? {}), 'spec').length) continue;
    const start = rjsf.getDefaultFormState(rjsf.validator, schema, structuredClone(c.spec), schema);
    const errors = rjsf.validator.validateFormData(start, schema).errors.map((e) => e.stack);
    if (errors.length) refused.push({ label: c.label, errors });
  }
  return refused;
}
