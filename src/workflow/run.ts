import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { embeddedManifests } from '../artifacts/manifests.js';
import { toYaml } from '../artifacts/yaml.js';
import { DRY_RUN_FILE, type Delivery, type DeliveryResult, type HeadStart } from '../delivery/delivery.js';
import { deliveryOf } from '../delivery/index.js';
import { requestOwner } from '../delivery/owner.js';
import { requestCatalogGroup, requestCatalogOwner } from '../backstage/index.js';

/** The condition that says whether the request's Backstage entity was written, and for whom. */
const CATALOG_CONDITION = 'CatalogEntity';
import type { ResolvedManifests } from '../kratix/dependencies.js';
import { parseRequest, requestApi, requestMetadataMap } from '../kratix/request.js';
import type { PromiseDefinition, ResourceRequest, StepResult } from '../promise/define-promise.js';
import { computeStatusFields } from '../promise/status-fields.js';
import { formatIssues, IssuesError, type Issue } from '../schema/issue.js';
import { physicalName } from '../terraform/physical-name.js';
import { authorThrew, StackError } from '../terraform/errors.js';
import { synthRequest, type SynthesizedStack } from '../terraform/stack.js';
import { type ManifestFiles, requestManifests } from '../manifests/index.js';
import { readComponents } from '../manifests/components.js';
import { readContext, type WorkflowContext } from './context.js';
import { durationMs, retryAttempts, workflowControlFile, type Ending } from './control.js';
import { runPromiseWorkflow } from './dependencies.js';
import { runPromiseStack } from './promise-stack.js';
import { PROMISE_STACK_PIPELINE } from '../kratix/promise-stack.js';
import { writeAllOrNothing } from './files.js';
import { readRequestFile } from './input.js';
import { condition, describeIssues, type Condition, READY } from './status.js';
import { kindIdentifier } from '../kratix/names.js';
import { runRules } from '../rules/index.js';
import { AuditTrail, stageOf } from './audit.js';
import { type CostEstimate, estimateCost, overBudget } from '../cost/index.js';
import { evaluatePolicies, planFromConfiguration } from '../policies/index.js';
import { STEP_ENV } from '../kratix/pipeline.js';

/** Where the workflow reports progress (stdout) and failures (stderr). */
export interface WorkflowLog {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

// Kratix stores the Work in etcd; keep well under its 1 MiB object limit, gzipped.
const MAX_OUTPUT_GZIP_BYTES = 512 * 1024;

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
  if (ctx.type === 'promise' && ctx.pipelineName === PROMISE_STACK_PIPELINE) return runPromiseStack(def, ctx, log, props.signal);
  if (ctx.type === 'promise') return runPromiseWorkflow(def, ctx, log, props.manifests ?? embeddedManifests(def, props.manifestTexts ?? {}), env);
  const run = new Run(def, ctx, log);
  // A container of one of the author's named pipelines: its TypeScript step, nothing else.
  const step = ctx.env[STEP_ENV];
  if (step !== undefined) return run.step(step);
  const delivery = deliveryOf(def);
  if (ctx.action === 'delete' && typeof delivery.delete !== 'function') {
    // Nothing is validated, so deletion is never blocked.
    log.info(`${def.name}: ${delivery.delete.message}`);
    return 0;
  }
  const headStart =
    props.renderTerraformTo === undefined
      ? delivery.begin?.({
          def,
          action: ctx.action,
          dryRun: ctx.dryRun,
          env: ctx.env,
          log: (line) => log.info(`${def.name}: ${line}`),
          ...(props.signal ? { signal: props.signal } : {}),
        })
      : undefined;
  try {
    // A request that has become invalid (say, after a schema change) must still be destroyable.
    const prepared = await run.prepare({ lenient: ctx.action === 'delete' });
    if (typeof prepared === 'number') return prepared;
    return await run.deliver(prepared, delivery, props, headStart);
  } finally {
    await headStart?.dispose();
  }
}

