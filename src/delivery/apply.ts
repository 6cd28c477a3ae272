import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyDelivery } from '../promise/delivery.js';
import type { OutputProps, OutputValue } from '../promise/define-promise.js';
import type { SecretBinding } from '../terraform/secrets.js';
import type { TerraformJson } from '../terraform/stack.js';
import { backendBlock, namesItsOwnWorkspace } from './backend.js';
import { readSecretKey, SecretMissingError } from './kube-secrets.js';
import { redactor, terraform, type TerraformCliProps, type TerraformRun } from './terraform-cli.js';

/** One apply-mode run for one request. */
export interface ApplyRunProps {
  readonly delivery: ApplyDelivery;
  readonly promise: string;
  readonly slug: string;
  readonly namespace: string;
  readonly stack: TerraformJson;
  readonly secrets: readonly SecretBinding[];
  readonly outputs: Readonly<Record<string, OutputProps>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
}

/** What an apply-mode run reports into status. */
export type ApplyResult =
  | { readonly ok: true; readonly message: string; readonly outputs: Record<string, OutputValue>; readonly summary: Record<string, unknown> }
  | { readonly ok: false; readonly phase: string; readonly message: string; readonly errors: readonly string[]; readonly summary: Record<string, unknown> };

/**
 * Plans and applies a request's stack in its own workspace: `apply -auto-approve` plans and
 * applies under one state lock, so a second run of the same request waits for the first and then
 * finds nothing to change. A dry run stops after the plan.
 */
export async function applyStack(props: ApplyRunProps): Promise<ApplyResult> {
  return withWorkspace(props, async (cli, summary) => {
    const lock = `-lock-timeout=${props.delivery.lockTimeout ?? '5m'}`;
    const run = await terraform(cli, props.dryRun ? ['plan', '-input=false', '-no-color', '-json', lock] : ['apply', '-auto-approve', '-input=false', '-no-color', '-json', lock], true);
    const changes = run.changes ?? { add: 0, change: 0, remove: 0 };
    const withChanges = { ...summary, changes: { add: changes.add, change: changes.change, destroy: changes.remove } };
    if (run.code !== 0) return failed(props.dryRun ? 'plan' : 'apply', run, withChanges);
    if (props.dryRun) return { ok: true, message: `Dry run: the plan would add ${changes.add}, change ${changes.change}, destroy ${changes.remove}`, outputs: {}, summary: withChanges };
    const outputs = await readOutputs(cli, props.outputs);
    const none = changes.add + changes.change + changes.remove === 0;
    const message = none ? 'Terraform applied: no changes' : `Terraform applied: ${changes.add} added, ${changes.change} changed, ${changes.remove} destroyed`;
    return { ok: true, message, outputs, summary: withChanges };
  });
}

/** Destroys a request's resources, then deletes its workspace, which removes the state. */
export async function destroyStack(props: ApplyRunProps): Promise<ApplyResult> {
  return withWorkspace({ ...props, secretsOptional: true }, async (cli, summary) => {
    const lock = `-lock-timeout=${props.delivery.lockTimeout ?? '5m'}`;
    if (props.dryRun) {
      const plan = await terraform(cli, ['plan', '-destroy', '-input=false', '-no-color', '-json', lock], true);
      if (plan.code !== 0) return failed('plan', plan, summary);
      return { ok: true, message: `Dry run: destroying would remove ${plan.changes?.remove ?? 0} resources`, outputs: {}, summary };
    }
    const run = await terraform(cli, ['destroy', '-auto-approve', '-input=false', '-no-color', '-json', lock], true);
    if (run.code !== 0) return failed('destroy', run, summary);
    const destroyed = run.changes?.remove ?? 0;
    const what = `Terraform destroyed ${destroyed} resource${destroyed === 1 ? '' : 's'}`;
    // HCP Terraform workspaces are not deleted from the CLI; the platform team removes them.
    if (namesItsOwnWorkspace(props.delivery.backend)) return { ok: true, message: `${what}; the HCP Terraform workspace ${props.slug} is kept`, outputs: {}, summary };
    const select = await terraform(cli, ['workspace', 'select', '-no-color', 'default']);
    if (select.code !== 0) return failed('workspace select', select, summary);
    const remove = await terraform(cli, ['workspace', 'delete', '-no-color', lock, props.slug]);
    if (remove.code !== 0) return failed('workspace delete', remove, summary);
    return { ok: true, message: `${what} and removed the state`, outputs: {}, summary };
  });
}

