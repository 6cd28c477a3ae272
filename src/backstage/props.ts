// What a Promise says about its place in Backstage, and the checks synth makes of it.
import { dnsLabelProblem, labelKeyProblem, labelValueProblem } from '../kratix/names.js';
import type { ResourceRequest } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';

/** A link on a request's catalog entity. */
export interface BackstageLink {
  readonly url: string;
  readonly title: string;
  /** A Backstage system icon name (`dashboard`, `docs`, ...). @default none */
  readonly icon?: string;
}

/** How the Software Template creates a request: see {@link backstagePullRequest} and {@link backstageKubeApply}. */
export type BackstageCreate =
  | { readonly kind: 'pull-request'; readonly provider: 'github' | 'gitlab'; readonly repoUrl: string; readonly targetPath: string }
  | { readonly kind: 'kube-apply'; readonly clusterName?: string };

/** A Promise's Backstage entities: its API, its Software Template and its requests'. */
export interface BackstageProps<Spec = any> {
  /** Entity reference of the team that offers the Promise. @default 'group:default/platform-team' */
  readonly owner?: string;
  /** Entity reference of the System the Promise and its requests belong to. @default none */
  readonly system?: string;
  /** Lifecycle of the Promise's API entity. @default 'production' */
  readonly lifecycle?: string;
  /** How the Template creates the request. @default backstageKubeApply() */
  readonly create?: BackstageCreate;
  /**
   * The namespaces the form offers, as a list to pick from instead of free text. With
   * `backstageKubeApply()` the request is created by Backstage's own service account, so this
   * (with RBAC, see the README) is what keeps a requester to their team's namespaces.
   * @default any namespace, typed
   */
  readonly namespaces?: readonly string[];
  /**
   * Labels of the Kratix Destination whose repository Backstage reads: each request's workflow
   * writes a `Resource` entity there (owner, links, outputs), and Kratix removes it with the
   * request. @default none: no entities for requests
   */
  readonly catalog?: { readonly matchLabels: Readonly<Record<string, string>> };
  /** Links on each request's entity, from the request and its outputs (http and https only). @default none */
  links?(context: { readonly request: ResourceRequest<Spec>; readonly outputs: Readonly<Record<string, unknown>> }): readonly BackstageLink[];
}

/**
 * Requests arrive as pull requests into the platform's GitOps repository, which Kratix (or a
 * GitOps tool in front of it) applies once reviewed: the usual way when the platform cluster is
 * only changed through git. Uses the scaffolder's `publish:github:pull-request` or
 * `publish:gitlab:merge-request`, which a Backstage app created with `@backstage/create-app` has.
 */
export function backstagePullRequest(props: {
  /** The repository, as the scaffolder writes it: `github.com?owner=acme&repo=platform`. */
  readonly repoUrl: string;
  /** Folder of the repository the requests go to (then `<namespace>/<promise>/<name>.yaml`). @default 'requests' */
  readonly targetPath?: string;
  /** @default 'github' */
  readonly provider?: 'github' | 'gitlab';
}): BackstageCreate {
  return { kind: 'pull-request', provider: props.provider ?? 'github', repoUrl: props.repoUrl, targetPath: props.targetPath ?? 'requests' };
}

/**
 * Requests are applied to the platform cluster at once by the `kube:apply` action of
 * `@devangelista/backstage-scaffolder-kubernetes` (the action Kratix's own Backstage guides use),
 * with the cluster Backstage's `kubernetes` configuration names.
 */
export function backstageKubeApply(props: { readonly clusterName?: string } = {}): BackstageCreate {
  return { kind: 'kube-apply', ...(props.clusterName ? { clusterName: props.clusterName } : {}) };
}

export const DEFAULT_OWNER = 'group:default/platform-team';

// Backstage's own rules (catalog-model's KubernetesValidatorFunctions): names are 1 to 63
// characters of [A-Za-z0-9-_.] starting and ending alphanumeric; namespaces are DNS labels;
// kinds start with a letter.
const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/;
const KIND = /^[a-zA-Z][a-zA-Z0-9]*$/;

/** Why `ref` is not an entity reference (`[kind:][namespace/]name`), or nothing. */
export function entityRefProblem(ref: unknown, kinds?: readonly string[]): string | undefined {
  if (typeof ref !== 'string' || ref === '') return 'is not an entity reference like group:default/team-a';
  const parts = refParts(ref);
  if (!parts) return 'is not an entity reference ([kind:][namespace/]name)';
  const { kind, namespace, name } = parts;
  if (kind !== undefined && !KIND.test(kind)) return `has a kind ${JSON.stringify(kind)} that is not a letter followed by letters and digits`;
  if (kind !== undefined && kinds && !kinds.includes(kind.toLowerCase())) return `names a ${kind}, where a ${kinds.join(' or ')} is expected`;
  if (namespace !== undefined && (namespace.length > 63 || !NAMESPACE.test(namespace)))
    return `has a namespace ${JSON.stringify(namespace)} that is not a DNS label`;
  if (!NAME.test(name)) return `has a name ${JSON.stringify(name)} that is not 1 to 63 letters, digits and -_. starting and ending with a letter or digit`;
  return undefined;
}

