import { type CostEstimate, type CostProps, estimateCost } from '../cost/index.js';
import { type ApprovalProps, type ApprovalRequest, approvalReasons, type DigestContext, planDigest, planSummary } from '../approval/index.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compilePromise, type Artifacts } from '../artifacts/compile.js';
import { parseKubernetesYaml } from '../artifacts/yaml.js';
import { readManifestFiles } from '../cli/manifests.js';
import { apiNames, renderCrd } from '../kratix/crd.js';
import { renderPromise, type RenderedPromise } from '../kratix/promise.js';
import { toCrdSchema } from '../schema/crd-schema.js';
import { parseRequest, requestMetadataMap } from '../kratix/request.js';
import type { PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { IssuesError, type Issue, type Result } from '../schema/issue.js';
import { runRules } from '../rules/index.js';
import { evaluatePolicies, planFromConfiguration, planFromShowJson, type PlanPolicy, type PlanView } from '../policies/index.js';
import { synthPromiseStack, synthRequest, type SynthRequestProps, type TerraformJson } from '../terraform/stack.js';
import { type ManifestFiles, requestManifests } from '../manifests/index.js';

/** A request as a test writes it: anything left out is filled in (name `test`, namespace `default`). */
export interface TestRequest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    /** The request's labels and annotations, which rules and decorations read. */
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
}

const TEST_IMAGE = 'registry.test/kratix-cdktf-workflow:test';

/**
 * Reads `example-request.yaml` from a Promise's folder: the request its README shows.
 * @example const request = exampleRequest(import.meta.dirname);
 */
export function exampleRequest(promiseDir: string): TestRequest {
  return parseKubernetesYaml(readFileSync(join(promiseDir, 'example-request.yaml'), 'utf8')) as TestRequest;
}

/** Validates and defaults a request the way the workflow does, without throwing. */
export function validateRequest(def: PromiseDefinition, request: TestRequest): Result<ResourceRequest<unknown>> {
  return parseRequest(rendered(def), complete(def, request));
}

/**
 * Validates a request and synthesizes its stack in memory, returning the Terraform JSON with
 * sorted keys. Throws an {@link IssuesError} naming every bad field when the request is invalid.
 * @example
 * const tf = renderRequest(postgres, { spec: { size: 'large', highAvailability: true } });
 * expect(tf.resource.aws_db_instance.db.instance_class).toBe('db.r6g.xlarge');
 */
export function renderRequest(def: PromiseDefinition, request: TestRequest = {}, props: SynthRequestProps = {}): TerraformJson & Record<string, any> {
  const parsed = validateRequest(def, request);
  if (!parsed.ok) throw new IssuesError(`${def.name}: invalid request`, parsed.issues, parsed.omitted);
  return synthRequest(def, parsed.value, { labels: requestMetadataMap(request, 'labels'), ...props }).json;
}

/**
 * Validates a request and runs the Promise's business rules on it, as a configure run does,
 * with the request's labels and annotations from `request.metadata` and the namespace's labels
 * given here (no cluster). Returns the violations, each with its path and rule; throws an
 * {@link IssuesError} for an invalid request or a rule that fails.
 * @example expect(await requestRules(postgres, { spec: { size: 'large' } }, { namespaceLabels: { tier: 'dev' } })).toEqual([...]);
 */
export async function requestRules(
  def: PromiseDefinition,
  request: TestRequest = {},
  context: { readonly namespaceLabels?: Readonly<Record<string, string>> } = {},
): Promise<readonly Issue[]> {
  const full = complete(def, request);
  const parsed = parseRequest(rendered(def), full);
  if (!parsed.ok) throw new IssuesError(`${def.name}: invalid request`, parsed.issues, parsed.omitted);
  const promise = { name: def.name, ...(def.version ? { version: def.version } : {}) };
  const verdict = await runRules(def.rules ?? [], parsed.value, full, promise, { namespaceLabels: context.namespaceLabels ?? {} });
  if (verdict.ok) return [];
  if (verdict.reason !== 'RuleViolated') throw new IssuesError(`${def.name}: the rules could not be checked`, verdict.issues);
  return verdict.issues;
}

