import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputProps, OutputValue } from '../../promise/define-promise.js';
import { durationMs } from '../../workflow/control.js';
import { cut } from '../../workflow/status.js';
import { lockLocation, namesItsOwnWorkspace } from './backend.js';
import { type InitHeadStart, initInputs, workFolder } from './head-start.js';
import { type DriftedResource, type DriftFindings, type DriftReport, readDrift, STACK_ADDRESS } from './drift.js';
import { readSecretKey, SecretMissingError } from '../kube-api.js';
import { PROMISE_STATE_GUARD } from '../owner.js';
import { type CostEstimate, type CostProps, estimateCost, overBudget } from '../../cost/index.js';
import { type ApprovalProps, type ApprovalRequest, approvalReasons, planDigest, planSummary } from '../../approval/index.js';
import { evaluatePolicies, planFromShowJson, type PlanPolicy, type PlanView } from '../../policies/index.js';
import { DEFAULT_STOP_TIMEOUT_MS, redactor, terraform, type TerraformCliProps, type TerraformRun } from './terraform-cli.js';
import {
  followedStep,
  latestStep,
  OWNER_ADDRESS,
  OWNER_MARKER,
  terraformScript,
  type TerraformScript,
  type TerraformScriptProps,
  type TerraformStep,
} from './terraform-script.js';

/** One apply-mode run for one request. */
export interface ApplyRunProps extends TerraformScriptProps {
  readonly outputs: Readonly<Record<string, OutputProps>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  /**
   * Stops the run (the container got SIGTERM): the running terraform command gets SIGTERM, and
   * SIGKILL if it has not exited `KRATIX_CDKTF_STOP_TIMEOUT` (default 25s) later; no further
   * command starts. The run then ends as a failure in phase `interrupted`. Its reason, when it
   * is a string such as "SIGTERM", names the signal in status.
   * @default undefined: the run goes to its end
   */
  readonly signal?: AbortSignal;
  /**
   * The request's status says an earlier run applied, so its workspace exists: the outputs are
   * read while the drift check plans. Not on a first run, whose read would find nothing and
   * would race the plan to create the workspace.
   * @default false
   */
  readonly appliedBefore?: boolean;
  /**
   * The Promise's plan policies: checked on the drift check's plan, the one that is applied,
   * before it is; a violation stops the run in phase `policy check`. @default none
   */
  readonly policies?: readonly PlanPolicy[];
  /**
   * The Promise's approval rules, and the plan digest the request's approval annotation names:
   * a plan the rules say needs a person, with another digest, stops the run in phase `approval`.
   * @default none
   */
  readonly approval?: { readonly rules: ApprovalProps; readonly approved?: string };
  /** The Promise's price table and budget: the plan is priced, and its budget enforced, before it is applied. @default none */
  readonly cost?: CostProps;
  /** The request's metadata.generation, which the plan's digest is bound to. @default none */
  readonly generation?: number;
  /** Init started before the request was read (head-start.ts): used when this stack inits alike. */
  readonly headStart?: InitHeadStart;
}

/** A plan that needed approval: what status.approval shows, and whether this run had it. */
export type ApprovalSeen = ApprovalRequest & { readonly approved: boolean };

/** What an apply-mode run reports into status. */
export type ApplyResult =
  | {
      readonly ok: true;
      readonly message: string;
      readonly outputs: Record<string, OutputValue>;
      readonly summary: Record<string, unknown>;
      /** A dry run's plan: each resource Terraform would change, and how. */
      readonly planned?: readonly PlannedChange[];
      /** A configure run's drift check. */
      readonly drift?: DriftReport;
      readonly approval?: ApprovalSeen;
      /** The approval rules judged the plan (whether or not it needed a person). */
      readonly approvalJudged?: boolean;
      readonly cost?: CostEstimate;
    }
  | {
      readonly ok: false;
      readonly phase: string;
      readonly message: string;
      readonly errors: readonly string[];
      readonly summary: Record<string, unknown>;
      readonly drift?: DriftReport;
      readonly approval?: ApprovalSeen;
      /** The approval rules judged the plan (whether or not it needed a person). */
      readonly approvalJudged?: boolean;
      readonly cost?: CostEstimate;
    };

/** One resource a plan would change: its address and Terraform's action (create, update, delete, replace...). */
export interface PlannedChange {
  readonly address: string;
  readonly action: string;
}

/**
 * Runs a request's {@link terraformScript} in a fresh folder, in the request's own workspace.
 * On configure, the drift check plans first; its saved plan is applied under the state lock (a
 * stale one is planned and applied again), so a second run of the same request waits for the
 * first and then finds nothing to change; a dry run stops after the plan. On delete, the resources are destroyed, then the workspace, which removes the state.
 */
