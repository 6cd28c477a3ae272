import type { PromiseDefinition } from '../promise/define-promise.js';
import type { ResolvedManifests } from '../kratix/dependencies.js';
import { parseRequest } from '../kratix/request.js';
import { renderPromise, type RenderedPromise } from '../kratix/promise.js';
import type { Issue, Result } from '../schema/issue.js';
import { renderApiReadme } from './api-readme.js';
import { dependencyFiles, gzippedSize, MAX_DEPENDENCIES_GZIP_BYTES, MAX_PROMISE_BYTES, promiseSize } from './dependencies.js';
import * as errors from './errors.js';
import { renderTypes } from './types-ts.js';
import { toYaml } from './yaml.js';

/** What compiling one Promise needs besides its definition. */
export interface CompileProps {
  /** Full image reference of the Promise's workflow container. */
  readonly image: string;
  /** The Promise's example request, as parsed from `example-request.yaml`. */
  readonly exampleRequest: unknown;
  /** The objects of the manifest files its `dependencies` name, read by the caller. @default none */
  readonly manifests?: ResolvedManifests;
}

/** Files of one Promise, keyed by their path inside `generated/<name>/`. */
export type Artifacts = ReadonlyMap<string, string>;

/**
 * Compiles one Promise definition into its committed artifacts: the Kratix Promise, a valid
 * example request, consumer types and the API README. Pure: no disk, same bytes every time.
 */
export async function compilePromise(def: PromiseDefinition, props: CompileProps): Promise<Result<Artifacts>> {
  const rendered = renderSized(def, props);
  if (!rendered.ok) return rendered;
  const { names, spec } = rendered.value;
  const example = parseRequest(rendered.value, props.exampleRequest);
  if (!example.ok) return { ok: false, issues: example.issues.map((i): Issue => ({ ...i, path: `example-request.yaml: ${i.path}` })) };
  // The example shows what a user writes, not what defaulting adds.
  const raw = props.exampleRequest as { metadata: Record<string, unknown>; spec?: unknown };
  const exampleYaml = toYaml({
    apiVersion: `${names.group}/${names.version}`,
    kind: names.kind,
    metadata: raw.metadata,
    ...(raw.spec !== undefined ? { spec: raw.spec } : {}),
  });
  const files = new Map<string, string>();
  files.set('promise.yaml', rendered.value.yaml);
  files.set('example-resource.yaml', exampleYaml);
  files.set('types.ts', await renderTypes(names, spec, def.name));
  files.set(
    'README.md',
    renderApiReadme({
      promiseName: def.name,
      ...(def.description ? { description: def.description } : {}),
      names,
      spec,
      outputs: def.outputs ?? {},
      exampleYaml,
      secretRefs: rendered.value.secretRefs,
    }),
  );
  return { ok: true, value: files };
}

/**
 * Renders the Promise with its dependencies where `dependencyDelivery` says, or, for `'auto'`,
 * inline while promise.yaml stays within {@link MAX_PROMISE_BYTES} and in a Promise configure
 * workflow otherwise. Refuses a promise.yaml that would still be too big to apply, and
 * dependencies too big for the workflow's Work.
 */
function renderSized(def: PromiseDefinition, props: CompileProps): Result<SizedPromise> {
  const choice = def.dependencyDelivery ?? 'auto';
  if (!['auto', 'inline', 'workflow'].includes(choice)) return { ok: false, issues: [errors.badDependencyDelivery(choice)] };
  const render = (dependencies: 'inline' | 'workflow'): Result<SizedPromise> => {
    const result = renderPromise(def, { image: props.image, ...(props.manifests ? { manifests: props.manifests } : {}), dependencies });
    if (!result.ok) return result;
    const yaml = toYaml(result.value.promise);
    return { ok: true, value: { ...result.value, yaml, size: promiseSize(yaml, result.value.promise) } };
  };
  let where: 'inline' | 'workflow' = choice === 'workflow' ? 'workflow' : 'inline';
  let rendered = render(where);
  if (!rendered.ok) return rendered;
  const count = rendered.value.dependencies.length;
  if (choice === 'auto' && count > 0 && overLimit(rendered.value)) {
    where = 'workflow';
    rendered = render(where);
    if (!rendered.ok) return rendered;
  }
  if (overLimit(rendered.value)) return { ok: false, issues: [errors.promiseTooBig(rendered.value.size, MAX_PROMISE_BYTES, where === 'inline' && count > 0)] };
  if (where === 'workflow' && count > 0) {
    const gzipped = gzippedSize(dependencyFiles(rendered.value.dependencies));
    if (gzipped > MAX_DEPENDENCIES_GZIP_BYTES) return { ok: false, issues: [errors.dependenciesTooBig(gzipped, MAX_DEPENDENCIES_GZIP_BYTES)] };
  }
  return rendered;
}

type SizedPromise = RenderedPromise & { readonly yaml: string; readonly size: ReturnType<typeof promiseSize> };

function overLimit({ size }: SizedPromise): boolean {
  return Math.max(size.yaml, size.annotation) > MAX_PROMISE_BYTES;
}
