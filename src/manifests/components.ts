// Status flowing back from composed requests. A Promise whose manifests() writes requests of
// other Promises (app-env's Postgres and Bucket) declares their APIs in `components`; on every
// configure run the workflow reads those requests' status through the platform cluster's API
// (Kratix copies none into the parent) and reports it in `status.components`, and Ready is True
// only when every one of them is. The first run finds none yet: Kratix applies the manifests
// after the pipeline, so the next reconcile (workflow.reconciliationInterval) sees them.
import { CLUSTER_CA_ENV, kubeRequest } from '../delivery/kube-api.js';
import type { PipelineEnv, PipelinePermission } from '../delivery/delivery.js';
import type { KubernetesObject, PromiseDefinition } from '../promise/define-promise.js';
import { apiGroup } from '../kratix/dependencies.js';
import { dns1035LabelProblem } from '../kratix/names.js';
import type { Issue } from '../schema/issue.js';
import { condition, type Condition, cut, READY } from '../workflow/status.js';

/** Another Promise's API, whose requests this Promise's manifests() writes. */
export interface ComponentApi {
  /** `<group>/<version>`, as the written objects carry it. */
  readonly apiVersion: string;
  /** The resource's plural, the URL segment of the API. */
  readonly plural: string;
}

/** One composed request, as status.components shows it. */
export interface ComponentStatus {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Its Ready condition: True, False or Unknown (not found, not readable, no condition yet). */
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly message: string;
  /** Its status.outputs, as it shows them (sensitive ones already masked there). */
  readonly outputs?: Record<string, unknown>;
}

/** What the Promise's pipelines need to read the components: get on their resources, and the cluster's CA. */
export function componentNeeds(def: PromiseDefinition): { permissions: PipelinePermission[]; env: PipelineEnv[] } {
  const apis = def.components ?? [];
  if (!apis.length) return { permissions: [], env: [] };
  const permissions = apis.map((api) => ({ resourceNamespace: '*', apiGroups: [apiGroup(api.apiVersion)], resources: [api.plural], verbs: ['get'] }));
  return { permissions, env: [CLUSTER_CA_ENV] };
}

/** Reads each written object of a declared component API; never throws (what cannot be read says so). */
export async function readComponents(
  def: PromiseDefinition,
  objects: readonly KubernetesObject[],
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): Promise<{ components: ComponentStatus[]; ready: Condition } | undefined> {
  const apis = def.components ?? [];
  const mine = objects.filter((o) => apis.some((a) => a.apiVersion === o.apiVersion) && o.metadata.namespace);
  if (!apis.length || !mine.length) return undefined;
  const components: ComponentStatus[] = [];
  for (const object of mine) {
    const api = apis.find((a) => a.apiVersion === object.apiVersion)!;
    const base = { kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace! };
    const path = `/apis/${object.apiVersion}/namespaces/${encodeURIComponent(base.namespace)}/${encodeURIComponent(api.plural)}/${encodeURIComponent(base.name)}`;
    try {
      const { status, body } = await kubeRequest(env, 'GET', path);
      if (status === 404) components.push({ ...base, ready: 'Unknown', message: 'not created yet: Kratix applies it after this run' });
      else if (status !== 200)
        components.push({
          ...base,
          ready: 'Unknown',
          message: `could not be read: HTTP ${status}${status === 403 ? ' (check components in the Promise)' : ''}`,
        });
      else {
        const found = JSON.parse(body) as { status?: { message?: unknown; outputs?: unknown; conditions?: { type?: string; status?: string }[] } };
        const readyCondition = found.status?.conditions?.find((c) => c.type === READY)?.status;
        const outputs = found.status?.outputs;
        components.push({
          ...base,
          ready: readyCondition === 'True' || readyCondition === 'False' ? readyCondition : 'Unknown',
          message: cut(typeof found.status?.message === 'string' ? found.status.message : 'no status yet', 300),
          ...(outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? { outputs: outputs as Record<string, unknown> } : {}),
        });
      }
    } catch (e) {
      components.push({ ...base, ready: 'Unknown', message: cut(`could not be read: ${(e as Error).message}`, 300) });
    }
  }
  const pending = components.filter((c) => c.ready !== 'True');
  const ready =
    pending.length === 0
      ? condition(READY, true, 'ComponentsReady', `All ${components.length} components are Ready`, now)
      : condition(
          READY,
          pending.some((c) => c.ready === 'False') ? false : 'Unknown',
          'ComponentsNotReady',
          cut(pending.map((c) => `${c.kind} ${c.namespace}/${c.name}: ${c.message}`).join('; '), 500),
          now,
        );
  return { components, ready };
}

/** Problems with `components`, for synth. */
export function checkComponents(def: PromiseDefinition): Issue[] {
  const apis = def.components as unknown;
  if (apis === undefined) return [];
  if (!Array.isArray(apis))
    return [{ path: 'components', message: 'is not a list', fix: "write [{ apiVersion: 'data.example.com/v1alpha1', plural: 'postgreses' }]" }];
  const issues: Issue[] = [];
  apis.forEach((api: Partial<ComponentApi> | null, i) => {
    const apiVersion = api?.apiVersion;
    if (typeof apiVersion !== 'string' || !/^[a-z0-9.-]+\/[a-z0-9]+$/.test(apiVersion))
      issues.push({
        path: `components[${i}].apiVersion`,
        message: `${JSON.stringify(apiVersion)} is not <group>/<version> of a Promise's API`,
        fix: "write the apiVersion the requests carry: 'data.example.com/v1alpha1'",
      });
    const plural = api?.plural;
    const problem = typeof plural === 'string' ? dns1035LabelProblem(plural) : 'must be a string';
    if (problem)
      issues.push({
        path: `components[${i}].plural`,
        message: `${JSON.stringify(plural)} ${problem}`,
        fix: 'write the plural of the other Promise’s API (its CRD’s spec.names.plural)',
      });
  });
  return issues;
}