/**
 * Validates a request, synthesizes its stack and runs the Promise's plan policies on the
 * configuration, as a configure run does before delivering it. Returns the violations, each with
 * the resource address and attribute in its path; throws an {@link IssuesError} for an invalid
 * request or a policy that fails.
 */
export function requestPolicies(def: PromiseDefinition, request: TestRequest = {}): readonly Issue[] {
  return policyIssues(def.policies ?? [], planFromConfiguration(renderRequest(def, request)), def.name);
}

/**
 * Runs plan policies on a real plan: the document `terraform show -json <planfile>` prints.
 * @example expect(planViolations([noOpenIngress()], JSON.parse(shown))).toEqual([]);
 */
export function planViolations(policies: readonly PlanPolicy[], showJson: unknown): readonly Issue[] {
  return policyIssues(policies, planFromShowJson(showJson), 'plan');
}

/**
 * What approval makes of a real plan (`terraform show -json <planfile>`): why it needs a person
 * (none: it is applied at once), its digest and the summary an approver reads.
 * @example expect(planApproval(def.approval!, JSON.parse(shown)).reasons).toEqual(['it replaces aws_db_instance.db']);
 */
export function planApproval(approval: ApprovalProps, showJson: unknown, context: Omit<DigestContext, 'document'> = {}): ApprovalRequest {
  const view = planFromShowJson(showJson);
  // The workflow binds the digest to the configuration planned and the request's generation too.
  return { reasons: approvalReasons(approval, view), plan: planDigest(view, { ...context, document: showJson }), summary: planSummary(view) };
}

/**
 * The cost estimate of a real plan (`terraform show -json <planfile>`), as apply mode writes it
 * to `status.cost`; `requestCost()` gives the configuration's, as every delivery first does.
 * @example expect(planCost({ prices: awsPrices }, JSON.parse(shown)).monthly).toBe(13.98);
 */
export function planCost(cost: CostProps, showJson: unknown): CostEstimate {
  return estimateCost(cost, planFromShowJson(showJson));
}

/** The cost estimate of the request's synthesized stack, as the workflow makes it before delivering. */
export function requestCost(def: PromiseDefinition, request: TestRequest = {}): CostEstimate {
  if (!def.cost) throw new Error(`promises/${def.name} has no cost`);
  return estimateCost(def.cost, planFromConfiguration(renderRequest(def, request)));
}

function policyIssues(policies: readonly PlanPolicy[], plan: PlanView, heading: string): readonly Issue[] {
  const verdict = evaluatePolicies(policies, plan);
  if (verdict.ok) return [];
  if (verdict.reason !== 'PolicyViolated') throw new IssuesError(`${heading}: the plan policies could not be checked`, verdict.issues);
  return verdict.issues;
}

/**
 * Synthesizes the Promise's own stack (`promiseStack`) in memory, as its configure workflow does,
 * returning the Terraform JSON with sorted keys.
 * @example expect(renderPromiseStack(postgres).resource.aws_kms_key.storage.enable_key_rotation).toBe(true);
 */
export function renderPromiseStack(def: PromiseDefinition): TerraformJson & Record<string, any> {
  return synthPromiseStack(def).json;
}

/**
 * Validates a request and runs the Promise's `manifests()` on it, checked as the workflow checks
 * them: the objects as written (plain data), with the folder of their group ('' for none), the
 * destination-selectors.yaml entries of the groups, and the output files. Throws an
 * {@link IssuesError} for an invalid request or invalid manifests.
 * @example
 * const { objects } = renderManifests(teamEnv, { spec: { namespace: 'payments' } });
 * expect(objects.map((o) => o.object.kind)).toContain('ResourceQuota');
 */
export function renderManifests(def: PromiseDefinition, request: TestRequest = {}): ManifestFiles {
  const parsed = validateRequest(def, request);
  if (!parsed.ok) throw new IssuesError(`${def.name}: invalid request`, parsed.issues, parsed.omitted);
  const manifests = requestManifests(def, parsed.value, requestMetadataMap(request, 'labels'));
  if (!manifests) throw new Error(`${def.name} has no manifests()`);
  if (!manifests.ok) throw new IssuesError(`${def.name}: invalid manifests`, manifests.issues);
  return manifests.value;
}

