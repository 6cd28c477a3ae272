// A value for the example request that passes the field's own checks: within its bounds, and,
// for a pattern, a string built from the pattern itself and then checked with RE2.
import { matchesPattern } from '../schema/pattern.js';
import type { Field } from './types.js';
import type { Limits } from './validation.js';

const STRINGS = ['example', 'example-1', 'a', 'abc', 'example.com', 'eu-west-1', '10.0.0.0/16', 'Example', 'EXAMPLE', '1'];

/** A value for `field`, or undefined when none that passes was found. */
export function sample(field: Field, limits: Limits = {}): unknown {
  if (limits.enum?.length) return limits.enum[0];
  switch (field.kind) {
    case 'string': {
      const fits = (s: string) =>
        (limits.pattern === undefined || matchesPattern(limits.pattern, s)) &&
        [...s].length >= (limits.minLength ?? 0) &&
        [...s].length <= (limits.maxLength ?? Number.POSITIVE_INFINITY);
      const built = limits.pattern === undefined ? undefined : fromPattern(limits.pattern);
      const padded = 'a'.repeat(Math.max(1, limits.minLength ?? 0));
      return [...STRINGS, padded, ...(built === undefined ? [] : [built])].find(fits);
    }
    case 'number': {
      const low = limits.minimum ?? (limits.exclusiveMinimum !== undefined ? limits.exclusiveMinimum : undefined);
      const high = limits.maximum ?? (limits.exclusiveMaximum !== undefined ? limits.exclusiveMaximum : undefined);
      if (low !== undefined && high !== undefined) return limits.minimum !== undefined ? low : (low + high) / 2;
      if (low !== undefined) return limits.minimum !== undefined ? low : low + 1;
      if (high !== undefined) return limits.maximum !== undefined ? Math.min(high, 1) : Math.min(high - 1, 1);
      return 1;
    }
    case 'bool':
      return true;
    case 'json':
      return '{}';
    case 'list':
    case 'set':
      return Array.from({ length: limits.minItems ?? 0 }, (_, i) => (field.items.kind === 'string' ? `example-${i}` : sample(field.items)));
    case 'map':
      return {};
    case 'object':
      return Object.fromEntries(field.properties.filter((p) => !p.optional && p.default === undefined).map((p) => [p.name, sample(p.field)]));
  }
}

// The shortest string a simple pattern describes: literals, escapes, classes, groups (their first
// alternative) and quantifiers (their least count). Anything else: undefined.
function fromPattern(pattern: string): string | undefined {
  let i = 0;
  const atom = (): string | undefined => {
    const c = pattern[i++];
    if (c === undefined) return undefined;
    if (c === '\\') {
      const e = pattern[i++];
      return e === 'd' ? '1' : e === 'w' ? 'a' : e === 's' ? ' ' : e !== undefined && !/[A-Za-z]/.test(e) ? e : undefined;
    }
    if (c === '.') return 'a';
    if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return undefined;
      const body = pattern.slice(i, end);
      i = end + 1;
      if (body.startsWith('^')) return 'x';
      return body.startsWith('\\') ? (body[1] === 'd' ? '1' : body[1] === 'w' ? 'a' : body[1]) : body[0];
    }
    if (c === '(') {
      if (pattern.startsWith('?:', i)) i += 2;
      let out = '';
      let depth = 0;
      let first = true;
      while (i < pattern.length) {
        if (pattern[i] === ')' && depth === 0) {
          i++;
          return out;
        }
        if (pattern[i] === '|' && depth === 0) {
          first = false;
          i++;
          continue;
        }
        if (!first) {
          if (pattern[i] === '(') depth++;
          if (pattern[i] === ')') depth--;
          i++;
          continue;
        }
        const piece = quantified();
        if (piece === undefined) return undefined;
        out += piece;
      }
      return undefined;
    }
    if ('^$'.includes(c)) return '';
    if ('*+?{|)'.includes(c)) return undefined;
    return c;
  };
  const quantified = (): string | undefined => {
    const a = atom();
    if (a === undefined) return undefined;
    const q = pattern[i];
    if (q === '*' || q === '?') {
      i++;
      return '';
    }
    if (q === '+') {
      i++;
      return a;
    }
    if (q === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(pattern.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return a.repeat(Number(m[1]));
    }
    return a;
  };
  let out = '';
  while (i < pattern.length) {
    if (pattern[i] === '|') break;
    const piece = quantified();
    if (piece === undefined) return undefined;
    out += piece;
  }
  return out;
}