export async function runApplyDelivery(props: ApplyRunProps): Promise<ApplyResult> {
  const script = terraformScript(props);
  const summary: Record<string, unknown> = { delivery: 'apply', backend: props.delivery.backend.kind, workspace: props.slug };
  const stopTimeout = stopTimeoutMs(props.env);
  if (typeof stopTimeout === 'string') {
    const message = `The workflow's environment is invalid: ${stopTimeout}`;
    return { ok: false, phase: 'run', message, errors: [message], summary };
  }
  if (props.signal?.aborted) return interrupted(props, { phase: script.steps[0]!.phase, done: [] }, summary, stopTimeout);
  const secretValues: string[] = [];
  const tfVars: Record<string, string> = {};
  try {
    for (const { name, binding } of script.secretVariables) {
      let value: string;
      try {
        value = await readSecretKey(props.env, props.namespace, binding.secretName, binding.secretKey);
      } catch (e) {
        // Destroying rarely needs the value, and a tenant may delete the Secret first: deletion
        // must not get stuck on it. Any other failure (403, an unreachable API) still counts.
        if (props.action !== 'delete' || !(e instanceof SecretMissingError)) throw e;
        props.log(`  ${(e as Error).message}; destroying with an empty value for ${binding.variable}`);
        value = '';
      }
      secretValues.push(value);
      tfVars[name] = value;
    }
  } catch (e) {
    return { ok: false, phase: 'secrets', message: `Reading a referenced Secret failed: ${(e as Error).message}`, errors: [(e as Error).message], summary };
  }
  const redact = redactor(props.env, secretValues);
  // The early init's folder when it inited a stack that inits alike; a fresh folder otherwise.
  const early = props.headStart;
  const fits = early !== undefined && early.inputs === initInputs(JSON.parse(script.files.get('main.tf.json')!) as Record<string, unknown>);
  if (early && !fits) props.log("  the stack needs other providers, modules or backend settings than the Promise's example: init runs again for it");
  const dir = fits ? early.dir : workFolder(props.env, props.slug);
  const started = new Map(fits ? [[0, early.init]] : []);
  try {
    for (const [name, content] of script.files) writeFileSync(join(dir, name), content);
    const cli: TerraformCliProps = {
      cwd: dir,
      // The workspace is the script's choice (TerraformStep.env), never the environment's.
      env: { ...props.env, ...tfVars, TF_DATA_DIR: join(dir, script.dataDir), TF_WORKSPACE: undefined },
      log: props.log,
      redact,
      ...(props.signal ? { signal: props.signal, killAfterMs: stopTimeout } : {}),
    };
    const { runs, decidedBy, failure: failed, interruption, drift } = await runWithDriftCheck(props, cli, script.steps, started);
    if (interruption) return interrupted(props, interruption, summary, stopTimeout);
    // A dry run checks the plan policies on its own saved plan: what a real run would meet.
    const detail = script.steps.findIndex((s) => s.phase === 'plan detail');
    const failure = failed ?? (props.dryRun && detail >= 0 ? checkPolicies(props, cli, { runs }, detail - 1, detail) : undefined);
    if (drift?.skipApply) return driftOnly(props, drift, summary, redact);
    // A dry run of a request with no workspace yet plans in the empty default one (terraformScript).
    const select = script.steps.findIndex((s) => s.phase === 'workspace select');
    const fresh = props.dryRun && select >= 0 && decidedBy[select] === 1;
    const result = report(
      props,
      script,
      runs,
      failure,
      fresh ? { ...summary, workspace: `${props.slug} (not created: a dry run)` } : summary,
      cli.redact,
      drift,
    );
    const seen = approvalSeen.get(props);
    const digest = planSeen.get(props);
    const judged = digest ? { ...result, summary: { ...result.summary, plan: digest } } : result;
    const estimate = costSeen.get(props);
    const withApproval = {
      ...judged,
      ...(seen ? { approval: seen } : {}),
      ...(approvalJudged.has(props) ? { approvalJudged: true } : {}),
      ...(estimate ? { cost: estimate } : {}),
    };
    return drift ? withDrift(withApproval, drift) : withApproval;
  } finally {
    // The folder can hold plan files with sensitive values.
    rmSync(dir, { recursive: true, force: true });
  }
}

// Waits between tries of a step that met another run (TerraformStep.retryWhen): 0.25 s doubling
// to at most 8 s, so a short race costs little and a long wait does not hammer the backend.
const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 8000;

interface StepFailure {
  readonly phase: string;
  readonly run: TerraformRun;
}

// What the plan gate saw, for the result: a run judges at most one plan that is applied. Its
// digest goes to status.terraform.plan and the audit record.
const approvalSeen = new WeakMap<ApplyRunProps, ApprovalSeen>();
const planSeen = new WeakMap<ApplyRunProps, string>();
const costSeen = new WeakMap<ApplyRunProps, CostEstimate>();
const approvalJudged = new WeakSet<ApplyRunProps>();

/** Where a run was stopped by its signal. */
interface Interruption {
  /** The step that was running, or the one that was about to start. */
  readonly phase: string;
  /** The terraform command the signal stopped; none when it came between commands. */
  readonly run?: TerraformRun;
  /** The steps that had finished. */
  readonly done: readonly string[];
}