interface Prepared {
  readonly heading: string;
  readonly request: ResourceRequest<unknown>;
  readonly slug: string;
  readonly synthesized: SynthesizedStack;
  readonly manifests?: ManifestFiles;
  /** The plan policies the configuration passed. */
  readonly policies?: readonly string[];
  /** The cost estimate of the configuration (a delivery with the plan may replace it). */
  readonly cost?: CostEstimate;
  /** The owner of the request's Backstage entity, when the Promise writes one, and what was wrong with the one asked for. */
  readonly catalog?: { readonly owner: string; readonly problem?: Issue };
}

class Run {
  private readonly now: Date;
  /** The request as Kratix wrote it, status included (its retry count), once read. */
  private input: unknown;
  /** One record per stage on stdout, and the last runs in status.audit. */
  private readonly audit: AuditTrail;
  constructor(
    private readonly def: PromiseDefinition,
    private readonly ctx: WorkflowContext,
    private readonly log: WorkflowLog,
  ) {
    this.now = ctx.now();
    const at = this.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.audit = new AuditTrail({ promise: def.name, ...(def.version ? { version: def.version } : {}), action: ctx.action, dryRun: ctx.dryRun, at }, log.info);
  }

  /**
   * Reads, validates and synthesizes; returns an exit code when the request is refused. With
   * `lenient`, validation issues are logged and the defaulted request is used as it is.
   */
  async prepare(options: { lenient?: boolean } = {}): Promise<Prepared | number> {
    const { def, ctx } = this;
    const read = this.readRequest('RequestValid', options.lenient ?? false);
    if (typeof read === 'number') return read;
    const { heading, request } = read;
    // The platform's rules, before anything is built; a request being deleted is never held back.
    if (ctx.action === 'configure' && def.rules?.length) {
      const verdict = await runRules(
        def.rules,
        request.value,
        this.input,
        { name: def.name, ...(def.version ? { version: def.version } : {}) },
        { env: ctx.env },
      );
      if (!verdict.ok) {
        const what = {
          RuleViolated: 'refused by the platform’s rules',
          RuleFailed: `promises/${def.name} could not check its rules`,
          NamespaceUnreadable: 'the rules could not read the namespace',
        }[verdict.reason];
        // Kratix resumes a suspended request only when its spec changes: a verdict that depends on
        // the namespace's labels is retried instead, so relabelling the namespace is enough.
        const byRequest = verdict.reason === 'RuleViolated' && !def.rules.some((r) => r.reads?.namespaceLabels);
        return this.refuse(`${heading}: ${what}`, 'RequestValid', verdict.reason, verdict.issues, 0, byRequest ? 'request' : 'platform');
      }
      this.log.info(`${heading}: rules passed: ${verdict.checked.join(', ')}`);
      this.audit.record('rules', 'passed');
    }
    let synthesized: SynthesizedStack;
    try {
      synthesized = synthRequest(def, request.value, { lenient: options.lenient ?? false, labels: requestMetadataMap(this.input, 'labels') });
    } catch (e) {
      if (e instanceof IssuesError) return this.refuse(`${heading}: invalid request`, 'RequestValid', 'InvalidRequest', e.issues, e.omitted);
      // The author's code failed: say so, with where. Anything else is a bug of kratix-cdktf.
      if (e instanceof StackError)
        return this.refuse(`${heading}: promises/${def.name} could not build the stack`, 'StackSynthesized', 'StackFailed', [e.issue]);
      return this.refuse(`${heading}: kratix-cdktf failed while synthesizing (a bug; please report it)`, 'StackSynthesized', 'InternalError', [
        { path: '(kratix-cdktf)', message: (e as Error).message },
      ]);
    }
    this.audit.record('synthesize', 'passed');
    // The platform's plan policies, on what the stack would build, before anything is delivered.
    let policies: readonly string[] | undefined;
    if (ctx.action === 'configure' && def.policies?.length) {
      const verdict = evaluatePolicies(def.policies, planFromConfiguration(synthesized.json));
      if (!verdict.ok)
        return verdict.reason === 'PolicyViolated'
          ? this.refuse(`${heading}: refused by the platform’s plan policies`, 'PoliciesPassed', verdict.reason, verdict.issues, 0, 'request')
          : this.refuse(`${heading}: promises/${def.name} could not check its plan policies`, 'PoliciesPassed', verdict.reason, verdict.issues, 0, 'platform');
      policies = verdict.checked;
      this.log.info(`${heading}: plan policies passed on the configuration: ${policies.join(', ')}`);
      this.audit.record('policies', 'passed');
    }
    // The estimate of what the configuration builds; a budget set to refuse refuses here, before
    // anything is delivered (a budget that asks for approval waits for the plan, in apply mode).
    let cost: CostEstimate | undefined;
    if (ctx.action === 'configure' && def.cost) {
      cost = estimateCost(def.cost, planFromConfiguration(synthesized.json));
      const over = overBudget(def.cost, cost);
      if (over && def.cost.budget?.over === 'refuse')
        return this.refuse(
          `${heading}: over the Promise’s budget`,
          'WithinBudget',
          'OverBudget',
          [{ path: 'cost', message: over, fix: 'ask for less, or ask the platform team' }],
          0,
          'request',
        );
      this.log.info(`${heading}: estimated at ${cost.monthly} ${cost.currency} a month from the configuration`);
      this.audit.record('cost', 'passed');
    }
    const prepared = {
      heading,
      request: request.value,
      slug: requestSlug(def.name, request.value),
      synthesized,
      ...(policies ? { policies } : {}),
      ...(cost ? { cost } : {}),
    };
    // Kratix removes a request's manifests with its Work, and a DryRun schedules nothing.
    if (ctx.action !== 'configure' || ctx.dryRun) return prepared;
    // The catalog entity's owner comes from the tenant: a wrong one is reported, never a reason to hold the request back.
    const catalog = def.backstage?.catalog ? requestCatalogOwner(requestMetadataMap(this.input, 'annotations'), request.value.metadata.namespace) : undefined;
    if (catalog?.problem) this.log.info(formatIssues(`${heading}: the Backstage entity's owner`, [catalog.problem]));
    const manifests = requestManifests(def, request.value, requestMetadataMap(this.input, 'labels'));
    if (manifests && !manifests.ok)
      return this.refuse(`${heading}: promises/${def.name} could not build its manifests`, 'StackSynthesized', 'ManifestsFailed', manifests.issues);
    return { ...prepared, ...(manifests ? { manifests: manifests.value } : {}), ...(catalog ? { catalog } : {}) };
  }

