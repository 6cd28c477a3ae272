import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { embeddedManifests } from '../artifacts/manifests.js';
import { toYaml } from '../artifacts/yaml.js';
import { runApplyDelivery, type ApplyResult } from '../delivery/apply.js';
import { requestOwner } from '../delivery/owner.js';
import { credentialsIn } from '../delivery/terraform-cli.js';
import { commandsScript, terraformScript, type TerraformScriptProps } from '../delivery/terraform-script.js';
import { deliverRequest, type DeliveryResult } from '../delivery/tofu-controller.js';
import type { ResolvedManifests } from '../kratix/dependencies.js';
import { parseRequest, requestApi } from '../kratix/request.js';
import { tofuController, type ApplyDelivery, type TofuControllerDelivery } from '../promise/delivery.js';
import type { PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { formatIssues, IssuesError, type Issue } from '../schema/issue.js';
import { physicalName } from '../terraform/physical-name.js';
import { StackError } from '../terraform/errors.js';
import { synthRequest, type SynthesizedStack } from '../terraform/stack.js';
import { durationMs } from '../delivery/terraform-script.js';
import { readContext, type WorkflowContext } from './context.js';
import { retryAttempts, workflowControlFile, type Ending } from './control.js';
import { runPromiseWorkflow } from './dependencies.js';
import { writeAllOrNothing } from './files.js';
import { readRequestFile } from './input.js';
import { condition, describeIssues, type Condition } from './status.js';

/** Where the workflow reports progress (stdout) and failures (stderr). */
export interface WorkflowLog {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

// A dry run's result in the output, which Kratix sends to the DryRun's summary.
const DRY_RUN_FILE = 'dry-run.yaml';

// Kratix stores the Work in etcd; keep well under its 1 MiB object limit, gzipped.
const MAX_OUTPUT_GZIP_BYTES = 512 * 1024;
// A Secret's data may be at most 1 MiB, uncompressed; leave room for its metadata.
const MAX_OBJECT_BYTES = 1000 * 1024;

/** Options for {@link runWorkflow}: what the workflow image carries, and how `render` runs it. */
export interface RunWorkflowProps {
  /**
   * Apply mode only: instead of running Terraform, write what the run would give it into this
   * folder (`main.tf.json`, and `commands.sh` with the commands in order) and stop. Nothing runs:
   * no terraform, no Kubernetes API. Status says nothing was applied. Used by `render`.
   * @default undefined: Terraform runs
   */
  readonly renderTerraformTo?: string;
  /** The objects of the manifest files the Promise's `dependencies` name, read at build time. @default none */
  readonly manifests?: ResolvedManifests;
  /**
   * The texts of the YAML files in the Promise's folder, by path, as the workflow image carries
   * them; the manifest files are parsed from these, only when the Promise workflow runs.
   * @default none
   */
  readonly manifestTexts?: Readonly<Record<string, string>>;
  /**
   * Apply mode: stops the run (the container got SIGTERM). The running terraform command is
   * signalled and waited for, no further one starts, and the run ends as a failed one.
   * @default undefined: the run goes to its end
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs one Kratix workflow for a Promise, as its container does: reads the request, validates
 * it, synthesizes its stack and hands it to the Promise's delivery, writing output and status
 * all or nothing; or, as the Promise's own workflow, writes its dependencies. Returns the exit
 * code: 0 when the run ended as Kratix can report it, done or not (a refused request or a failed
 * Terraform run writes status.yaml and workflow-control.yaml: control.ts); 1 for those with
 * KRATIX_CDKTF_WORKFLOW_CONTROL=false; 2 when the run itself is broken.
 */
export async function runWorkflow(
  def: PromiseDefinition,
  env: Readonly<Record<string, string | undefined>>,
  log: WorkflowLog,
  props: RunWorkflowProps = {},
): Promise<number> {
  const ctx = readContext(env);
  if (typeof ctx === 'string') {
    log.error(`kratix-cdktf: ${ctx}`);
    return 2;
  }
  if (ctx.type === 'promise') return runPromiseWorkflow(def, ctx, log, props.manifests ?? embeddedManifests(def, props.manifestTexts ?? {}));
  const delivery = def.delivery ?? tofuController();
  if (ctx.action === 'delete' && delivery.kind === 'tofu-controller') {
    // Kratix deletes the Work, Flux prunes the Terraform object and tofu-controller destroys the
    // stack (destroyResourcesOnDeletion). Nothing is validated, so deletion is never blocked.
    log.info(`${def.name}: tofu-controller destroys the stack when Kratix removes this request's Work`);
    return 0;
  }
  const run = new Run(def, ctx, log);
  // A request that has become invalid (say, after a schema change) must still be destroyable.
  const prepared = run.prepare({ lenient: ctx.action === 'delete' });
  if (typeof prepared === 'number') return prepared;
  if (delivery.kind === 'tofu-controller') return run.writeGitOps(prepared, delivery);
  if (props.renderTerraformTo !== undefined) return run.renderTerraform(prepared, delivery, props.renderTerraformTo);
  return run.apply(prepared, delivery, props.signal);
}

interface Prepared {
  readonly heading: string;
  readonly request: ResourceRequest<unknown>;
  readonly slug: string;
  readonly synthesized: SynthesizedStack;
}

class Run {
  private readonly now: Date;
  /** The request as Kratix wrote it, status included (its retry count), once read. */
  private input: unknown;
  constructor(
    private readonly def: PromiseDefinition,
    private readonly ctx: WorkflowContext,
    private readonly log: WorkflowLog,
  ) {
    this.now = ctx.now();
  }

  /**
   * Reads, validates and synthesizes; returns an exit code when the request is refused. With
   * `lenient`, validation issues are logged and the defaulted request is used as it is.
   */
  prepare(options: { lenient?: boolean } = {}): Prepared | number {
    const { def, ctx } = this;
    const api = requestApi(def);
    if (!api.ok) return this.refuse(`${def.name}: the Promise definition is invalid`, 'RequestValid', 'InvalidPromise', api.issues);
    const input = readRequestFile(ctx.inputFile);
    if (!input.ok) return this.refuse(`${def.api.kind}: unreadable request`, 'RequestValid', 'InvalidRequest', input.issues);
    this.input = input.value;
    const heading = `${def.api.kind} ${describeObject(input.value)}`;
    let request = parseRequest(api.value, input.value, ctx.objectNamespace);
    if (!request.ok && options.lenient) {
      const lenient = parseRequest(api.value, input.value, ctx.objectNamespace, { lenient: true });
      if (lenient.ok) {
        this.log.info(formatIssues(`${heading}: the request is no longer valid; going on, since it is being deleted`, request.issues, request.omitted));
        request = lenient;
      }
    }
    if (!request.ok) return this.refuse(`${heading}: invalid request`, 'RequestValid', 'InvalidRequest', request.issues, request.omitted);
    try {
      const synthesized = synthRequest(def, request.value, { lenient: options.lenient ?? false });
      return { heading, request: request.value, slug: requestSlug(def.name, request.value), synthesized };
    } catch (e) {
      if (e instanceof IssuesError) return this.refuse(`${heading}: invalid request`, 'RequestValid', 'InvalidRequest', e.issues, e.omitted);
      // The author's code failed: say so, with where. Anything else is a bug of kratix-cdktf.
      if (e instanceof StackError)
        return this.refuse(`${heading}: promises/${def.name} could not build the stack`, 'StackSynthesized', 'StackFailed', [e.issue]);
      return this.refuse(`${heading}: kratix-cdktf failed while synthesizing (a bug; please report it)`, 'StackSynthesized', 'InternalError', [
        { path: '(kratix-cdktf)', message: (e as Error).message },
      ]);
    }
  }

  writeGitOps(p: Prepared, delivery: TofuControllerDelivery): number {
    let result: DeliveryResult;
    try {
      result = deliverRequest(this.def, delivery, p.request, p.synthesized, p.slug);
    } catch (e) {
      if (e instanceof IssuesError) return this.refuse(`${p.heading}: invalid request`, 'RequestValid', 'InvalidRequest', e.issues, e.omitted);
      throw e;
    }
    const largest = Math.max(...[...result.files.values()].map((text) => Buffer.byteLength(text)));
    if (largest > MAX_OBJECT_BYTES) {
      return this.refuse(`${p.heading}: the output is too large`, 'StackSynthesized', 'OutputTooLarge', [
        { path: 'spec', message: `the synthesized stack is ${largest} bytes; the Secret that carries it to tofu-controller holds at most ${MAX_OBJECT_BYTES}` },
      ]);
    }
    const size = [...result.files.values()].reduce((n, text) => n + gzipSync(text).length, 0);
    if (size > MAX_OUTPUT_GZIP_BYTES) {
      return this.refuse(`${p.heading}: the output is too large`, 'StackSynthesized', 'OutputTooLarge', [
        {
          path: 'spec',
          message: `the synthesized output is ${size} bytes gzipped; Kratix keeps Work in etcd, so at most ${MAX_OUTPUT_GZIP_BYTES} are allowed`,
        },
      ]);
    }
    const status = {
      message: result.message,
      // Kratix merges one top-level key at a time, so the whole outputs object is written each run.
      ...(Object.keys(p.synthesized.knownOutputs).length ? { outputs: p.synthesized.knownOutputs } : {}),
      terraform: result.summary,
      conditions: [...this.synthesizedConditions(result.message)],
    };
    const metadata = new Map([['status.yaml', toYaml(status)]]);
    if (result.destinationSelectors) metadata.set('destination-selectors.yaml', toYaml(result.destinationSelectors));
    writeAllOrNothing(this.ctx.outputDir, result.files);
    try {
      writeAllOrNothing(this.ctx.metadataDir, metadata);
    } catch (e) {
      for (const name of result.files.keys()) rmSync(join(this.ctx.outputDir, name), { force: true });
      throw e;
    }
    this.log.info(`${p.heading}: ${result.message}`);
    for (const name of result.files.keys()) this.log.info(`  wrote ${name}`);
    return 0;
  }

  async apply(p: Prepared, delivery: ApplyDelivery, signal?: AbortSignal): Promise<number> {
    const { def, ctx } = this;
    this.log.info(`${p.heading}: terraform ${this.verb()} in workspace ${p.slug}`);
    const props = { ...this.scriptProps(p, delivery), outputs: def.outputs ?? {}, env: ctx.env, log: this.log.info, ...(signal ? { signal } : {}) };
    let result: ApplyResult;
    try {
      result = await runApplyDelivery(props);
    } catch (e) {
      // Whatever broke (no terraform binary, unreadable output), status must not keep saying
      // that the last run succeeded.
      const message = `Terraform could not be run: ${(e as Error).message}`;
      result = { ok: false, phase: 'run', message, errors: [message], summary: { delivery: 'apply', backend: delivery.backend.kind, workspace: p.slug } };
    }
    if (ctx.dryRun) return this.endDryRun(p, result);
    const type = ctx.action === 'delete' ? 'TerraformDestroyed' : 'TerraformApplied';
    const reason = result.ok ? (ctx.action === 'delete' ? 'Destroyed' : 'Applied') : failureReason(result.phase);
    const status = {
      message: result.message,
      ...(result.ok && Object.keys(result.outputs).length ? { outputs: result.outputs } : {}),
      terraform: result.summary,
      conditions: [...this.synthesizedConditions('The stack was synthesized'), condition(type, result.ok, reason, result.message, this.now)],
    };
    if (!result.ok) {
      this.log.error(
        formatIssues(
          result.phase === 'interrupted' ? `${p.heading}: terraform was interrupted` : `${p.heading}: terraform ${result.phase} failed`,
          result.errors.map((message) => ({ path: `terraform ${result.phase}`, message })),
        ),
      );
      // A state owned by another request needs a person, not a retry.
      if (result.phase === 'owner check') return this.end(status, { kind: 'suspend', message: result.message });
      return this.end(status, { kind: 'retry', message: result.message });
    }
    this.log.info(`${p.heading}: ${result.message}`);
    return this.end(status);
  }

  /**
   * A dry run (a Kratix DryRun's ephemeral request): Kratix overwrites status.message with "Dry
   * run executed" and sends the output to its dry-run Destination, where the DryRun's summary is
   * read. So the plan goes to the output as `dry-run.yaml`, and to status.dryRun. It is
   * one look, never retried; nothing was applied, so TerraformApplied is left alone.
   */
  private endDryRun(p: Prepared, result: ApplyResult): number {
    const { ctx } = this;
    const plan = {
      request: `${p.request.metadata.namespace}/${p.request.metadata.name}`,
      action: ctx.action === 'delete' ? 'destroy' : 'apply',
      ok: result.ok,
      message: result.message,
      terraform: result.summary,
      ...(result.ok ? { planned: result.planned ?? [] } : { errors: result.errors }),
    };
    const status = {
      message: result.message,
      dryRun: { ...plan, at: this.now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      conditions: [
        ...this.synthesizedConditions('The stack was synthesized'),
        condition('TerraformPlanned', result.ok, result.ok ? 'Planned' : failureReason(result.phase), result.message, this.now),
      ],
    };
    writeAllOrNothing(ctx.outputDir, new Map([[DRY_RUN_FILE, toYaml(plan)]]));
    if (result.ok) this.log.info(`${p.heading}: ${result.message}`);
    else this.log.error(`${p.heading}: ${result.message}`);
    return this.end(status);
  }

  /**
   * Writes what an apply-mode run would give Terraform into `dir` instead of running it: the
   * working folder's files and the commands, from the same {@link terraformScript} the real run
   * executes. Refuses to write a file that holds the value of a credential-like variable.
   */
  renderTerraform(p: Prepared, delivery: ApplyDelivery, dir: string): number {
    const script = terraformScript(this.scriptProps(p, delivery));
    const files = new Map([...script.files, ['commands.sh', commandsScript(script)]]);
    const leaked = [...files].flatMap(([name, text]) => credentialsIn(this.ctx.env, text).map((variable) => ({ name, variable })));
    if (leaked.length) {
      return this.refuse(
        `${p.heading}: the Terraform configuration holds credentials`,
        'StackSynthesized',
        'CredentialsInConfiguration',
        leaked.map(({ name, variable }) => ({
          path: name,
          message: `holds the value of ${variable}; credentials must reach Terraform only through the environment`,
          fix: `remove it from the stack (read it from the environment in a provider or backend), or unset ${variable} for render`,
        })),
      );
    }
    writeAllOrNothing(dir, files);
    const message = `Rendered, not applied: terraform ${this.verb()} in workspace ${p.slug} was not run; commands.sh lists what would run. Run render with --apply to run terraform`;
    const status = {
      message,
      terraform: { delivery: 'apply', backend: delivery.backend.kind, workspace: p.slug, rendered: true },
      // Unknown, not False: nothing was tried. It also replaces an earlier run's "True" in the merge.
      conditions: [
        ...this.synthesizedConditions('The stack was synthesized'),
        condition(this.ctx.action === 'delete' ? 'TerraformDestroyed' : 'TerraformApplied', 'Unknown', 'NotRun', message, this.now),
      ],
    };
    writeAllOrNothing(this.ctx.metadataDir, new Map([['status.yaml', toYaml(status)]]));
    this.log.info(`${p.heading}: ${message}`);
    return 0;
  }

  private scriptProps(p: Prepared, delivery: ApplyDelivery): TerraformScriptProps {
    const { def, ctx } = this;
    return {
      delivery,
      promise: def.name,
      slug: p.slug,
      owner: requestOwner(def.name, p.request.metadata),
      namespace: p.request.metadata.namespace,
      stack: p.synthesized.json,
      secrets: p.synthesized.secrets,
      action: ctx.action,
      dryRun: ctx.dryRun,
    };
  }

  private verb(): string {
    return this.ctx.action === 'delete' ? (this.ctx.dryRun ? 'plan -destroy' : 'destroy') : this.ctx.dryRun ? 'plan' : 'apply';
  }

  private synthesizedConditions(message: string): Condition[] {
    return [
      condition('RequestValid', true, 'Validated', 'The request matches the API', this.now),
      condition('StackSynthesized', true, 'Synthesized', message, this.now),
    ];
  }

  private refuse(heading: string, type: string, reason: string, issues: readonly Issue[], omitted = 0): number {
    this.log.error(formatIssues(heading, issues, omitted));
    const summary = describeIssues(issues, omitted);
    const message = `${heading}: ${summary}`;
    const status = { message, conditions: [condition(type, false, reason, summary, this.now)] };
    // A DryRun waits for the pipeline to complete or fail, and a suspension is neither: it would
    // wait forever. The refusal is its result, where its summary is read.
    if (this.ctx.dryRun) {
      writeAllOrNothing(this.ctx.outputDir, new Map([[DRY_RUN_FILE, toYaml({ ok: false, message })]]));
      return this.end(status);
    }
    // Only a new spec helps a request Kubernetes would refuse, and Kratix resumes a suspended
    // request when its spec changes. A Promise fix does not resume it (Kratix re-runs requests
    // from the start but keeps suspended ones suspended), so what the Promise or kratix-cdktf
    // got wrong is retried instead, and a new spec resumes a retry too.
    const fixedByTheRequest = reason === 'InvalidRequest' || reason === 'OutputTooLarge';
    return this.end(status, { kind: fixedByTheRequest ? 'suspend' : 'retry', message });
  }

  /**
   * Writes status.yaml and, for a run that did not succeed, workflow-control.yaml, all or
   * nothing, and returns the exit code (control.ts says why a failure exits 0).
   */
  private end(status: Record<string, unknown>, ending?: Ending): number {
    const { ctx } = this;
    const files = new Map([['status.yaml', toYaml(status)]]);
    if (ending && ctx.workflowControl) {
      const attempts = retryAttempts(this.input, ctx.pipelineName);
      // The Promise's retry waits (apply mode); the defaults for what else is retried.
      const retry = this.def.delivery?.kind === 'apply' ? this.def.delivery.retry : undefined;
      const policy = { firstMs: durationMs(retry?.first ?? '30s') ?? 30_000, maxMs: durationMs(retry?.max ?? '30m') ?? 1_800_000 };
      const control = workflowControlFile(ending, attempts, policy);
      files.set('workflow-control.yaml', control);
      this.log.info(
        ending.kind === 'suspend' ? 'suspending the workflow until the request changes' : `Kratix runs this pipeline again: ${control.split('\n')[0]}`,
      );
    }
    writeAllOrNothing(ctx.metadataDir, files);
    return ending && !ctx.workflowControl ? 1 : 0;
  }
}

/**
 * A name for everything that belongs to one request (state, workspace, controller objects,
 * files): a DNS label, short enough for derived names such as tofu-controller's
 * `<name>-tf-runner` pod, and unique per (promise, namespace, name) by 80 bits of SHA-256: finding
 * any two names with one slug takes about 2^40 hashes, matching a given request's about 2^80
 * (long names sharing a prefix leave the hash as the only difference). And no hash is the only
 * guard: apply mode records the owner in the state and refuses a workspace another request owns.
 */
export function requestSlug(promise: string, request: Pick<ResourceRequest<unknown>, 'metadata'>): string {
  return physicalName(request, { prefix: promise, maxLength: 52, hashLength: 20 });
}

function describeObject(object: unknown): string {
  const metadata = (object as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name.slice(0, 63) : '(unnamed)';
  return typeof metadata?.namespace === 'string' ? `${metadata.namespace.slice(0, 63)}/${name}` : name;
}

// A condition's reason for a failed phase: "InitFailed", "WorkspaceSelectFailed", "Interrupted".
function failureReason(phase: string): string {
  return phase === 'interrupted' ? 'Interrupted' : `${capitalize(phase)}Failed`;
}

// "workspace select" → "WorkspaceSelect", for condition reasons.
function capitalize(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