// Runs the steps in order, each step's attempts until one succeeds; stops at the first step that
// fails unless it is optional or a later step runs after that failure (TerraformStep.onlyAfter).
// Returns each step's deciding run (undefined for steps not reached or skipped).
// With `from`, the steps before it have run already (their runs given), and `until` stops before a step.
async function runSteps(
  cli: TerraformCliProps,
  steps: readonly TerraformStep[],
  from?: { readonly runs: readonly (TerraformRun | undefined)[]; readonly decidedBy: readonly number[] },
  until = steps.length,
  started?: ReadonlyMap<number, Promise<TerraformRun>>,
  judge?: (runs: readonly (TerraformRun | undefined)[], index: number) => StepFailure | undefined,
): Promise<{ runs: (TerraformRun | undefined)[]; decidedBy: number[]; failure?: StepFailure; interruption?: Interruption }> {
  const runs: (TerraformRun | undefined)[] = [...(from?.runs ?? [])];
  // Which of each step's attempts succeeded (-1: none).
  const decidedBy: number[] = [...(from?.decidedBy ?? [])];
  const done = () => steps.filter((_, i) => runs[i] !== undefined).map((s) => s.phase);
  // Whether step `i` runs after a failure of the step it follows, which has that failure.
  const follows = (i: number, run: TerraformRun | undefined) =>
    run !== undefined && run.code !== 0 && run.errors.some((e) => e.includes(steps[i]!.onlyAfter!.says));
  for (const [index, step] of steps.entries()) {
    if (index < runs.length) continue;
    if (index >= until) break;
    const followed = followedStep(steps, index);
    if ((step.onlyAfter && !follows(index, runs[followed])) || (step.onlyIfPlan && !planShows(steps, runs, index))) {
      runs.push(undefined);
      decidedBy.push(-1);
      continue;
    }
    if (step.policyGate) {
      const refused = judge
        ? judge(runs, index)
        : {
            phase: 'policy evaluation',
            run: { code: 1, errors: ['kratix-cdktf has no plan policies to judge this plan with (a bug; please report it)'], stdout: '' },
          };
      runs.push(refused?.run ?? { code: 0, errors: [], stdout: '' });
      decidedBy.push(refused ? -1 : 0);
      if (refused) return { runs, decidedBy, failure: refused };
      continue;
    }
    const stepCli = cliFor(cli, step);
    let reported: TerraformRun | undefined;
    let last: TerraformRun | undefined;
    let decided = -1;
    const deadline = Date.now() + (step.retryWithinMs ?? 0);
    for (let round = 0; ; round++) {
      reported = undefined;
      for (const [i, attempt] of step.attempts.entries()) {
        // No command starts once the run is being stopped.
        if (cli.signal?.aborted) return { runs, decidedBy, interruption: { phase: step.phase, done: done() } };
        // An alternative for one failure only (a missing workspace): any other failure stands.
        if (last && i > 0 && attempt.after && !last.errors.some((e) => attempt.after!.test(e))) break;
        // A first try started earlier (overlapping the plan before it) is used once; a failed one is tried again here.
        const early = round === 0 && i === 0 ? started?.get(index) : undefined;
        last = early ? await early : await terraform(stepCli, attempt.args, step.json);
        if (step.detailedExitCode && last.code === 2) last = { ...last, code: 0, errors: [], plansChanges: true };
        // A command that finished anyway (init does not take interrupts) counts as done.
        if (last.stopped && last.code !== 0) return { runs, decidedBy, interruption: { phase: step.phase, run: last, done: done() } };
        decided = last.code === 0 ? i : -1;
        if (last.code === 0) break;
        if (!attempt.quiet) reported ??= last;
      }
      const failure = reported ?? last!;
      const race = failure.errors.find((e) => step.retryWhen?.test(e));
      // The last try is at the deadline, as Terraform's own -lock-timeout does it.
      const wait = Math.min(FIRST_WAIT_MS * 2 ** round, LONGEST_WAIT_MS, deadline - Date.now());
      // Never again a command that had started changing something (an apply that got the state
      // lock and then failed): only one that met another run before it could.
      if (last!.code === 0 || !race || wait <= 0 || startedChanging(failure)) break;
      // Said in the log, so a slow run shows what it waited for.
      cli.log(`  terraform ${step.phase} met another run (${race}); trying again in ${(wait / 1000).toFixed(2)} s`);
      await pause(wait, cli.signal);
    }
    let run = last!.code === 0 ? last! : (reported ?? last!);
    if (step.expectOutput) run = checkOutput(run, step.expectOutput);
    runs.push(run);
    decidedBy.push(decided);
    if (run.code === 0 || step.optional) continue;
    // The plan refused a state that records another owner: the owner check failed.
    const owner = step.checksOwner === undefined ? undefined : ownerRefusal(run, step.checksOwner);
    if (owner) return { runs, decidedBy, failure: { phase: 'owner check', run: owner } };
    const next = steps.findIndex((_, j) => j > index && followedStep(steps, j) === index && follows(j, run));
    if (next < 0) return { runs, decidedBy, failure: { phase: step.phase, run } };
    cli.log(`  terraform ${step.phase} found a state that records no owner yet; next, terraform ${steps[next]!.phase}: ${steps[next]!.purpose}`);
  }
  return { runs, decidedBy };
}

function cliFor(cli: TerraformCliProps, step: TerraformStep): TerraformCliProps {
  return step.env ? { ...cli, env: { ...cli.env, ...step.env } } : cli;
}

// Whether the plan an onlyIfPlan step reads succeeded and shows what the step needs.
function planShows(steps: readonly TerraformStep[], runs: readonly (TerraformRun | undefined)[], index: number): boolean {
  const { phase, shows } = steps[index]!.onlyIfPlan!;
  const run = runs[latestStep(steps, phase, index)];
  if (run?.code !== 0) return false;
  if (shows === 'changes') return run.plansChanges === true;
  if (shows === 'no changes') return run.plansChanges !== true;
  const planned = allPlanned(run, ['planned_change', 'resource_drift']);
  // A first apply (the stack record is created) has nothing to drift from.
  if (planned.some((c) => c.address === STACK_ADDRESS && c.action === 'create')) return false;
  return planned.some((c) => !INTERNAL.has(c.address));
}