  /**
   * Reads and validates the request, refusing it with a `type` condition; with `lenient`, a
   * request that is no longer valid is logged and used as defaulted.
   */
  private readRequest(type: string, lenient: boolean): { heading: string; request: { readonly value: ResourceRequest<unknown> } } | number {
    const { def, ctx } = this;
    const api = requestApi(def);
    if (!api.ok) return this.refuse(`${def.name}: the Promise definition is invalid`, type, 'InvalidPromise', api.issues);
    const input = readRequestFile(ctx.inputFile);
    if (!input.ok) return this.refuse(`${def.api.kind}: unreadable request`, type, 'InvalidRequest', input.issues);
    this.input = input.value;
    this.audit.identify(input.value);
    const heading = `${def.api.kind} ${describeObject(input.value)}`;
    let request = parseRequest(api.value, input.value, ctx.objectNamespace);
    if (!request.ok && lenient) {
      const retried = parseRequest(api.value, input.value, ctx.objectNamespace, { lenient: true });
      if (retried.ok) {
        this.log.info(formatIssues(`${heading}: the request is no longer valid; going on, since it is being deleted`, request.issues, request.omitted));
        request = retried;
      }
    }
    if (!request.ok) return this.refuse(`${heading}: invalid request`, type, 'InvalidRequest', request.issues, request.omitted);
    this.audit.record('validate', 'passed');
    return { heading, request };
  }

