import {
  Document,
  isScalar,
  Lexer,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  Scalar,
  visit,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';
import { childPath } from '../schema/issue.js';

// Kubernetes tools read YAML with Go libraries that follow YAML 1.1 (sigs.k8s.io/yaml), where
// `yes`, `on`, `n` and `2026-01-01` are not strings, while YAML 1.2 readers take `0o17` as a
// number. Strings that either version would read as something else are always quoted.
// A plain scalar that starts like this is a string in both versions, unless it is one of the
// 1.1 boolean or null words; numbers, dates, times and special floats start otherwise.
const STARTS_AS_STRING = /^[A-Za-z_/]/;
const WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
// What Go's strconv accepts as an integer (any base prefix) or a float, underscores allowed.
const GO_NUMBER = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]+([eE][-+]?[0-9_]+)?|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

function ambiguous(text: string): boolean {
  if (text.length > 64 || text.includes('\n')) return false;
  if (STARTS_AS_STRING.test(text)) return WORDS.test(text);
  // Go reads 0X1F, 0B11, 1e1_0 and friends as numbers, and `<<` as a merge key.
  if (GO_NUMBER.test(text) || text === '<<') return true;
  for (const version of ['1.1', '1.2'] as const) {
    // parseDocument, not parse: parse prints warnings (say, for `%x` or `!x`) with the text in them
    // to stderr, and the text may be a tenant's. A warning means a reader would not see a plain string.
    try {
      const doc = parseDocument(text, { version, logLevel: 'error' });
      if (doc.errors.length || doc.warnings.length || doc.toJS() !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Serializes data as YAML the same way on every machine: no line folding (which depends on
 * width), no anchors for repeated objects, block style, a trailing newline, and strings quoted
 * wherever a YAML 1.1 or 1.2 reader would take them for something else.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string' || node.type === 'QUOTE_DOUBLE' || !ambiguous(node.value)) return undefined;
      // A new node, because `<<` was created as YAML 1.1's merge key, not as a string; it only
      // stays a string with an explicit tag (`!!str "<<"`).
      const quoted = new Scalar(node.value);
      quoted.type = 'QUOTE_DOUBLE';
      if (node.value === '<<') quoted.tag = 'tag:yaml.org,2002:str';
      return quoted;
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2 });
}

/** Several objects as one multi-document YAML stream. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map(toYaml).join('---\n');
}

/**
 * Reads a Kubernetes object the way kubectl and Kratix (Go, YAML 1.1) do: `yes` is true and
 * `0o17` a string, but dates stay strings, as they do on their way to JSON. Duplicate keys are
 * an error; alias expansion is bounded ("billion laughs"); an integer that a double cannot hold
 * exactly is an {@link InexactNumberError}. Nothing is printed, whatever the text holds.
 */
export function parseKubernetesYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...KUBERNETES_YAML, lineCounter });
  if (doc.errors[0]) throw doc.errors[0];
  return toValue(doc, lineCounter);
}

/**
 * Counts the nodes of a YAML text (scalars, aliases, collections, list items) from its tokens,
 * building nothing, and stops once past `limit`. Reading the text costs memory in proportion:
 * the parser's syntax tree takes about 700 bytes for each item of `[1,1,1,...]`.
 */
export function countYamlNodes(text: string, limit = Number.POSITIVE_INFINITY): number {
  let count = 0;
  let scalarSource = false;
  for (const token of new Lexer().lex(text)) {
    // The lexer sends a plain or block scalar as a marker, then its source, which is not a token.
    if (scalarSource) {
      scalarSource = false;
      continue;
    }
    const first = token[0];
    if (first === SCALAR_MARKER) scalarSource = true;
    // Quoted scalars, aliases and flow collections; `-` and `?` alone are list items and keys.
    if (first === SCALAR_MARKER || first === '"' || first === "'" || first === '*' || first === '[' || first === '{' || token === '-' || token === '?') {
      if (++count > limit) break;
    }
  }
  return count;
}
const SCALAR_MARKER = '\x1f';

