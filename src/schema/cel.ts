import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { StructuralSchema } from './structural.js';

// One environment for every rule: Kubernetes' rules see `self`, and the strings extension
// covers the string functions Kubernetes offers (lowerAscii, indexOf, split, ...).
const env = celEnv({ funcs: strings });
const planned = new Map<string, ReturnType<typeof plan>>();

// Operators the evaluator implements itself rather than as functions.
const BUILT_IN = new Set(['_||_', '_&&_', '_?_:_', '_[_]', '_[?_]', '@not_strictly_false']);

/**
 * Functions a parsed rule calls that this evaluator does not have, such as Kubernetes' own CEL
 * libraries (`isURL`, `quantity`, `isLessThan`, ...). A rule using them would refuse every request.
 */
export function unsupportedFunctions(rule: string): string[] {
  const found = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      const o = node as { case?: unknown; value?: { function?: unknown } };
      if (o.case === 'callExpr' && typeof o.value?.function === 'string') {
        const name = o.value.function;
        if (!BUILT_IN.has(name) && !env.funcs.find(name)) found.add(name);
      }
      for (const value of Object.values(node)) visit(value);
    }
  };
  visit(parse(rule).expr);
  return [...found].sort();
}

/** Returns why a CEL rule does not parse, or undefined when it does. */
export function checkCelRule(rule: string): string | undefined {
  try {
    parse(rule);
    return undefined;
  } catch (e) {
    return firstLine((e as Error).message);
  }
}

/**
 * Evaluates a Kubernetes validation rule against `self`, converted from JSON according to its
 * structural schema (integers become CEL ints, objects become maps). Returns true, false, or the
 * evaluation error's message.
 */
export function evaluateCelRule(rule: string, self: unknown, schema: StructuralSchema): boolean | string {
  let program = planned.get(rule);
  if (!program) {
    program = plan(env, parse(rule));
    planned.set(rule, program);
  }
  const result = program({ self: toCel(self, schema) } as never);
  if (isCelError(result)) return firstLine(result.message);
  if (typeof result !== 'boolean') return `rule returned ${typeof result}, not a bool`;
  return result;
}

function toCel(value: unknown, schema: StructuralSchema | undefined): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (typeof value === 'object') {
    const map = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value)) map.set(k, toCel(v, schema?.properties?.[k] ?? schema?.additionalProperties));
    return map;
  }
  // Kubernetes gives integer fields CEL's int type, so `self.replicas > 1` compares ints.
  if (typeof value === 'number' && Number.isInteger(value) && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'])) {
    return BigInt(value);
  }
  return value as CelInput;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
