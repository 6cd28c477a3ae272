// Backstage: the same schema that gives the CRD gives the portal's form (a Software Template),
// the Promise's API entity, and, written by each request's workflow, the request's own entity.
import { apiNames, type ApiNames } from '../kratix/crd.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { Issue, Result } from '../schema/issue.js';
import type { StructuralSchema } from '../schema/structural.js';
import { toYaml } from '../artifacts/yaml.js';
import { renderApiEntity, renderRequestEntity } from './entities.js';
import { type BackstageLink, entityRefProblem, fullRef } from './props.js';
import { OWNER_ANNOTATION, renderTemplate } from './template.js';

export { renderLocation } from './entities.js';
export { specForm } from './form.js';
export { backstageKubeApply, backstagePullRequest, checkBackstage, type BackstageCreate, type BackstageLink, type BackstageProps } from './props.js';
export { OWNER_ANNOTATION } from './template.js';

/** The folder of a request's output that goes to the Backstage Destination. */
export const BACKSTAGE_DIR = 'backstage';

/** The Promise's Backstage files (Template, skeleton, API entity, TechDocs), keyed by path inside `generated/<promise>/`. */
export function backstageFiles(
  def: PromiseDefinition,
  props: { readonly names: ApiNames; readonly spec: StructuralSchema; readonly secretRefs: readonly string[]; readonly readme: string },
): Map<string, string> {
  const backstage = def.backstage ?? {};
  const files = new Map<string, string>();
  const template = renderTemplate({
    promiseName: def.name,
    ...(def.description ? { description: def.description } : {}),
    names: props.names,
    spec: props.spec,
    secretRefs: props.secretRefs,
    rules: (def.rules ?? []).map((r) => ({ name: r.name, ...(typeof r.description === 'string' ? { description: r.description } : {}) })),
    backstage,
  });
  // The skeleton is a template itself: its text is kept as written, not serialized.
  for (const [path, value] of template) files.set(path, typeof value === 'string' ? value : toYaml(value));
  const api = renderApiEntity({
    promiseName: def.name,
    ...(def.description ? { description: def.description } : {}),
    ...(def.version ? { version: def.version } : {}),
    names: props.names,
    spec: props.spec,
    readme: props.readme,
    backstage,
  });
  for (const [path, text] of api) files.set(path, text);
  return files;
}

/**
 * The owner of a request's entity: the request's `kratix-cdktf.io/owner` annotation (the
 * Template sets it from the owner picker), else the group named like its namespace. Always a
 * full reference, since a short one would be read in the entity's namespace, not `default`. An
 * annotation that is no group or user reference is not used, and `problem` says why: a catalog
 * detail does not hold back what the request builds.
 */
export function requestCatalogOwner(annotations: Readonly<Record<string, string>>, namespace: string): { readonly owner: string; readonly problem?: Issue } {
  const fallback = `group:default/${namespace}`;
  const value = annotations[OWNER_ANNOTATION];
  if (value === undefined) return { owner: fallback };
  const problem = entityRefProblem(value, ['group', 'user']);
  if (!problem) return { owner: fullRef(value, 'group') };
  return {
    owner: fallback,
    problem: {
      path: `metadata.annotations[${JSON.stringify(OWNER_ANNOTATION)}]`,
      // The outcome first: a long value and reason are cut in status, the owner used never is.
      message: `the entity is owned by ${fallback} instead: ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} ${problem}`,
      fix: 'name a Backstage group or user, like group:default/team-a, or remove the annotation',
    },
  };
}

/** The request's entity as a group of the workflow's output, for the Backstage Destination. */
export function requestCatalogGroup(
  def: PromiseDefinition,
  request: { readonly metadata: { readonly name: string; readonly namespace: string }; readonly spec: unknown },
  owner: string,
  statusOutputs: Readonly<Record<string, unknown>>,
): Result<{ readonly directory: string; readonly matchLabels: Readonly<Record<string, string>>; readonly files: ReadonlyMap<string, string> }> {
  const backstage = def.backstage;
  if (!backstage?.catalog) return { ok: true, value: { directory: BACKSTAGE_DIR, matchLabels: {}, files: new Map() } };
  // Only what status already shows, and never what the Promise calls sensitive. Lists and maps
  // become JSON text: Backstage replaces an object like { $text: <url> } anywhere in an entity
  // with what it reads at the URL, with its own credentials, and outputs carry request data.
  const outputs = Object.fromEntries(
    Object.entries(statusOutputs)
      .filter(([name, v]) => v !== undefined && v !== null && !def.outputs?.[name]?.sensitive)
      .map(([name, v]) => [name, typeof v === 'object' ? JSON.stringify(v) : v]),
  );
  const links = authorLinks(def, request, outputs);
  if (!links.ok) return links;
  const { file, text } = renderRequestEntity({
    promiseName: def.name,
    names: apiNames(def.api),
    metadata: request.metadata,
    owner,
    outputs,
    links: links.value,
    backstage,
  });
  return { ok: true, value: { directory: BACKSTAGE_DIR, matchLabels: backstage.catalog.matchLabels, files: new Map([[`${BACKSTAGE_DIR}/${file}`, text]]) } };
}

// The author's links, from tenant data: only http(s), since Backstage renders them as anchors.
function authorLinks(def: PromiseDefinition, request: Parameters<typeof requestCatalogGroup>[1], outputs: Record<string, unknown>): Result<BackstageLink[]> {
  const fn = def.backstage?.links;
  if (!fn) return { ok: true, value: [] };
  let links: unknown;
  try {
    links = fn({ request: request as never, outputs });
  } catch (e) {
    return { ok: false, issues: [{ path: 'backstage.links()', message: `threw: ${(e as Error)?.message ?? String(e)}` }] };
  }
  if (!Array.isArray(links)) return { ok: false, issues: [{ path: 'backstage.links()', message: 'did not return a list of { url, title }' }] };
  const issues: Issue[] = [];
  const out: BackstageLink[] = [];
  links.forEach((link: Partial<BackstageLink> | null, i) => {
    const path = `backstage.links()[${i}]`;
    let url: URL | undefined;
    try {
      url = typeof link?.url === 'string' ? new URL(link.url) : undefined;
    } catch {}
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      issues.push({ path: `${path}.url`, message: `${JSON.stringify(String(link?.url).slice(0, 80))} is not an http or https URL` });
    else if (typeof link?.title !== 'string' || link.title === '') issues.push({ path: `${path}.title`, message: 'is not a non-empty string' });
    else out.push({ url: url.href, title: link.title, ...(typeof link.icon === 'string' && link.icon ? { icon: link.icon } : {}) });
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}
