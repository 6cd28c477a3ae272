// After tofu-controller has destroyed a deleted request's stack, what it leaves behind: the stack
// Secret (kept through Flux's prune so that the finalizer could destroy) and the state Secret
// (tofu-controller never deletes it). A CronJob in the controller's namespace runs this with the
// Promise's own workflow image.
import { gunzipSync } from 'node:zlib';
import { kubeRequest } from '../kube-api.js';
import { PART_LABEL, stateSecretSuffix, TERRAFORM_LABEL } from './objects.js';

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
  /** Stops the pass between two requests, when the pod is asked to stop. */
  readonly signal?: AbortSignal;
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
    if (props.signal?.aborted) {
      props.log('stopping: the pod was asked to stop; the next run goes on from here');
      break;
    }
    const slug = stack.metadata.labels?.[TERRAFORM_LABEL];
    if (!slug || alive.has(slug)) continue;
    const age = props.now.getTime() - Date.parse(stack.metadata.creationTimestamp ?? '');
    if (!(age >= props.graceMs)) continue;
    // The request may be back since the list: Flux then applies its Terraform object again.
    if (await get(env, `/apis/infra.contrib.fluxcd.io/v1alpha2/namespaces/${ns}/terraforms/${encodeURIComponent(slug)}`)) continue;
    const stateName = `tfstate-default-${stateSecretSuffix(slug)}`;
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
      const removed = await remove(env, namespace, state);
      // Changed since it was read: a new run is writing it, so its stack is needed.
      if (removed === 'changed') continue;
      if (removed === 'deleted') result.deleted.push(stateName);
    }
    if ((await remove(env, namespace, stack)) === 'deleted') result.deleted.push(stack.metadata.name);
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

// Deletes exactly the object that was read: if it changed meanwhile (Flux applied the request's
// stack again, a run wrote the state), the resourceVersion differs and Kubernetes refuses (409).
async function remove(env: CleanUpProps['env'], namespace: string, item: Item): Promise<'deleted' | 'gone' | 'changed'> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(item.metadata.name)}`;
  const res = await kubeRequest(env, 'DELETE', path, {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    preconditions: { uid: item.metadata.uid, resourceVersion: item.metadata.resourceVersion },
  });
  if (res.status === 200 || res.status === 202) return 'deleted';
  if (res.status === 404) return 'gone';
  if (res.status === 409) return 'changed';
  throw new Error(`deleting Secret ${namespace}/${item.metadata.name} failed with HTTP ${res.status}`);
}
