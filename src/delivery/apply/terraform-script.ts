import type { ApplyProps } from './options.js';
import type { SecretBinding } from '../../terraform/secrets.js';
import type { TerraformJson } from '../../terraform/stack.js';
import { backendBlock, backendCredentials, namesItsOwnWorkspace } from './backend.js';
import { durationMs } from '../../workflow/control.js';
import { OWNER_OUTPUT } from '../owner.js';
import { TERRAFORM_ENV } from './terraform-cli.js';
import { DRIFT_PLAN_FILE, STACK_RECORD, stackRecord } from './drift.js';

/** What one apply-mode run is about: the request's stack, where its state lives, and the action. */
export interface TerraformScriptProps {
  readonly delivery: ApplyProps;
  readonly promise: string;
  /** The request's slug, which names its workspace. */
  readonly slug: string;
  /** The request the workspace belongs to, `<promise>/<namespace>/<name>`: recorded in its state and checked. */
  readonly owner: string;
  /** The request's namespace, where its referenced Secrets are read. */
  readonly namespace: string;
  readonly stack: TerraformJson;
  readonly secrets: readonly SecretBinding[];
  readonly action: 'configure' | 'delete';
  readonly dryRun: boolean;
  /**
   * Read the drift check's plan whenever it changes something, not only when the request changed
   * something: the Promise's plan policies check it before it is applied. @default false
   */
  readonly inspectChanges?: boolean;
}

/** One terraform command of a run, tried as one or more alternative invocations. */
export interface TerraformStep {
  /** Its name in status and errors: "init", "workspace select", "apply", ... */
  readonly phase: string;
  /** Why it runs, in a few words. */
  readonly purpose: string;
  /** Tried in order until one exits 0; the step fails when none does. */
  readonly attempts: readonly TerraformAttempt[];
  /** Parse Terraform's -json output for diagnostics and the change summary. */
  readonly json: boolean;
  /** A failure does not stop the run. */
  readonly optional: boolean;
  /** What the run's result is read from: the change counts, and, from an apply, the outputs (its -json stream ends with their values); from `output -json`, the outputs only. */
  readonly reads?: 'changes' | 'changes and outputs' | 'outputs';
  /**
   * Set for this step's commands besides the run's environment: `TF_WORKSPACE`, which selects
   * the request's workspace without a `terraform workspace select` of its own (and, in the
   * backends that have workspaces, creates it on first use, as `workspace new` does).
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The step runs only when the latest earlier step of phase `phase` failed with an error that
   * contains `says`; that failure then does not end the run. Skipped otherwise.
   * @default the step always runs
   */
  readonly onlyAfter?: { readonly phase: string; readonly says: string };
  /**
   * The step's plan checks the owner recorded in the state ({@link ownerRecord}): a failure that
   * names another owner is the owner check's failure, with the owner check's message.
   */
  readonly checksOwner?: string;
  /**
   * Errors of a race with another run that changed nothing and pass by themselves: the step is
   * run again, with backoff, when its failure matches.
   * @default none: a failure is final
   */
  readonly retryWhen?: RegExp;
  /**
   * The step prints the output `name` (`output -json <name>`) and fails unless it is absent or
   * equals `value`: the workspace's state belongs to another request otherwise.
   */
  readonly expectOutput?: { readonly name: string; readonly value: string };
  /**
   * How long, in milliseconds from the step's first try, a failure matching `retryWhen` is tried
   * again: the lock timeout for lock refusals.
   * @default 0: not tried again
   */
  readonly retryWithinMs?: number;
  /**
   * The step runs only when the plan of step `phase` succeeded and shows: `changes` (anything,
   * outputs included), `no changes`, or `request changes` (a change to a resource other than the
   * owner and stack records, or one Terraform's refresh saw drift, in a state that has a stack
   * record to tell drift by).
   * @default the step always runs
   */
  readonly onlyIfPlan?: { readonly phase: string; readonly shows: 'changes' | 'no changes' | 'request changes' };
  /** A plan run with -detailed-exitcode: exit code 2 is a success that plans changes. */
  readonly detailedExitCode?: boolean;
  /** The run's drift decision happens before this step: the steps from here on run, are narrowed to the requested changes, or are skipped (README: Drift). */
  readonly afterDriftCheck?: boolean;
  /**
   * Not a terraform command: the Promise's plan policies judge the saved plan that the latest
   * step of phase `plan` wrote and the latest step of phase `detail` read (`show -json`), and the
   * run ends here when they refuse it.
   */
  readonly policyGate?: { readonly plan: string; readonly detail: string };
}

