import { readFileSync } from 'node:fs';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The environment variable that makes fetch trust the cluster's CA, for pods that call the API. */
export const CLUSTER_CA_ENV = { name: 'NODE_EXTRA_CA_CERTS', value: `${SERVICE_ACCOUNT}/ca.crt` } as const;

/** The Secret or its key is not there (as opposed to the API refusing or failing). */
export class SecretMissingError extends Error {}

/** One answer of the Kubernetes API. */
export interface KubeResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Calls the Kubernetes API with the pod's service account. KRATIX_CDKTF_KUBE_API overrides the
 * API address, and KRATIX_CDKTF_KUBE_TOKEN or KRATIX_CDKTF_KUBE_TOKEN_FILE the token; the cluster's CA
 * reaches Node through NODE_EXTRA_CA_CERTS, which the pipelines and jobs set.
 */
export async function kubeRequest(env: Readonly<Record<string, string | undefined>>, method: string, path: string, body?: unknown): Promise<KubeResponse> {
  const host = env.KUBERNETES_SERVICE_HOST ?? 'kubernetes.default.svc';
  // An IPv6 service address needs brackets in a URL.
  const base = env.KRATIX_CDKTF_KUBE_API ?? `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const url = new URL(path, base);
  const token = env.KRATIX_CDKTF_KUBE_TOKEN || readOptional(env.KRATIX_CDKTF_KUBE_TOKEN_FILE ?? `${SERVICE_ACCOUNT}/token`);
  const headers: Record<string, string> = { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token.trim()}` } : {}) };
  const payload = body === undefined ? undefined : JSON.stringify(body);
  // Node sends a DELETE's body neither chunked nor with a length unless told its length.
  if (payload !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) });
  // node:http(s), loaded here and not at startup: they cannot be part of the V8 startup snapshot.
  // Loading them costs next to nothing; fetch's first call loads undici, about 0.2 s
  // (docs/BENCHMARKS.md).
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  try {
    return await new Promise<KubeResponse>((resolve, reject) => {
      const req = request(url, { method, headers, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  } catch (e) {
    throw new Error(`the Kubernetes API at ${url.origin} did not answer: ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
}

/**
 * Reads one key of a Secret through the Kubernetes API with the pod's service account (the
 * Promise's pipeline gets `get` on secrets when its spec has secret references). The namespace
 * is always the request's own: a tenant cannot point at another namespace's Secrets.
 */
export async function readSecretKey(env: Readonly<Record<string, string | undefined>>, namespace: string, name: string, key: string): Promise<string> {
  const { status, body } = await kubeRequest(env, 'GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
  if (status === 404) throw new SecretMissingError(`Secret ${namespace}/${name} does not exist`);
  if (status === 403) throw new Error(`the workflow may not read Secret ${namespace}/${name} (403); check the pipeline's RBAC`);
  if (status !== 200) throw new Error(`reading Secret ${namespace}/${name} failed with HTTP ${status}`);
  const data = (JSON.parse(body) as { data?: Record<string, string> }).data ?? {};
  if (data[key] === undefined) throw new SecretMissingError(`Secret ${namespace}/${name} has no key "${key}"`);
  return Buffer.from(data[key], 'base64').toString('utf8');
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