/** The drift check's findings and what the run does about them. */
interface DriftDecision extends DriftReport {
  /** `drift: 'report'` and nothing but drift: the apply steps are not run. */
  readonly skipApply: boolean;
  readonly priorOutputs: DriftFindings['priorOutputs'];
}

/**
 * Runs the steps up to the apply (init, drift check, drift detail), decides, then runs the apply
 * steps: as they are, narrowed with -target to the request's own changes (`report` with both
 * drift and requested changes), or not at all (`report` with drift only).
 */
async function runWithDriftCheck(
  props: ApplyRunProps,
  cli: TerraformCliProps,
  steps: readonly TerraformStep[],
  started: Map<number, Promise<TerraformRun>>,
): Promise<Awaited<ReturnType<typeof runSteps>> & { drift?: DriftDecision }> {
  const split = steps.findIndex((s) => s.afterDriftCheck);
  if (split < 0) return runSteps(cli, steps, undefined, steps.length, started);
  const check = steps.findIndex((s) => s.phase === 'drift check');
  const setup = await runSteps(cli, steps, undefined, check, started);
  if (setup.failure || setup.interruption) return setup;
  // The outputs a no-change plan needs are read while the check plans: both only read the state
  // (neither locks), and beside the plan the read costs next to no wall time (docs/BENCHMARKS.md).
  // When the plan changes something, the read is not used.
  const reader = steps.findIndex((s) => s.onlyIfPlan?.phase === 'drift check' && s.onlyIfPlan.shows === 'no changes');
  if (reader >= 0 && props.appliedBefore) started.set(reader, terraform(cliFor(cli, steps[reader]!), steps[reader]!.attempts[0]!.args, steps[reader]!.json));
  try {
    return await decideDrift(props, cli, steps, await runSteps(cli, steps, setup, split), split, check, started);
  } finally {
    // Never a terraform command left running when the run's folder goes.
    await Promise.all(started.values());
  }
}

async function decideDrift(
  props: ApplyRunProps,
  cli: TerraformCliProps,
  steps: readonly TerraformStep[],
  first: Awaited<ReturnType<typeof runSteps>>,
  split: number,
  check: number,
  started: ReadonlyMap<number, Promise<TerraformRun>>,
): Promise<Awaited<ReturnType<typeof runSteps>> & { drift?: DriftDecision }> {
  if (first.failure || first.interruption) return first;
  const policy = props.delivery.drift ?? 'correct';
  const detail = steps.findIndex((s) => s.phase === 'drift detail');
  // Before anything is applied, whatever the drift policy applies.
  const refused = checkPolicies(props, cli, first, check, detail);
  if (refused) return { ...first, failure: refused };
  let decision: DriftDecision;
  const unknown = (reason: string): DriftDecision => ({ policy, checked: false, reason, drifted: [], corrected: [], skipApply: false, priorOutputs: {} });
  if (first.runs[check]?.code !== 0) cli.log("  the drift check's plan failed: the apply below checks the owner and applies without it");
  if (first.runs[check]?.code !== 0) decision = unknown(`the drift check's plan failed: ${first.runs[check]?.errors[0] ?? 'no message'}`);
  else if (!first.runs[detail]) decision = { policy, checked: true, drifted: [], corrected: [], skipApply: false, priorOutputs: {} };
  // Never show's own words: its output is the plan, sensitive values and all.
  else if (first.runs[detail]!.code !== 0)
    decision = unknown(`the drift check's plan could not be read: terraform show exited with ${first.runs[detail]!.code}`);
  else {
    let findings: DriftFindings | undefined;
    try {
      findings = readDrift(first.runs[detail]!.stdout, cli.redact);
    } catch {
      // Not the parser's message: it quotes the text, which holds sensitive values.
      decision = unknown("the drift check's plan could not be read: terraform show -json printed no plan document");
    }
    if (findings) {
      const onlyDrift = policy === 'report' && findings.drifted.length > 0 && findings.requested.length === 0;
      decision = { policy, checked: true, drifted: findings.drifted, corrected: [], skipApply: onlyDrift, priorOutputs: findings.priorOutputs };
      if (policy === 'report' && findings.drifted.length && findings.requested.length) {
        // Terraform applies what the targets depend on too: a drifted dependency of a requested
        // change is corrected with it, and reported as corrected (read from the apply's plan).
        const targets = [...findings.requested, OWNER_ADDRESS, STACK_ADDRESS].map((a) => `-target=${a}`);
        cli.log(`  drift: 'report': applying only the ${findings.requested.length} change(s) the request asked for`);
        // The saved plan holds every change: a new plan, narrowed, replaces it.
        const narrowed = steps.map((s, i) =>
          i >= split && s.phase === 'apply' && s.onlyIfPlan ? { ...s, attempts: [{ args: [...s.attempts.at(-1)!.args, ...targets] }] } : s,
        );
        const second = await runSteps(cli, narrowed, first);
        const applied = new Set(second.runs.slice(split).flatMap((r) => allPlanned(r).map((c) => c.address)));
        const corrected = findings.drifted.filter((d) => applied.has(d.address)).map((d) => d.address);
        return joinRuns(first, second, { ...decision!, corrected, requestedApplied: findings.requested.length });
      }
    }
  }
  if (decision!.skipApply) return { ...first, drift: decision! };
  // The latest plan and show before a policy gate are what it judges.
  const judge = (runs: readonly (TerraformRun | undefined)[], at: number): StepFailure | undefined => {
    const plan = latestStep(steps, steps[at]!.policyGate!.plan, at);
    const detail = latestStep(steps, steps[at]!.policyGate!.detail, at);
    // The gate runs only after a plan that changes something and its show: anything else is a bug, and fails closed.
    if (runs[plan]?.code !== 0 || !runs[detail])
      return {
        phase: 'policy evaluation',
        run: { code: 1, errors: ['the plan to judge is missing (a kratix-cdktf bug; please report it): nothing was applied'], stdout: '' },
      };
    return checkPolicies(props, cli, { runs }, plan, detail);
  };
  const second = await runSteps(cli, steps, first, steps.length, started, judge);
  const applied = !second.failure && !second.interruption;
  // A check that could not run on a first apply (it met another request's workspace creation):
  // the apply created the stack record, so there was nothing to drift from.
  const firstApply = second.runs.slice(split).some((r) => allPlanned(r).some((c) => c.address === STACK_ADDRESS && c.action === 'create'));
  if (!decision!.checked && applied && firstApply) {
    const { reason: _unknown, ...known } = decision!;
    decision = { ...known, checked: true, drifted: [] };
  }
  // `correct`: the apply's own plan puts every drifted resource back.
  return joinRuns(first, second, { ...decision!, corrected: applied ? decision!.drifted.map((d) => d.address) : [] });
}

