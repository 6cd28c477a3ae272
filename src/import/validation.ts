// A variable's `validation` blocks as schema limits where they map one to one: `contains([...],
// var.x)` is an enum, `can(regex(p, var.x))` a pattern, `length(var.x) <= n` a length, and
// `var.x >= n` a bound. What does not map is kept, as written, for a comment in the Promise.
import type { ExpressionType } from './types.js';
import { literalOf, NOT_LITERAL, text } from './types.js';

/** The schema limits a variable's validations translate to. */
export interface Limits {
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/**
 * Adds to `limits` what `condition` says about `var.<name>`, the whole of it or nothing: a
 * condition with a part that does not map is returned false and left to the comment.
 */
export function translateCondition(ast: ExpressionType | null, source: string, name: string, kind: string, limits: Limits): boolean {
  if (!ast) return false;
  const found: Limits = {};
  if (!parts(ast).every((part) => translatePart(part, source, name, kind, found))) return false;
  Object.assign(limits, found);
  return true;
}

// `a && b && c` as its parts; `var.x == null || rule` as the rule (the field is optional anyway).
function parts(ast: ExpressionType): ExpressionType[] {
  if (ast.type === 'binaryOp') {
    const [left, right] = ast.children as ExpressionType[];
    if (operatorOf(ast) === '&&') return [...parts(left!), ...parts(right!)];
  }
  return [ast];
}

function translatePart(ast: ExpressionType, source: string, name: string, kind: string, out: Limits): boolean {
  const variable = `var.${name}`;
  const isVar = (n: ExpressionType | undefined) => n?.type === 'scopeTraversal' && text(n, source) === variable;
  // `var.x == null ? true : rule`: the rule (the field is optional anyway).
  if (ast.type === 'conditional') {
    const [test, whenTrue, whenFalse] = ast.children as ExpressionType[];
    const nullTest =
      test?.type === 'binaryOp' && operatorOf(test) === '==' && isVar((test.children as ExpressionType[])[0]) && text(test, source).trim().endsWith('null');
    return (
      nullTest && whenTrue !== undefined && literalOf(whenTrue, source) === true && whenFalse !== undefined && translatePart(whenFalse, source, name, kind, out)
    );
  }
  if (ast.type === 'binaryOp') {
    const op = operatorOf(ast);
    const [left, right] = ast.children as ExpressionType[];
    // `var.x == null || rule`: the rule.
    if (
      op === '||' &&
      left?.type === 'binaryOp' &&
      operatorOf(left) === '==' &&
      isVar((left.children as ExpressionType[])[0]) &&
      text(left, source).endsWith('null')
    )
      return translatePart(right!, source, name, kind, out);
    const number = (n: ExpressionType | undefined) => (n ? literalOf(n, source) : NOT_LITERAL);
    const lengthOf = (n: ExpressionType | undefined) =>
      n?.type === 'function' && (n.meta as { name: string }).name === 'length' && isVar((n.children as ExpressionType[])[0]);
    for (const [subject, limit, flipped] of [
      [left, right, false],
      [right, left, true],
    ] as const) {
      const value = number(limit);
      if (typeof value !== 'number' || !op) continue;
      const o = flipped ? flip(op) : op;
      if (isVar(subject) && kind === 'number') return bound(o, value, out);
      if (lengthOf(subject)) return length(o, value, kind, out);
    }
    return false;
  }
  if (ast.type === 'function') {
    const fn = (ast.meta as { name: string }).name;
    const args = ast.children as ExpressionType[];
    if (fn === 'contains' && args[0]?.type === 'tuple' && isVar(args[1])) {
      const values = literalOf(args[0], source);
      if (!Array.isArray(values) || values.length === 0) return false;
      out.enum = values;
      return true;
    }
    if (fn === 'can' && args[0]?.type === 'function' && (args[0].meta as { name: string }).name === 'regex') {
      const [pattern, subject] = args[0].children as ExpressionType[];
      const literal = pattern ? literalOf(pattern, source) : NOT_LITERAL;
      if (typeof literal !== 'string' || !isVar(subject) || kind !== 'string') return false;
      out.pattern = literal;
      return true;
    }
  }
  return false;
}

function operatorOf(ast: ExpressionType): string | undefined {
  const op = (ast.meta as { operator?: string }).operator;
  // hcl2json names operators after HCL's: greaterThanOrEqual, logicalAnd, ...
  const names: Record<string, string> = {
    greaterThan: '>',
    greaterThanOrEqual: '>=',
    lessThan: '<',
    lessThanOrEqual: '<=',
    equal: '==',
    logicalOr: '||',
    logicalAnd: '&&',
  };
  return op === undefined ? undefined : names[op];
}

function flip(op: string): string {
  return { '>': '<', '>=': '<=', '<': '>', '<=': '>=' }[op] ?? op;
}

function bound(op: string, value: number, out: Limits): boolean {
  if (op === '>=') out.minimum = value;
  else if (op === '>') out.exclusiveMinimum = value;
  else if (op === '<=') out.maximum = value;
  else if (op === '<') out.exclusiveMaximum = value;
  else return false;
  return true;
}

function length(op: string, value: number, kind: string, out: Limits): boolean {
  const [min, max] = kind === 'string' ? (['minLength', 'maxLength'] as const) : kind === 'list' || kind === 'set' ? (['minItems', 'maxItems'] as const) : [];
  if (!min || !max || !Number.isInteger(value)) return false;
  if (op === '>=') out[min] = value;
  else if (op === '>') out[min] = value + 1;
  else if (op === '<=') out[max] = value;
  else if (op === '<') out[max] = value - 1;
  else return false;
  return true;
}