  /** Hands the prepared request to the delivery and writes what it gives back, all or nothing. */
  async deliver(p: Prepared, delivery: Delivery, props: RunWorkflowProps, headStart?: HeadStart): Promise<number> {
    const { def, ctx } = this;
    const run = {
      def,
      action: ctx.action,
      dryRun: ctx.dryRun,
      request: p.request,
      slug: p.slug,
      owner: requestOwner(def.name, p.request.metadata),
      synthesized: p.synthesized,
      input: this.input,
      env: ctx.env,
      now: this.now,
      log: (line: string) => this.log.info(`${p.heading}: ${line}`),
      ...(props.signal ? { signal: props.signal } : {}),
      ...(props.renderTerraformTo !== undefined ? { renderTo: props.renderTerraformTo } : {}),
      ...(headStart ? { headStart } : {}),
    };
    let result: DeliveryResult;
    try {
      result = await (ctx.action === 'delete' && typeof delivery.delete === 'function' ? delivery.delete(run) : delivery.configure(run));
    } catch (e) {
      if (e instanceof IssuesError) return this.refuse(`${p.heading}: invalid request`, 'RequestValid', 'InvalidRequest', e.issues, e.omitted);
      throw e;
    }
    if (result.refused) {
      const { what, type, reason, issues, fixedBy } = result.refused;
      return this.refuse(`${p.heading}: ${what}`, type, reason, issues, 0, fixedBy);
    }
    const files = new Map(result.files);
    const manifests = p.manifests;
    if (manifests) {
      // The delivery's files keep their names: a manifest folder named like one of them is refused.
      const taken = new Set([...result.files.keys()].flatMap((path) => [path, path.split('/')[0]!]));
      const clash = [...manifests.files.keys()].find((path) => taken.has(path) || taken.has(path.split('/')[0]!));
      if (clash)
        return this.refuse(`${p.heading}: promises/${def.name} could not build its manifests`, 'StackSynthesized', 'ManifestsFailed', [
          {
            path: 'manifests()',
            message: `${clash} is where the ${delivery.kind} delivery writes its own output`,
            fix: 'name the group’s directory differently',
          },
        ]);
      for (const [path, text] of manifests.files) files.set(path, text);
    }
    const size = [...files.values()].reduce((n, text) => n + gzipSync(text).length, 0);
    if (size > MAX_OUTPUT_GZIP_BYTES) {
      return this.refuse(`${p.heading}: the output is too large`, 'StackSynthesized', 'OutputTooLarge', [
        {
          path: 'spec',
          message: `the synthesized output is ${size} bytes gzipped; Kratix keeps Work in etcd, so at most ${MAX_OUTPUT_GZIP_BYTES} are allowed`,
        },
      ]);
    }
    const conditions = [
      ...this.synthesizedConditions(result.stackMessage ?? 'The stack was synthesized'),
      // The delivery's own verdict on the plan, when it checked one, is the one that stands.
      ...(p.policies && !result.conditions.some((c) => c.type === 'PoliciesPassed')
        ? [condition('PoliciesPassed', true, 'Passed', `The configuration passed: ${p.policies.join(', ')}`, this.now)]
        : []),
      ...result.conditions,
      // Within the budget on the configuration; the delivery's verdict on the plan, when it has one, stands.
      ...(p.cost && def.cost?.budget && !result.conditions.some((c) => c.type === 'WithinBudget')
        ? [condition('WithinBudget', true, 'WithinBudget', `the configuration is estimated at ${p.cost.monthly} ${p.cost.currency} a month`, this.now)]
        : []),
    ];
    conditions.push(...this.unconfigured(ctx.action).filter((c) => !conditions.some((o) => o.type === c.type)));
    // A render ran nothing: it has nothing to say about Terraform.
    if (this.setsReady() && props.renderTerraformTo === undefined && !conditions.some((c) => c.type === READY))
      conditions.push(
        condition(READY, 'Unknown', 'NotObserved', `The ${delivery.kind} delivery cannot see when Terraform has applied this request's stack`, this.now),
      );
    // The author's status fields, from what this run shows: a mistake there is the author's, retried.
    const details =
      ctx.action === 'configure' && !ctx.dryRun ? computeStatusFields(def, p.request, (result.status.outputs ?? {}) as Record<string, unknown>) : undefined;
    if (details && !details.ok)
      return this.refuse(`${p.heading}: promises/${def.name} could not compute its status fields`, 'StackSynthesized', 'StatusFailed', details.issues);
    // Composed requests: their status read back, and Ready waits for theirs.
    const composed =
      manifests && this.setsReady() && props.renderTerraformTo === undefined
        ? await readComponents(
            def,
            manifests.objects.map((o) => o.object),
            ctx.env,
            this.now,
          )
        : undefined;
    if (composed) {
      const own = conditions.findIndex((c) => c.type === READY);
      // The delivery's own verdict stands when it is worse than the components'.
      if (own < 0 || conditions[own]!.status === 'True' || conditions[own]!.reason === 'ScheduledByKratix') {
        if (own >= 0) conditions.splice(own, 1);
        conditions.push(composed.ready);
      }
    }
    const status = {
      // Apply mode writes the plan's estimate when it judges one; an idle run keeps the last.
      ...(p.cost && !delivery.runsTerraform ? { cost: p.cost } : {}),
      ...result.status,
      ...(manifests ? manifestsStatus(result.status.message, manifests) : {}),
      ...(details ? { details: details.value } : {}),
      ...(composed ? { components: composed.components } : {}),
      conditions,
    };
    const failedCondition = result.conditions.find((c) => c.status === 'False');
    const { changes, plan } = (result.status.terraform as { changes?: Record<string, number>; plan?: unknown } | undefined) ?? {};
    const verdict = result.ending ? (result.ending.kind === 'suspend' ? 'refused' : 'failed') : failedCondition ? 'failed' : 'passed';
    this.audit.record('deliver', verdict, {
      ...(failedCondition ? { reason: failedCondition.reason } : {}),
      ...(changes ? { changes } : {}),
      ...(typeof plan === 'string' ? { plan } : {}),
    });
    const text = result.log?.text ?? status.message;
    if (result.log?.error) this.log.error(`${p.heading}: ${text}`);
    else this.log.info(`${p.heading}: ${text}`);
    // The request's Backstage entity, with what this run shows; Kratix removes it with the request.
    const groups = [...(manifests?.selectors ?? [])];
    if (p.catalog) {
      const catalog = requestCatalogGroup(def, p.request, p.catalog.owner, (result.status.outputs ?? {}) as Record<string, unknown>);
      if (!catalog.ok)
        return this.refuse(`${p.heading}: promises/${def.name} could not build its Backstage entity`, 'StackSynthesized', 'CatalogFailed', catalog.issues);
      const { directory, matchLabels, files: entity } = catalog.value;
      if ([...files.keys()].some((path) => path.split('/')[0] === directory))
        return this.refuse(`${p.heading}: promises/${def.name} could not build its manifests`, 'StackSynthesized', 'ManifestsFailed', [
          { path: 'manifests()', message: `${directory}/ is where the request's Backstage entity goes`, fix: 'name the group’s directory differently' },
        ]);
      for (const [path, text] of entity) files.set(path, text);
      groups.push({ directory, matchLabels });
      const { problem } = p.catalog;
      status.conditions.push(
        problem
          ? condition(CATALOG_CONDITION, false, 'InvalidOwner', describeIssues([problem], 0), this.now)
          : condition(CATALOG_CONDITION, true, 'Written', `Backstage entity ${[...entity.keys()][0]} owned by ${p.catalog.owner}`, this.now),
      );
    }
    const metadata: Record<string, string> = {};
    // The root of the output goes where the delivery says; each group's folder, by its own labels.
    const rooted = [...files.keys()].some((path) => !groups.some((s) => path.startsWith(`${s.directory}/`)));
    const selectors = [...(delivery.destinationLabels && rooted ? [{ matchLabels: delivery.destinationLabels }] : []), ...groups];
    if (selectors.length) metadata['destination-selectors.yaml'] = toYaml(selectors);
    // A dry run is one look: never retried or suspended.
    return this.end(status, ctx.dryRun ? undefined : result.ending, { files, metadata });
  }

