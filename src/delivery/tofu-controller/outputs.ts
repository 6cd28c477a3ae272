// Outputs known only after tofu-controller's apply (an endpoint, an ARN) back into the request's
// status: read from the outputs Secret tofu-controller writes, and dated by the Terraform object's
// own status, when the pipeline can reach the destination's Kubernetes API.
import type { OutputValue } from '../../promise/define-promise.js';
import { condition, cut, type Condition, READY } from '../../workflow/status.js';
import { kubeRequest } from '../kube-api.js';
import { DIGEST_ANNOTATION } from './objects.js';

/** What is read for one request. */
export interface ReadOutputsProps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly namespace: string;
  readonly slug: string;
  /** The digest of the stack this run wrote, to tell its outputs from an older stack's. */
  readonly digest: string;
  /** The outputs to report, with whether each is sensitive (declared so, or in the stack). */
  readonly outputs: Readonly<Record<string, { readonly sensitive: boolean }>>;
  readonly now: Date;
}

/** The outputs for status, and a condition `OutputsRead` saying how fresh they are. */
export interface ReadOutputs {
  readonly outputs: Record<string, OutputValue>;
  readonly condition: Condition;
}

// tofu-controller writes a string output as its text, any other as JSON plus "<name>__type"
// (tf_controller_outputs.go); status keeps plain values, and JSON text for the rest.
const MAX_OUTPUT_CHARS = 4096;

/**
 * Reads `<namespace>/<slug>-outputs` and the Terraform object `<namespace>/<slug>` through the
 * destination's API: in-cluster (the destination is the platform cluster), or the server and
 * token in KRATIX_CDKTF_DESTINATION_API and KRATIX_CDKTF_DESTINATION_TOKEN. Never throws: what
 * cannot be read is said in the condition, and the run goes on.
 */
export async function readTofuOutputs(props: ReadOutputsProps): Promise<ReadOutputs> {
  const env = destinationEnv(props.env);
  const ns = encodeURIComponent(props.namespace);
  const said = (status: boolean | 'Unknown', reason: string, message: string) => condition('OutputsRead', status, reason, message, props.now);
  let terraform: TerraformStatus | undefined;
  let secret: { data?: Record<string, string> } | undefined;
  try {
    terraform = await getJson(env, `/apis/infra.contrib.fluxcd.io/v1alpha2/namespaces/${ns}/terraforms/${encodeURIComponent(props.slug)}`);
    secret = await getJson(env, `/api/v1/namespaces/${ns}/secrets/${encodeURIComponent(`${props.slug}-outputs`)}`);
  } catch (e) {
    return { outputs: {}, condition: said('Unknown', 'DestinationUnreachable', `The outputs could not be read: ${cut((e as Error).message, 300)}`) };
  }
  if (!terraform)
    return { outputs: {}, condition: said(false, 'NotYetApplied', `Flux has not created the Terraform object ${props.namespace}/${props.slug} yet`) };
  const ready = terraform.status?.conditions?.find((c) => c.type === 'Ready');
  const applied = terraform.status?.observedGeneration === terraform.metadata?.generation && ready?.status === 'True';
  const current = applied && terraform.spec?.runnerPodTemplate?.metadata?.annotations?.[DIGEST_ANNOTATION] === props.digest;
  const when = ready?.lastTransitionTime ? ` (Ready since ${ready.lastTransitionTime})` : '';
  if (!secret) {
    const why = ready?.status === 'False' ? `: ${cut(ready.message ?? ready.reason ?? 'not ready', 300)}` : '';
    return { outputs: {}, condition: said(false, 'NotYetApplied', `tofu-controller has not written the outputs Secret yet${why}`) };
  }
  const outputs = decode(secret.data ?? {}, props.outputs);
  if (current) return { outputs, condition: said(true, 'Current', `The outputs of the applied stack${when}`) };
  return {
    outputs,
    condition: said(
      false,
      'Stale',
      `The outputs are from an earlier stack: tofu-controller has not applied this one yet${ready?.status === 'False' ? ` (${cut(ready.message ?? '', 200)})` : ''}`,
    ),
  };
}

interface TerraformStatus {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly runnerPodTemplate?: { readonly metadata?: { readonly annotations?: Record<string, string> } } };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  };
}

function decode(data: Record<string, string>, declared: ReadOutputsProps['outputs']): Record<string, OutputValue> {
  const outputs: Record<string, OutputValue> = {};
  for (const [name, { sensitive }] of Object.entries(declared)) {
    const raw = data[name];
    if (raw === undefined) continue;
    // Present, but never its value: status ends up in etcd and often in git.
    if (sensitive) {
      outputs[name] = '(sensitive)';
      continue;
    }
    const text = Buffer.from(raw, 'base64').toString('utf8');
    if (data[`${name}__type`] === undefined) {
      outputs[name] = cut(text, MAX_OUTPUT_CHARS);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    outputs[name] =
      typeof value === 'number' || typeof value === 'boolean' ? value : cut(typeof value === 'string' ? value : JSON.stringify(value), MAX_OUTPUT_CHARS);
  }
  return outputs;
}

async function getJson<T>(env: Readonly<Record<string, string | undefined>>, path: string): Promise<T | undefined> {
  const res = await kubeRequest(env, 'GET', path);
  if (res.status === 404) return undefined;
  if (res.status === 403) throw new Error(`reading ${path} is forbidden (403): check the pipeline's RBAC on the destination`);
  if (res.status !== 200) throw new Error(`reading ${path} failed with HTTP ${res.status}`);
  return JSON.parse(res.body) as T;
}

// The destination's API, when it is not the cluster the pipeline runs in.
function destinationEnv(env: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string | undefined>> {
  if (!env.KRATIX_CDKTF_DESTINATION_API) return env;
  return { ...env, KRATIX_CDKTF_KUBE_API: env.KRATIX_CDKTF_DESTINATION_API, KRATIX_CDKTF_KUBE_TOKEN: env.KRATIX_CDKTF_DESTINATION_TOKEN ?? '' };
}

/**
 * The request's Ready condition from `OutputsRead`: True only when the outputs Secret is the
 * applied current stack's (Current); False while tofu-controller applies it (Applying) or has
 * not started (NotYetApplied); Unknown when the destination cannot be reached.
 */
export function readyFrom(read: Condition): Condition {
  const status = read.reason === 'Current' ? 'True' : read.status === 'Unknown' ? 'Unknown' : 'False';
  const reason = read.reason === 'Current' ? 'Applied' : read.reason === 'Stale' ? 'Applying' : read.reason;
  return { ...read, type: READY, status, reason };
}