async function withWorkspace(
  props: ApplyRunProps & { readonly secretsOptional?: boolean },
  body: (cli: TerraformCliProps, summary: Record<string, unknown>) => Promise<ApplyResult>,
): Promise<ApplyResult> {
  const summary: Record<string, unknown> = { delivery: 'apply', backend: props.delivery.backend.kind, workspace: props.slug };
  const secretValues: string[] = [];
  const tfVars: Record<string, string> = {};
  try {
    for (const binding of props.secrets) {
      let value: string;
      try {
        value = await readSecretKey(props.env, props.namespace, binding.secretName, binding.secretKey);
      } catch (e) {
        // Destroying rarely needs the value, and a tenant may delete the Secret first: deletion
        // must not get stuck on it. Any other failure (403, an unreachable API) still counts.
        if (!props.secretsOptional || !(e instanceof SecretMissingError)) throw e;
        props.log(`  ${(e as Error).message}; destroying with an empty value for ${binding.variable}`);
        value = '';
      }
      secretValues.push(value);
      tfVars[`TF_VAR_${binding.variable}`] = value;
    }
  } catch (e) {
    return { ok: false, phase: 'secrets', message: `Reading a referenced Secret failed: ${(e as Error).message}`, errors: [(e as Error).message], summary };
  }
  const redact = redactor(props.env, secretValues);
  // A fresh folder per run: the container starts empty anyway, and a local run must not reuse
  // another run's plugins, plans or workspace selection.
  const base = props.env.KRATIX_CDKTF_WORK_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `kratix-cdktf-${props.slug}-`));
  try {
    const terraformBlock = { ...((props.stack.terraform as Record<string, unknown> | undefined) ?? {}), ...backendBlock(props.delivery.backend, props.promise, props.slug) };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ ...props.stack, terraform: terraformBlock }, null, 2));
    const cli: TerraformCliProps = { cwd: dir, env: { ...props.env, ...tfVars, TF_DATA_DIR: join(dir, '.terraform') }, log: props.log, redact };
    const init = await terraform(cli, ['init', '-input=false', '-no-color']);
    if (init.code !== 0) return failed('init', init, summary);
    if (!namesItsOwnWorkspace(props.delivery.backend)) {
      const selected = await selectWorkspace(cli, props.slug, props.delivery.lockTimeout ?? '5m');
      if (selected) return failed('workspace select', selected, summary);
    }
    return await body(cli, summary);
  } finally {
    // The folder can hold plan files with sensitive values.
    rmSync(dir, { recursive: true, force: true });
  }
}

// Creating a workspace takes a backend-wide lock in some backends (pg uses one advisory lock for
// every new workspace), so two first runs of different requests can meet there: `workspace new`
// waits for the lock, and a workspace created meanwhile by another run is simply selected.
async function selectWorkspace(cli: TerraformCliProps, slug: string, lockTimeout: string): Promise<TerraformRun | undefined> {
  if ((await terraform(cli, ['workspace', 'select', '-no-color', slug])).code === 0) return undefined;
  const created = await terraform(cli, ['workspace', 'new', '-no-color', `-lock-timeout=${lockTimeout}`, slug]);
  if (created.code === 0) return undefined;
  const again = await terraform(cli, ['workspace', 'select', '-no-color', slug]);
  return again.code === 0 ? undefined : created;
}

async function readOutputs(cli: TerraformCliProps, declared: Readonly<Record<string, OutputProps>>): Promise<Record<string, OutputValue>> {
  const run = await terraform(cli, ['output', '-json', '-no-color']);
  if (run.code !== 0) return {};
  const values = JSON.parse(run.stdout || '{}') as Record<string, { value: unknown; sensitive: boolean }>;
  const outputs: Record<string, OutputValue> = {};
  for (const name of Object.keys(declared)) {
    const output = values[name];
    if (!output) continue;
    // Present, but never its value: status ends up in etcd and often in git.
    if (output.sensitive || declared[name]!.sensitive) outputs[name] = '(sensitive)';
    else outputs[name] = typeof output.value === 'object' ? cli.redact(JSON.stringify(output.value)) : (output.value as OutputValue);
    if (typeof outputs[name] === 'string') outputs[name] = cli.redact(outputs[name] as string);
  }
  return outputs;
}

// Terraform's errors can quote whole configurations; status keeps the first few, cut short.
function failed(phase: string, run: TerraformRun, summary: Record<string, unknown>): ApplyResult {
  const all = run.errors.length ? run.errors : [`terraform ${phase} exited with ${run.code}`];
  const errors = all.slice(0, 5).map((e) => (e.length > 500 ? `${e.slice(0, 497)}...` : e));
  return { ok: false, phase, message: `Terraform ${phase} failed: ${errors.join('; ')}`, errors, summary };
}