  /**
   * Runs the author's TypeScript step `name` (a named pipeline's) on the request and writes what
   * it returns to status.yaml, with a condition `<Name>Step`; what it throws is reported there
   * and the pipeline retried. Nothing is synthesized or delivered.
   */
  async step(name: string): Promise<number> {
    const { def, ctx } = this;
    const named = def.workflow?.[ctx.action]?.pipelines;
    const step = [...(named?.before ?? []), ...(named?.after ?? [])].find((p) => p.name === name)?.step;
    if (typeof step !== 'function') {
      // The Promise and its pipelines come from one synth: a mismatch is a broken image.
      this.log.error(
        `kratix-cdktf: ${STEP_ENV}=${JSON.stringify(name)}, but promises/${def.name} has no step of that name in workflow.${ctx.action}.pipelines`,
      );
      return 2;
    }
    this.audit.disable();
    const type = `${kindIdentifier(name)}Step`;
    const read = this.readRequest(type, ctx.action === 'delete');
    if (typeof read === 'number') return read;
    const { request } = read;
    const heading = `${read.heading}: step ${name}`;
    let result: StepResult;
    try {
      result = (await step(request.value)) ?? {};
    } catch (e) {
      return this.refuse(heading, type, 'StepFailed', [authorThrew(`workflow.${ctx.action}.pipelines ${name}: step()`, e)]);
    }
    const status = (result.status ?? {}) as Record<string, unknown>;
    const owned = Object.keys(status).filter((key) => key === 'conditions' || key === 'kratix');
    if (owned.length)
      return this.refuse(heading, type, 'StepFailed', [
        {
          path: `workflow.${ctx.action}.pipelines ${name}: step()`,
          message: `returned status.${owned[0]}, which Kratix and kratix-cdktf write`,
          fix: 'return other top-level status keys',
        },
      ]);
    const message = typeof result.message === 'string' && result.message ? result.message : 'done';
    this.log.info(`${heading}: ${message}`);
    return this.end({ ...status, conditions: [condition(type, true, 'Succeeded', message, this.now)] });
  }

