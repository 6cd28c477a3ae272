import type { TSchema } from '@sinclair/typebox';
import * as errors from './errors.js';
import { checkCelRule, unsupportedFunctions } from './cel.js';
import { compilePattern } from './pattern.js';
import { applyDefaults } from './defaults.js';
import { validateValue } from './validate.js';
import { childPath, type Issue } from './issue.js';
import { SECRET_REF, type CelRule, type PrinterColumn, type StructuralSchema } from './structural.js';

/** What converting an author's schema into a CRD schema produced. */
export interface CrdSchemaResult {
  readonly schema: StructuralSchema;
  readonly printerColumns: readonly PrinterColumn[];
  /** Schema paths of fields declared with `secretRef()`, e.g. `spec.password`. */
  readonly secretRefs: readonly string[];
  readonly issues: readonly Issue[];
}

/** Formats Kubernetes validates (apiextensions-apiserver's supported list), plus our date. */
export const KUBERNETES_FORMATS = [
  'bsonobjectid',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'byte',
  'password',
  'date',
  'duration',
  'datetime',
  'date-time',
  'int32',
  'int64',
  'float',
  'double',
] as const;

// Keywords copied as they are, by the type they apply to.
const COMMON = ['description', 'title', 'default', 'example', 'x-kubernetes-validations'] as const;
const BY_TYPE: Record<string, readonly string[]> = {
  string: ['format', 'pattern', 'minLength', 'maxLength', 'enum'],
  integer: ['format', 'minimum', 'maximum', 'multipleOf', 'enum'],
  number: ['format', 'minimum', 'maximum', 'multipleOf', 'enum'],
  boolean: ['enum'],
  object: ['minProperties', 'maxProperties', 'x-kubernetes-map-type'],
  array: ['minItems', 'maxItems', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'],
};
// Keywords we consume ourselves while walking.
const HANDLED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'items',
  'anyOf',
  'const',
  'uniqueItems',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'printerColumn',
  SECRET_REF,
]);
const FORBIDDEN = new Set([
  '$ref',
  '$id',
  '$schema',
  '$defs',
  'definitions',
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'additionalItems',
  'prefixItems',
  'contains',
  'minContains',
  'maxContains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'examples',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
]);
const KNOWN = new Set([...COMMON, ...Object.values(BY_TYPE).flat(), ...HANDLED]);
// TypeBox's Type.Record(Type.String(), X) key pattern: any string.
const ANY_KEY = '^(.*)$';

/**
 * Converts an author's TypeBox (JSON Schema) spec schema into a structural Kubernetes CRD schema.
 * What Kubernetes can express is translated faithfully (literal unions → enum, `| null` → nullable,
 * string-keyed records → additionalProperties, numeric exclusive bounds → boolean flags); what it
 * cannot is reported as an issue with the field path. Never throws.
 */
export function toCrdSchema(root: TSchema, rootPath = 'spec'): CrdSchemaResult {
  const walker = new Walker();
  const schema = walker.node(root, rootPath, { columnPath: `.${rootPath}` });
  return { schema, printerColumns: walker.columns, secretRefs: walker.secretRefs, issues: walker.issues };
}

interface Where {
  /** JSONPath for printer columns; undefined once inside an array or map. */
  readonly columnPath: string | undefined;
}

class Walker {
  readonly issues: Issue[] = [];
  readonly columns: PrinterColumn[] = [];
  readonly secretRefs: string[] = [];

  node(source: TSchema, path: string, where: Where): StructuralSchema {
    const before = this.issues.length;
    const out = this.convert(source, path, where);
    // A default is only checked once the node itself converted cleanly.
    if (this.issues.length === before && out.default !== undefined) this.checkDefault(out, path);
    return out;
  }

  private convert(source: TSchema, path: string, where: Where): StructuralSchema {
    for (const key of Object.keys(source)) {
      // TypeBox tuples carry additionalItems; the tuple itself is reported once, below.
      if (key === 'additionalItems' && Array.isArray(source.items)) continue;
      if (FORBIDDEN.has(key)) this.issues.push(errors.forbiddenKeyword(path, key));
      else if (!KNOWN.has(key)) this.issues.push(errors.unknownKeyword(path, key));
    }
    if (Array.isArray(source.anyOf)) return this.union(source, path, where);
    if (Array.isArray(source.type)) return this.union({ ...source, anyOf: source.type.map((type: string) => ({ type })) }, path, where);
    if ('const' in source) return this.scalar({ ...source, enum: [source.const] }, constType(source), path, where);
    if (source.type === undefined) {
      if (!this.issues.some((i) => i.path === path)) this.issues.push(errors.noType(path));
      return {};
    }
    switch (source.type) {
      case 'object':
        return this.object(source, path, where);
      case 'array':
        return this.array(source, path);
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return this.scalar(source, source.type, path, where);
      default:
        this.issues.push(errors.unsupportedType(path, source.type));
        return {};
    }
  }

