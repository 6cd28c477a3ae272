import { childPath, type Issue } from '../schema/issue.js';

// Terraform evaluates `${...}` and `%{...}` in every string and map key of a JSON configuration,
// and cdktf passes strings through unchanged. Request data is tenant-controlled, so before the
// author's stack function sees it, every `$` and `%` in it is replaced by a private-use marker
// character. Nothing an author does can turn a marker into an opener: not slicing, not case
// changes, not joining "x$" from one field with "{...}" from another. After synthesis a marker
// followed by `{` becomes Terraform's literal form (`$${`, `%%{`) and any other marker its plain
// character. Authors cannot forget to escape, because they never hold an unescaped opener.

const DOLLAR = '\uE000';
const PERCENT = '\uE001';
const RESERVED = /[\uE000\uE001]/;

/** True when a request string holds a character reserved for the markers (rejected as input). */
export function hasReservedCharacter(text: string): boolean {
  return RESERVED.test(text);
}

/** Replaces every `$` and `%` in every string and key of request data with an inert marker. */
export function shield<T>(value: T): T {
  return mapStrings(value, (s) => s.replaceAll('$', DOLLAR).replaceAll('%', PERCENT)) as T;
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

// cdktf encodes its tokens inside strings as ${TfToken[...]}, #{TfToken[...]} (lists) and
// &{TfToken[...]} (maps), and resolves them wherever they appear, request data included.
const TOKEN_TEXT = /TfToken\[/;

/**
 * Issues for request data the shield cannot make safe: strings or keys holding a marker
 * character, and text that looks like a cdktf token, which cdktf would resolve into a reference
 * to any value in the stack. `isTokenNumber` flags numbers that are cdktf number tokens.
 */
export function requestDataIssues(value: unknown, path: string, isTokenNumber: (n: number) => boolean): Issue[] {
  const found: Issue[] = [];
  const checkText = (text: string, p: string, what: string) => {
    if (hasReservedCharacter(text)) found.push({ path: p, message: `${what} U+E000 or U+E001, private-use characters kratix-cdktf reserves`, fix: 'remove them' });
    if (TOKEN_TEXT.test(text)) found.push({ path: p, message: `${what} "TfToken[", which cdktf would resolve as a reference`, fix: 'remove it' });
  };
  const visit = (v: unknown, p: string) => {
    if (typeof v === 'string') checkText(v, p, 'contains');
    else if (typeof v === 'number' && isTokenNumber(v)) found.push({ path: p, message: `${v} is a number cdktf reserves for its tokens`, fix: 'use another value' });
    else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${p}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        checkText(k, p, 'has a key containing');
        visit(item, childPath(p, k));
      }
    }
  };
  visit(value, path);
  return found;
}

