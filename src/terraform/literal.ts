import { childPath, type Issue } from '../schema/issue.js';
import { dataInExpression, StackError } from './errors.js';

// Request data is tenant-controlled, and three things read strings it ends up in as more than text:
// - Terraform evaluates `${...}` and `%{...}` in every string and map key of a JSON configuration;
// - cdktf writes strings into HCL string literals inside the expressions it builds (Fn.join,
//   Fn.jsonencode, iterators, map keys) without escaping quotes, backslashes, CR, or newlines in keys;
// - cdktf resolves its own tokens out of every string it synthesizes: `${TfToken[...]}`-like
//   markers, and numbers whose text spells a token number (tokens/private/encoding.ts).
// So before the author's stack function sees request data, every character that means something
// to one of them is replaced by a private-use marker character. Nothing an author does can turn
// a marker into syntax: not slicing, not case changes, not joining "x$" from one field with
// "{...}" from another. After synthesis each marker is written back in the form its position
// needs (see `toLiteral`). Authors cannot forget to escape, because they never hold an unescaped
// character that means something to Terraform or cdktf.

const DOLLAR = '\uE000';
const PERCENT = '\uE001';
const QUOTE = '\uE002';
const BACKSLASH = '\uE003';
const CR = '\uE004';
const LF = '\uE005';
// Only in text cdktf could read as a token number, and in the text "TfToken[" (see `shield`).
const EXPONENT = '\uE006';
const BRACKET = '\uE007';
const RESERVED = /[\uE000-\uE007]/;
const RESERVED_ALL = /[\uE000-\uE007]/g;
const PLAIN: Record<string, string> = {
  [DOLLAR]: '$',
  [PERCENT]: '%',
  [QUOTE]: '"',
  [BACKSLASH]: '\\',
  [CR]: '\r',
  [LF]: '\n',
  [EXPONENT]: 'e',
  [BRACKET]: '[',
};
// How a marker is written inside a string literal (HCL, or JSON the author built).
const ESCAPED: Record<string, string> = { [QUOTE]: '\\"', [BACKSLASH]: '\\\\', [CR]: '\\r', [LF]: '\\n' };

/** True when a request string holds a character reserved for the markers (rejected as input). */
export function hasReservedCharacter(text: string): boolean {
  return RESERVED.test(text);
}

/**
 * Replaces, in every string and key of request data, each character that Terraform or cdktf
 * would read as more than text with an inert marker: `$`, `%`, `"`, `\\`, CR and LF always; the
 * `e` of text cdktf could read as one of its token numbers; the `[` of "TfToken[".
 */
export function shield<T>(value: T): T {
  return mapStrings(value, shieldText) as T;
}

const MARKER_OF: Record<string, string> = { $: DOLLAR, '%': PERCENT, '"': QUOTE, '\\': BACKSLASH, '\r': CR, '\n': LF };

function shieldText(s: string): string {
  let out = s.replace(/[$%"\\\r\n]/g, (c) => MARKER_OF[c]!);
  if (out.includes('e')) out = breakNumberTokens(out);
  if (out.includes('TfToken[')) out = out.replaceAll('TfToken[', `TfToken${BRACKET}`);
  return out;
}

// cdktf finds number tokens in a string with /[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)/g and parseFloat;
// token numbers are negative doubles of magnitude about 1.9e289 (lists) and 8.1e298 (values), so
// text is a token only if its exponent, with the digits before it, reaches that far. Every `e`
// that could make such a number, in any spelling (e+298, e298, 0-padded, 300 digits then e0) or
// after an author's "-", becomes a marker; ordinary text ("1e5", "e2e", "release-e2") is left alone.
const HUGE = 250; // decimal exponent: far below any token number, far above any real quantity
function breakNumberTokens(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== 'e' || !/^[-|\d.eE+]/.test(s[i + 1] ?? '') || (i > 0 && !/[-|\d.+]/.test(s[i - 1]!))) {
      out += c;
      continue;
    }
    const mantissa = /[\d.]*$/.exec(s.slice(Math.max(0, i - 400), i))![0];
    const exponent = Number(/^[+-]?\d+/.exec(s.slice(i + 1))?.[0] ?? 0); // e+0000298 is e298
    const digits = Math.log10(Math.abs(Number.parseFloat(mantissa)) || 1);
    out += digits + exponent >= HUGE ? EXPONENT : c;
  }
  return out;
}

/** Turns the markers in synthesized Terraform JSON into literal text, wherever they ended up. */
export function toTerraformLiterals<T>(json: T): T {
  return mapStrings(json, toLiteral) as T;
}

/** Turns markers back into the characters the tenant wrote, for values shown outside Terraform. */
export function unshield<T>(value: T): T {
  return mapStrings(value, (s) => (RESERVED.test(s) ? s.replace(RESERVED_ALL, (c) => PLAIN[c]!) : s)) as T;
}