/**
 * The plan policies on a saved plan (the drift check's, or the one a run without it saves), the
 * plan the apply below applies: a failure to hand back when a policy refuses it, or when it
 * cannot be read. Without that plan (the check failed) the run saves and judges its own before
 * applying (terraformScript's policy gate); with nothing to change there is nothing to check.
 */
function checkPolicies(
  props: ApplyRunProps,
  cli: TerraformCliProps,
  first: { readonly runs: readonly (TerraformRun | undefined)[] },
  check: number,
  detail: number,
): StepFailure | undefined {
  if (!props.policies?.length && !props.approval && !props.cost) return undefined;
  const planned = first.runs[check];
  if (planned?.code !== 0) {
    cli.log('  plan policies: the drift check saved no plan; the plan saved before the apply is judged instead');
    return undefined;
  }
  const shown = first.runs[detail];
  if (!shown) return undefined;
  // `policy check`: the plan broke a policy (the request must change); `policy evaluation`: the
  // policies could not judge it (the platform's to fix, retried).
  const fail = (errors: string[], phase = 'policy evaluation'): StepFailure => ({ phase, run: { code: 1, errors, stdout: '' } });
  let doc: unknown;
  try {
    doc = shown.code === 0 ? JSON.parse(shown.stdout) : undefined;
  } catch {
    // Never the parser's message: it quotes the plan, sensitive values and all.
  }
  if (doc === undefined) return fail(['the plan could not be read (terraform show -json), so the plan policies could not check it: nothing was applied']);
  const view = planFromShowJson(doc);
  const digest = planDigest(view, { configuration: props.stack, document: doc, ...(props.generation !== undefined ? { generation: props.generation } : {}) });
  planSeen.set(props, digest);
  if (props.policies?.length) {
    const verdict = evaluatePolicies(props.policies, view);
    if (!verdict.ok)
      return fail(
        verdict.issues.map((i) => cli.redact(`${i.path}: ${i.message}${i.fix ? ` (fix: ${i.fix})` : ''}`)),
        verdict.reason === 'PolicyViolated' ? 'policy check' : 'policy evaluation',
      );
    cli.log(`  plan policies passed on the plan: ${verdict.checked.join(', ')}`);
  }
  let over: string | undefined;
  if (props.cost) {
    const estimate = estimateCost(props.cost, view);
    costSeen.set(props, estimate);
    cli.log(`  cost: the plan is estimated at ${estimate.monthly} ${estimate.currency} a month`);
    over = overBudget(props.cost, estimate);
    if (over && props.cost.budget?.over === 'refuse') return { phase: 'budget', run: { code: 1, errors: [over], stdout: '' } };
  }
  return props.approval ? checkApproval(props, cli, view, digest, over) : undefined;
}

