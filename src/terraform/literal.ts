import { childPath, type Issue } from '../schema/issue.js';

// Terraform evaluates `${...}` and `%{...}` in every string and map key of a JSON configuration,
// and cdktf passes strings through unchanged. Request data is tenant-controlled, so before the
// author's stack function sees it, each template opener in it is replaced by a private-use
// character that nothing can turn back into an opener: not concatenation, slicing, or case
// changes. After synthesis, the markers become Terraform's literal forms `$${` and `%%{`.
// Authors cannot forget to escape, because they never hold an unescaped opener.

const DOLLAR = '\uE000';
const PERCENT = '\uE001';
const RESERVED = /[\uE000\uE001]/;

/** True when a request string holds a character reserved for the markers (rejected as input). */
export function hasReservedCharacter(text: string): boolean {
  return RESERVED.test(text);
}

/** Replaces template openers in every string and key of request data with inert markers. */
export function shield<T>(value: T): T {
  return mapStrings(value, (s) => s.replaceAll('${', `${DOLLAR}{`).replaceAll('%{', `${PERCENT}{`)) as T;
}

/**
 * Turns markers in synthesized Terraform JSON into Terraform's literal forms. A marker that an
 * author's slicing separated from its brace still stands for a plain `$` or `%`.
 */
export function toTerraformLiterals<T>(json: T): T {
  return mapStrings(json, (s) =>
    // Replacer functions, because in a replacement string "$$" means a single "$".
    RESERVED.test(s) ? s.replaceAll(`${DOLLAR}{`, () => '$${').replaceAll(`${PERCENT}{`, () => '%%{').replaceAll(DOLLAR, () => '$').replaceAll(PERCENT, () => '%') : s,
  ) as T;
}

/** Turns markers back into the characters the tenant wrote, for values shown outside Terraform. */
export function unshield<T>(value: T): T {
  return mapStrings(value, (s) => (RESERVED.test(s) ? s.replaceAll(DOLLAR, () => '$').replaceAll(PERCENT, () => '%') : s)) as T;
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[f(key)] = mapStrings(item, f);
    return out;
  }
  return value;
}

/** Issues for every request string or key holding a marker character, which the shield could not tell apart. */
export function reservedCharacterIssues(value: unknown, path: string): Issue[] {
  const found: Issue[] = [];
  const visit = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      if (hasReservedCharacter(v)) found.push({ path: p, message: 'contains U+E000 or U+E001, private-use characters kratix-cdktf reserves', fix: 'remove them' });
    } else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${p}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (hasReservedCharacter(k)) found.push({ path: p, message: 'has a key containing U+E000 or U+E001, private-use characters kratix-cdktf reserves', fix: 'remove them' });
        visit(item, childPath(p, k));
      }
    }
  };
  visit(value, path);
  return found;
}