  // Ready speaks of a configure run's result: a DryRun is one look, and a delete ends the request.
  private setsReady(): boolean {
    return this.ctx.type === 'resource' && this.ctx.action === 'configure' && !this.ctx.dryRun;
  }

  private synthesizedConditions(message: string): Condition[] {
    return [
      condition('RequestValid', true, 'Validated', 'The request matches the API', this.now),
      condition('StackSynthesized', true, 'Synthesized', message, this.now),
    ];
  }

  // Kratix merges conditions by type and never drops one: a stage the Promise no longer has
  // (its policies, approval or budget removed) would leave an earlier False standing.
  private unconfigured(action: string): Condition[] {
    if (action !== 'configure') return [];
    const { def } = this;
    const had = new Set(
      ((this.input as { status?: { conditions?: { type?: unknown; status?: unknown }[] } } | undefined)?.status?.conditions ?? [])
        .filter((c) => c?.status === 'False')
        .map((c) => c.type),
    );
    const gone: [string, boolean, string][] = [
      ['PoliciesPassed', !def.policies?.length, 'plan policies'],
      ['Approved', !def.approval, 'approval'],
      ['WithinBudget', !def.cost?.budget, 'budget'],
      [CATALOG_CONDITION, !def.backstage?.catalog, 'Backstage catalog entity'],
    ];
    return gone
      .filter(([type, removed]) => removed && had.has(type))
      .map(([type, , what]) => condition(type, true, 'NotConfigured', `the Promise has no ${what} any more`, this.now));
  }