/** An integer in the YAML text that a JavaScript number (an IEEE-754 double) cannot hold exactly. */
export class InexactNumberError extends Error {
  /** Why, without the path. */
  readonly reason: string;
  constructor(
    /** Where it is, as a field path from the document's root (`spec.count`). */
    readonly path: string,
    readonly value: bigint,
  ) {
    const reason = `${value} cannot be represented exactly: numbers are IEEE-754 doubles, exact for integers within ±${Number.MAX_SAFE_INTEGER} (2^53-1)`;
    super(`${path}: ${reason}`);
    this.name = 'InexactNumberError';
    this.reason = reason;
  }
}

/** One document of a YAML stream, with where it starts, for messages. */
export interface YamlDocument {
  readonly value: unknown;
  /** Position in the stream, 1-based, empty documents counted. */
  readonly index: number;
  /** Line the document starts on, 1-based. */
  readonly line: number;
}

/** A malformed document in a YAML stream: which one, where it starts, and why. */
export class YamlDocumentError extends Error {
  constructor(
    readonly index: number,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`document ${index} (line ${line}): ${reason}`);
    this.name = 'YamlDocumentError';
  }
}

/**
 * Reads a multi-document YAML stream (`---` between documents) the way {@link parseKubernetesYaml}
 * reads one, skipping empty documents as kubectl does. Throws a {@link YamlDocumentError} for the
 * first malformed document.
 */
export function parseKubernetesYamlDocuments(text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const out: YamlDocument[] = [];
  parseAllDocuments(text, { ...KUBERNETES_YAML, lineCounter }).forEach((doc, i) => {
    const line = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    let value: unknown;
    try {
      if (doc.errors[0]) throw doc.errors[0];
      // Manifests are the platform's, read as before: a number a double cannot hold is rounded.
      value = toValue(doc, lineCounter, 'round');
    } catch (e) {
      throw new YamlDocumentError(i + 1, line, (e as Error).message.split('\n')[0]!.replace(/:$/, ''));
    }
    // An empty document (a trailing `---`, only comments) holds null, as in kubectl.
    if (value !== null) out.push({ value, index: i + 1, line });
  });
  return out;
}

const KUBERNETES_YAML: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  version: '1.1',
  maxAliasCount: 100,
  // The library compares each key with every earlier one of its map (100k keys: minutes); the
  // check in toValue uses a set.
  uniqueKeys: false,
  // Warnings (unknown tags, collection keys) would be printed with the tenant's text in them.
  logLevel: 'error',
  // Integers as bigint, so that toValue can tell 9007199254740993 from 9007199254740992.
  intAsBigInt: true,
  prettyErrors: true,
  customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
};

function toValue(doc: Document.Parsed, lineCounter: LineCounter, inexact: 'throw' | 'round' = 'throw'): unknown {
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        // As the library compares: scalars by value (NaN never equal; integers as the numbers
        // they were before intAsBigInt); other keys (collections, aliases) never match.
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        const value = typeof key.value === 'bigint' ? Number(key.value) : key.value;
        if (seen.has(value)) {
          const { line, col } = lineCounter.linePos(key.range?.[0] ?? 0);
          const shown = JSON.stringify(String(key.value));
          throw new Error(`Map keys must be unique; ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} is repeated at line ${line}, column ${col}`);
        }
        seen.add(value);
      }
    },
  });
  return exactNumbers(doc.toJS(KUBERNETES_YAML), [], inexact);
}

// Integers come as bigint (see intAsBigInt): back to numbers, unless that would change them. The
// path is kept as a trail of keys and built only for the message.
function exactNumbers(value: unknown, trail: (string | number)[], inexact: 'throw' | 'round'): unknown {
  if (typeof value === 'bigint') {
    const number = Number(value);
    if (inexact === 'throw' && BigInt(number) !== value) {
      const path = trail.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : childPath(p, k)), '');
      throw new InexactNumberError(path || '(root)', value);
    }
    return number;
  }
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? value.keys() : Object.keys(record);
  for (const key of keys) {
    trail.push(key);
    record[key] = exactNumbers(record[key], trail, inexact);
    trail.pop();
  }
  return value;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text (for digests). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