  private union(source: TSchema, path: string, where: Where): StructuralSchema {
    const members = source.anyOf as TSchema[];
    const nonNull = members.filter((m) => m.type !== 'null');
    const { anyOf: _drop, type: _type, ...rest } = source;
    // X | null → X with nullable: true.
    if (nonNull.length < members.length && nonNull.length > 0) {
      const inner = nonNull.length === 1 ? { ...nonNull[0], ...rest } : { ...rest, anyOf: nonNull };
      const converted = this.convert(inner as TSchema, path, where);
      // The API server checks an enum on null too (kube-openapi validates a nil value's enum):
      // `'a' | 'b' | null` takes null only with null among the values.
      return { ...converted, nullable: true, ...(converted.enum && !converted.enum.includes(null) ? { enum: [...converted.enum, null] } : {}) };
    }
    // 'a' | 'b' → enum.
    if (members.length > 0 && members.every((m) => 'const' in m)) {
      const types = new Set(members.map(constType));
      if (types.size === 1) {
        const type = [...types][0]!;
        return this.scalar({ ...rest, type, enum: members.map((m) => m.const) } as TSchema, type, path, where);
      }
    }
    // integer | string → the Kubernetes int-or-string shape.
    const bare = (m: TSchema) => Object.keys(m).length === 1;
    const kinds = members.map((m) => m.type).sort();
    if (members.length === 2 && members.every(bare) && kinds[0] === 'integer' && kinds[1] === 'string') {
      const out: StructuralSchema = { 'x-kubernetes-int-or-string': true };
      this.copy(rest as TSchema, COMMON, out, path);
      return out;
    }
    this.issues.push(errors.typeUnion(path));
    return {};
  }