/** `ref` as `kind:namespace/name`, the parts it leaves out filled in: a short reference is read in the namespace of the entity that holds it. */
export function fullRef(ref: string, kind: string): string {
  const parts = refParts(ref)!;
  return `${(parts.kind ?? kind).toLowerCase()}:${parts.namespace ?? 'default'}/${parts.name}`;
}

// `[kind:][namespace/]name`, split; undefined when it is not of that form.
function refParts(ref: string): { kind?: string; namespace?: string; name: string } | undefined {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  if (!match) return undefined;
  const [, kind, namespace, name] = match;
  return { ...(kind !== undefined ? { kind } : {}), ...(namespace !== undefined ? { namespace } : {}), name: name! };
}

/** Problems of `backstage`, for synth. */
export function checkBackstage(value: unknown): Issue[] {
  if (value === undefined) return [];
  if (!value || typeof value !== 'object')
    return [{ path: 'backstage', message: 'is not an object', fix: "write backstage: { owner: 'group:default/platform-team' }" }];
  const b = value as Partial<Record<keyof BackstageProps, unknown>>;
  const issues: Issue[] = [];
  const ref = (key: 'owner' | 'system', kinds: readonly string[]) => {
    const problem = b[key] === undefined ? undefined : entityRefProblem(b[key], kinds);
    if (problem) issues.push({ path: `backstage.${key}`, message: `${JSON.stringify(b[key])} ${problem}`, fix: `write ${key}: '${kinds[0]}:default/<name>'` });
  };
  ref('owner', ['group', 'user']);
  ref('system', ['system']);
  if (b.lifecycle !== undefined && (typeof b.lifecycle !== 'string' || !NAME.test(b.lifecycle)))
    issues.push({ path: 'backstage.lifecycle', message: 'is not a lifecycle name like production or experimental', fix: "write lifecycle: 'production'" });
  if (
    b.namespaces !== undefined &&
    (!Array.isArray(b.namespaces) || b.namespaces.length === 0 || b.namespaces.some((n) => typeof n !== 'string' || dnsLabelProblem(n)))
  )
    issues.push({ path: 'backstage.namespaces', message: 'must list namespaces (DNS labels), at least one', fix: "write namespaces: ['team-a', 'team-b']" });
  if (b.links !== undefined && typeof b.links !== 'function')
    issues.push({ path: 'backstage.links', message: 'is not a function', fix: 'write links({ request, outputs }) { return [{ url, title }]; }' });
  issues.push(...checkCreate(b.create), ...checkCatalog(b.catalog));
  return issues;
}

function checkCreate(create: unknown): Issue[] {
  if (create === undefined) return [];
  const c = create as Partial<Record<string, unknown>> | null;
  if (!c || (c.kind !== 'pull-request' && c.kind !== 'kube-apply'))
    return [
      { path: 'backstage.create', message: 'is not a way to create requests', fix: 'write create: backstagePullRequest({ repoUrl }) or backstageKubeApply()' },
    ];
  if (c.kind === 'kube-apply')
    return c.clusterName === undefined || (typeof c.clusterName === 'string' && /^[^\s${}]+$/.test(c.clusterName))
      ? []
      : [
          {
            path: 'backstage.create.clusterName',
            message: 'is not a cluster name (no spaces, $ or braces)',
            fix: 'write the name under kubernetes.clusterLocatorMethods',
          },
        ];
  const issues: Issue[] = [];
  // The scaffolder reads repoUrl as host?owner=...&repo=...; template syntax in it would be evaluated.
  if (typeof c.repoUrl !== 'string' || !/^[a-z0-9.-]+\?(?:[a-zA-Z]+=[-\w.~/%]+&?)+$/.test(c.repoUrl) || !/[?&]repo=/.test(c.repoUrl))
    issues.push({
      path: 'backstage.create.repoUrl',
      message: `${JSON.stringify(c.repoUrl)} is not a scaffolder repository URL`,
      fix: "write repoUrl: 'github.com?owner=acme&repo=platform'",
    });
  if (c.provider !== 'github' && c.provider !== 'gitlab')
    issues.push({ path: 'backstage.create.provider', message: `${JSON.stringify(c.provider)} is not github or gitlab`, fix: "write provider: 'github'" });
  if (typeof c.targetPath !== 'string' || !/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/.test(c.targetPath) || c.targetPath.split('/').includes('..'))
    issues.push({
      path: 'backstage.create.targetPath',
      message: `${JSON.stringify(c.targetPath)} is not a relative folder of the repository`,
      fix: "write targetPath: 'requests'",
    });
  return issues;
}

function checkCatalog(catalog: unknown): Issue[] {
  if (catalog === undefined) return [];
  const labels = (catalog as { matchLabels?: unknown } | null)?.matchLabels;
  const fix = "write catalog: { matchLabels: { environment: 'backstage' } }";
  if (!labels || typeof labels !== 'object' || Object.keys(labels).length === 0)
    // Kratix's work-writer fails a run whose destination-selectors.yaml has an entry without labels.
    return [{ path: 'backstage.catalog.matchLabels', message: 'must name the labels of the Backstage Destination (at least one)', fix }];
  return Object.entries(labels).flatMap(([key, value]): Issue[] => {
    const problem = labelKeyProblem(key) ?? (typeof value === 'string' ? labelValueProblem(value) : 'must be a string');
    return problem ? [{ path: `backstage.catalog.matchLabels[${JSON.stringify(key)}]`, message: problem, fix }] : [];
  });
}