// The pg backend creates its schema and table on first use without a lock: first runs of a new
// Promise's requests that start together race, and all but one fail init at once with a
// constraint violation. Tried again, with backoff, for up to 16 s.
const SETUP_RACE = /duplicate key value violates unique constraint|already exists/;
const SETUP_RACE_WAIT_MS = 16_000;
// `workspace new` and `workspace delete` try a lock once: Terraform's workspace commands take
// -lock-timeout but do not use it (1.11, internal/command/workspace_*.go), and the backends create
// a workspace without it. The run waits out, within the lock timeout, the refusals of a lock held
// by another run, in the backends' words (internal/backend/remote-state/*/client.go):
// - pg takes one lock (advisory lock -1) for the whole backend while it creates a workspace, and
//   tries it too whenever it locks an existing workspace's state (as `workspace delete` does), so
//   runs of different requests meet there: "Already locked for workspace creation: <name>",
//   "Cannot lock workspace; already locked for workspace creation: <name>";
// - another run of the same request holds its state lock, as a configure still applying does
//   when the delete starts: pg's "Workspace is already locked: <name>", kubernetes's "the state is
//   already locked by another terraform client" (its Lease). S3's refusal is the AWS SDK's
//   error for the lock file's conditional write, not a Terraform text, so it is not matched.
export const WORKSPACE_LOCK_RACE = /already locked for workspace creation|Workspace is already locked|the state is already locked by another terraform client/i;

/** One invocation of terraform. */
export interface TerraformAttempt {
  readonly args: readonly string[];
  /** Its failure is expected or repeats another's, so its errors are not reported. */
  readonly quiet?: boolean;
  /** Tried only when the attempt before failed with an error that matches. @default any failure */
  readonly after?: RegExp;
}

/** Everything an apply-mode run does with terraform, as data: what it writes, what it runs, what it reads. */
export interface TerraformScript {
  readonly props: TerraformScriptProps;
  /** The files of the run's fresh working folder, with their exact content: `main.tf.json`. */
  readonly files: ReadonlyMap<string, string>;
  readonly steps: readonly TerraformStep[];
  /** Set for every command, besides the workflow's own environment. */
  readonly env: Readonly<Record<string, string>>;
  /** TF_DATA_DIR, relative to the working folder. */
  readonly dataDir: string;
  /** Environment variables the backend reads its credentials from, by name. */
  readonly backendCredentials: readonly string[];
  /** `TF_VAR_*` variables the run sets from the request's referenced Secrets. */
  readonly secretVariables: readonly { readonly name: string; readonly binding: SecretBinding }[];
}

/**
 * The one description of an apply-mode run: the real run executes it (`runApplyDelivery`), and
 * `render` writes it out instead, so what is shown is what runs. Credentials are not part of it:
 * they come only from the environment.
 */