// After the policies: does this plan need a person, and has one approved exactly it?
function checkApproval(props: ApplyRunProps, cli: TerraformCliProps, view: PlanView, plan: string, overBudget?: string): StepFailure | undefined {
  const { rules, approved } = props.approval!;
  let reasons: string[];
  try {
    reasons = [...approvalReasons(rules, view), ...(overBudget ? [overBudget] : [])].map(cli.redact);
  } catch (e) {
    return { phase: 'approval evaluation', run: { code: 1, errors: [`approval.when() threw ${cli.redact((e as Error).message ?? String(e))}`], stdout: '' } };
  }
  approvalJudged.add(props);
  if (!reasons.length) return undefined;
  const summary = planSummary(view).map((l) => ({ ...l, address: cli.redact(l.address) }));
  const seen = {
    plan,
    reasons,
    summary: summary.slice(0, 100),
    ...(summary.length > 100 ? { omitted: summary.length - 100 } : {}),
    ...(props.generation !== undefined ? { generation: props.generation } : {}),
    approved: approved === plan,
  };
  approvalSeen.set(props, seen);
  // A dry run reports what a real run would wait for, and waits for nothing.
  if (seen.approved || props.dryRun) {
    cli.log(
      seen.approved
        ? `  approval: plan ${plan} is the approved one (${reasons.join('; ')})`
        : `  approval: a real run would wait for approval of plan ${plan} (${reasons.join('; ')})`,
    );
    return undefined;
  }
  const was = approved ? ` (the approved plan is ${approved}: this one differs)` : '';
  return { phase: 'approval', run: { code: 1, errors: [`plan ${plan} needs approval: ${reasons.join('; ')}${was}`], stdout: '' } };
}

function joinRuns(
  _first: Awaited<ReturnType<typeof runSteps>>,
  second: Awaited<ReturnType<typeof runSteps>>,
  drift: DriftDecision,
): Awaited<ReturnType<typeof runSteps>> & { drift: DriftDecision } {
  // The second part ran on from the first: its runs are all of them.
  return { ...second, drift };
}

// `drift: 'report'` found only drift: nothing is applied, and the outputs are the state's.
function driftOnly(props: ApplyRunProps, drift: DriftDecision, summary: Record<string, unknown>, redact: (text: string) => string): ApplyResult {
  const outputs = outputsFrom(drift.priorOutputs, props.outputs, redact);
  const n = drift.drifted.length;
  const message = `Terraform found drift in ${n} resource${n === 1 ? '' : 's'} and did not correct it (drift: report): ${listed(drift.drifted)}; nothing was applied`;
  return { ok: true, message, outputs, summary: { ...summary, changes: { add: 0, change: 0, destroy: 0 } }, drift };
}

function listed(drifted: readonly DriftedResource[]): string {
  const shown = drifted.slice(0, 5).map((d) => cut(d.address, 200));
  return drifted.length > shown.length ? `${shown.join(', ')} and ${drifted.length - shown.length} more` : shown.join(', ');
}

// The run's result with its drift check, in the message too.
function withDrift(result: ApplyResult, drift: DriftDecision): ApplyResult {
  const { skipApply: _skip, priorOutputs: _outputs, ...report } = drift;
  if (!result.ok || drift.drifted.length === 0) return { ...result, drift: report };
  const n = drift.drifted.length;
  const what = `drift in ${n} resource${n === 1 ? '' : 's'}`;
  const kept = drift.drifted.filter((d) => !drift.corrected.includes(d.address));
  const message = kept.length
    ? `${result.message}; ${what} reported, not corrected (drift: report): ${listed(kept)}${drift.corrected.length ? `; corrected with the requested change it depends on: ${listed(drift.drifted.filter((d) => drift.corrected.includes(d.address)))}` : ''}`
    : `${result.message}; ${what} corrected: ${listed(drift.drifted)}`;
  return { ...result, message, drift: report };
}

// Whether a -json command had begun applying changes.
function startedChanging(run: TerraformRun): boolean {
  return run.stdout.includes('"type":"apply_start"');
}

// Waits `ms`, or less when the signal aborts meanwhile.
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

// An `output -json <name>` run: passes when the output is absent (a new state, or one from
// before owners were recorded) or has the expected value, fails otherwise.
function checkOutput(run: TerraformRun, { name, value }: { readonly name: string; readonly value: string }): TerraformRun {
  const absent = run.code !== 0 && run.errors.some((e) => e.includes(`Output "${name}" not found`));
  if (absent) return { ...run, code: 0, errors: [] };
  if (run.code !== 0 || run.stdout.trim() === '') return run;
  let found: unknown;
  try {
    found = JSON.parse(run.stdout);
  } catch {
    return { ...run, code: 1, errors: [`could not read the output ${name}: ${run.stdout.slice(0, 200)}`] };
  }
  if (found === value) return run;
  return { ...run, code: 1, errors: [ownedByAnother(found, value)] };
}

function ownedByAnother(found: unknown, value: string): string {
  return `the state in this workspace belongs to ${JSON.stringify(found)}, not to this request (${value}); nothing was changed. Two requests never share a workspace name unless their 80-bit hashes collide: report it to the platform team`;
}

// A plan that failed on the owner precondition (ownerRecord) with another owner recorded: the
// owner check's failure, in its words. Undefined when the state records no owner (null) or the
// failure is another.
function ownerRefusal(run: TerraformRun, value: string): TerraformRun | undefined {
  for (const error of run.errors) {
    const at = error.lastIndexOf(OWNER_MARKER);
    if (at < 0) continue;
    let found: unknown;
    try {
      found = JSON.parse(error.slice(at + OWNER_MARKER.length));
    } catch {
      continue;
    }
    if (found !== null && found !== value) return { ...run, errors: [ownedByAnother(found, value)] };
  }
  return undefined;
}

