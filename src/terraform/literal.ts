import { childPath, type Issue } from '../schema/issue.js';
import { dataInExpression, StackError } from './errors.js';

// Terraform evaluates `${...}` and `%{...}` in every string and map key of a JSON configuration,
// and cdktf passes strings through unchanged; inside expressions it builds (Fn.join,
// Fn.jsonencode, iterators, map keys) it also writes strings into HCL string literals without
// escaping quotes or backslashes. Request data is tenant-controlled, so before the author's
// stack function sees it, every `$`, `%`, `"` and `\` in it is replaced by a private-use marker
// character. Nothing an author does can turn a marker into syntax: not slicing, not case changes,
// not joining "x$" from one field with "{...}" from another. After synthesis each marker is
// written back in the form its position needs (see `toLiteral`). Authors cannot forget to
// escape, because they never hold an unescaped character that means something to Terraform.

const DOLLAR = '\uE000';
const PERCENT = '\uE001';
const QUOTE = '\uE002';
const BACKSLASH = '\uE003';
const RESERVED = /[\uE000-\uE003]/;
const PLAIN: Record<string, string> = { [DOLLAR]: '$', [PERCENT]: '%', [QUOTE]: '"', [BACKSLASH]: '\\' };

/** True when a request string holds a character reserved for the markers (rejected as input). */
export function hasReservedCharacter(text: string): boolean {
  return RESERVED.test(text);
}

/** Replaces every `$`, `%`, `"` and `\` in every string and key of request data with an inert marker. */
export function shield<T>(value: T): T {
  return mapStrings(value, (s) => s.replace(/[$%"\\]/g, (c) => MARKER_OF[c]!)) as T;
}

const MARKER_OF: Record<string, string> = { $: DOLLAR, '%': PERCENT, '"': QUOTE, '\\': BACKSLASH };

/** Turns the markers in synthesized Terraform JSON into literal text, wherever they ended up. */
export function toTerraformLiterals<T>(json: T): T {
  return mapStrings(json, toLiteral) as T;
}

/** Turns markers back into the characters the tenant wrote, for values shown outside Terraform. */
export function unshield<T>(value: T): T {
  return mapStrings(value, (s) => (RESERVED.test(s) ? s.replace(/[\uE000-\uE003]/g, (c) => PLAIN[c]!) : s)) as T;
}

type Context = { kind: 'text'; quoted: boolean; json: boolean; inJson: boolean } | { kind: 'expr'; braces: number };

/**
 * Writes one Terraform JSON string with its markers as literal text. The string is a template:
 * text, with `${...}`/`%{...}` expressions that may hold quoted HCL strings, themselves templates.
 * - `$`/`%` before `{` become `$$`/`%%` (Terraform's escapes); before an author's own `${` or `%{`,
 *   `${"$"}` (so the author's expression stays an expression); elsewhere themselves.
 * - `"`/`\` inside an HCL string literal become `\"`/`\\`; in plain text themselves, except inside
 *   the string literals of a JSON document the author built (JSON.stringify), where they are
 *   JSON-escaped.
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
    if (c === QUOTE || c === BACKSLASH) {
      const escaped = ctx.quoted || (ctx.json && ctx.inJson);
      out += escaped ? `\\${PLAIN[c]}` : PLAIN[c];
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
    JSON.parse(trimmed.replace(/[\uE000-\uE003]/g, 'x'));
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
    if (hasReservedCharacter(text))
      found.push({ path: p, message: `${what} U+E000 to U+E003, private-use characters kratix-cdktf reserves`, fix: 'remove them' });
    if (TOKEN_TEXT.test(text)) found.push({ path: p, message: `${what} "TfToken[", which cdktf would resolve as a reference`, fix: 'remove it' });
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