export function terraformScript(props: TerraformScriptProps): TerraformScript {
  const { delivery, slug } = props;
  const lockTimeout = delivery.lockTimeout ?? '5m';
  const lock = `-lock-timeout=${lockTimeout}`;
  const lockWait = { retryWhen: WORKSPACE_LOCK_RACE, retryWithinMs: durationMs(lockTimeout) ?? 0 };
  const ownWorkspace = namesItsOwnWorkspace(delivery.backend);
  // The request's workspace, for every command that reads or writes its state. Not for init,
  // which would refuse to start in a workspace that does not exist yet, nor for the workspace
  // commands, which refuse TF_WORKSPACE.
  const workspace = ownWorkspace ? {} : { env: { TF_WORKSPACE: slug } };
  const steps: TerraformStep[] = [
    {
      ...step('init', 'install the providers from the mirror and open the backend', ['init', '-input=false', '-no-color']),
      retryWhen: SETUP_RACE,
      retryWithinMs: SETUP_RACE_WAIT_MS,
    },
  ];
  // Before anything changes: a request must never apply to, or destroy, another request's state,
  // whatever its workspace is named. State written before the owner was recorded has none.
  const ownerCheck = (purpose: string): TerraformStep => ({
    ...step('owner check', purpose, ['output', '-no-color', '-json', OWNER_OUTPUT]),
    expectOutput: { name: OWNER_OUTPUT, value: props.owner },
  });
  if (props.action === 'configure' && !props.dryRun) {
    // One command after init when the state records its owner, as every state this version
    // wrote does: the apply's own plan checks it (ownerRecord) and fails before anything
    // changes when it is another request's. A state that records none (a new workspace, or one
    // written by an older version, which kept the owner in an output only) fails that plan too,
    // and only then is the output checked, and this request recorded as the owner.
    const apply = ['apply', '-auto-approve', '-input=false', '-no-color', '-json', lock];
    // Without the drift check's plan: one apply that plans under its own lock. With plan
    // policies, a plan saved, read, judged and then applied, so that a first apply (whose drift
    // check always fails: a new state records no owner) applies only what the policies saw; a
    // state changed between plan and apply makes the saved plan stale, and the run fails.
    const fallback = (purpose: string, planPurpose: string, extra: readonly string[], onlyAfter: TerraformStep['onlyAfter']): TerraformStep[] => {
      // A first run creates the workspace, under pg's backend-wide lock: waited for as
      // `workspace new` is (a failed apply that started applying nothing is tried again).
      const common = { ...workspace, ...lockWait, checksOwner: props.owner };
      if (!props.inspectChanges) return [{ ...step('apply', purpose, [...apply, ...extra], true), ...common, reads: 'changes and outputs', onlyAfter }];
      const planned = { phase: FALLBACK_PLAN, shows: 'changes' } as const;
      return [
        {
          ...step(
            FALLBACK_PLAN,
            planPurpose,
            ['plan', '-input=false', '-no-color', '-json', lock, '-detailed-exitcode', `-out=${FALLBACK_PLAN_FILE}`, ...extra],
            true,
          ),
          ...common,
          detailedExitCode: true,
          onlyAfter,
        },
        {
          ...step('plan detail', 'read the saved plan for the plan policies', ['show', '-json', '-no-color', FALLBACK_PLAN_FILE]),
          ...workspace,
          onlyIfPlan: planned,
        },
        {
          ...step('plan policies', 'judge the saved plan', []),
          ...workspace,
          policyGate: { plan: FALLBACK_PLAN, detail: 'plan detail' },
          onlyIfPlan: planned,
        },
        {
          ...step(
            'apply',
            'apply the plan the policies passed, under the state lock (a stale plan fails the run)',
            ['apply', '-input=false', '-no-color', '-json', lock, FALLBACK_PLAN_FILE],
            true,
          ),
          ...common,
          reads: 'changes and outputs',
          onlyIfPlan: planned,
        },
        {
          ...step('outputs', 'the plan changes nothing: read the outputs, apply nothing', ['output', '-no-color', '-json']),
          ...workspace,
          reads: 'outputs',
          onlyIfPlan: { phase: FALLBACK_PLAN, shows: 'no changes' },
        },
      ];
    };
    const unrecorded = { phase: props.inspectChanges ? FALLBACK_PLAN : 'apply', says: `${OWNER_MARKER} null` };
    // First the drift check: a plan, saved, that takes no lock and writes nothing (as a dry
    // run's). Its own precondition checks the owner the state records. When it changes nothing,
    // `output` reads the outputs, and nothing is applied; when it changes something, `show -json`
    // reads the changes (drift.ts) and the saved plan is applied, so Terraform refreshes once.
    steps.push(
      {
        ...step(
          'drift check',
          'plan without locking or changing anything (exit code 2: it changes something); its plan checks the owner the state records',
          ['plan', '-input=false', '-no-color', '-json', '-lock=false', '-detailed-exitcode', `-out=${DRIFT_PLAN_FILE}`],
          true,
        ),
        ...workspace,
        // Not waited for: only a first run meets another's workspace creation here, and its
        // apply below waits.
        optional: true,
        detailedExitCode: true,
        checksOwner: props.owner,
      },
      {
        ...step('drift detail', "read the check's saved plan: each change's attributes, with what is sensitive marked (drift, plan policies)", [
          'show',
          '-json',
          '-no-color',
          DRIFT_PLAN_FILE,
        ]),
        ...workspace,
        optional: true,
        onlyIfPlan: { phase: 'drift check', shows: props.inspectChanges ? 'changes' : 'request changes' },
      },
      {
        ...step('outputs', 'the plan changes nothing: read the outputs, apply nothing', ['output', '-no-color', '-json']),
        ...workspace,
        afterDriftCheck: true,
        onlyIfPlan: { phase: 'drift check', shows: 'no changes' },
        reads: 'outputs',
      },
      {
        ...step('apply', 'apply the saved plan under the state lock; if another run changed the state since, plan and apply again', []),
        // With plan policies, only the plan they checked is applied: a stale one fails the run,
        // and Kratix's retry plans and checks again.
        attempts: props.inspectChanges
          ? [{ args: ['apply', '-input=false', '-no-color', '-json', lock, DRIFT_PLAN_FILE] }]
          : [
              { args: ['apply', '-input=false', '-no-color', '-json', lock, DRIFT_PLAN_FILE], quiet: true },
              { args: apply, after: /Saved plan is stale/ },
            ],
        json: true,
        ...workspace,
        ...lockWait,
        checksOwner: props.owner,
        onlyIfPlan: { phase: 'drift check', shows: 'changes' },
        reads: 'changes and outputs',
      },
      // The check failed: a state that records no owner yet (a new workspace, or one written by
      // an older version, which kept the owner in an output only), or another request's, or
      // another run creating a workspace. The apply's own plan checks the owner again; only
      // for a state that records none is the output checked, and this request recorded.
      ...fallback(
        'plan and apply under one state lock; the plan first checks the owner the state records',
        'plan under the state lock, saved for the plan policies; the plan first checks the owner the state records',
        [],
        { phase: 'drift check', says: '' },
      ),
      { ...ownerCheck('the state records no owner yet: its owner output, if it has one, must be this request'), ...workspace, onlyAfter: unrecorded },
      ...fallback(
        'plan and apply, recording this request as the state’s owner',
        'plan, saved for the plan policies, recording this request as the state’s owner',
        [`-var=${RECORD_OWNER}=true`],
        unrecorded,
      ),
    );
  } else if (props.dryRun) {
    if (!ownWorkspace) {
      // A dry run must leave no trace: a request that has no workspace yet is planned in the
      // default workspace, which no request uses and which holds no state, instead of creating
      // one (TF_WORKSPACE would create it).
      steps.push({
        ...step('workspace select', "select the request's own workspace; a new request's dry run plans in the empty default workspace", []),
        attempts: [
          { args: ['workspace', 'select', '-no-color', slug], quiet: true },
          { args: ['workspace', 'select', '-no-color', 'default'], after: /Workspace ".*" doesn't exist/ },
        ],
      });
    }
    steps.push(ownerCheck('make sure the state in this workspace is this request’s'));
    // A plan writes no state, so it takes no lock: pg would take its backend-wide lock for a
    // workspace with no state row, and the kubernetes backend would leave a Lease behind.
    if (props.action === 'configure') {
      const save = props.inspectChanges ? [`-out=${DRIFT_PLAN_FILE}`] : [];
      steps.push({
        ...step(
          'plan',
          'plan only (KRATIX_DRY_RUN=true)',
          ['plan', '-input=false', '-no-color', '-json', '-lock=false', `-var=${RECORD_OWNER}=true`, ...save],
          true,
        ),
        checksOwner: props.owner,
        reads: 'changes',
      });
      // The plan policies read the plan a real run would apply.
      if (props.inspectChanges)
        steps.push({ ...step('plan detail', 'read the saved plan for the plan policies', ['show', '-json', '-no-color', DRIFT_PLAN_FILE]), optional: true });
    } else
      steps.push({
        ...step('plan', 'plan the destroy only (KRATIX_DRY_RUN=true)', ['plan', '-destroy', '-input=false', '-no-color', '-json', '-lock=false'], true),
        reads: 'changes',
      });
  } else {
    // Destroying does not check preconditions: the owner output is read first. In a workspace
    // that does not exist yet, reading it creates it, under pg's backend-wide lock.
    steps.push({ ...ownerCheck('make sure the state in this workspace is this request’s'), ...workspace, ...lockWait });
    steps.push({
      ...step('destroy', "destroy the request's resources", ['destroy', '-auto-approve', '-input=false', '-no-color', '-json', lock], true),
      ...workspace,
      reads: 'changes',
    });
    // HCP Terraform workspaces are not deleted from the CLI; the platform team removes them.
    // Init left the default workspace selected: the request's can be deleted.
    if (!ownWorkspace)
      steps.push({
        ...step('workspace delete', "delete the request's workspace, which removes its state", ['workspace', 'delete', '-no-color', lock, slug]),
        ...lockWait,
      });
  }
  const terraform = { ...((props.stack.terraform as Record<string, unknown> | undefined) ?? {}), ...backendBlock(delivery.backend, props.promise, slug) };
  return {
    props,
    files: new Map([['main.tf.json', JSON.stringify(withRecords(props.stack, terraform, props.owner), null, 2)]]),
    steps,
    env: TERRAFORM_ENV,
    dataDir: DATA_DIR,
    backendCredentials: backendCredentials(delivery.backend),
    secretVariables: props.secrets.map((binding) => ({ name: `TF_VAR_${binding.variable}`, binding })),
  };
}

// The plan a run without the drift check's plan saves, when plan policies must see it first.
const FALLBACK_PLAN = 'plan';
const FALLBACK_PLAN_FILE = 'checked.tfplan';

/** Terraform's data folder in the run's working folder (TF_DATA_DIR). */
export const DATA_DIR = '.terraform';

/** Starts the owner precondition's message, followed by the recorded owner as JSON (`null` when the state records none). */
export const OWNER_MARKER = 'kratix-cdktf-owner:';
/** The variable that lets an apply record its request as the owner of a state that records none: set only after the owner check. */
export const RECORD_OWNER = 'kratix_cdktf_record_owner';
/** The resource that records a state's owner: the same as the GitOps owner guard's (ownerGuard). */
export const OWNER_ADDRESS = `terraform_data.${OWNER_OUTPUT}`;

/**
 * The owner record added to an apply-mode stack, the GitOps owner guard's (`ownerGuard`) with one
 * addition. A `terraform_data` resource keeps the owner of the state's first apply
 * (ignore_changes), and the owner output's precondition fails the plan, before anything changes,
 * unless it is this request. Where the state has no such resource (a new workspace, or a state
 * written before owners were recorded as a resource, whose owner is only in its output), an import
 * block brings in an empty one, whose owner is a known null at plan time: the plan fails too,
 * rather than creating the record unchecked. Once the run has checked the output, it applies
 * with `-var=kratix_cdktf_record_owner=true`, which drops the import, and the resource is
 * created with this request as the owner. An import of a resource the state already has does
 * nothing; destroy checks no precondition and imports nothing.
 */
export function ownerRecord(stack: TerraformJson, owner: string): Record<string, unknown> {
  const recorded = `${OWNER_ADDRESS}.output`;
  const section = (name: string) => (stack[name] as Record<string, any> | undefined) ?? {};
  const imports = stack.import as unknown;
  return {
    variable: {
      ...section('variable'),
      [RECORD_OWNER]: {
        type: 'bool',
        default: false,
        description: 'Set by the kratix-cdktf workflow once it has checked that the state records no other owner.',
      },
    },
    import: [
      ...(Array.isArray(imports) ? imports : imports ? [imports] : []),
      { for_each: `\${var.${RECORD_OWNER} ? [] : ["unrecorded"]}`, to: OWNER_ADDRESS, id: 'unrecorded' },
    ],
    resource: {
      ...section('resource'),
      terraform_data: { ...section('resource').terraform_data, [OWNER_OUTPUT]: { input: owner, lifecycle: [{ ignore_changes: ['input'] }] } },
    },
    output: {
      ...section('output'),
      [OWNER_OUTPUT]: {
        value: `\${${recorded}}`,
        precondition: [
          {
            condition: `\${${recorded} == ${JSON.stringify(owner)}}`,
            error_message: `The state in this workspace must record this request (${owner}) as its owner; nothing was changed. ${OWNER_MARKER} \${jsonencode(${recorded})}`,
          },
        ],
      },
    },
  };
}

// The request's stack with the backend, the owner record and the stack record (drift.ts).
function withRecords(stack: TerraformJson, terraform: Record<string, unknown>, owner: string): Record<string, unknown> {
  const owned = ownerRecord(stack, owner);
  const resource = owned.resource as Record<string, Record<string, unknown>>;
  return {
    ...stack,
    terraform,
    ...owned,
    resource: { ...resource, terraform_data: { ...resource.terraform_data, [STACK_RECORD]: stackRecord(stack) } },
  };
}

function step(phase: string, purpose: string, args: readonly string[], json = false): TerraformStep {
  return { phase, purpose, attempts: [{ args }], json, optional: false };
}

/**
 * The script as a readable (and runnable) shell script: the commands with their arguments in
 * order, with `||` for alternatives and `set -e` to stop where the run stops, and the environment
 * the run reads, by name only.
 */
export function commandsScript(script: TerraformScript): string {
  const { props } = script;
  const providers = Object.keys((props.stack.provider as Record<string, unknown> | undefined) ?? {}).sort();
  const lines = [
    '#!/bin/sh',
    `# The terraform commands the ${props.promise} workflow runs for this request (action: ${props.action}${props.dryRun ? ', dry run' : ''}),`,
    '# in order, in a fresh folder holding only main.tf.json. Written by `kratix-cdktf render`: none of',
    '# them has been run. `kratix-cdktf render --apply` runs them, as the workflow container does.',
    '#',
    "# Environment: terraform gets the workflow's whole environment (the Pipeline's env and envFrom).",
    '# Credentials come only from there, never from main.tf.json. By name:',
    `#   the ${props.delivery.backend.kind} backend reads: ${script.backendCredentials.join(', ')}`,
    ...(providers.length ? [`#   providers read their own credentials (${providers.join(', ')})`] : []),
    ...script.secretVariables.map(
      ({ name, binding }) =>
        `#   ${name}: set by the workflow from the Secret ${JSON.stringify(`${props.namespace}/${binding.secretName}`)}, key ${JSON.stringify(binding.secretKey)} (Kubernetes API)`,
    ),
    'set -e',
    'cd "$(dirname "$0")"',
    `export TF_DATA_DIR="$PWD/${script.dataDir}" ${Object.entries(script.env)
      .map(([name, value]) => `${name}=${shellWord(value)}`)
      .join(' ')}`,
  ];
  // The environment the steps set (TF_WORKSPACE), exported when it changes, for the commands after it.
  let exported: Readonly<Record<string, string>> = {};
  const environment = (env: Readonly<Record<string, string>> = {}) => {
    const changes: string[] = [];
    for (const name of new Set([...Object.keys(exported), ...Object.keys(env)]).values()) {
      if (env[name] === exported[name]) continue;
      changes.push(env[name] === undefined ? `unset ${name}` : `export ${name}=${shellWord(env[name])}`);
    }
    exported = env;
    return changes;
  };
  const commands = (s: TerraformStep): string[] => {
    if (s.policyGate) return [": # the workflow has the Promise's plan policies judge the saved plan here; this script does not"];
    if (s.expectOutput) {
      // Absent (a new or older state) or this request: anything else stops the script.
      const { value } = s.expectOutput;
      return [
        `${s.attempts[0]!.args.reduce((line, a) => `${line} ${shellWord(a)}`, 'terraform')} > .owner 2>/dev/null || : > .owner`,
        `[ ! -s .owner ] || [ "$(cat .owner)" = ${shellWord(JSON.stringify(value))} ] || { echo "the state in this workspace belongs to $(cat .owner)" >&2; exit 1; }`,
      ];
    }
    const command = s.attempts.map((a) => ['terraform', ...a.args].map(shellWord).join(' ')).join(' || ');
    return [s.optional ? `${command} || true` : command];
  };
  const { steps } = script;
  const file = (phase: string, ext: string) => `.${phase.replaceAll(' ', '-')}.${ext}`;
  // One step's lines, with the steps that depend on its outcome written inside its branches.
  const emit = (i: number): string[] => {
    const s = steps[i]!;
    const out = [`# ${s.phase}: ${s.purpose}`, ...environment(s.env)];
    if (s.onlyIfPlan && s.attempts.length > 1 && (props.delivery.drift ?? 'correct') === 'report')
      out.push(
        "# (drift: 'report': the workflow applies nothing when the check found only drift, and, when it found",
        '#  drift and requested changes, plans again with -target=<address> for each requested change)',
      );
    const dependents = steps.flatMap((_, j) => (followedStep(steps, j) === i ? [j] : []));
    // The steps that read this plan: those whose latest earlier step of its phase is this one.
    const readers = (...shows: string[]) =>
      steps.flatMap((d, j) => (d.onlyIfPlan?.phase === s.phase && shows.includes(d.onlyIfPlan.shows) && latestStep(steps, s.phase, j) === i ? [j] : []));
    const nested = (indices: number[]) => indices.flatMap(emit).map((line) => `  ${line}`);
    if (s.detailedExitCode) {
      // Exit code 2: the plan changes something; 0: nothing; any other: it failed.
      out.push('set +e', `${commands({ ...s, optional: false })[0]} > ${file(s.phase, 'out')}`, 'checked=$?', 'set -e');
      out.push('if [ "$checked" = 2 ]; then', ...nested(readers('request changes', 'changes')));
      out.push('elif [ "$checked" = 0 ]; then', ...nested(readers('no changes')));
      // A failure goes on only to the steps that follow it, and only when it says what they need.
      const says = dependents.length ? steps[dependents[0]!]!.onlyAfter!.says : undefined;
      const stop = [`cat ${file(s.phase, 'out')} >&2`, 'exit 1'];
      const guard = says ? [`grep -qF ${shellWord(says)} ${file(s.phase, 'out')} || { ${stop.join('; ')}; }`] : [];
      out.push('else', ...(dependents.length ? [...guard.map((l) => `  ${l}`), ...nested(dependents)] : stop.map((l) => `  ${l}`)), 'fi');
    } else if (s.onlyIfPlan?.shows === 'request changes') {
      // Only when the plan changes a resource other than the records.
      out.push(
        `if grep -E '"type":"(planned_change|resource_drift)"' ${file(s.onlyIfPlan.phase, 'out')} | grep -qv '"addr":"terraform_data.kratix_cdktf_'; then`,
        `  ${commands({ ...s, optional: false })[0]} > ${file(s.phase, 'json')} || true`,
        'fi',
      );
    } else if (dependents.length) {
      const says = steps[dependents[0]!]!.onlyAfter!.says;
      const saved = file(s.phase, 'out');
      out.push(
        `${commands(s)[0]} > ${saved} || {`,
        `  # Only a failure that says ${JSON.stringify(says)} goes on:`,
        `  grep -qF ${shellWord(says)} ${saved} || { cat ${saved} >&2; exit 1; }`,
        ...nested(dependents),
        '}',
      );
    } else out.push(...commands(s));
    return out;
  };
  steps.forEach((s, i) => {
    // A step that runs only after another's outcome is written inside that step's branches.
    if (!s.onlyAfter && !s.onlyIfPlan) lines.push('', ...emit(i));
  });
  return `${lines.join('\n')}\n`;
}

/** For a step that runs only after another's failure ({@link TerraformStep.onlyAfter}), the index of that step: the latest earlier one of its phase; -1 for any other step. */
export function followedStep(steps: readonly TerraformStep[], index: number): number {
  const phase = steps[index]?.onlyAfter?.phase;
  return phase === undefined ? -1 : latestStep(steps, phase, index);
}

/** The index of the latest step of phase `phase` before `before`; -1 when there is none. Phase names repeat: the nearest one is meant. */
export function latestStep(steps: readonly TerraformStep[], phase: string, before: number): number {
  for (let i = before - 1; i >= 0; i--) if (steps[i]!.phase === phase) return i;
  return -1;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
