// An independent reading of Kubernetes' structural-schema rules (apiextensions v1), used to
// check what the compiler emits. It is written from the rules, not from the compiler's code.

type Node = Record<string, unknown>;

const ALLOWED = new Set([
  'type',
  'description',
  'title',
  'default',
  'example',
  'nullable',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-embedded-resource',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** Every way `schema` breaks the structural rules, as `path: reason` lines; empty when structural. */
export function structuralProblems(schema: Node, path = '(root)'): string[] {
  const out: string[] = [];
  for (const key of Object.keys(schema)) if (!ALLOWED.has(key)) out.push(`${path}: keyword ${key} is not allowed`);
  const special = schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!special && !TYPES.has(schema.type as string)) out.push(`${path}: needs a type`);
  if (schema.additionalProperties === false) out.push(`${path}: additionalProperties: false is forbidden`);
  if (schema.uniqueItems === true) out.push(`${path}: uniqueItems is forbidden`);
  if (schema.properties && schema.additionalProperties) out.push(`${path}: properties and additionalProperties are exclusive`);
  if (typeof schema.exclusiveMinimum === 'number' || typeof schema.exclusiveMaximum === 'number') out.push(`${path}: exclusive bounds must be booleans`);
  if (schema.type === 'array' && (typeof schema.items !== 'object' || Array.isArray(schema.items))) out.push(`${path}: arrays need one items schema`);
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!(schema.properties as Node | undefined)?.[name]) out.push(`${path}: required field ${name} is not a property`);
  }
  for (const [name, child] of Object.entries((schema.properties as Record<string, Node>) ?? {})) out.push(...structuralProblems(child, `${path}.${name}`));
  if (schema.items && typeof schema.items === 'object') out.push(...structuralProblems(schema.items as Node, `${path}[*]`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    out.push(...structuralProblems(schema.additionalProperties as Node, `${path}[*]`));
  if (schema.enum !== undefined) {
    for (const value of schema.enum as unknown[])
      if (!matchesType(schema.type as string, value)) out.push(`${path}: enum value ${JSON.stringify(value)} is not a ${schema.type}`);
  }
  if (schema.default !== undefined && !(schema.default === null && schema.nullable === true) && !matchesType(schema.type as string, schema.default) && !special)
    out.push(`${path}: default is not a ${schema.type}`);
  return out;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}