type Context = { kind: 'text'; quoted: boolean; json: boolean; inJson: boolean } | { kind: 'expr'; braces: number };

/**
 * Writes one Terraform JSON string with its markers as literal text. The string is a template:
 * text, with `${...}`/`%{...}` expressions that may hold quoted HCL strings, themselves templates.
 * - `$`/`%` before `{` become `$$`/`%%` (Terraform's escapes); before an author's own `${` or `%{`,
 *   `${"$"}` (so the author's expression stays an expression); elsewhere themselves.
 * - `"`, `\`, CR and LF inside an HCL string literal become `\"`, `\\`, `\r` and `\n`; in plain
 *   text themselves, except inside the string literals of a JSON document the author built
 *   (JSON.stringify), where they are JSON-escaped the same way.
 * - The `e` and `[` markers become themselves.
 * - A marker in an expression but outside any string literal means cdktf put request data into
 *   HCL as code; that is refused rather than guessed at.
 */
export function toLiteral(s: string): string {
  if (!RESERVED.test(s)) return s;
  const json = isJsonDocument(s);
  const stack: Context[] = [{ kind: 'text', quoted: false, json, inJson: false }];
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    const ctx = stack.at(-1)!;
    if (ctx.kind === 'expr') {
      if (RESERVED.test(c)) throw new StackError(dataInExpression());
      if (c === '"') stack.push({ kind: 'text', quoted: true, json: false, inJson: false });
      else if (c === '{') ctx.braces++;
      else if (c === '}') {
        if (ctx.braces === 0) stack.pop();
        else ctx.braces--;
      }
      out += c;
      continue;
    }
    if (c === DOLLAR || c === PERCENT) {
      const plain = PLAIN[c]!;
      if (next === '{') out += plain + plain;
      else if ((next === '$' || next === '%') && s[i + 2] === '{') out += `\${"${plain}"}`;
      else out += plain;
      continue;
    }
    if (c in ESCAPED) {
      const escaped = ctx.quoted || (ctx.json && ctx.inJson);
      out += escaped ? ESCAPED[c] : PLAIN[c];
      continue;
    }
    if (c === EXPONENT || c === BRACKET) {
      out += PLAIN[c];
      continue;
    }
    if ((c === '$' || c === '%') && next === c && s[i + 2] === '{') {
      out += s.slice(i, i + 3); // the author's own escape
      i += 2;
    } else if ((c === '$' || c === '%') && next === '{') {
      out += `${c}{`;
      i++;
      stack.push({ kind: 'expr', braces: 0 });
    } else if (c === '\\' && (ctx.quoted || ctx.inJson)) {
      out += c + (next ?? '');
      i++;
    } else if (c === '"' && ctx.quoted) {
      out += c;
      stack.pop();
    } else {
      if (c === '"' && ctx.json) ctx.inJson = !ctx.inJson;
      out += c;
    }
  }
  return out;
}

// A JSON object or array built by the author around request data (say, an IAM policy).
function isJsonDocument(s: string): boolean {
  const trimmed = s.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed.replace(RESERVED_ALL, 'x'));
    return true;
  } catch {
    return false;
  }
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, because assigning a tenant's "__proto__" key would set the prototype instead.
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, f(key), { value: mapStrings(item, f), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/**
 * Issues for request data the shield cannot make safe: strings or keys holding a marker
 * character (which would come back as another character), and numbers that are cdktf number
 * tokens, which cdktf would resolve into a reference to any value in the stack.
 */
export function requestDataIssues(value: unknown, path: string, isTokenNumber: (n: number) => boolean): Issue[] {
  const found: Issue[] = [];
  const checkText = (text: string, p: string, what: string) => {
    if (hasReservedCharacter(text))
      found.push({ path: p, message: `${what} one of U+E000 to U+E007, private-use characters kratix-cdktf reserves`, fix: 'remove them' });
  };
  const visit = (v: unknown, p: string) => {
    if (typeof v === 'string') checkText(v, p, 'contains');
    else if (typeof v === 'number' && isTokenNumber(v))
      found.push({ path: p, message: `${v} is a number cdktf reserves for its tokens`, fix: 'use another value' });
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

/**
 * The request data with what {@link requestDataIssues} refuses made harmless, for a request that
 * is being deleted, whose deletion must not be blocked: token numbers become 0 (a destroy reads
 * the state, not these values). Reserved characters need nothing: a marker always comes back as
 * literal text, only maybe not the one the tenant wrote.
 */
export function defuseNumbers<T>(value: T, isTokenNumber: (n: number) => boolean): T {
  if (typeof value === 'number') return (isTokenNumber(value) ? 0 : value) as T;
  if (Array.isArray(value)) return value.map((item) => defuseNumbers(item, isTokenNumber)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, defuseNumbers(item, isTokenNumber)])) as T;
  return value;
}
