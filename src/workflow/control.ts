import { toYaml } from '../artifacts/yaml.js';
import type { Issue } from '../schema/issue.js';
import { cut } from './status.js';

/**
 * How a run that did not succeed ends, as Kratix can report it. Kratix runs the pipeline's
 * containers as init containers and merges status.yaml only in the pod's last container: a
 * non-zero exit fails the pod before that, and everything the run wrote is lost. So an expected
 * failure writes its status and `/kratix/metadata/workflow-control.yaml`, and exits 0:
 * - `suspend`: the request itself must change (it is invalid, or its stack cannot be built).
 *   Kratix stops the workflow until the request's spec changes or someone sets
 *   `kratix.io/manual-reconciliation=true`.
 * - `retry`: something outside the request failed (Terraform, a Secret, the backend). Kratix runs
 *   the pipeline again after `retryAfter`, counting attempts in the request's status.
 * Kratix reads the file since its main branch of 2026-03 (suspend: syntasso/kratix f8b114bc,
 * 2026-03-20; retryAfter: d61cacf7, 2026-03-26); set KRATIX_CDKTF_WORKFLOW_CONTROL=false on an
 * older Kratix, which ignores the file (see the README).
 */
export type Ending = { readonly kind: 'suspend'; readonly message: string } | { readonly kind: 'retry'; readonly message: string };

/** When Kratix runs a failed pipeline again: `first`, doubled each attempt, at most `max`. */
export interface RetryPolicy {
  /** @default "30s" */
  readonly first?: string;
  /** @default "30m" */
  readonly max?: string;
}

// Kratix shows the message in status.kratix.workflows.pipelines[].message: one bounded line.
const MAX_MESSAGE = 500;

/** The workflow-control.yaml text for an ending, given how many retries Kratix has counted. */
export function workflowControlFile(ending: Ending, attempts: number, policy: { firstMs: number; maxMs: number }): string {
  const message = cut(ending.message, MAX_MESSAGE);
  if (ending.kind === 'suspend') return toYaml({ suspend: true, message });
  return toYaml({ retryAfter: goDuration(retryDelayMs(attempts, policy)), message });
}

/** The wait before retry number `attempts + 1`: exponential, capped. */
export function retryDelayMs(attempts: number, { firstMs, maxMs }: { firstMs: number; maxMs: number }): number {
  // 2^attempts overflows nothing that matters: the cap applies long before.
  return Math.min(firstMs * 2 ** Math.min(Math.max(attempts, 0), 30), maxMs);
}

/**
 * How many times Kratix has retried this pipeline: `attempts` of the pipeline's entry in the
 * request's `status.kratix.workflows.pipelines`, which Kratix increments on each retryAfter and
 * clears when a run succeeds. 0 when absent or unreadable (the status is Kratix's, not the tenant's,
 * but a request file can hold anything).
 */
export function retryAttempts(object: unknown, pipeline: string): number {
  const pipelines = (object as { status?: { kratix?: { workflows?: { pipelines?: unknown } } } } | null)?.status?.kratix?.workflows?.pipelines;
  if (!Array.isArray(pipelines)) return 0;
  const entry = pipelines.find((p) => (p as { name?: unknown } | null)?.name === pipeline) as { attempts?: unknown } | undefined;
  const attempts = Number(entry?.attempts);
  return Number.isInteger(attempts) && attempts > 0 ? attempts : 0;
}

// Go's time.ParseDuration reads "90s" and "1h30m"; whole seconds are enough here.
function goDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/**
 * A Go duration as Terraform reads -lock-timeout ("300ms", "1.5h", "2h45m", "0"), in
 * milliseconds; undefined when it is not one, and then Terraform refuses it itself.
 */
export function durationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit!]!, 0);
}

/** What Kratix would misread in a delivery's `retry` (paths `delivery.retry.*`). */
export function retryIssues(retry: unknown): Issue[] {
  if (retry === undefined) return [];
  if (typeof retry !== 'object' || retry === null)
    return [{ path: 'delivery.retry', message: `${JSON.stringify(retry)} is not { first, max }`, fix: 'write { first: "30s", max: "30m" }, or leave it out' }];
  const issues: Issue[] = [];
  const duration = (field: 'first' | 'max') => {
    const value = (retry as Record<string, unknown>)[field];
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' ? durationMs(value) : undefined;
    if (ms === undefined)
      issues.push({
        path: `delivery.retry.${field}`,
        message: `${JSON.stringify(value)} is not a duration`,
        fix: 'write a number with a unit: "30s", "5m", "1h30m"',
      });
    return ms;
  };
  const first = duration('first');
  const max = duration('max');
  if (first === 0)
    issues.push({ path: 'delivery.retry.first', message: 'is 0: Kratix would run a failing pipeline again at once, without end', fix: 'wait at least "10s"' });
  if (first !== undefined && max !== undefined && max < first)
    issues.push({
      path: 'delivery.retry.max',
      message: `${(retry as Record<string, unknown>).max} is shorter than retry.first (${(retry as Record<string, unknown>).first})`,
      fix: 'make max at least first',
    });
  return issues;
}
