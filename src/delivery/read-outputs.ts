import type { PromiseDefinition } from '../promise/define-promise.js';

/**
 * `status.outputs` for a delivery that reads outputs back from where Terraform ran. Kratix
 * replaces a top-level status key whole, so a run that could not read them (destination
 * unreachable, object not created yet) keeps the previous run's values rather than erasing them;
 * values known when the stack was synthesized win over read ones, which may be an earlier stack's.
 * Only outputs the Promise still declares are kept.
 */
export function statusOutputs(
  def: PromiseDefinition,
  input: unknown,
  known: Readonly<Record<string, unknown>> | undefined,
  read: Readonly<Record<string, unknown>> | undefined,
): { outputs?: Record<string, unknown> } {
  const declared = new Set(Object.keys(def.outputs ?? {}));
  const before = read ? {} : previousOutputs(input);
  const kept = Object.fromEntries(Object.entries(before).filter(([name]) => declared.has(name)));
  const outputs = { ...kept, ...read, ...known };
  return Object.keys(outputs).length ? { outputs } : {};
}

function previousOutputs(input: unknown): Record<string, unknown> {
  const outputs = (input as { status?: { outputs?: unknown } } | null)?.status?.outputs;
  return outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? (outputs as Record<string, unknown>) : {};
}
