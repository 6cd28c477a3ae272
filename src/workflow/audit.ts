// The audit trail of a run: one JSON record per stage on stdout (where the platform's log
// collector reads pipeline pods), and the last few runs in `status.audit`. Records hold names,
// verdicts, reasons, counts and durations, never request values, messages or outputs, so that
// nothing sensitive can reach a log through them.
import { performance } from 'node:perf_hooks';

/** One stage of one run. */
export interface AuditStage {
  readonly stage: string;
  /** `passed`, `refused` (the request or its plan broke a rule), `failed` (the platform's side), or the delivery's ending. */
  readonly verdict: string;
  readonly durationMs: number;
  /** The condition reason, when refused or failed. */
  readonly reason?: string;
  /** How many problems were found, when refused or failed. */
  readonly issues?: number;
  /** Terraform's change counts, from a delivery that ran it. */
  readonly changes?: Readonly<Record<string, number>>;
  /** The digest of the plan the run judged (plan policies, approval): the one approvers see. */
  readonly plan?: string;
}

/** One run in `status.audit`. */
export interface AuditRun {
  readonly at: string;
  readonly generation?: number;
  readonly action: string;
  readonly verdict: string;
  readonly stages: readonly Omit<AuditStage, 'durationMs'>[];
}

/** How many runs `status.audit` keeps: Kratix replaces the key whole, and status must stay small. */
export const AUDIT_HISTORY = 5;

/** The record marker on stdout, for a log pipeline to select the records by. */
export const AUDIT_KIND = 'kratix-cdktf.audit';

export class AuditTrail {
  private readonly stages: AuditStage[] = [];
  private last = performance.now();
  private off = false;

  constructor(
    private readonly base: {
      readonly promise: string;
      readonly version?: string;
      readonly action: string;
      readonly dryRun: boolean;
      readonly at: string;
    },
    private readonly print: (line: string) => void,
    private request: { readonly name?: string; readonly namespace?: string; readonly generation?: number } = {},
  ) {}

  /** Who the run is for, once the request has been read. */
  identify(object: unknown): void {
    const metadata = (object as { metadata?: { name?: unknown; namespace?: unknown; generation?: unknown } } | null)?.metadata;
    this.request = {
      ...(typeof metadata?.name === 'string' ? { name: metadata.name.slice(0, 253) } : {}),
      ...(typeof metadata?.namespace === 'string' ? { namespace: metadata.namespace.slice(0, 63) } : {}),
      ...(Number.isInteger(metadata?.generation) ? { generation: metadata!.generation as number } : {}),
    };
  }

  /** A TypeScript step of a named pipeline: the Promise's own pipeline keeps the trail, not its steps. */
  disable(): void {
    this.off = true;
  }

  /** Ends a stage: its time is what passed since the last one ended. */
  record(stage: string, verdict: string, extra: Omit<AuditStage, 'stage' | 'verdict' | 'durationMs'> = {}): void {
    if (this.off) return;
    const now = performance.now();
    const entry: AuditStage = { stage, verdict, durationMs: Math.round(now - this.last), ...extra };
    this.last = now;
    this.stages.push(entry);
    this.print(
      JSON.stringify({
        kind: AUDIT_KIND,
        at: this.base.at,
        promise: this.base.promise,
        ...(this.base.version ? { promiseVersion: this.base.version } : {}),
        action: this.base.action,
        ...(this.base.dryRun ? { dryRun: true } : {}),
        request: this.request,
        ...entry,
      }),
    );
  }

  get recorded(): boolean {
    return this.stages.length > 0;
  }

  /** `status.audit`: the runs the request's status held, then this one, the last {@link AUDIT_HISTORY}. */
  history(input: unknown, verdict: string): AuditRun[] {
    const before = (input as { status?: { audit?: unknown } } | null)?.status?.audit;
    const kept = Array.isArray(before)
      ? before.filter((r): r is AuditRun => r !== null && typeof r === 'object' && typeof (r as AuditRun).at === 'string')
      : [];
    const run: AuditRun = {
      at: this.base.at,
      ...(this.request.generation !== undefined ? { generation: this.request.generation } : {}),
      action: this.base.dryRun ? `${this.base.action} (dry run)` : this.base.action,
      verdict,
      stages: this.stages.map(({ durationMs: _ms, ...stage }) => stage),
    };
    return [...kept, run].slice(-AUDIT_HISTORY);
  }
}

/** The stage a refusal belongs to, from its condition reason. */
export function stageOf(reason: string): string {
  if (reason === 'InvalidRequest' || reason === 'InvalidPromise') return 'validate';
  if (reason === 'RuleViolated' || reason === 'RuleFailed' || reason === 'NamespaceUnreadable') return 'rules';
  if (reason === 'PolicyViolated' || reason === 'PolicyFailed') return 'policies';
  if (reason === 'OverBudget') return 'cost';
  if (reason === 'StepFailed') return 'step';
  if (reason === 'StackFailed' || reason === 'InternalError' || reason === 'ManifestsFailed' || reason === 'StatusFailed' || reason === 'OutputTooLarge')
    return 'synthesize';
  return 'deliver';
}
