import type { ApplyProps } from './options.js';
import type { SecretBinding } from '../../terraform/secrets.js';
import type { TerraformJson } from '../../terraform/stack.js';
import { backendBlock, backendCredentials, namesItsOwnWorkspace } from './backend.js';
import { durationMs } from '../../workflow/control.js';
import { OWNER_OUTPUT } from '../owner.js';
import { TERRAFORM_ENV } from './terraform-cli.js';

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
  /** What the run's result is read from: the change counts, or the outputs. */
  readonly reads?: 'changes' | 'outputs';
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
  const steps: TerraformStep[] = [
    {
      ...step('init', 'install the providers from the mirror and open the backend', ['init', '-input=false', '-no-color']),
      retryWhen: SETUP_RACE,
      retryWithinMs: SETUP_RACE_WAIT_MS,
    },
  ];
  if (!ownWorkspace && props.dryRun) {
    // A dry run must leave no trace: a request that has no workspace yet is planned in the
    // default workspace, which no request uses and which holds no state, instead of creating one.
    steps.push({
      ...step('workspace select', "select the request's own workspace; a new request's dry run plans in the empty default workspace", []),
      attempts: [
        { args: ['workspace', 'select', '-no-color', slug], quiet: true },
        { args: ['workspace', 'select', '-no-color', 'default'], after: /Workspace ".*" doesn't exist/ },
      ],
    });
  } else if (!ownWorkspace) {
    // Creating a workspace takes a backend-wide lock in some backends (pg uses one advisory lock
    // for every new workspace), so two first runs of different requests can meet there:
    // `workspace new` waits for the lock, and a workspace created meanwhile by another run is
    // simply selected.
    steps.push({
      ...step('workspace select', "select the request's own workspace, creating it on the first run", []),
      ...lockWait,
      attempts: [
        { args: ['workspace', 'select', '-no-color', slug], quiet: true },
        { args: ['workspace', 'new', '-no-color', lock, slug] },
        { args: ['workspace', 'select', '-no-color', slug], quiet: true },
      ],
    });
  }
  // Before anything changes: a request must never apply to, or destroy, another request's state,
  // whatever its workspace is named. State written before the owner was recorded has none.
  steps.push({
    ...step('owner check', 'make sure the state in this workspace is this request’s', ['output', '-no-color', '-json', OWNER_OUTPUT]),
    expectOutput: { name: OWNER_OUTPUT, value: props.owner },
  });
  if (props.action === 'configure') {
    if (props.dryRun)
      // A plan writes no state, so it takes no lock: pg would take its backend-wide lock for a
      // workspace with no state row, and the kubernetes backend would leave a Lease behind.
      steps.push({ ...step('plan', 'plan only (KRATIX_DRY_RUN=true)', ['plan', '-input=false', '-no-color', '-json', '-lock=false'], true), reads: 'changes' });
    else {
      steps.push({
        ...step('apply', 'plan and apply under one state lock', ['apply', '-auto-approve', '-input=false', '-no-color', '-json', lock], true),
        reads: 'changes',
      });
      steps.push({ ...step('output', 'read the outputs for status.outputs', ['output', '-json', '-no-color']), optional: true, reads: 'outputs' });
    }
  } else if (props.dryRun) {
    steps.push({
      ...step('plan', 'plan the destroy only (KRATIX_DRY_RUN=true)', ['plan', '-destroy', '-input=false', '-no-color', '-json', '-lock=false'], true),
      reads: 'changes',
    });
  } else {
    steps.push({
      ...step('destroy', "destroy the request's resources", ['destroy', '-auto-approve', '-input=false', '-no-color', '-json', lock], true),
      reads: 'changes',
    });
    // HCP Terraform workspaces are not deleted from the CLI; the platform team removes them.
    if (!ownWorkspace) {
      steps.push(step('workspace select', 'leave the workspace, which cannot delete itself', ['workspace', 'select', '-no-color', 'default']));
      steps.push({
        ...step('workspace delete', "delete the request's workspace, which removes its state", ['workspace', 'delete', '-no-color', lock, slug]),
        ...lockWait,
      });
    }
  }
  const terraform = { ...((props.stack.terraform as Record<string, unknown> | undefined) ?? {}), ...backendBlock(delivery.backend, props.promise, slug) };
  const output = { ...((props.stack.output as Record<string, unknown> | undefined) ?? {}), [OWNER_OUTPUT]: { value: props.owner } };
  return {
    props,
    files: new Map([['main.tf.json', JSON.stringify({ ...props.stack, terraform, output }, null, 2)]]),
    steps,
    env: TERRAFORM_ENV,
    dataDir: '.terraform',
    backendCredentials: backendCredentials(delivery.backend),
    secretVariables: props.secrets.map((binding) => ({ name: `TF_VAR_${binding.variable}`, binding })),
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
  for (const s of script.steps) {
    lines.push('', `# ${s.phase}: ${s.purpose}`);
    if (s.expectOutput) {
      // Absent (a new or older state) or this request: anything else stops the script.
      const { value } = s.expectOutput;
      lines.push(
        `${s.attempts[0]!.args.reduce((line, a) => `${line} ${shellWord(a)}`, 'terraform')} > .owner 2>/dev/null || : > .owner`,
        `[ ! -s .owner ] || [ "$(cat .owner)" = ${shellWord(JSON.stringify(value))} ] || { echo "the state in this workspace belongs to $(cat .owner)" >&2; exit 1; }`,
      );
      continue;
    }
    const command = s.attempts.map((a) => ['terraform', ...a.args].map(shellWord).join(' ')).join(' || ');
    lines.push(s.optional ? `${command} || true` : command);
  }
  return `${lines.join('\n')}\n`;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
