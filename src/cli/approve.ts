// `kratix-cdktf approve`: an approver approves the plan a request waits for, as kubectl does
// things: it reads the request, shows what the plan changes, refuses a digest that is not the one
// waiting, then annotates the request with the digest and asks Kratix to run its workflow again.
// kubectl does the talking (its kubeconfig, context and credentials); the admission policy synth
// writes (approval-policy.yaml) decides whether this user may.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { APPROVED_PLAN_ANNOTATION, type PlanSummaryLine } from '../approval/index.js';

export interface ApproveArgs {
  /** `<resource>/<name>`, as kubectl takes it: `postgres/orders`, `postgres.data.example.com/orders`. */
  readonly target: string;
  readonly plan: string;
  readonly namespace?: string;
}

export function parseApproveArgs(args: readonly string[]): { ok: true; value: ApproveArgs } | { ok: false; message: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    return { ok: false, message: `approve: ${(e as Error).message}` };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !/^[a-z0-9.-]+\/[a-z0-9][a-z0-9.-]*$/.test(positionals[0]!))
    return { ok: false, message: 'approve: name one request as <resource>/<name>, e.g. postgres/orders' };
  if (typeof values.plan !== 'string' || !/^[0-9a-f]{64}$/.test(values.plan))
    return { ok: false, message: 'approve: --plan must be the 64-hex-digit digest the request shows in status.approval.plan' };
  return { ok: true, value: { target: positionals[0]!, plan: values.plan, ...(values.namespace ? { namespace: values.namespace } : {}) } };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { plan: { type: 'string' }, namespace: { type: 'string', short: 'n' } },
  });
}

interface Log {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

/** Approves the plan; 0 when the request now carries it, 1 with the reason otherwise. */
export function approve(args: ApproveArgs, env: Readonly<Record<string, string | undefined>>, log: Log): number {
  const kubectl = env.KUBECTL ?? 'kubectl';
  const scope = args.namespace ? ['-n', args.namespace] : [];
  const run = (...words: string[]) => spawnSync(kubectl, [...words, ...scope], { encoding: 'utf8', env: env as NodeJS.ProcessEnv });
  const got = run('get', args.target, '-o', 'json');
  if (got.error) {
    log.error(`approve: could not run ${kubectl}: ${(got.error as NodeJS.ErrnoException).code ?? got.error.message}; install kubectl or set KUBECTL`);
    return 1;
  }
  if (got.status !== 0) {
    log.error(`approve: kubectl get ${args.target} failed: ${got.stderr.trim()}`);
    return 1;
  }
  const request = JSON.parse(got.stdout) as {
    metadata?: { generation?: number; labels?: Record<string, string> };
    status?: {
      approval?: {
        needed?: boolean;
        plan?: string;
        approved?: boolean;
        generation?: number;
        reasons?: string[];
        summary?: PlanSummaryLine[];
        omitted?: number;
      };
    };
  };
  const approval = request.status?.approval;
  if (!approval?.needed || typeof approval.plan !== 'string') {
    log.error(`approve: ${args.target} waits for no approval (status.approval says none is needed, or there is none)`);
    return 1;
  }
  if (approval.plan !== args.plan) {
    log.error(
      `approve: ${args.target} waits for plan ${approval.plan}, not ${args.plan}: read its summary again (kubectl get ${args.target} -o jsonpath='{.status.approval}')`,
    );
    return 1;
  }
  // The request changed since the plan was made: a run for the new spec is coming, with its own plan.
  if (approval.generation !== undefined && request.metadata?.generation !== approval.generation) {
    log.error(
      `approve: ${args.target} changed since plan ${approval.plan} was made (generation ${request.metadata?.generation}, not ${approval.generation}): wait for its next plan`,
    );
    return 1;
  }
  log.info(`${args.target}: plan ${approval.plan} needs approval: ${(approval.reasons ?? []).join('; ')}`);
  for (const line of approval.summary ?? [])
    log.info(`  ${line.action.padEnd(7)} ${line.address}${line.attributes?.length ? ` (${line.attributes.join(', ')})` : ''}`);
  if (approval.omitted) log.info(`  ... and ${approval.omitted} more`);
  // Kratix runs a suspended workflow again when manual-reconciliation is set (and removes it);
  // on a running one it would stop the Job, so the label goes only on a suspended workflow.
  const suspended = request.metadata?.labels?.['kratix.io/workflow-suspended'] === 'true';
  const steps = [['annotate', args.target, `${APPROVED_PLAN_ANNOTATION}=${args.plan}`, '--overwrite']];
  if (suspended) steps.push(['label', args.target, 'kratix.io/manual-reconciliation=true', '--overwrite']);
  else log.info(`${args.target}: its workflow is not suspended; its next run picks the approval up`);
  for (const words of steps) {
    const done = run(...words);
    if (done.status !== 0) {
      log.error(`approve: kubectl ${words[0]} failed: ${done.stderr.trim()}`);
      return 1;
    }
  }
  log.info(`${args.target}: approved plan ${args.plan}; Kratix runs its workflow again, which applies the plan only if it is still the same`);
  return 0;
}
