// `kratix-cdktf import`: a Terraform module's variables and outputs, read with HCL's own parser,
// become a typed Promise: its schema keeps nested object types, optional() defaults, element
// types, descriptions and the validations that map; sensitive strings become secretRef() fields;
// the stack calls the module with every field and declares its outputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExpressionType, type Field, fieldOf } from './types.js';
import { matchesPattern } from '../schema/pattern.js';
import { sample } from './sample.js';
import { type Limits, translateCondition } from './validation.js';

/** What to import, and as what. */
export interface ImportOptions {
  /** The Promise's name (a DNS label). */
  readonly name: string;
  /** Where Terraform gets the module at run time: a registry address, a git URL, ... */
  readonly source: string;
  /** The registry module's version constraint. @default none */
  readonly version?: string;
  /** The API group. @default `<name>.platform.example.com` */
  readonly group?: string;
}

/** One variable as it was imported. */
export interface ImportedVariable {
  readonly name: string;
  /** Imported with its full type (nested objects, element types), or why it was left out. */
  readonly imported: true | string;
  readonly enum: boolean;
  readonly default: boolean;
  /** The module has no default for it: the request must say it. */
  readonly required: boolean;
  /** Validation blocks translated to limits, and kept only as a comment. */
  readonly validations: { readonly translated: number; readonly kept: number };
  readonly secret: boolean;
  /** Typed `any` in the module: JSON text in the request, checked by a rule and decoded by Terraform. */
  readonly json: boolean;
}

/** The files of the new Promise, and what became of each variable. */
export interface ImportResult {
  readonly files: ReadonlyMap<string, string>;
  readonly variables: readonly ImportedVariable[];
  readonly outputs: readonly string[];
}

interface Variable {
  readonly name: string;
  readonly field?: Field;
  readonly problem?: string;
  readonly description?: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly sensitive: boolean;
  readonly limits: Limits;
  readonly kept: readonly { condition: string; message?: string }[];
  readonly translated: number;
  /** Why the module's default was not kept. */
  readonly dropped?: string;
}

/** Reads the module in `dir` and writes the Promise's files (relative to `promises/<name>/`). */
export async function importModule(dir: string, options: ImportOptions): Promise<ImportResult> {
  const blocks = await readModule(dir);
  const variables: Variable[] = [];
  for (const [name, [block]] of Object.entries(blocks.variable)) variables.push(await readVariable(name, block ?? {}));
  const outputs = Object.entries(blocks.output).map(([name, [block]]) => ({
    name,
    description: typeof block?.description === 'string' ? block.description : undefined,
    sensitive: block?.sensitive === true,
  }));
  const kind = pascal(options.name);
  const files = new Map<string, string>([
    ['index.ts', promiseSource(options, kind, variables, outputs)],
    ['example-request.yaml', exampleRequest(options, kind, variables)],
    [
      `${options.name}.test.ts`,
      promiseTest(
        options,
        variables.filter((v) => v.field?.kind === 'json').map((v) => v.name),
      ),
    ],
  ]);
  return {
    files,
    variables: variables.map((v) => ({
      name: v.name,
      imported: v.field ? true : (v.problem ?? 'not imported'),
      enum: v.limits.enum !== undefined,
      default: v.default !== undefined && v.default !== null,
      required: v.required,
      validations: { translated: v.translated, kept: v.kept.length },
      secret: isSecret(v),
      json: v.field?.kind === 'json',
    })),
    outputs: outputs.map((o) => o.name),
  };
}

type Block = Record<string, unknown>;

// HCL's own parser (Go's hashicorp/hcl, compiled to WebAssembly). Imported by name at run time:
// its type declarations pull in the DOM library, which would retype fetch() for the whole project.
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<ExpressionType | null>;
}
const HCL2JSON = '@cdktf/hcl2json';
let hcl: Promise<Hcl2Json> | undefined;
const hcl2json = () => (hcl ??= import(HCL2JSON) as Promise<Hcl2Json>);
const parse = async (file: string, text: string) => (await hcl2json()).parse(file, text);
const getExpressionAst = async (file: string, text: string) => (await hcl2json()).getExpressionAst(file, text);

// Every .tf file of the module, merged as Terraform merges them.
async function readModule(dir: string): Promise<{ variable: Record<string, Block[]>; output: Record<string, Block[]> }> {
  const out = { variable: {} as Record<string, Block[]>, output: {} as Record<string, Block[]> };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  if (files.length === 0) throw new Error(`${dir}: no .tf files`);
  for (const file of files) {
    let json: Record<string, Record<string, Block[]>>;
    try {
      json = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as typeof json;
    } catch (e) {
      throw new Error(`${join(dir, file)}: not valid HCL: ${(e as Error).message.split('\n')[0]}`);
    }
    merge(out.variable, json.variable);
    merge(out.output, json.output);
  }
  return out;
}

