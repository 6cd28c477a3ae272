// After tofu-controller has destroyed a deleted request's stack, what it leaves behind: the stack
// Secret (kept through Flux's prune so that the finalizer could destroy) and the state Secret
// (tofu-controller never deletes it). A CronJob in the controller's namespace runs this with the
// Promise's own workflow image.
import { gunzipSync } from 'node:zlib';
import { kubeRequest } from '../kube-api.js';
import { PART_LABEL, TERRAFORM_LABEL } from './objects.js';

/** What one clean-up pass looks at. */
export interface CleanUpProps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The controller namespace, where the objects are. */
  readonly namespace: string;
  readonly promise: string;
  readonly now: Date;
  /**
   * A stack Secret younger than this is left alone even without its Terraform object: Flux
   * applies the two one after the other, and a Terraform object Kubernetes refused is applied
   * again at the Kustomization's next interval.
   */
  readonly graceMs: number;
  readonly log: (line: string) => void;
}

/** What a pass did, by object name. */
export interface CleanUpResult {
  readonly deleted: string[];
  /** Left for a person, with the reason. */
  readonly kept: string[];
}

interface Item {
  readonly metadata: {
    readonly name: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly creationTimestamp?: string;
    readonly labels?: Record<string, string>;
  };
  readonly data?: Record<string, string>;
}

/**
 * Deletes the stack Secret and the (empty) state Secret of every request of this Promise whose
 * Terraform object is gone: tofu-controller removes its finalizer only after a successful destroy,
 * so a gone object means a destroyed stack, unless someone removed the finalizer by hand. That
 * case is told by the state: one that still records resources is kept, with its stack, so the
 * Terraform object can be applied again to destroy them.
 */
export async function cleanUp(props: CleanUpProps): Promise<CleanUpResult> {
  const { env, namespace, promise } = props;
  const ns = encodeURIComponent(namespace);
  const selector = encodeURIComponent(`app.kubernetes.io/managed-by=kratix-cdktf,kratix.io/promise-name=${promise},${PART_LABEL}=stack`);
  const stacks = await list(env, `/api/v1/namespaces/${ns}/secrets?labelSelector=${selector}`, `Secrets in ${namespace}`);
  const terraforms = await list(
    env,
    `/apis/infra.contrib.fluxcd.io/v1alpha2/namespaces/${ns}/terraforms?labelSelector=${encodeURIComponent(`kratix.io/promise-name=${promise}`)}`,
    `Terraform objects in ${namespace}`,
  );
  const alive = new Set(terraforms.map((t) => t.metadata.name));
  const result: CleanUpResult = { deleted: [], kept: [] };
  for (const stack of stacks) {
    const slug = stack.metadata.labels?.[TERRAFORM_LABEL];
    if (!slug || alive.has(slug)) continue;
    const age = props.now.getTime() - Date.parse(stack.metadata.creationTimestamp ?? '');
    if (!(age >= props.graceMs)) continue;
    const stateName = `tfstate-default-${slug}`;
    const state = await get(env, `/api/v1/namespaces/${ns}/secrets/${encodeURIComponent(stateName)}`);
    if (state) {
      const left = resourcesIn(state);
      if (left !== 0) {
        const why = left === undefined ? 'its state could not be read' : `its state still records ${left} resource${left === 1 ? '' : 's'}`;
        result.kept.push(
          `${stack.metadata.name}: the Terraform object ${slug} is gone but ${why}; apply the object again to destroy them, or delete both Secrets`,
        );
        continue;
      }
      if (await remove(env, namespace, state)) result.deleted.push(stateName);
    }
    if (await remove(env, namespace, stack)) result.deleted.push(stack.metadata.name);
  }
  for (const name of result.deleted) props.log(`deleted Secret ${namespace}/${name}`);
  for (const line of result.kept) props.log(`kept ${line}`);
  return result;
}

/**
 * How many resource instances a state Secret records: Terraform's and OpenTofu's kubernetes
 * backends keep the state gzipped under the key `tfstate`. Undefined when it cannot be read, which
 * counts as "not empty".
 */
export function resourcesIn(secret: Item): number | undefined {
  const data = secret.data?.tfstate;
  if (data === undefined) return undefined;
  try {
    const state = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { resources?: { instances?: unknown[] }[] };
    return (state.resources ?? []).reduce((n, r) => n + (r.instances?.length ?? 0), 0);
  } catch {
    return undefined;
  }
}

async function list(env: CleanUpProps['env'], path: string, what: string): Promise<Item[]> {
  const res = await kubeRequest(env, 'GET', path);
  if (res.status === 404 && path.startsWith('/apis/'))
    throw new Error(`listing ${what} failed with HTTP 404: tofu-controller's CRD is not installed on this destination`);
  if (res.status === 403) throw new Error(`listing ${what} is forbidden (403): check the clean-up's Role`);
  if (res.status !== 200) throw new Error(`listing ${what} failed with HTTP ${res.status}`);
  return (JSON.parse(res.body) as { items?: Item[] }).items ?? [];
}

async function get(env: CleanUpProps['env'], path: string): Promise<Item | undefined> {
  const res = await kubeRequest(env, 'GET', path);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`reading ${path} failed with HTTP ${res.status}`);
  return JSON.parse(res.body) as Item;
}

// Deletes exactly the object that was read: if Flux re-created it meanwhile (the request is back),
// the uid differs and Kubernetes refuses (409).
async function remove(env: CleanUpProps['env'], namespace: string, item: Item): Promise<boolean> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(item.metadata.name)}`;
  const res = await kubeRequest(env, 'DELETE', path, {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    preconditions: { uid: item.metadata.uid, resourceVersion: item.metadata.resourceVersion },
  });
  if (res.status === 200 || res.status === 202 || res.status === 404) return res.status !== 404;
  if (res.status === 409) return false;
  throw new Error(`deleting Secret ${namespace}/${item.metadata.name} failed with HTTP ${res.status}`);
}
