import type { Issue } from '../schema/issue.js';

/** A Kubernetes-style condition, merged by Kratix into status.conditions by `type`. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

export function condition(type: string, ok: boolean | 'Unknown', reason: string, message: string, now: Date): Condition {
  const status = ok === 'Unknown' ? ok : ok ? 'True' : 'False';
  return { type, status, reason, message, lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/**
 * The condition `kubectl wait --for=condition=Ready` waits for: True only once Terraform has
 * applied this request's current stack, as far as the delivery can tell.
 */
export const READY = 'Ready';

const MAX_LISTED = 20;
const MAX_LINE = 300;

/**
 * One line per issue, path first, bounded: request data is tenant-controlled and status lives
 * in etcd, so neither one huge value nor thousands of bad fields may blow it up. `omitted`
 * counts issues that were found but not kept.
 */
export function describeIssues(issues: readonly Issue[], omitted = 0): string {
  const lines = [...issues]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, MAX_LISTED)
    .map((i) => {
      // The same issue the CLI prints, fix included: the requester reads only status.
      const line = `${i.path}: ${i.message}${i.fix ? ` (fix: ${i.fix})` : ''}`;
      return cut(line, MAX_LINE);
    });
  const more = Math.max(0, issues.length - MAX_LISTED) + omitted;
  if (more > 0) lines.push(`... and ${more} more`);
  return lines.join('; ');
}

/**
 * `text` at most `max` UTF-16 units long, ending in "..." when cut. Never splits a surrogate
 * pair: a lone surrogate is written as `"\ud83d"`, which Kratix's YAML reader refuses, failing the
 * pipeline and losing its status (request values reach these messages).
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 3;
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}...`;
}

/**
 * What Kratix does with status.yaml after a pipeline: a shallow merge (each top-level key
 * replaces the old value whole), conditions merged by type, keys never removed, and a
 * top-level `kratix` key fails the pipeline. Used by `render` to show the resulting status.
 */
export function mergeStatus(previous: Record<string, unknown> | undefined, written: Record<string, unknown>): Record<string, unknown> {
  if ('kratix' in written) throw new Error('status.yaml has a top-level "kratix" key, which Kratix rejects');
  const merged: Record<string, unknown> = { ...(previous ?? {}) };
  for (const [key, value] of Object.entries(written)) {
    if (key !== 'conditions') merged[key] = value;
  }
  if (Array.isArray(written.conditions)) {
    const byType = new Map<string, unknown>();
    for (const c of (Array.isArray(previous?.conditions) ? previous.conditions : []) as { type: string }[]) byType.set(c.type, c);
    for (const c of written.conditions as { type: string }[]) byType.set(c.type, c);
    merged.conditions = [...byType.values()];
  }
  return merged;
}