// Own keys only: a variable named __proto__ or constructor is a variable like any other.
function merge(into: Record<string, Block[]>, from: Record<string, Block[]> | undefined): void {
  for (const [k, v] of Object.entries(from ?? {})) Object.defineProperty(into, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A sensitive string: a reference to a Secret in the request, its value given to the module by secretValue(). */
function isSecret(v: Variable): boolean {
  return v.sensitive && v.field?.kind === 'string';
}

/**
 * Left out of a request unless set, and passed to the module only then: the module has a default
 * the schema does not carry (a null one, or a secret's, which a Secret reference cannot hold).
 */
function isOptional(v: Variable): boolean {
  return !v.required && (isSecret(v) || v.default === undefined || v.default === null);
}

async function readVariable(name: string, block: Block): Promise<Variable> {
  const typeText = unwrap(block.type) ?? 'any';
  const field = fieldOf(await getExpressionAst(`variables.tf`, typeText), typeText, true);
  const limits: Limits = {};
  const kept: { condition: string; message?: string }[] = [];
  let translated = 0;
  const validations = Array.isArray(block.validation) ? (block.validation as Block[]) : [];
  for (const v of validations) {
    const condition = unwrap(v.condition) ?? '';
    const message = typeof v.error_message === 'string' ? v.error_message : undefined;
    const ok = typeof field !== 'string' && translateCondition(await getExpressionAst('variables.tf', condition), condition, name, field.kind, limits);
    if (ok) translated++;
    else kept.push({ condition, ...(message ? { message } : {}) });
  }
  // Terraform converts a default to the variable's type; the CRD takes it as written.
  let fallback = 'default' in block && typeof field !== 'string' ? coerce(block.default, field) : block.default;
  let dropped: string | undefined;
  if (fallback !== undefined && fallback !== null && typeof field !== 'string' && !withinLimits(fallback, limits)) {
    // A default its own validation refuses is the module's way of saying "must be set".
    dropped = `the module's default ${JSON.stringify(fallback)} fails its own validation: the request must set it`;
    fallback = undefined;
  }
  return {
    name,
    ...(typeof field === 'string' ? { problem: field } : { field }),
    ...(typeof block.description === 'string' ? { description: hclLiteral(block.description) } : {}),
    required: !('default' in block) || dropped !== undefined,
    ...('default' in block && !dropped ? { default: fallback } : {}),
    sensitive: block.sensitive === true,
    limits,
    kept,
    translated,
    ...(dropped ? { dropped } : {}),
  };
}

// HCL writes a literal ${ or %{ in a string as $${ or %%{; hcl2json keeps the escape.
function hclLiteral(text: string): string {
  return text.replaceAll('$${', '${').replaceAll('%%{', '%{');
}

// A default as the variable's type has it: numbers and bools written as strings (and back) are
// converted, as Terraform converts them; null attributes and elements, which Terraform allows
// and a CRD does not, are left out.
function coerce(value: unknown, field: Field): unknown {
  if (value === null || value === undefined) return value;
  switch (field.kind) {
    case 'string':
      return typeof value === 'string' ? hclLiteral(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'bool':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'list':
    case 'set':
      return Array.isArray(value) ? value.filter((v) => v !== null).map((v) => coerce(v, field.items)) : value;
    case 'map':
      return value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== null)
              .map(([k, v]) => [k, coerce(v, field.values)]),
          )
        : value;
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
      const props = new Map(field.properties.map((p) => [p.name, p.field]));
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k, v]) => v !== null && props.has(k))
          .map(([k, v]) => [k, coerce(v, props.get(k)!)]),
      );
    }
    default:
      return value;
  }
}

function withinLimits(value: unknown, l: Limits): boolean {
  if (l.enum && !l.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (l.pattern !== undefined && !matchesPattern(l.pattern, value)) return false;
    if ((l.minLength !== undefined && length < l.minLength) || (l.maxLength !== undefined && length > l.maxLength)) return false;
  }
  if (typeof value === 'number') {
    if ((l.minimum !== undefined && value < l.minimum) || (l.maximum !== undefined && value > l.maximum)) return false;
    if ((l.exclusiveMinimum !== undefined && value <= l.exclusiveMinimum) || (l.exclusiveMaximum !== undefined && value >= l.exclusiveMaximum)) return false;
  }
  if (Array.isArray(value) && ((l.minItems !== undefined && value.length < l.minItems) || (l.maxItems !== undefined && value.length > l.maxItems)))
    return false;
  return true;
}