  private refuse(
    heading: string,
    type: string,
    reason: string,
    issues: readonly Issue[],
    omitted = 0,
    fixedBy: 'request' | 'platform' = reason === 'InvalidRequest' || reason === 'OutputTooLarge' ? 'request' : 'platform',
  ): number {
    this.log.error(formatIssues(heading, issues, omitted));
    const refusedByRequest = fixedBy === 'request';
    this.audit.record(stageOf(reason), refusedByRequest ? 'refused' : 'failed', { reason, issues: issues.length + omitted });
    const summary = describeIssues(issues, omitted);
    const message = `${heading}: ${summary}`;
    const status = {
      message,
      conditions: [condition(type, false, reason, summary, this.now), ...(this.setsReady() ? [condition(READY, false, reason, summary, this.now)] : [])],
    };
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
    return this.end(status, { kind: fixedBy === 'request' ? 'suspend' : 'retry', message });
  }

  /**
   * Writes status.yaml and, for a run that did not succeed, workflow-control.yaml, all or
   * nothing, and returns the exit code (control.ts says why a failure exits 0).
   */
  private end(
    status: Record<string, unknown>,
    ending?: Ending,
    extra: { readonly files?: ReadonlyMap<string, string>; readonly metadata?: Readonly<Record<string, string>> } = {},
  ): number {
    const { ctx } = this;
    // The last runs, this one included; a step of a named pipeline has no stages of its own.
    const written = this.audit.recorded ? { ...status, audit: this.audit.history(this.input, ending?.kind ?? 'done') } : status;
    const files = new Map([['status.yaml', toYaml(written)], ...Object.entries(extra.metadata ?? {})]);
    if (ending && ctx.workflowControl) {
      const attempts = retryAttempts(this.input, ctx.pipelineName);
      // The delivery's retry waits, or the defaults.
      const retry = deliveryOf(this.def).retry;
      const policy = { firstMs: durationMs(retry?.first ?? '30s') ?? 30_000, maxMs: durationMs(retry?.max ?? '30m') ?? 1_800_000 };
      const control = workflowControlFile(ending, attempts, policy);
      files.set('workflow-control.yaml', control);
      this.log.info(
        ending.kind === 'suspend' ? 'suspending the workflow until the request changes' : `Kratix runs this pipeline again: ${control.split('\n')[0]}`,
      );
    }
    const output = extra.files ?? new Map<string, string>();
    if (output.size) writeAllOrNothing(ctx.outputDir, output);
    try {
      writeAllOrNothing(ctx.metadataDir, files);
    } catch (e) {
      for (const name of output.keys()) rmSync(join(ctx.outputDir, name), { force: true });
      throw e;
    }
    // Said once it is true: a failed write above leaves nothing, and says so by throwing.
    for (const name of output.keys()) this.log.info(`  wrote ${name}`);
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

// `status.manifests` and the message: what the run wrote for Kratix, after the delivery's words.
function manifestsStatus(message: string, manifests: ManifestFiles): { message: string; manifests: Record<string, unknown> } {
  const root = manifests.objects.filter((o) => o.directory === '').length;
  const groups = manifests.selectors.map((s) => ({ ...s, objects: manifests.objects.filter((o) => o.directory === s.directory).length }));
  const wrote = `wrote ${manifests.objects.length} Kubernetes object${manifests.objects.length === 1 ? '' : 's'} for Kratix to schedule`;
  return {
    message: message ? `${message}; ${wrote}` : `${wrote[0]!.toUpperCase()}${wrote.slice(1)}`,
    manifests: { objects: root, ...(groups.length ? { groups } : {}) },
  };
}
