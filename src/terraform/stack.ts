import type { OutputProps, OutputValue, PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { IssuesError } from '../schema/issue.js';
import { App, Aspects, stackToTerraform, TerraformOutput, TerraformStack, Token } from './cdktf.js';
import { decorationsOf, type DecorationContext, TagAspect } from '../decorate/index.js';
import { defuseNumbers, requestDataIssues, shield, toTerraformLiterals, unshield } from './literal.js';
import * as errors from './errors.js';
import { secretBindings, type SecretBinding } from './secrets.js';

/** Terraform JSON, as written to `cdk.tf.json`. */
export type TerraformJson = Record<string, unknown>;

/** Options for {@link synthRequest}. */
export interface SynthRequestProps {
  /** Stack id; also the `stackName` cdktf records. @default "request" */
  readonly stackId?: string;
  /** The request's own labels, which decorations may read. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * For a request being deleted: request data the stack cannot take as it is (token numbers) is
   * made harmless instead of refused, so that deletion is never blocked. @default false
   */
  readonly lenient?: boolean;
}

/** One request's synthesized stack. */
export interface SynthesizedStack {
  /** The Terraform JSON configuration, keys sorted, request strings as literals, no backend. */
  readonly json: TerraformJson;
  /** Outputs whose values were already known at synthesis (not Terraform references), as the tenant wrote them. */
  readonly knownOutputs: Readonly<Record<string, OutputValue>>;
  /** Terraform variables to be filled from Kubernetes Secrets where Terraform runs. */
  readonly secrets: readonly SecretBinding[];
}

/**
 * Builds the cdktf stack for one validated request inside `app`: the author's constructs, one
 * TerraformOutput per declared output. Request strings are shielded first,
 * so they reach Terraform as literals whatever the author does with them.
 */
export function buildRequestStack(app: App, def: PromiseDefinition, request: ResourceRequest<unknown>, props: SynthRequestProps = {}) {
  const isTokenNumber = (n: number) => Token.isUnresolved(n);
  if (props.lenient) request = { ...request, spec: defuseNumbers(request.spec, isTokenNumber) };
  else {
    const reserved = requestDataIssues(request.spec, 'spec', isTokenNumber);
    if (reserved.length > 0) throw new IssuesError('invalid request', reserved);
  }
  const shielded = shield(request) as ResourceRequest<never>;
  // Decorations see request data as the stack does: shielded, so it reaches Terraform as literals.
  const tags = decorationTags(def, { ...shielded, labels: shield(props.labels ?? {}) as Record<string, string> });
  // A Promise of manifests only has no stack: its Terraform configuration is empty.
  return buildStack(app, props.stackId ?? 'request', def, def.outputs ?? {}, 'stack()', (stack) => {
    if (Object.keys(tags).length) Aspects.of(stack).add(new TagAspect(tags));
    return def.stack?.(stack, shielded);
  });
}

function decorationTags(def: PromiseDefinition, request: DecorationContext<unknown>['request']): Readonly<Record<string, string>> {
  const promise = { name: def.name, ...(def.version ? { version: def.version } : {}) };
  const tags = decorationsOf(def.decorate, 'tags', { promise, ...(request ? { request } : {}) });
  if (!tags.ok) throw new errors.StackError(tags.issues[0]!);
  return tags.value;
}

/** Builds the Promise's own stack, {@link PromiseDefinition.promiseStack}, inside `app`. */
export function buildPromiseStack(app: App, def: PromiseDefinition) {
  const promiseStack = def.promiseStack;
  if (!promiseStack) throw new Error(`promises/${def.name} has no promiseStack`);
  const tags = decorationTags(def, undefined);
  return buildStack(app, 'promise', def, promiseStack.outputs ?? {}, 'promiseStack.stack()', (stack) => {
    if (Object.keys(tags).length) Aspects.of(stack).add(new TagAspect(tags));
    return promiseStack.stack(stack);
  });
}

// The author's constructs, and one TerraformOutput per declared output.
function buildStack(
  app: App,
  id: string,
  def: PromiseDefinition,
  outputs: Readonly<Record<string, Pick<OutputProps, 'description' | 'sensitive'>>>,
  fn: string,
  build: (stack: TerraformStack) => unknown,
) {
  const stack = new TerraformStack(app, id);
  // promiseOutput() finds the Promise here, from any construct of the stack.
  stack.node.setContext(PROMISE_CONTEXT, def);
  let returned: Record<string, OutputValue | undefined>;
  try {
    returned = (build(stack) ?? {}) as typeof returned;
  } catch (e) {
    throw new errors.StackError(errors.authorThrew(fn, e), { cause: e });
  }
  const knownOutputs: Record<string, OutputValue> = {};
  const at = fn === 'stack()' ? 'outputs' : 'promiseStack.outputs';
  for (const [name, output] of Object.entries(outputs)) {
    const value = returned[name];
    if (value === undefined) throw new errors.StackError(errors.outputMissing(name, fn, at));
    // The construct id must not clash with the author's constructs (an output "namespace" beside a
    // resource "namespace"); the Terraform output keeps the declared name.
    const tfOutput = new TerraformOutput(stack, `output-${name}`, {
      value,
      sensitive: output.sensitive ?? false,
      ...(output.description ? { description: output.description } : {}),
    });
    tfOutput.overrideLogicalId(name);
    if (!isToken(value)) knownOutputs[name] = output.sensitive ? '(sensitive)' : unshield(value);
  }
  return { stack, knownOutputs };
}

/** The construct context key under which a stack holds its Promise's definition. */
export const PROMISE_CONTEXT = 'kratix-cdktf:promise';

/**
 * Builds and synthesizes the stack for one validated request, in memory: no cdktf CLI, no files.
 */
export function synthRequest(def: PromiseDefinition, request: ResourceRequest<unknown>, props: SynthRequestProps = {}): SynthesizedStack {
  const app = new App({ outdir: '/nonexistent', stackTraces: false, skipValidation: true });
  return synthesize(buildRequestStack(app, def, request, props), 'stack()');
}

/** Builds and synthesizes the Promise's own stack, in memory. */
export function synthPromiseStack(def: PromiseDefinition): SynthesizedStack {
  const app = new App({ outdir: '/nonexistent', stackTraces: false, skipValidation: true });
  return synthesize(buildPromiseStack(app, def), 'promiseStack.stack()');
}

function synthesize(built: { stack: TerraformStack; knownOutputs: Record<string, OutputValue> }, fn: string): SynthesizedStack {
  let raw: TerraformJson;
  try {
    raw = stackToTerraform(built.stack);
  } catch (e) {
    throw new errors.StackError(errors.synthesisFailed(e, fn), { cause: e });
  }
  delete raw['//'];
  removeInjectedBackend(raw);
  return { json: sortKeys(toTerraformLiterals(raw)) as TerraformJson, knownOutputs: built.knownOutputs, secrets: secretBindings(built.stack) };
}

// cdktf injects a LocalBackend with an absolute, machine-dependent path when none is set. The
// configuration carries no backend: the delivery adds one (apply mode) or the controller does.
function removeInjectedBackend(json: TerraformJson): void {
  const terraform = json.terraform as Record<string, unknown> | undefined;
  if (terraform) delete terraform.backend;
}

// Only Terraform knows a token's or an expression's value. Request data cannot look like an
// expression here: every `$` and `%` in it is still a shielded marker.
function isToken(value: unknown): boolean {
  // First: a token object (a module output's `get()`) links back to its construct tree.
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(isToken);
  if (value !== null && typeof value === 'object') return Object.values(value).some(isToken);
  return typeof value === 'string' && /\$\{|%\{|TfToken\[/.test(value);
}

/** Recursively sorts object keys by code point, so output is the same on every machine and locale. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