// hcl2json writes expressions as "${...}"; a plain string is a literal.
function unwrap(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.startsWith('${') && value.endsWith('}') ? value.slice(2, -1) : JSON.stringify(value);
}

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

// ---- the Promise's source -------------------------------------------------------------------

function promiseSource(
  options: ImportOptions,
  kind: string,
  variables: readonly Variable[],
  outputs: readonly { name: string; description?: string; sensitive: boolean }[],
): string {
  const imported = variables.filter((v) => v.field);
  const secrets = imported.filter(isSecret);
  const json = imported.filter((v) => v.field!.kind === 'json');
  const lines: string[] = [
    `// Imported by \`kratix-cdktf import\` from the Terraform module ${options.source}${options.version ? ` (${options.version})` : ''}.`,
    '// Review it like any Promise: the schema below is the API your users get.',
    `import { definePromise, ${json.length ? 'Fn, ' : ''}type Infer, ${secrets.length ? 'secretRef, secretValue, ' : ''}TerraformHclModule, tofuController, Type } from 'kratix-cdktf';`,
    '',
  ];
  const notes = variables.flatMap((v) => [
    ...(v.problem ? [`// ${v.name}: not imported: ${oneLine(v.problem)}. Set it in stack() if the module needs it.`] : []),
    ...v.kept.map((k) => `// ${v.name}: validation kept by the module, not translated: ${oneLine(k.condition)}${k.message ? ` (${oneLine(k.message)})` : ''}`),
    ...(v.dropped ? [`// ${v.name}: ${oneLine(v.dropped)}`] : []),
    ...(v.sensitive && v.field && v.field.kind !== 'string'
      ? [`// ${v.name}: sensitive in the module, but not a string: it is a plain field here; consider a secretRef() per value.`]
      : []),
  ]);
  if (notes.length) lines.push(...notes, '');
  lines.push('export const spec = Type.Object({');
  for (const v of imported) {
    const options: Record<string, unknown> = { ...(v.description ? { description: v.description } : {}) };
    if (v.default !== undefined && v.default !== null) options.default = v.default;
    if (v.field!.kind === 'json') {
      options.description = `${v.description ? `${v.description.trim()} ` : ''}(Any Terraform value in the module: write it as JSON.)`;
      if (options.default !== undefined) options.default = JSON.stringify(options.default);
    }
    const field = isSecret(v) ? `secretRef(${v.description ? ts({ description: v.description }) : ''})` : typebox(v.field!, { ...v.limits, ...options });
    lines.push(`  ${key(v.name)}: ${isOptional(v) ? `Type.Optional(${field})` : field},`);
  }
  lines.push('});', '', `export type ${kind}Spec = Infer<typeof spec>;`, '');
  lines.push(
    'export default definePromise({',
    `  name: ${ts(options.name)},`,
    `  description: ${ts(`${kind}, from the Terraform module ${options.source}.`)},`,
    `  api: { group: ${ts(options.group ?? `${options.name}.platform.example.com`)}, version: 'v1alpha1', kind: ${ts(kind)} },`,
    '  // The Flux source the platform created on each destination (README: Delivery: Flux tofu-controller).',
    "  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),",
    '  spec,',
  );
  if (json.length) {
    // `any` has no schema: the field is JSON text, and a rule says which field does not parse.
    lines.push(
      '  rules: [',
      '    {',
      "      name: 'json-fields',",
      `      description: ${ts(`${json.map((v) => v.name).join(', ')}: JSON text that parses (typed any in the module).`)},`,
      '      check({ request: { spec } }) {',
      `        return (${ts(json.map((v) => v.name))} as const).flatMap((name) => {`,
      '          const text = (spec as Record<string, unknown>)[name];',
      "          if (typeof text !== 'string') return [];",
      '          try {',
      '            JSON.parse(text);',
      '            return [];',
      '          } catch (e) {',
      "            return [{ path: `spec.${name}`, message: `is not JSON: ${(e as Error).message}`, fix: 'write the value as JSON, such as {} or []' }];",
      '          }',
      '        });',
      '      },',
      '    },',
      '  ],',
    );
  }
  if (outputs.length) {
    lines.push('  outputs: {');
    for (const o of outputs)
      lines.push(`    ${key(o.name)}: ${ts({ ...(o.description ? { description: o.description } : {}), ...(o.sensitive ? { sensitive: true } : {}) })},`);
    lines.push('  },');
  }
  lines.push('  stack(scope, { spec }) {');
  lines.push("    const module = new TerraformHclModule(scope, 'module', {");
  lines.push(`      source: ${ts(options.source)},`);
  if (options.version) lines.push(`      version: ${ts(options.version)},`);
  lines.push('      variables: {');
  for (const v of imported) {
    const value = isSecret(v) ? `secretValue(scope, ${access(v.name)})` : v.field!.kind === 'json' ? `Fn.jsondecode(${access(v.name)})` : access(v.name);
    if (isOptional(v)) lines.push(`        ...(${access(v.name)} !== undefined ? { ${key(v.name)}: ${value} } : {}),`);
    else lines.push(`        ${key(v.name)}: ${value},`);
  }
  lines.push('      },', '    });');
  lines.push(`    return { ${outputs.map((o) => `${key(o.name)}: module.get(${ts(o.name)})`).join(', ')} };`);
  lines.push('  },', '});', '');
  return lines.join('\n');
}