// What the runs mean for status: change counts, outputs and a message, or the failure.
function report(
  props: ApplyRunProps,
  script: TerraformScript,
  runs: readonly (TerraformRun | undefined)[],
  failure: StepFailure | undefined,
  summary: Record<string, unknown>,
  redact: (text: string) => string,
  drift?: DriftDecision,
): ApplyResult {
  // The last step that ran and reads the result: after a state got its owner recorded, the second apply.
  let changed: TerraformRun | undefined;
  let outputsOnly = false;
  script.steps.forEach((s, i) => {
    if (!s.reads || !runs[i]) return;
    changed = runs[i];
    outputsOnly = s.reads === 'outputs';
  });
  const changes = requestChanges(changed);
  const reported =
    props.action === 'configure' && changed ? { ...summary, changes: { add: changes.add, change: changes.change, destroy: changes.remove } } : summary;
  if (failure) return failed(failure.phase, failure.run, reported);
  if (props.action === 'configure') {
    if (props.dryRun)
      return {
        ok: true,
        message: `Dry run: the plan would add ${changes.add}, change ${changes.change}, destroy ${changes.remove}`,
        outputs: {},
        summary: reported,
        planned: plannedChanges(changed, redact),
      };
    // A targeted apply (drift: report) reports only the outputs it touched; the others are the state's.
    const outputs = {
      ...(drift?.requestedApplied ? outputsFrom(drift.priorOutputs, props.outputs, redact) : {}),
      ...(outputsOnly ? readOutputCommand(changed, props.outputs, redact) : readOutputs(changed, props.outputs, redact)),
    };
    const none = changes.add + changes.change + changes.remove === 0;
    const message = none ? 'Terraform applied: no changes' : `Terraform applied: ${changes.add} added, ${changes.change} changed, ${changes.remove} destroyed`;
    return { ok: true, message, outputs, summary: reported };
  }
  if (props.dryRun)
    return {
      ok: true,
      message: `Dry run: destroying would remove ${changes.remove} resources`,
      outputs: {},
      summary,
      planned: plannedChanges(changed, redact),
    };
  const what = `Terraform destroyed ${changes.remove} resource${changes.remove === 1 ? '' : 's'}`;
  if (namesItsOwnWorkspace(props.delivery.backend))
    return { ok: true, message: `${what}; the HCP Terraform workspace ${props.slug} is kept`, outputs: {}, summary };
  return { ok: true, message: `${what} and removed the state`, outputs: {}, summary };
}

// The plan's `planned_change` events (terraform plan -json): resource addresses are the
// author's names and the request's keys, so they are bounded like everything in status. The
// owner record (ownerRecord) is kratix-cdktf's, not the request's: left out.
function plannedChanges(run: TerraformRun | undefined, redact: (text: string) => string): PlannedChange[] {
  return allPlanned(run)
    .filter((c) => !INTERNAL.has(c.address))
    .slice(0, 200)
    .map((c) => ({ address: cut(redact(c.address), 300), action: c.action }));
}

// The internal resources (owner and stack records, the Promise stack's guard): never counted,
// listed or taken for drift.
const INTERNAL = new Set([OWNER_ADDRESS, STACK_ADDRESS, `terraform_data.${PROMISE_STATE_GUARD}`]);

function allPlanned(run: TerraformRun | undefined, types: readonly string[] = ['planned_change']): PlannedChange[] {
  const planned: PlannedChange[] = [];
  for (const line of run?.stdout.split('\n') ?? []) {
    if (!types.some((type) => line.includes(`"${type}"`))) continue;
    try {
      const event = JSON.parse(line) as { type?: string; change?: { resource?: { addr?: unknown }; action?: unknown } };
      if (!types.includes(event.type ?? '') || typeof event.change?.resource?.addr !== 'string') continue;
      planned.push({ address: event.change.resource.addr, action: String(event.change.action) });
    } catch {
      // Not an event line.
    }
  }
  return planned;
}

// Terraform's change counts without the owner record's own change (created when a state gets its
// owner recorded, destroyed with the request): what status reports is the request's resources.
function requestChanges(run: TerraformRun | undefined): { add: number; change: number; remove: number } {
  const { add, change, remove } = run?.changes ?? { add: 0, change: 0, remove: 0 };
  let adds = 0;
  let removes = 0;
  let changes = 0;
  for (const { address, action: own } of allPlanned(run)) {
    if (!INTERNAL.has(address)) continue;
    adds += own === 'create' || own === 'replace' ? 1 : 0;
    removes += own === 'delete' || own === 'replace' ? 1 : 0;
    changes += own === 'update' ? 1 : 0;
  }
  return { add: Math.max(0, add - adds), change: Math.max(0, change - changes), remove: Math.max(0, remove - removes) };
}

function readOutputs(
  run: TerraformRun | undefined,
  declared: Readonly<Record<string, OutputProps>>,
  redact: (text: string) => string,
): Record<string, OutputValue> {
  if (run?.code !== 0) return {};
  return outputsFrom(appliedOutputs(run.stdout), declared, redact);
}

// The outputs from `terraform output -json`: one object, each output with its value and whether it is sensitive.
function readOutputCommand(
  run: TerraformRun | undefined,
  declared: Readonly<Record<string, OutputProps>>,
  redact: (text: string) => string,
): Record<string, OutputValue> {
  if (run?.code !== 0) return {};
  try {
    return outputsFrom(JSON.parse(run.stdout) as Record<string, { value?: unknown; sensitive: boolean }>, declared, redact);
  } catch {
    return {};
  }
}

