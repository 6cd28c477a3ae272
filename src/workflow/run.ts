import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { toYaml } from '../artifacts/yaml.js';
import { deliverToTofuController, type DeliveryResult } from '../delivery/tofu-controller.js';
import { parseRequest, requestApi } from '../kratix/request.js';
import type { OutputValue, PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { formatIssues, IssuesError, type Issue, type Result } from '../schema/issue.js';
import { physicalName } from '../terraform/physical-name.js';
import { synthRequest } from '../terraform/stack.js';
import { readContext, type WorkflowContext } from './context.js';
import { writeAllOrNothing } from './files.js';
import { condition, describeIssues } from './status.js';

/** Where the workflow reports progress (stdout) and failures (stderr). */
export interface WorkflowLog {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

// The API server refuses objects over 1.5 MiB; anything larger did not come from Kubernetes.
const MAX_INPUT_BYTES = 1.5 * 1024 * 1024;
// Kratix stores the Work in etcd; keep well under its 1 MiB object limit, gzipped.
const MAX_OUTPUT_GZIP_BYTES = 512 * 1024;

/**
 * Runs one Kratix workflow for a Promise, as its container does: reads the request, validates
 * it, synthesizes its stack and writes the delivery's files and status, all or nothing.
 * Returns the exit code: 0 done, 1 the request or its stack was refused, 2 the run itself failed.
 */
export async function runWorkflow(def: PromiseDefinition, env: Readonly<Record<string, string | undefined>>, log: WorkflowLog): Promise<number> {
  const ctx = readContext(env);
  if (typeof ctx === 'string') {
    log.error(`kratix-cdktf: ${ctx}`);
    return 2;
  }
  if (ctx.type === 'promise') {
    log.info(`${def.name}: nothing to do in the promise ${ctx.action} workflow`);
    return 0;
  }
  if (ctx.action === 'delete') {
    // Deletion must never be blocked by a request that has since become invalid, so nothing is
    // validated. With GitOps delivery, Kratix deletes the Work, Flux prunes the Terraform object
    // and tofu-controller destroys the stack (destroyResourcesOnDeletion).
    log.info(`${def.name}: tofu-controller destroys the stack when Kratix removes this request's Work`);
    return 0;
  }
  return configure(def, ctx, log);
}

async function configure(def: PromiseDefinition, ctx: WorkflowContext, log: WorkflowLog): Promise<number> {
  const now = ctx.now();
  const refuse = (heading: string, type: string, reason: string, issues: readonly Issue[]): number => {
    log.error(formatIssues(heading, issues));
    const summary = describeIssues(issues);
    writeAllOrNothing(ctx.metadataDir, new Map([['status.yaml', toYaml({ message: `${heading}: ${summary}`, conditions: [condition(type, false, reason, summary, now)] })]]));
    return 1;
  };

  const api = requestApi(def);
  if (!api.ok) return refuse(`${def.name}: the Promise definition is invalid`, 'RequestValid', 'InvalidPromise', api.issues);
  const input = readInput(ctx.inputFile);
  if (!input.ok) return refuse(`${def.api.kind}: unreadable request`, 'RequestValid', 'InvalidRequest', input.issues);
  const heading = `${def.api.kind} ${describeObject(input.value)}`;
  const request = parseRequest(api.value, input.value, ctx.objectNamespace);
  if (!request.ok) return refuse(`${heading}: invalid request`, 'RequestValid', 'InvalidRequest', request.issues);

  let delivered: DeliveryResult & { outputs: Record<string, OutputValue> };
  try {
    delivered = deliver(def, request.value);
  } catch (e) {
    if (e instanceof IssuesError) return refuse(`${heading}: invalid request`, 'RequestValid', 'InvalidRequest', e.issues);
    return refuse(`${heading}: the stack could not be built`, 'StackSynthesized', 'StackFailed', [{ path: `promises/${def.name}`, message: `stack() threw: ${(e as Error).message}` }]);
  }
  const size = [...delivered.files.values()].reduce((n, text) => n + gzipSync(text).length, 0);
  if (size > MAX_OUTPUT_GZIP_BYTES) {
    return refuse(`${heading}: the output is too large`, 'StackSynthesized', 'OutputTooLarge', [
      { path: 'spec', message: `the synthesized output is ${size} bytes gzipped; Kratix keeps Work in etcd, so at most ${MAX_OUTPUT_GZIP_BYTES} are allowed` },
    ]);
  }

  const status = {
    message: delivered.message,
    // Kratix merges one top-level key at a time, so the whole outputs object is written each run.
    ...(Object.keys(delivered.outputs).length ? { outputs: delivered.outputs } : {}),
    terraform: delivered.summary,
    conditions: [condition('RequestValid', true, 'Validated', 'The request matches the API', now), condition('StackSynthesized', true, 'Synthesized', delivered.message, now)],
  };
  const metadata = new Map([['status.yaml', toYaml(status)]]);
  if (delivered.destinationSelectors) metadata.set('destination-selectors.yaml', toYaml(delivered.destinationSelectors));
  writeAllOrNothing(ctx.outputDir, delivered.files);
  try {
    writeAllOrNothing(ctx.metadataDir, metadata);
  } catch (e) {
    for (const name of delivered.files.keys()) rmSync(join(ctx.outputDir, name), { force: true });
    throw e;
  }
  log.info(`${heading}: ${delivered.message}`);
  for (const name of delivered.files.keys()) log.info(`  wrote ${name}`);
  return 0;
}

function deliver(def: PromiseDefinition, request: ResourceRequest<unknown>): DeliveryResult & { outputs: Record<string, OutputValue> } {
  const synthesized = synthRequest(def, request);
  const delivery = def.delivery ?? { kind: 'tofu-controller' as const };
  const result = deliverToTofuController({
    delivery,
    slug: requestSlug(def.name, request),
    promise: def.name,
    request: request.metadata,
    stack: synthesized.json,
    outputs: Object.keys(def.outputs ?? {}),
    secrets: synthesized.secrets,
  });
  return { ...result, outputs: { ...synthesized.knownOutputs } };
}

/**
 * A name for everything that belongs to one request (state, controller objects, files): unique
 * per (promise, namespace, name), a DNS label, and short enough for derived names such as
 * tofu-controller's `<name>-tf-runner` pod.
 */
export function requestSlug(promise: string, request: Pick<ResourceRequest<unknown>, 'metadata'>): string {
  return physicalName(request, { prefix: promise, maxLength: 52 });
}

function readInput(file: string): Result<unknown> {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_INPUT_BYTES) return { ok: false, issues: [{ path: '(root)', message: `object.yaml is ${size} bytes; Kubernetes objects are at most ${MAX_INPUT_BYTES}` }] };
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, issues: [{ path: '(root)', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  try {
    // maxAliasCount bounds alias expansion ("billion laughs"); YAML 1.2 core types only.
    return { ok: true, value: parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: true }) };
  } catch (e) {
    return { ok: false, issues: [{ path: '(root)', message: `object.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
}

function describeObject(object: unknown): string {
  const metadata = (object as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name.slice(0, 63) : '(unnamed)';
  return typeof metadata?.namespace === 'string' ? `${metadata.namespace.slice(0, 63)}/${name}` : name;
}
