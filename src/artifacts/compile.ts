import type { PromiseDefinition } from '../promise/define-promise.js';
import { parseRequest } from '../kratix/request.js';
import { renderPromise } from '../kratix/promise.js';
import type { Issue, Result } from '../schema/issue.js';
import { renderApiReadme } from './api-readme.js';
import { renderTypes } from './types-ts.js';
import { toYaml } from './yaml.js';

/** What compiling one Promise needs besides its definition. */
export interface CompileProps {
  /** Full image reference of the Promise's workflow container. */
  readonly image: string;
  /** The Promise's example request, as parsed from `example-request.yaml`. */
  readonly exampleRequest: unknown;
}

/** Files of one Promise, keyed by their path inside `generated/<name>/`. */
export type Artifacts = ReadonlyMap<string, string>;

/**
 * Compiles one Promise definition into its committed artifacts: the Kratix Promise, a valid
 * example request, consumer types and the API README. Pure: no disk, same bytes every time.
 */
export async function compilePromise(def: PromiseDefinition, props: CompileProps): Promise<Result<Artifacts>> {
  const rendered = renderPromise(def, { image: props.image });
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
  files.set('promise.yaml', toYaml(rendered.value.promise));
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