  private scalar(source: TSchema, type: 'string' | 'integer' | 'number' | 'boolean', path: string, where: Where): StructuralSchema {
    const out: StructuralSchema = { type };
    this.copy(source, [...COMMON, ...BY_TYPE[type]!], out, path);
    this.rejectOthers(source, type, path, ['const', 'exclusiveMinimum', 'exclusiveMaximum', 'printerColumn', SECRET_REF]);
    if (type === 'integer' || type === 'number') this.bounds(source, out, path);
    else for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) if (k in source) this.issues.push(errors.keywordNotForType(path, k, type));
    if (typeof source.format === 'string' && !(KUBERNETES_FORMATS as readonly string[]).includes(source.format)) {
      this.issues.push(errors.unsupportedFormat(path, source.format, KUBERNETES_FORMATS));
    }
    if (typeof source.pattern === 'string') {
      const compiled = compilePattern(source.pattern);
      if (typeof compiled === 'string') this.issues.push(errors.badPattern(path, source.pattern, compiled));
    }
    if (source.printerColumn !== undefined) this.column(source, type, path, where);
    return out;
  }

  // JSON Schema 2019+ has numeric exclusive bounds; OpenAPI 3.0 (Kubernetes) has booleans beside minimum/maximum.
  private bounds(source: TSchema, out: StructuralSchema, path: string): void {
    for (const [exclusive, plain] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      const value = source[exclusive];
      if (value === undefined) continue;
      if (typeof value === 'boolean') {
        if (value) out[exclusive] = true;
      } else if (source[plain] !== undefined) {
        this.issues.push(errors.exclusiveBoth(path, exclusive));
      } else {
        out[plain] = value;
        out[exclusive] = true;
      }
    }
  }

  private object(source: TSchema, path: string, where: Where): StructuralSchema {
    const out: StructuralSchema = { type: 'object' };
    if (source[SECRET_REF] === true) this.secretRefs.push(path);
    this.copy(source, [...COMMON, ...BY_TYPE.object!], out, path);
    this.rejectOthers(source, 'object', path, ['properties', 'required', 'additionalProperties', 'patternProperties', SECRET_REF]);
    const properties = source.properties as Record<string, TSchema> | undefined;
    let additional = source.additionalProperties as TSchema | boolean | undefined;
    if (source.patternProperties) {
      const patterns = Object.keys(source.patternProperties);
      if (patterns.length === 1 && patterns[0] === ANY_KEY && additional === undefined) {
        additional = source.patternProperties[ANY_KEY] as TSchema;
      } else {
        this.issues.push(errors.mapKeysNotStrings(path));
      }
    }
    // false is the default under Kubernetes pruning, and v1 CRDs forbid writing it.
    if (additional === false) additional = undefined;
    if (additional === true) {
      this.issues.push(errors.noType(`${path}[*]`));
      additional = undefined;
    }
    const hasProperties = properties !== undefined && Object.keys(properties).length > 0;
    if (hasProperties && additional) this.issues.push(errors.propertiesWithAdditional(path));
    if (!hasProperties && !additional && !source.patternProperties) this.issues.push(errors.emptyObject(path));
    if (additional) {
      out.additionalProperties = this.node(additional, `${path}[*]`, { columnPath: undefined });
      return out;
    }
    if (!hasProperties) return out;
    const required = new Set<string>(Array.isArray(source.required) ? source.required : []);
    out.properties = {};
    const stillRequired: string[] = [];
    for (const [name, child] of Object.entries(properties)) {
      const childWhere = { columnPath: where.columnPath === undefined ? undefined : `${where.columnPath}.${name}` };
      const converted = this.node(child, childPath(path, name), childWhere);
      // A required object whose fields are all optional gets `default: {}`, so Kubernetes
      // applies the defaults inside it and consumers need not write `field: {}`.
      if (required.has(name) && converted.default === undefined && converted.type === 'object' && converted.properties && !converted.required?.length) {
        // Only when {} passes the object's own rules; otherwise it stays required.
        if (validateValue(converted, applyDefaults(converted, {}), path).length === 0) converted.default = {};
      }
      out.properties[name] = converted;
      if (required.has(name) && converted.default === undefined) stillRequired.push(name);
    }
    if (stillRequired.length > 0) out.required = stillRequired;
    return out;
  }

  private array(source: TSchema, path: string): StructuralSchema {
    const out: StructuralSchema = { type: 'array' };
    this.copy(source, [...COMMON, ...BY_TYPE.array!], out, path);
    this.rejectOthers(source, 'array', path, ['items', 'uniqueItems']);
    if (Array.isArray(source.items) || source.items === undefined) {
      this.issues.push(source.items === undefined ? errors.noType(`${path}[*]`) : errors.tupleItems(path));
      return out;
    }
    out.items = this.node(source.items as TSchema, `${path}[*]`, { columnPath: undefined });
    if (source.uniqueItems === true) {
      // Kubernetes forbids uniqueItems but offers list-type "set" for scalar items, which means the same.
      if (out.items.type === 'object' || out.items.type === 'array' || out.items.type === undefined) this.issues.push(errors.uniqueObjects(path));
      else out['x-kubernetes-list-type'] = 'set';
    }
    return out;
  }

  private copy(source: TSchema, keys: readonly string[], out: StructuralSchema, path: string): void {
    for (const key of keys) {
      if (source[key] === undefined) continue;
      (out as Record<string, unknown>)[key] = structuredClone(source[key]);
    }
    const rules = source['x-kubernetes-validations'] as CelRule[] | undefined;
    for (const rule of rules ?? []) {
      const reason = checkCelRule(rule.rule);
      if (reason) {
        this.issues.push(errors.badCelRule(path, rule.rule, reason));
        continue;
      }
      const unsupported = unsupportedFunctions(rule.rule);
      if (unsupported.length) this.issues.push(errors.celUnsupportedFunctions(path, rule.rule, unsupported));
      else if (/\boldSelf\b/.test(rule.rule)) this.issues.push(errors.celOldSelf(path, rule.rule));
      else if (!rule.message && !rule.messageExpression) this.issues.push(errors.celRuleNeedsMessage(path, rule.rule));
    }
  }

  private rejectOthers(source: TSchema, type: string, path: string, alsoAllowed: readonly string[]): void {
    const allowed = new Set([...COMMON, ...BY_TYPE[type]!, ...alsoAllowed, 'type', 'anyOf']);
    for (const key of Object.keys(source)) {
      if (KNOWN.has(key) && !allowed.has(key)) this.issues.push(errors.keywordNotForType(path, key, type));
    }
  }

  private column(source: TSchema, type: PrinterColumn['type'], path: string, where: Where): void {
    const spec = source.printerColumn as unknown;
    if (where.columnPath === undefined) {
      this.issues.push(errors.badPrinterColumn(path, 'fields inside arrays or maps cannot be columns'));
      return;
    }
    const options = typeof spec === 'string' ? { name: spec } : (spec as { name?: unknown; priority?: unknown });
    if (typeof options !== 'object' || options === null || typeof options.name !== 'string' || !options.name) {
      this.issues.push(errors.badPrinterColumn(path, 'expected a column name, or { name, priority? }'));
      return;
    }
    const column: PrinterColumn = {
      name: options.name,
      type: source.format === 'date-time' ? 'date' : type,
      jsonPath: where.columnPath,
    };
    if (typeof source.description === 'string') column.description = source.description;
    if (typeof options.priority === 'number') column.priority = options.priority;
    this.columns.push(column);
  }

  // Checked as the API server checks defaults: the default, itself defaulted, must validate.
  private checkDefault(node: StructuralSchema, path: string): void {
    const first = validateValue(node, applyDefaults(node, node.default), path)[0];
    if (first) {
      const where = first.path === path ? '' : ` (at ${first.path})`;
      this.issues.push(errors.invalidDefault(path, node.default, `${first.message}${where}`));
    }
  }
}

function constType(schema: TSchema): 'string' | 'integer' | 'number' | 'boolean' {
  const value = schema.const;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}