/** Options for {@link synthPromise}. */
export interface SynthPromiseProps {
  /**
   * The Promise's folder, which `manifestFile(path)` dependencies are relative to.
   * @default none: a Promise with manifest files is refused, as it could not be compiled
   */
  readonly promiseDir?: string;
}

/**
 * Compiles a Promise into its generated files in memory (`promise.yaml`, `types.ts`, ...).
 * Throws an {@link IssuesError} listing every problem, as `npm run synth` would print them.
 * @example const files = await synthPromise(postgres, exampleRequest(import.meta.dirname), { promiseDir: import.meta.dirname });
 */
export async function synthPromise(def: PromiseDefinition, example: TestRequest = {}, props: SynthPromiseProps = {}): Promise<Artifacts> {
  const manifests =
    props.promiseDir === undefined ? undefined : readManifestFiles(def, props.promiseDir, `${relative(process.cwd(), props.promiseDir) || '.'}/`);
  const result = await compilePromise(def, { image: TEST_IMAGE, exampleRequest: complete(def, example), ...(manifests ? { manifests } : {}) });
  if (!result.ok) throw new IssuesError(`promises/${def.name}`, result.issues);
  return result.value;
}

function rendered(def: PromiseDefinition): RenderedPromise {
  // Requests are checked against the API alone; dependencies play no part.
  const result = renderPromise({ ...def, dependencies: [] }, { image: TEST_IMAGE });
  if (!result.ok) throw new IssuesError(`promises/${def.name}`, result.issues);
  return result.value;
}

function complete(def: PromiseDefinition, request: TestRequest): Record<string, unknown> {
  return {
    apiVersion: `${def.api.group}/${def.api.version}`,
    kind: def.api.kind,
    ...request,
    metadata: { name: 'test', namespace: 'default', ...request.metadata },
  };
}

/**
 * How a Promise's API differs from another's (the Promise being ported): for every field either
 * schema has, its type, default, enum, format and required-ness, as one line per difference.
 * Descriptions and validation bounds are not compared. Empty when the two agree.
 * @example expect(apiDifferences(ported, parse(readFileSync('upstream-api.yaml', 'utf8')).openAPIV3Schema)).toEqual([]);
 */
export function apiDifferences(def: PromiseDefinition, upstream: unknown): string[] {
  const converted = toCrdSchema(def.spec, 'spec');
  if (converted.issues.length) throw new IssuesError(`${def.name}: invalid spec`, converted.issues);
  // The CRD's schema as promise.yaml carries it, without the rest of the Promise.
  const ours = renderCrd(apiNames(def.api), converted.schema, []).spec.versions[0]!.schema.openAPIV3Schema;
  const differences: string[] = [];
  type Node = { type?: unknown; default?: unknown; enum?: unknown; format?: unknown; required?: string[]; properties?: Record<string, Node>; items?: Node };
  const walk = (a: Node | undefined, b: Node | undefined, path: string, requiredA: boolean, requiredB: boolean) => {
    if (!a || !b) {
      differences.push(`${path}: ${a ? 'only ours has it' : 'ours lacks it'}`);
      return;
    }
    for (const key of ['type', 'default', 'enum', 'format'] as const)
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key]))
        differences.push(`${path}: ${key} ${JSON.stringify(a[key])} here, ${JSON.stringify(b[key])} upstream`);
    if (requiredA !== requiredB) differences.push(`${path}: ${requiredA ? 'required' : 'optional'} here, ${requiredB ? 'required' : 'optional'} upstream`);
    const names = new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})]);
    for (const name of [...names].sort())
      walk(a.properties?.[name], b.properties?.[name], path ? `${path}.${name}` : name, (a.required ?? []).includes(name), (b.required ?? []).includes(name));
    if (a.items || b.items) walk(a.items, b.items, `${path}[*]`, false, false);
  };
  // Only spec: status is Kratix's own.
  const spec = (s: unknown) => (s as Node).properties?.spec;
  walk(spec(ours), spec(upstream), 'spec', true, true);
  return differences;
}

// Backstage: the form against the API, and Backstage's own validators.
export { checkFormAgreement, checkFormPrefill, formCorpus, templateSpecSchema, type FormAgreement, type FormCase } from './form-agreement.js';
export { backstageValidators, catalogEntities } from './backstage.js';
