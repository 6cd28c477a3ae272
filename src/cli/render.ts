import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseKubernetesYaml, toYaml } from '../artifacts/yaml.js';
import { deliveryOf } from '../delivery/index.js';
import { apiNames } from '../kratix/crd.js';
import { runWorkflow, type WorkflowLog } from '../workflow/run.js';
import { mergeStatus } from '../workflow/status.js';
import { loadPromise, type ProjectConfig } from './project.js';

/** Options for {@link render}. */
export interface RenderOptions {
  readonly promise: string;
  readonly requestFile: string;
  readonly outDir: string;
  /** @default "configure" */
  readonly action?: 'configure' | 'delete';
  /**
   * Apply mode: run Terraform for real, with `env`'s credentials, as the workflow container does.
   * Without it, render writes what Terraform would get to `<out>/terraform/` and runs nothing.
   * Refused for tofu-controller Promises, for which render never runs Terraform.
   * @default false
   */
  readonly apply?: boolean;
  /**
   * The environment the workflow sees, as a Pipeline's env and envFrom would provide it.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses `render`'s command line; on a usage error, says what is wrong. */
export function parseRenderArgs(args: readonly string[]): { ok: true; value: RenderOptions } | { ok: false; message: string } {
  const options = { out: { type: 'string' }, action: { type: 'string', default: 'configure' }, apply: { type: 'boolean', default: false } } as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (e) {
    // parseArgs names the option: "Unknown option '--aply'", "Option '--apply' does not take an argument".
    return { ok: false, message: `render: ${(e as Error).message.split('. ')[0]}` };
  }
  const { values, positionals } = parsed;
  const [promise, requestFile] = positionals;
  if (!promise || !requestFile || !values.out || positionals.length > 2)
    return { ok: false, message: 'render needs a Promise name, a request file and --out <dir>' };
  if (values.action !== 'configure' && values.action !== 'delete')
    return { ok: false, message: `--action must be configure or delete, not ${JSON.stringify(values.action)}` };
  return { ok: true, value: { promise, requestFile, outDir: values.out, action: values.action, apply: values.apply } };
}

/**
 * Runs a Promise's resource workflow for one request file locally, through the same code as
 * the container, emulating Kratix around it: a fresh `<out>/input/object.yaml` (read-only),
 * empty `<out>/output` and `<out>/metadata`, the KRATIX_* environment, and the status merge,
 * whose result is written to `<out>/object.yaml`, as Kratix's status-writer would: only after
 * a zero exit. For an apply-mode Promise it stops before Terraform unless `apply` is set,
 * writing `<out>/terraform/main.tf.json` and `commands.sh`. Returns the workflow's exit code,
 * or 1 when the run asked Kratix to suspend or retry it (workflow-control.yaml).
 * @example await render(readConfig('.'), { promise: 'postgres', requestFile: 'r.yaml', outDir: 'out' }, console)
 */
export async function render(config: ProjectConfig, options: RenderOptions, log: WorkflowLog): Promise<number> {
  const loaded = await loadPromise(config, options.promise, { example: false });
  const applyMode = deliveryOf(loaded.definition).runsTerraform;
  if (options.apply && !applyMode) {
    log.error(
      `render --apply: ${loaded.name} delivers through ${deliveryOf(loaded.definition).kind} (GitOps), so render only writes files and never runs terraform for it; there is nothing to apply here\n    fix: drop --apply`,
    );
    return 1;
  }
  const out = resolve(config.root, options.outDir);
  const dirs = { input: join(out, 'input'), output: join(out, 'output'), metadata: join(out, 'metadata') };
  const terraformDir = join(out, 'terraform');
  for (const dir of Object.values(dirs)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  // Left over from an earlier render, they would describe a different run.
  rmSync(terraformDir, { recursive: true, force: true });
  rmSync(join(out, 'object.yaml'), { force: true });
  const inputFile = join(dirs.input, 'object.yaml');
  copyFileSync(resolve(config.root, options.requestFile), inputFile);
  chmodSync(inputFile, 0o444);
  const object = tryParse(readFileSync(inputFile, 'utf8'));
  const names = apiNames(loaded.definition.api);
  const metadata = (object as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata;
  const env = {
    // The caller's environment first (PATH for terraform, backend and cloud credentials), as a
    // Pipeline's env and envFrom would provide them; then what Kratix sets.
    ...(options.env ?? process.env),
    KRATIX_WORKFLOW_ACTION: options.action ?? 'configure',
    KRATIX_WORKFLOW_TYPE: 'resource',
    KRATIX_PROMISE_NAME: loaded.name,
    KRATIX_PIPELINE_NAME: 'terraform',
    KRATIX_OBJECT_KIND: names.kind,
    KRATIX_OBJECT_GROUP: names.group,
    KRATIX_OBJECT_VERSION: names.version,
    KRATIX_OBJECT_NAME: String(metadata?.name ?? ''),
    KRATIX_OBJECT_NAMESPACE: String(metadata?.namespace ?? 'default'),
    KRATIX_CRD_PLURAL: names.plural,
    KRATIX_CLUSTER_SCOPED: 'false',
    KRATIX_CDKTF_INPUT_DIR: dirs.input,
    KRATIX_CDKTF_OUTPUT_DIR: dirs.output,
    KRATIX_CDKTF_METADATA_DIR: dirs.metadata,
  };
  // Without --apply nothing runs or is sent anywhere, whatever the delivery.
  const renderOnly = !options.apply;
  const code = await runWorkflow(loaded.definition, env, log, renderOnly ? { renderTerraformTo: terraformDir } : {});
  if (code !== 0) {
    // Kratix runs the workflow as an init container: a non-zero exit fails the pod before its
    // status-writer runs, so nothing the run wrote reaches the request.
    log.error(`the workflow exited with ${code}: in Kratix the pipeline's Job fails and none of its status reaches the request`);
    return code;
  }
  const statusFile = join(dirs.metadata, 'status.yaml');
  if (existsSync(statusFile) && object && typeof object === 'object') {
    // Status holds the tenant's values; the library must not print them in a warning.
    const written = parseYaml(readFileSync(statusFile, 'utf8'), { logLevel: 'error' }) as Record<string, unknown>;
    const previous = (object as { status?: Record<string, unknown> }).status;
    const merged = mergeStatus(previous, written);
    // Kratix's status-writer overwrites the message of a dry run.
    if ((env as Record<string, string | undefined>).KRATIX_DRY_RUN === 'true') merged.message = 'Dry run executed';
    writeFileSync(join(out, 'object.yaml'), toYaml({ ...(object as object), status: merged }));
  }
  const control = readControl(join(dirs.metadata, 'workflow-control.yaml'));
  if (control?.suspend) {
    log.error(`Kratix suspends this workflow until the request's spec changes (or kratix.io/manual-reconciliation=true is set): ${control.message ?? ''}`);
    return 1;
  }
  if (control?.retryAfter) {
    log.error(`Kratix runs this pipeline again in ${control.retryAfter}: ${control.message ?? ''}`);
    return 1;
  }
  const shown = (name: string) => join(options.outDir, name);
  // A GitOps delivery's run is complete without Terraform: its files are the output.
  if (!applyMode) log.info(`  status: ${shown('object.yaml')}`);
  if (renderOnly && applyMode) {
    log.info(`  wrote ${shown('terraform/main.tf.json')}: the configuration terraform would get, with its backend; no credentials`);
    log.info(`  wrote ${shown('terraform/commands.sh')}: the terraform commands, in order, and the environment variables they read`);
    log.info(`  status: ${shown('object.yaml')}`);
    const again = [
      'kratix-cdktf',
      'render',
      options.promise,
      options.requestFile,
      '--out',
      options.outDir,
      ...(options.action === 'delete' ? ['--action', 'delete'] : []),
      '--apply',
    ];
    log.info(`Nothing was applied. To run terraform for real, with this shell's environment and credentials:\n  ${again.join(' ')}`);
  }
  return code;
}

// workflow-control.yaml as Kratix reads it (suspend, retryAfter, message), when the run wrote one.
function readControl(file: string): { suspend?: boolean; retryAfter?: string; message?: string } | undefined {
  if (!existsSync(file)) return undefined;
  return parseYaml(readFileSync(file, 'utf8'), { logLevel: 'error' }) as { suspend?: boolean; retryAfter?: string; message?: string };
}

function tryParse(text: string): unknown {
  try {
    return parseKubernetesYaml(text);
  } catch {
    return undefined;
  }
}
