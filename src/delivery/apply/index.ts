// Delivery "apply": the workflow runs Terraform itself, in the request's own workspace.
import { CLUSTER_CA_ENV } from '../kube-api.js';
import { endsWithGoInt } from '../secret-names.js';
import { APPROVED_PLAN_ANNOTATION } from '../../approval/index.js';
import type { PromiseDefinition } from '../../promise/define-promise.js';
import { formatIssues, type Issue } from '../../schema/issue.js';
import { durationMs, retryIssues } from '../../workflow/control.js';
import { writeAllOrNothing } from '../../workflow/files.js';
import { condition, READY } from '../../workflow/status.js';
import {
  DRY_RUN_FILE,
  type Delivery,
  type DeliveryBegin,
  type DeliveryResult,
  type DeliveryRun,
  type PipelineNeeds,
  type PipelinePermission,
  type RemoteState,
} from '../delivery.js';
import { toYaml } from '../../artifacts/yaml.js';
import { DEFAULT_APPLY_PIPELINE_NAMESPACE, type ApplyProps } from './options.js';
import { driftCondition, driftStatus } from './drift.js';
import { namesItsOwnWorkspace, remoteState } from './backend.js';
import { type InitHeadStart, recordExample, startInit } from './head-start.js';
import { runApplyDelivery, type ApplyResult } from './run.js';
import { credentialsIn } from './terraform-cli.js';
import { commandsScript, DATA_DIR, terraformScript, type TerraformScriptProps } from './terraform-script.js';

export * from './options.js';

/**
 * Runs Terraform inside the workflow: plan and apply on configure, destroy and remove the state
 * on delete, outputs into the request's status. Providers come from the image's mirror.
 * @example definePromise({ ..., delivery: applyInWorkflow({ backend: pgBackend() }) })
 */
export function applyInWorkflow(props: ApplyProps): ApplyInWorkflow {
  return new ApplyInWorkflow(props);
}

// The workflow reads Secrets over HTTPS with fetch, which trusts extra CAs only through this.

/** The delivery {@link applyInWorkflow} returns; its options are its fields. */
export class ApplyInWorkflow implements Delivery, ApplyProps {
  readonly kind = 'apply';
  readonly runsTerraform = true;
  readonly backend: ApplyProps['backend'];
  declare readonly pipelineNamespace?: string;
  declare readonly lockTimeout?: string;
  readonly retry: NonNullable<ApplyProps['retry']>;
  declare readonly drift?: ApplyProps['drift'];

  constructor(props: ApplyProps) {
    this.backend = props.backend;
    if (props.drift !== undefined) this.drift = props.drift;
    if (props.pipelineNamespace !== undefined) this.pipelineNamespace = props.pipelineNamespace;
    if (props.lockTimeout !== undefined) this.lockTimeout = props.lockTimeout;
    this.retry = props.retry ?? {};
  }

  check(def: PromiseDefinition): Issue[] {
    const issues = this.checkDurations();
    // Typed, but a Promise written in JavaScript or with a cast can hold anything.
    if (this.drift !== undefined && !(DRIFT_POLICIES as readonly unknown[]).includes(this.drift))
      issues.push({
        path: 'delivery.drift',
        message: `${JSON.stringify(this.drift)} is not a drift policy: drift is "correct" (apply as usual, which puts drifted resources back) or "report" (say what drifted, apply only what the request changed)`,
        fix: "write applyInWorkflow({ ..., drift: 'report' }), or leave drift out for 'correct'",
      });
    // A run that finds drift and requested changes applies a narrowed plan of its own, which the
    // policies never see; until that plan is checked too, the two do not go together.
    const gated = def.policies?.length ? 'plan policies' : def.approval ? 'approval' : def.cost?.budget ? 'a budget' : undefined;
    if (this.drift === 'report' && gated)
      issues.push({
        path: 'delivery.drift',
        message: `is 'report', and the Promise has ${gated}: a run that finds both drift and requested changes applies a narrowed plan that would not be checked`,
        fix: `leave drift out (it corrects), or the ${gated}, until kratix-cdktf checks narrowed plans too`,
      });
    if (this.backend.kind === 'kubernetes') {
      const suffix = this.backend.secretSuffix ?? def.name;
      if (endsWithGoInt(suffix))
        issues.push({
          path: this.backend.secretSuffix === undefined ? 'name' : 'delivery.backend.secretSuffix',
          message: `${JSON.stringify(suffix)} is the kubernetes backend's secret_suffix${this.backend.secretSuffix === undefined ? ' (the Promise name, by default)' : ''}, and Terraform refuses one that ends in "-<number>" (it numbers the Secrets of a large state that way)`,
          fix: `set kubernetesBackend({ ..., secretSuffix: "${suffix.replace(/-[^-]*$/, '')}-state" }) or another suffix that ends in a letter`,
        });
    }
    // Typed as 'local', but a Promise written in JavaScript or with a cast can hold anything.
    if (this.backend.kind === 'hcp-terraform' && (this.backend.executionMode as unknown) !== 'local') {
      const mode = this.backend.executionMode as unknown;
      issues.push({
        path: 'delivery.backend.executionMode',
        message: `${mode === undefined ? 'is missing' : `is ${JSON.stringify(mode)}`}: HCP Terraform runs a workspace's plans and applies on its own workers unless its execution mode is Local; such a run has neither the workflow's cloud credentials nor its provider mirror, and the CLI sends it the TF_VAR_* values, secretRef() fields included, as run variables`,
        fix: "set the Default Execution Mode of the workspaces' project or organization to Local in HCP Terraform, then write hcpTerraform({ ..., executionMode: 'local' })",
      });
    }
    return issues;
  }

