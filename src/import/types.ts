// A Terraform type constraint (`object({ a = optional(string, "x") })`), read from the AST that
// HCL's own parser gives (@cdktf/hcl2json), as a field of the Promise's schema.
/**
 * A node of the expression syntax tree hcl2json gives (its `syntax-tree` types, reduced to what
 * is read here): kept local, so nothing but the parser itself comes from that package.
 */
export interface ExpressionType {
  readonly type: string;
  readonly meta?: unknown;
  readonly children: readonly ExpressionType[];
  readonly range?: { readonly start: { readonly byte: number }; readonly end: { readonly byte: number } };
}

/** A field of the imported schema, before it is written as TypeBox. */
export type Field =
  | { readonly kind: 'string' | 'number' | 'bool' }
  /** `any` at the top of a variable: JSON text in the request, decoded by Terraform for the module. */
  | { readonly kind: 'json' }
  | { readonly kind: 'list' | 'set'; readonly items: Field }
  | { readonly kind: 'map'; readonly values: Field }
  | { readonly kind: 'object'; readonly properties: readonly Property[] };

export interface Property {
  readonly name: string;
  readonly field: Field;
  /** `optional(T)` or `optional(T, default)`. */
  readonly optional: boolean;
  readonly default?: unknown;
}

/** The type as a field, or why it cannot be one (tuples, `any` inside a type ...). `top`: a variable's own type. */
export function fieldOf(ast: ExpressionType | null, source: string, top = false): Field | string {
  if (!ast) return 'the type is empty';
  if (ast.type === 'scopeTraversal') {
    const name = (ast.meta as { value: string }).value;
    if (name === 'string' || name === 'number' || name === 'bool') return { kind: name };
    if (name === 'any' && top) return { kind: 'json' };
    return `type ${name} has no structural schema (a Kubernetes API needs a concrete type)`;
  }
  if (ast.type !== 'function') return `${text(ast, source)} is not a type constraint`;
  const name = (ast.meta as { name: string }).name;
  const args = ast.children as ExpressionType[];
  switch (name) {
    case 'list':
    case 'set': {
      const items = fieldOf(args[0] ?? null, source);
      return typeof items === 'string' ? items : { kind: name, items };
    }
    case 'map': {
      const values = fieldOf(args[0] ?? null, source);
      return typeof values === 'string' ? values : { kind: 'map', values };
    }
    case 'object':
      return objectOf(args[0] ?? null, source);
    default:
      return `${name}(...) has no structural schema`;
  }
}

function objectOf(ast: ExpressionType | null, source: string): Field | string {
  if (ast?.type !== 'object') return 'object(...) without attributes';
  // The object's children alternate: a key (bare, or a quoted template), then its type.
  const children = ast.children as (ExpressionType & { type: string })[];
  const properties: Property[] = [];
  for (let i = 0; i + 1 < children.length; i += 2) {
    const key = keyOf(children[i]!, source);
    let value = children[i + 1]!;
    let optional = false;
    let fallback: unknown;
    if (value.type === 'function' && (value.meta as { name: string }).name === 'optional') {
      optional = true;
      const [inner, def] = value.children as ExpressionType[];
      if (def) {
        const literal = literalOf(def, source);
        if (literal === NOT_LITERAL) return `${key}: optional() default ${text(def, source)} is not a literal`;
        fallback = literal;
      }
      value = inner!;
    }
    const field = fieldOf(value, source);
    if (typeof field === 'string') return `${key}: ${field}`;
    properties.push({ name: key, field, optional, ...(fallback !== undefined && fallback !== null ? { default: fallback } : {}) });
  }
  return { kind: 'object', properties };
}

function keyOf(node: ExpressionType & { type: string }, source: string): string {
  const quoted = (node.children as ExpressionType[])[0];
  if (quoted?.type === 'template') return String(literalOf(quoted, source));
  return text(node, source).trim();
}

/** Marks what is not a literal value. */
export const NOT_LITERAL = Symbol('not a literal');

/** A literal HCL value (string, number, bool, null, and lists and objects of them), or {@link NOT_LITERAL}. */
export function literalOf(ast: ExpressionType, source: string): unknown {
  const meta = ast.meta as { value?: string; type?: string } | undefined;
  switch (ast.type) {
    case 'literalValue':
      if (meta?.type === 'number') return Number(meta.value);
      if (meta?.type === 'bool') return meta.value === 'true';
      if (meta?.type === 'string') return meta.value;
      return meta?.value === 'null' ? null : NOT_LITERAL;
    case 'template': {
      const parts = ast.children as ExpressionType[];
      return parts.length === 1 && parts[0]!.type === 'literalValue' ? literalOf(parts[0]!, source) : parts.length === 0 ? '' : NOT_LITERAL;
    }
    case 'tuple': {
      const items = (ast.children as ExpressionType[]).map((c) => literalOf(c, source));
      return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
    }
    case 'object': {
      const children = ast.children as (ExpressionType & { type: string })[];
      const out: Record<string, unknown> = {};
      for (let i = 0; i + 1 < children.length; i += 2) {
        const value = literalOf(children[i + 1]!, source);
        if (value === NOT_LITERAL) return NOT_LITERAL;
        out[keyOf(children[i]!, source)] = value;
      }
      return out;
    }
    case 'scopeTraversal':
      return meta?.value === 'null' ? null : meta?.value === 'true' ? true : meta?.value === 'false' ? false : NOT_LITERAL;
    default:
      return NOT_LITERAL;
  }
}

/** The source text of a node, from its byte range. */
export function text(ast: ExpressionType, source: string): string {
  const meta = ast.meta as { value?: string } | undefined;
  if (meta?.value !== undefined) return meta.value;
  const range = (ast as { range?: { start: { byte: number }; end: { byte: number } } }).range;
  return range ? Buffer.from(source).subarray(range.start.byte, range.end.byte).toString() : '';
}
