import type { StructuralSchema } from './structural.js';

/**
 * Returns a copy of `value` with schema defaults filled in, the way the Kubernetes API server
 * defaults a custom resource: a missing property with a default gets it, then defaulting goes on
 * inside objects, maps and array items. A null in a field that is not nullable is pruned first.
 */
export function applyDefaults(schema: StructuralSchema, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(schema.items!, item)) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (schema.properties) {
    for (const [name, child] of Object.entries(schema.properties)) {
      // The API server prunes a null it may not keep, then defaults the field like a missing one.
      // Own properties only: a field named `constructor` or `toString` is not inherited from Object.
      if (out[name] === null && !child.nullable) delete out[name];
      if (!Object.hasOwn(out, name) && child.default !== undefined) out[name] = structuredClone(child.default);
      if (Object.hasOwn(out, name)) out[name] = applyDefaults(child, out[name]);
    }
  } else if (schema.additionalProperties) {
    for (const key of Object.keys(out)) out[key] = applyDefaults(schema.additionalProperties, out[key]);
  }
  return out;
}