  /**
   * The service account needs to read the Secrets that requests reference (in any request
   * namespace; the workflow only ever reads the request's own), and the Secrets and Leases of the
   * Kubernetes backend. It lives in the pipeline namespace, always set here: in a request's
   * namespace, its tenant could start a pod with it.
   */
  pipeline(_def: PromiseDefinition, facts: { readonly secretRefs: boolean }): PipelineNeeds {
    const permissions: PipelinePermission[] = [];
    if (facts.secretRefs) permissions.push({ resourceNamespace: '*', apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
    if (this.backend.kind === 'kubernetes') {
      const verbs = ['get', 'list', 'create', 'update', 'delete'];
      permissions.push(
        { resourceNamespace: this.backend.namespace, apiGroups: [''], resources: ['secrets'], verbs },
        { resourceNamespace: this.backend.namespace, apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs },
      );
    }
    return { namespace: this.pipelineNamespace ?? DEFAULT_APPLY_PIPELINE_NAMESPACE, permissions, env: facts.secretRefs ? [CLUSTER_CA_ENV] : [] };
  }

  configure(run: DeliveryRun): Promise<DeliveryResult> | DeliveryResult {
    return run.renderTo === undefined ? this.run(run) : this.render(run, run.renderTo);
  }

  readonly delete = (run: DeliveryRun): Promise<DeliveryResult> | DeliveryResult => this.configure(run);

  warmUp(run: DeliveryRun): void {
    const script = terraformScript(this.scriptProps(run));
    commandsScript(script);
    recordExample(run.def, script.files.get('main.tf.json')!);
  }

  stateOf(def: PromiseDefinition, slug: string): RemoteState {
    return remoteState(this.backend, def.name, slug);
  }

  // HCP Terraform's cloud block names the request's workspace: init depends on the request.
  begin(run: DeliveryBegin): InitHeadStart | undefined {
    return namesItsOwnWorkspace(this.backend) ? undefined : startInit(run, DATA_DIR);
  }

  private async run(run: DeliveryRun): Promise<DeliveryResult> {
    run.log(`terraform ${verb(run)} in workspace ${run.slug}`);
    let result: ApplyResult;
    try {
      result = await runApplyDelivery({
        ...this.scriptProps(run),
        outputs: run.def.outputs ?? {},
        env: run.env,
        log: run.log,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.headStart ? { headStart: run.headStart as InitHeadStart } : {}),
        appliedBefore: appliedBefore(run.input),
        ...(run.def.policies?.length ? { policies: run.def.policies } : {}),
        ...(run.def.approval && run.action === 'configure' ? { approval: { rules: run.def.approval, ...approvedPlan(run.input) } } : {}),
        ...(run.def.cost && run.action === 'configure' ? { cost: run.def.cost } : {}),
        ...generationOf(run.input),
      });
    } catch (e) {
      // Whatever broke (no terraform binary, unreadable output), status must not keep saying
      // that the last run succeeded.
      const message = `Terraform could not be run: ${(e as Error).message}`;
      result = { ok: false, phase: 'run', message, errors: [message], summary: { delivery: 'apply', backend: this.backend.kind, workspace: run.slug } };
    }
    if (run.dryRun) return dryRunResult(run, result);
    const type = run.action === 'delete' ? 'TerraformDestroyed' : 'TerraformApplied';
    const reason = result.ok ? (run.action === 'delete' ? 'Destroyed' : 'Applied') : failureReason(result.phase);
    const status: Record<string, unknown> & { message: string } = {
      message: result.message,
      ...(result.ok && Object.keys(result.outputs).length ? { outputs: result.outputs } : {}),
      terraform: result.summary,
    };
    const drift = result.drift && driftStatus(result.drift);
    const notApplied = result.ok && result.drift && result.drift.policy === 'report' && result.drift.drifted.length > 0 && !result.drift.requestedApplied;
    const conditions = [
      condition(type, result.ok, notApplied ? 'DriftNotCorrected' : reason, result.message, run.now),
      ...(result.drift ? [driftCondition(result.drift, run.now)] : []),
    ];
    // Converged: applied, with no drift left as found (drift: 'report').
    const driftLeft = result.ok && result.drift !== undefined && result.drift.drifted.length > result.drift.corrected.length;
    if (run.action === 'configure') conditions.push(condition(READY, result.ok && !driftLeft, driftLeft ? 'DriftReported' : reason, result.message, run.now));
    if (!result.ok && result.phase === 'approval evaluation') conditions.push(condition('Approved', false, 'ApprovalFailed', result.message, run.now));
    if (!result.ok && (result.phase === 'policy check' || result.phase === 'policy evaluation'))
      conditions.push(condition('PoliciesPassed', false, result.phase === 'policy check' ? 'PolicyViolated' : 'PolicyFailed', result.message, run.now));
    if (drift) status.drift = drift;
    // The plan's estimate replaces the configuration's (src/workflow/run.ts).
    if (result.cost) status.cost = result.cost;
    if (run.def.cost?.budget && result.cost)
      conditions.push(
        condition(
          'WithinBudget',
          !(result.ok === false && result.phase === 'budget'),
          result.ok === false && result.phase === 'budget' ? 'OverBudget' : 'WithinBudget',
          `estimated at ${result.cost.monthly} ${result.cost.currency} a month`,
          run.now,
        ),
      );
    // Only a run whose plan was judged says anything about approval (Kratix replaces
    // status.approval whole, and merges conditions by type): a plan that needs none clears an
    // earlier request; a run that failed before judging leaves it as it was.
    const judged = result.approvalJudged === true;
    if (run.def.approval && run.action === 'configure' && judged) {
      const seen = result.approval;
      status.approval = seen ? { needed: true, ...seen } : { needed: false };
      conditions.push(
        !seen
          ? condition('Approved', true, 'NotNeeded', 'the plan needs no approval', run.now)
          : condition(
              'Approved',
              seen.approved,
              seen.approved ? 'Approved' : 'AwaitingApproval',
              seen.approved ? `plan ${seen.plan} was approved` : result.message,
              run.now,
            ),
      );
    }
    if (result.ok) return { files: new Map(), status, conditions };
    const heading = result.phase === 'interrupted' ? 'terraform was interrupted' : `terraform ${result.phase} failed`;
    return {
      files: new Map(),
      status,
      conditions,
      // A state owned by another request, or a plan the policies refuse, needs a person (or a
      // new spec), not a retry.
      ending: { kind: ['owner check', 'policy check', 'approval', 'budget'].includes(result.phase) ? 'suspend' : 'retry', message: result.message },
      log: {
        error: true,
        text: formatIssues(
          heading,
          result.errors.map((message) => ({ path: `terraform ${result.phase}`, message })),
        ),
      },
    };
  }

  /**
   * Writes what the run would give Terraform into `dir` instead of running it: the working
   * folder's files and the commands, from the same {@link terraformScript} the real run executes.
   * Refuses to write a file that holds the value of a credential-like variable.
   */
  private render(run: DeliveryRun, dir: string): DeliveryResult {
    const script = terraformScript(this.scriptProps(run));
    const files = new Map([...script.files, ['commands.sh', commandsScript(script)]]);
    const leaked = [...files].flatMap(([name, text]) => credentialsIn(run.env, text).map((variable) => ({ name, variable })));
    if (leaked.length) {
      return {
        refused: {
          what: 'the Terraform configuration holds credentials',
          type: 'StackSynthesized',
          reason: 'CredentialsInConfiguration',
          fixedBy: 'platform',
          issues: leaked.map(({ name, variable }) => ({
            path: name,
            message: `holds the value of ${variable}; credentials must reach Terraform only through the environment`,
            fix: `remove it from the stack (read it from the environment in a provider or backend), or unset ${variable} for render`,
          })),
        },
      };
    }
    writeAllOrNothing(dir, files);
    const message = `Rendered, not applied: terraform ${verb(run)} in workspace ${run.slug} was not run; commands.sh lists what would run. Run render with --apply to run terraform`;
    return {
      files: new Map(),
      status: { message, terraform: { delivery: 'apply', backend: this.backend.kind, workspace: run.slug, rendered: true } },
      // Unknown, not False: nothing was tried. It also replaces an earlier run's "True" in the merge.
      conditions: [condition(run.action === 'delete' ? 'TerraformDestroyed' : 'TerraformApplied', 'Unknown', 'NotRun', message, run.now)],
    };
  }

  private scriptProps(run: DeliveryRun): TerraformScriptProps {
    return {
      delivery: this,
      promise: run.def.name,
      slug: run.slug,
      owner: run.owner,
      namespace: run.request.metadata.namespace,
      stack: run.synthesized.json,
      secrets: run.synthesized.secrets,
      action: run.action,
      dryRun: run.dryRun,
      inspectChanges: (run.def.policies?.length ?? 0) > 0 || run.def.approval !== undefined || run.def.cost !== undefined,
    };
  }

  // lockTimeout goes to Terraform's -lock-timeout, the retry waits to Kratix's retryAfter.
  private checkDurations(): Issue[] {
    const issues: Issue[] = [];
    const duration = (path: string, value: unknown) => {
      if (value === undefined) return undefined;
      const ms = typeof value === 'string' ? durationMs(value) : undefined;
      if (ms === undefined)
        issues.push({ path, message: `${JSON.stringify(value)} is not a duration`, fix: 'write a number with a unit: "30s", "5m", "1h30m"' });
      return ms;
    };
    duration('delivery.lockTimeout', this.lockTimeout);
    issues.push(...retryIssues(this.retry));
    return issues;
  }
}

const DRIFT_POLICIES = ['correct', 'report'] as const;

function verb(run: DeliveryRun): string {
  return run.action === 'delete' ? (run.dryRun ? 'plan -destroy' : 'destroy') : run.dryRun ? 'plan' : 'apply';
}

/**
 * A dry run (a Kratix DryRun's ephemeral request): Kratix overwrites status.message with "Dry run
 * executed" and sends the output to its dry-run Destination, where the DryRun's summary is read.
 * So the plan goes to the output as `dry-run.yaml`, and to status.dryRun. It is one look, never
 * retried; nothing was applied, so TerraformApplied is left alone.
 */
function dryRunResult(run: DeliveryRun, result: ApplyResult): DeliveryResult {
  const plan = {
    request: `${run.request.metadata.namespace}/${run.request.metadata.name}`,
    action: run.action === 'delete' ? 'destroy' : 'apply',
    ok: result.ok,
    message: result.message,
    terraform: result.summary,
    ...(result.ok ? { planned: result.planned ?? [] } : { errors: result.errors }),
  };
  return {
    files: new Map([[DRY_RUN_FILE, toYaml(plan)]]),
    status: { message: result.message, dryRun: { ...plan, at: run.now.toISOString().replace(/\.\d{3}Z$/, 'Z') } },
    conditions: [
      condition('TerraformPlanned', result.ok, result.ok ? 'Planned' : failureReason(result.phase), result.message, run.now),
      ...(!result.ok && result.phase === 'policy check' ? [condition('PoliciesPassed', false, 'PolicyViolated', result.message, run.now)] : []),
    ],
    ...(result.ok ? {} : { log: { error: true, text: result.message } }),
  };
}

// A condition's reason for a failed phase: "InitFailed", "WorkspaceSelectFailed", "Interrupted".
function failureReason(phase: string): string {
  if (phase === 'interrupted') return 'Interrupted';
  if (phase === 'approval') return 'AwaitingApproval';
  if (phase === 'budget') return 'OverBudget';
  const words = phase.split(/\s+/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join('')}Failed`;
}

// The request's metadata.generation, which an approval is bound to.
function generationOf(input: unknown): { generation?: number } {
  const generation = (input as { metadata?: { generation?: unknown } } | null)?.metadata?.generation;
  return typeof generation === 'number' && Number.isInteger(generation) ? { generation } : {};
}

// The plan the request's approval annotation approves. The annotation is guarded by the
// admission policy synth writes (approval-policy.yaml); a value that is not a digest approves nothing.
function approvedPlan(input: unknown): { approved?: string } {
  const value = (input as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[APPROVED_PLAN_ANNOTATION];
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? { approved: value } : {};
}

// Whether the request's status holds a TerraformApplied=True condition from an earlier run.
// Status is the workflow's own; were it wrong, a run would only read the outputs once for nothing.
function appliedBefore(input: unknown): boolean {
  const conditions = (input as { status?: { conditions?: unknown } } | null)?.status?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => c?.type === 'TerraformApplied' && c?.status === 'True');
}
