import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePromise, type Artifacts } from '../artifacts/compile.js';
import { parseKubernetesYaml } from '../artifacts/yaml.js';
import { renderPromise, type RenderedPromise } from '../kratix/promise.js';
import { parseRequest } from '../kratix/request.js';
import type { PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { IssuesError, type Result } from '../schema/issue.js';
import { synthRequest, type SynthRequestProps, type TerraformJson } from '../terraform/stack.js';

/** A request as a test writes it: anything left out is filled in (name `test`, namespace `default`). */
export interface TestRequest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
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
  if (!parsed.ok) throw new IssuesError(`${def.name}: invalid request`, parsed.issues);
  return synthRequest(def, parsed.value, props).json;
}

/**
 * Compiles a Promise into its generated files in memory (`promise.yaml`, `types.ts`, ...).
 * Throws an {@link IssuesError} listing every problem, as `npm run synth` would print them.
 */
export async function synthPromise(def: PromiseDefinition, example: TestRequest = {}): Promise<Artifacts> {
  const result = await compilePromise(def, { image: TEST_IMAGE, exampleRequest: complete(def, example) });
  if (!result.ok) throw new IssuesError(`promises/${def.name}`, result.issues);
  return result.value;
}

function rendered(def: PromiseDefinition): RenderedPromise {
  const result = renderPromise(def, { image: TEST_IMAGE });
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