// The declared outputs among Terraform's output values, as status shows them.
function outputsFrom(
  values: Record<string, { value?: unknown; sensitive: boolean }>,
  declared: Readonly<Record<string, OutputProps>>,
  redact: (text: string) => string,
): Record<string, OutputValue> {
  const outputs: Record<string, OutputValue> = {};
  for (const name of Object.keys(declared)) {
    const output = values[name];
    if (!output) continue;
    // Present, but never its value: status ends up in etcd and often in git.
    if (output.sensitive || declared[name]!.sensitive) outputs[name] = '(sensitive)';
    else outputs[name] = typeof output.value === 'object' ? redact(JSON.stringify(output.value)) : (output.value as OutputValue);
    if (typeof outputs[name] === 'string') outputs[name] = redact(outputs[name] as string);
  }
  return outputs;
}

// The values of the outputs from an apply's -json stream: its last `outputs` event, which comes
// after the apply (the plan's has actions, not values). Sensitive outputs come without a value.
function appliedOutputs(stdout: string): Record<string, { value?: unknown; sensitive: boolean }> {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.includes('"type":"outputs"')) continue;
    try {
      const event = JSON.parse(lines[i]!) as { type?: string; outputs?: Record<string, { value?: unknown; sensitive: boolean }> };
      if (event.type === 'outputs' && event.outputs) return event.outputs;
    } catch {
      // Not an event line.
    }
  }
  return {};
}

// Terraform's errors can quote whole configurations; status keeps the first few, cut short.
function failed(phase: string, run: TerraformRun, summary: Record<string, unknown>): ApplyResult {
  const all = run.errors.length ? run.errors : [`terraform ${phase} exited with ${run.code}`];
  const errors = all.slice(0, 5).map((e) => (e.length > 500 ? `${e.slice(0, 497)}...` : e));
  const message =
    phase === 'approval'
      ? `Nothing was applied: ${errors.join('; ')}. An approver approves that plan (kratix-cdktf approve), and the next run applies it if its plan is the same`
      : phase === 'budget'
        ? `Over the Promise's budget, so nothing was applied: ${errors.join('; ')}`
        : phase === 'policy check'
          ? `The plan policies refused Terraform's plan, so nothing was applied: ${errors.join('; ')}`
          : phase === 'policy evaluation'
            ? `The plan policies could not check Terraform's plan, so nothing was applied: ${errors.join('; ')}`
            : `Terraform ${phase} failed: ${errors.join('; ')}`;
  return { ok: false, phase, message, errors, summary };
}

/**
 * The stop timeout from `KRATIX_CDKTF_STOP_TIMEOUT` (a duration such as "25s"), or the default
 * when it is unset; an error message when it is not a duration.
 */
export function stopTimeoutMs(env: Readonly<Record<string, string | undefined>>): number | string {
  const text = env.KRATIX_CDKTF_STOP_TIMEOUT;
  if (text === undefined || text === '') return DEFAULT_STOP_TIMEOUT_MS;
  return durationMs(text) ?? `KRATIX_CDKTF_STOP_TIMEOUT=${JSON.stringify(text.slice(0, 40))} is not a duration such as "25s"`;
}

// A run stopped by its signal, for status: what was running, whether terraform stopped by
// itself, and so whether the state lock was released.
function interrupted(props: ApplyRunProps, at: Interruption, summary: Record<string, unknown>, stopTimeout: number): ApplyResult {
  const reason = props.signal?.reason;
  const by = typeof reason === 'string' && /^SIG[A-Z]+$/.test(reason) ? reason : 'a stop request';
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  // Tenths of a second, rounded up: "within 0.1 s" rather than "0.0 s later".
  const within = (ms: number) => `within ${(Math.ceil(Math.max(ms, 1) / 100) / 10).toFixed(1)} s`;
  // Terraform repeats some diagnostics ("execution halted").
  const terraformSaid = [...new Set(at.run?.errors ?? [])];
  let message: string;
  if (!at.run) {
    const when = at.done.length ? `after terraform ${at.done.at(-1)} had finished, before terraform ${at.phase}` : 'before Terraform started';
    message = `Interrupted by ${by} ${when}: no terraform command was running, so no state lock is held`;
  } else if (at.run.stopped?.how === 'killed') {
    message = `Terraform was interrupted by ${by} during ${at.phase} and had not stopped ${seconds(stopTimeout)} later, so it was killed (SIGKILL): ${lockLocation(props.delivery.backend, props.promise, props.slug)}; the state may lack what it was doing`;
  } else {
    const unlock = terraformSaid.find((e) => e.startsWith('Error releasing the state lock'));
    message = unlock
      ? `Terraform was interrupted by ${by} during ${at.phase} and stopped by itself ${within(at.run.stopped?.afterMs ?? 0)}, but could not release the state lock: ${lockLocation(props.delivery.backend, props.promise, props.slug)}`
      : `Terraform was interrupted by ${by} during ${at.phase} and stopped by itself ${within(at.run.stopped?.afterMs ?? 0)}: it ${/^(apply|destroy)$/.test(at.phase) ? 'saved its state and ' : ''}released the state lock`;
  }
  const errors = [message, ...terraformSaid.slice(0, 4).map((e) => (e.length > 500 ? `${e.slice(0, 497)}...` : e))];
  return { ok: false, phase: 'interrupted', message: `${message}; the next run starts from the saved state`, errors, summary };
}
