import { evaluateCelRule } from './cel.js';
import { matchesFormat } from './formats.js';
import { matchesPattern } from './pattern.js';
import { childPath, IssueSink, type Issue } from './issue.js';
import type { StructuralSchema } from './structural.js';

/**
 * Validates a (defaulted) value against a structural schema the way the Kubernetes API server
 * would, plus one thing it does not do for requests already stored: unknown fields are errors
 * here, not silently pruned. Returns every issue, with the path of the offending field.
 */
export function validateValue(schema: StructuralSchema, value: unknown, path: string): Issue[] {
  const sink = new IssueSink();
  validateInto(sink, schema, value, path);
  return sink.issues;
}

/** {@link validateValue}, adding the issues to `sink`, which may keep only the first ones. */
export function validateInto(sink: IssueSink, schema: StructuralSchema, value: unknown, path: string): void {
  visit(schema, value, path, sink);
}

function visit(schema: StructuralSchema, value: unknown, path: string, issues: IssueSink): void {
  const before = issues.count;
  if (value === null) {
    if (!schema.nullable) issues.add({ path, message: `must not be null; expected ${describeType(schema)}` });
    // As kube-openapi does: a null passes the type of a nullable field, not its enum.
    else if (schema.enum && !schema.enum.includes(null)) issues.add({ path, message: `null is not one of ${schema.enum.map(show).join(', ')}` });
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      issues.add(wrongType(path, 'an integer or a string', value));
    }
  } else {
    switch (schema.type) {
      case 'object':
        visitObject(schema, value, path, issues);
        break;
      case 'array':
        visitArray(schema, value, path, issues);
        break;
      case 'string':
        if (typeof value !== 'string') issues.add(wrongType(path, 'a string', value));
        else checkString(schema, value, path, issues);
        break;
      case 'integer':
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value) || (schema.type === 'integer' && !Number.isInteger(value))) {
          issues.add(wrongType(path, schema.type === 'integer' ? 'an integer' : 'a number', value));
        } else checkNumber(schema, value, path, issues);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') issues.add(wrongType(path, 'a boolean (true or false)', value));
        break;
    }
  }
  if (schema.enum && issues.count === before && !schema.enum.some((allowed) => allowed === value)) {
    issues.add({ path, message: `${show(value)} is not one of ${schema.enum.map(show).join(', ')}` });
  }
  // Like the API server, CEL rules run only on a value that passed its schema checks.
  if (issues.count === before) {
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      const result = evaluateCelRule(rule.rule, value, schema);
      if (result === true) continue;
      const rulePath = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
      const reason = result === false ? (rule.message ?? `failed rule: ${rule.rule}`) : `rule ${JSON.stringify(rule.rule)} could not be evaluated: ${result}`;
      issues.add({ path: rulePath, message: reason });
    }
  }
}

function visitObject(schema: StructuralSchema, value: unknown, path: string, issues: IssueSink): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add(wrongType(path, schema.additionalProperties ? 'a map' : 'an object', value));
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties)
    issues.add({ path, message: `must have at least ${schema.minProperties} entries, has ${keys.length}` });
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
    issues.add({ path, message: `must have at most ${schema.maxProperties} entries, has ${keys.length}` });
  if (schema.additionalProperties) {
    for (const key of keys) visit(schema.additionalProperties, record[key], childPath(path, key), issues);
    return;
  }
  const properties = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(record, name)) issues.add({ path: childPath(path, name), message: 'is required', fix: `add ${name} to the request` });
  }
  let fix: string | undefined; // the same for every unknown key here: built once, not per key
  for (const key of keys) {
    const child = properties[key];
    if (child) visit(child, record[key], childPath(path, key), issues);
    else issues.add({ path: childPath(path, key), message: 'is not a field of this API', fix: (fix ??= knownFields(properties)) });
  }
}

function visitArray(schema: StructuralSchema, value: unknown, path: string, issues: IssueSink): void {
  if (!Array.isArray(value)) {
    issues.add(wrongType(path, 'a list', value));
    return;
  }
  if (schema.minItems !== undefined && value.length < schema.minItems)
    issues.add({ path, message: `must have at least ${schema.minItems} items, has ${value.length}` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    issues.add({ path, message: `must have at most ${schema.maxItems} items, has ${value.length}` });
  if (schema['x-kubernetes-list-type'] === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) issues.add({ path: `${path}[${i}]`, message: `duplicate value ${show(item)}` });
      seen.add(key);
    });
  }
  if (schema.items) value.forEach((item, i) => visit(schema.items!, item, `${path}[${i}]`, issues));
}

function checkString(schema: StructuralSchema, value: string, path: string, issues: IssueSink): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength)
    issues.add({ path, message: `must be at least ${schema.minLength} characters, is ${length}` });
  if (schema.maxLength !== undefined && length > schema.maxLength)
    issues.add({ path, message: `must be at most ${schema.maxLength} characters, is ${length}` });
  if (schema.pattern !== undefined && !matchesPattern(schema.pattern, value)) {
    issues.add({ path, message: `${show(value)} does not match the pattern ${JSON.stringify(schema.pattern)}` });
  }
  if (schema.format !== undefined && !matchesFormat(schema.format, value)) issues.add({ path, message: `${show(value)} is not a valid ${schema.format}` });
}

function checkNumber(schema: StructuralSchema, value: number, path: string, issues: IssueSink): void {
  if (schema.type === 'integer' && !Number.isSafeInteger(value)) {
    // Kubernetes keeps int64, but JavaScript numbers are doubles: beyond 2^53-1 not every integer exists.
    issues.add({ path, message: `${value} is beyond ±${Number.MAX_SAFE_INTEGER} (2^53-1): larger integers cannot be represented exactly` });
    return;
  }
  const { minimum: min, maximum: max } = schema;
  if (min !== undefined && (schema.exclusiveMinimum ? value <= min : value < min)) {
    issues.add({ path, message: `${value} is below the minimum ${schema.exclusiveMinimum ? `(exclusive) ${min}` : min}` });
  }
  if (max !== undefined && (schema.exclusiveMaximum ? value >= max : value > max)) {
    issues.add({ path, message: `${value} is above the maximum ${schema.exclusiveMaximum ? `(exclusive) ${max}` : max}` });
  }
  if (schema.multipleOf !== undefined && !isMultiple(value, schema.multipleOf))
    issues.add({ path, message: `${value} is not a multiple of ${schema.multipleOf}` });
}

// 0.15 / 0.05 is 2.9999999999999996 in floating point; compare with a tolerance.
function isMultiple(value: number, step: number): boolean {
  const quotient = value / step;
  return Math.abs(quotient - Math.round(quotient)) < 1e-9;
}

function wrongType(path: string, expected: string, value: unknown): Issue {
  return { path, message: `expected ${expected}, got ${kindOf(value)} ${show(value)}` };
}

function describeType(schema: StructuralSchema): string {
  return schema['x-kubernetes-int-or-string'] ? 'an integer or a string' : (schema.type ?? 'a value');
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

// Values are tenant-controlled: quote them and keep messages short, whatever was sent.
function show(value: unknown): string {
  // JSON has no Infinity or NaN: JSON.stringify would print them as null.
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function knownFields(properties: Record<string, StructuralSchema>): string {
  const names = Object.keys(properties);
  return names.length ? `remove it; the fields here are: ${names.join(', ')}` : 'remove it';
}