// A comment stays one line, whatever line breaks the module's text holds.
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

function typebox(field: Field, options: Record<string, unknown>): string {
  const opts = (extra: Record<string, unknown> = {}) => {
    const all = Object.fromEntries(Object.entries({ ...options, ...extra }).filter(([, v]) => v !== undefined));
    return Object.keys(all).length ? `, ${ts(all)}` : '';
  };
  const { enum: values, ...rest } = options as { enum?: unknown[] } & Record<string, unknown>;
  if (values && (field.kind === 'string' || field.kind === 'number')) {
    const all = Object.fromEntries(Object.entries(rest).filter(([k]) => !['pattern', 'minLength', 'maxLength', 'minimum', 'maximum'].includes(k)));
    return `Type.Union([${values.map((v) => `Type.Literal(${ts(v)})`).join(', ')}]${Object.keys(all).length ? `, ${ts(all)}` : ''})`;
  }
  switch (field.kind) {
    case 'string':
      return `Type.String(${opts().slice(2)})`;
    case 'number':
      return `Type.Number(${opts().slice(2)})`;
    case 'bool':
      return `Type.Boolean(${opts().slice(2)})`;
    case 'json':
      return `Type.String(${opts().slice(2)})`;
    case 'list':
      return `Type.Array(${typebox(field.items, {})}${opts()})`;
    case 'set':
      // Kubernetes keeps list-type set for lists of scalars only.
      return `Type.Array(${typebox(field.items, {})}${opts(field.items.kind === 'object' || field.items.kind === 'list' || field.items.kind === 'map' || field.items.kind === 'set' ? {} : { uniqueItems: true })})`;
    case 'map':
      return `Type.Record(Type.String(), ${typebox(field.values, {})}${opts()})`;
    case 'object': {
      const props = field.properties.map((p) => {
        const inner = typebox(p.field, p.default !== undefined ? { default: p.default } : {});
        return `${key(p.name)}: ${p.optional && p.default === undefined ? `Type.Optional(${inner})` : inner}`;
      });
      return `Type.Object({ ${props.join(', ')} }${opts()})`;
    }
  }
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : ts(name);
}

/** A value as TypeScript source: single-quoted strings, bare keys where they can be. */
function ts(value: unknown): string {
  if (typeof value === 'string') return `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(ts).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${key(k)}: ${ts(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

// `spec.name`, or `spec["name-with-dashes"]` (Terraform names may have dashes).
function access(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `spec.${name}` : `spec[${ts(name)}]`;
}

function promiseTest(options: ImportOptions, json: readonly string[]): string {
  return [
    "import { expect, test } from 'vitest';",
    "import { exampleRequest, renderRequest } from 'kratix-cdktf/testing';",
    "import promise from './index.js';",
    '',
    "test('the example request calls the module with its fields', () => {",
    '  const example = exampleRequest(import.meta.dirname);',
    '  const tf = renderRequest(promise, example);',
    `  expect(tf.module.module.source).toBe(${ts(options.source)});`,
    ...(json.length ? [`  // JSON text reaches the module through jsondecode().`, `  const json = new Set(${ts(json)});`] : []),
    '  for (const [name, value] of Object.entries(example.spec as Record<string, unknown>))',
    `    if (typeof value !== 'object'${json.length ? ' && !json.has(name)' : ''}) expect(tf.module.module[name]).toEqual(value);`,
    '});',
    '',
  ].join('\n');
}

// ---- the example request ----------------------------------------------------------------------

function exampleRequest(options: ImportOptions, kind: string, variables: readonly Variable[]): string {
  const spec: Record<string, unknown> = {};
  for (const v of variables)
    if (v.field && v.required) spec[v.name] = isSecret(v) ? { name: `${options.name}-secrets`, key: v.name } : sample(v.field, v.limits);
  const body = JSON.stringify(
    { apiVersion: `${options.group ?? `${options.name}.platform.example.com`}/v1alpha1`, kind, metadata: { name: 'example', namespace: 'default' }, spec },
    null,
    2,
  );
  return `# The least a request must say: the module's required variables. JSON is YAML.\n${body}\n`;
}
