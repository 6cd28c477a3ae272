import { approvalPolicy } from '../approval/index.js';
import { backstageFiles } from '../backstage/index.js';
import { deliveryOf } from '../delivery/index.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { ResolvedManifests } from '../kratix/dependencies.js';
import { parseRequest } from '../kratix/request.js';
import { renderPromise, type RenderedPromise } from '../kratix/promise.js';
import type { Issue, Result } from '../schema/issue.js';
import { renderApiReadme } from './api-readme.js';
import { annotationBytes, dependencyFiles, gzippedSize, MAX_DEPENDENCIES_GZIP_BYTES, MAX_PROMISE_BYTES } from './dependencies.js';
import * as errors from './errors.js';
import { renderTypes } from './types-ts.js';
import { toYaml, toYamlDocuments } from './yaml.js';

/** What compiling one Promise needs besides its definition. */
export interface CompileProps {
  /** Full image reference of the Promise's workflow container. */
  readonly image: string;
  /** The Promise's example request, as parsed from `example-request.yaml`. */
  readonly exampleRequest: unknown;
  /** The objects of the manifest files its `dependencies` name, read by the caller. @default none */
  readonly manifests?: ResolvedManifests;
  /** The project's image pull Secrets, for every Pipeline. @default none */
  readonly imagePullSecrets?: readonly string[];
}

/** Files of one Promise, keyed by their path inside `generated/<name>/`. */
export type Artifacts = ReadonlyMap<string, string>;

/**
 * Compiles one Promise definition into its committed artifacts: the Kratix Promise, a valid
 * example request, consumer types, the API README and the Backstage Template and entities. Pure: no disk, same bytes every time.
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
  const retry = deliveryOf(def).retry;
  const files = new Map<string, string>();
  files.set('promise.yaml', rendered.value.yaml);
  files.set('example-resource.yaml', exampleYaml);
  files.set('types.ts', await renderTypes(names, spec, def.name));
  // For the platform cluster, beside the Promise: who may approve a plan (src/approval).
  if (def.approval) files.set('approval-policy.yaml', toYamlDocuments(approvalPolicy(def.name, names, def.approval)));
  const readme = renderApiReadme({
    promiseName: def.name,
    ...(def.description ? { description: def.description } : {}),
    names,
    spec,
    outputs: def.outputs ?? {},
    ...(def.status?.fields ? { statusFields: def.status.fields } : {}),
    ...(def.rules?.length
      ? {
          rules: def.rules.map((r) => ({
            name: r.name,
            ...(typeof r.description === 'string' ? { description: r.description } : {}),
            readsNamespace: r.reads?.namespaceLabels === true,
          })),
        }
      : {}),
    exampleYaml,
    secretRefs: rendered.value.secretRefs,
    ...(retry ? { retry: { first: retry.first ?? '30s', max: retry.max ?? '30m' } } : {}),
  });
  files.set('README.md', readme);
  // The portal's view of the same API (src/backstage).
  for (const [path, text] of backstageFiles(def, { names, spec, secretRefs: rendered.value.secretRefs, readme })) files.set(path, text);
  return { ok: true, value: files };
}

/**
 * Renders the Promise with its dependencies where `dependencyDelivery` says, or, for `'auto'`,
 * inline while promise.yaml stays within {@link MAX_PROMISE_BYTES} and in a Promise configure
 * workflow otherwise. Refuses a promise.yaml that would still be too big to apply, and
 * dependencies too big for the workflow's Work.
 */
function renderSized(def: PromiseDefinition, props: CompileProps): Result<RenderedPromise & { readonly yaml: string }> {
  const choice = def.dependencyDelivery ?? 'auto';
  if (!['auto', 'inline', 'workflow'].includes(choice)) return { ok: false, issues: [errors.badDependencyDelivery(choice)] };
  const render = (dependencies: 'inline' | 'workflow') => {
    const result = renderPromise(def, {
      image: props.image,
      ...(props.manifests ? { manifests: props.manifests } : {}),
      ...(props.imagePullSecrets ? { imagePullSecrets: props.imagePullSecrets } : {}),
      dependencies,
    });
    return result.ok ? { ok: true as const, value: new Sized(result.value) } : result;
  };
  let where: 'inline' | 'workflow' = choice === 'workflow' ? 'workflow' : 'inline';
  let rendered = render(where);
  if (!rendered.ok) return rendered;
  const count = rendered.value.rendered.dependencies.length;
  if (choice === 'auto' && count > 0 && rendered.value.overLimit()) {
    where = 'workflow';
    rendered = render(where);
    if (!rendered.ok) return rendered;
  }
  const sized = rendered.value;
  if (sized.overLimit()) {
    return {
      ok: false,
      issues: [
        errors.promiseTooBig({ yaml: Buffer.byteLength(sized.yaml()), annotation: sized.annotation }, MAX_PROMISE_BYTES, where === 'inline' && count > 0),
      ],
    };
  }
  if (where === 'workflow' && count > 0) {
    const gzipped = gzippedSize(dependencyFiles(sized.rendered.dependencies));
    if (gzipped > MAX_DEPENDENCIES_GZIP_BYTES) return { ok: false, issues: [errors.dependenciesTooBig(gzipped, MAX_DEPENDENCIES_GZIP_BYTES)] };
  }
  return { ok: true, value: { ...sized.rendered, yaml: sized.yaml() } };
}

// A rendered Promise and what applying it would weigh. The JSON is measured first: it is cheap,
// and when it is already over the limit, serializing most of a megabyte of YAML is not needed.
class Sized {
  readonly annotation: number;
  private text: string | undefined;
  constructor(readonly rendered: RenderedPromise) {
    this.annotation = annotationBytes(rendered.promise);
  }
  yaml(): string {
    return (this.text ??= toYaml(this.rendered.promise));
  }
  overLimit(): boolean {
    return this.annotation > MAX_PROMISE_BYTES || Buffer.byteLength(this.yaml()) > MAX_PROMISE_BYTES;
  }
}
