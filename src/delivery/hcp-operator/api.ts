// A small client for HCP Terraform's JSON:API (https://developer.hashicorp.com/terraform/cloud-docs/api-docs):
// the few calls this delivery makes, and failures said in words a platform team can act on.
// Global fetch: its first call loads undici (about 0.2 s, docs/BENCHMARKS.md), small beside the
// round trips to HCP Terraform it makes; kube-api.ts, called by most runs, uses node:http(s) instead.
import { cut } from '../../workflow/status.js';

/** One JSON:API resource object. */
export interface JsonApiResource {
  readonly id: string;
  readonly type: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly relationships?: Readonly<Record<string, { readonly data?: { readonly id: string; readonly type: string } | null } | undefined>>;
}

/** A JSON:API document, as HCP Terraform answers. */
export interface JsonApiDocument {
  readonly data?: JsonApiResource | JsonApiResource[];
  readonly meta?: { readonly pagination?: { readonly 'next-page'?: number | null } };
}

/** Options for {@link hcpApi}. */
export interface HcpApiProps {
  /** `https://app.terraform.io`; a stand-in's `http://127.0.0.1:<port>` in tests. */
  readonly base: string;
  readonly token: string;
  /** The variable the token came from: messages name it, never its value. */
  readonly tokenVariable: string;
  /** Stops every call: the container got SIGTERM. */
  readonly signal?: AbortSignal;
  /** @default 10 s per call */
  readonly timeoutMs?: number;
}

/** A call failed: the message says which, why, and what to do. `status` is the HTTP status, if one came. */
export class HcpApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HcpApiError';
  }
}

export interface HcpApi {
  /**
   * GET `/api/v2<path>`; undefined for 404, which HCP Terraform answers both for what does not
   * exist and for what the token may not see.
   */
  get(path: string): Promise<JsonApiDocument | undefined>;
  /** POST a JSON:API document to `/api/v2<path>`. */
  post(path: string, body: unknown): Promise<JsonApiDocument>;
  /** PUT bytes to an upload URL HCP Terraform handed out. The URL itself is the permission: no token goes there. */
  upload(url: string, body: Buffer): Promise<void>;
}

const MEDIA_TYPE = 'application/vnd.api+json';

export function hcpApi(props: HcpApiProps): HcpApi {
  const timeoutMs = props.timeoutMs ?? 10_000;
  const auth = { Authorization: `Bearer ${props.token.trim()}`, Accept: MEDIA_TYPE };

  async function call(method: string, url: string, init: RequestInit, what: string): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = props.signal ? AbortSignal.any([props.signal, timeout]) : timeout;
    try {
      return await fetch(url, { ...init, method, signal, redirect: 'error' });
    } catch (e) {
      if (props.signal?.aborted) throw new HcpApiError(`${what} was interrupted: the workflow is stopping`);
      if (timeout.aborted) throw new HcpApiError(`HCP Terraform at ${new URL(url).origin} did not answer ${what} within ${timeoutMs / 1000} s`);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new HcpApiError(`HCP Terraform at ${new URL(url).origin} did not answer ${what}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
  }

  async function json(method: string, path: string, body?: unknown): Promise<JsonApiDocument | undefined> {
    const what = `${method} /api/v2${path}`;
    const init: RequestInit = body === undefined ? { headers: auth } : { headers: { ...auth, 'Content-Type': MEDIA_TYPE }, body: JSON.stringify(body) };
    const res = await call(method, `${props.base}/api/v2${path}`, init, what);
    const text = await res.text();
    if (res.status === 404 && method === 'GET') return undefined;
    if (!res.ok) throw new HcpApiError(failure(res, text, what, props.tokenVariable), res.status);
    if (!text) return {};
    try {
      return JSON.parse(text) as JsonApiDocument;
    } catch {
      throw new HcpApiError(`HCP Terraform answered ${what} with something that is not JSON (HTTP ${res.status})`, res.status);
    }
  }

  return {
    get: (path) => json('GET', path),
    post: async (path, body) => (await json('POST', path, body)) ?? {},
    async upload(url, body) {
      const res = await call('PUT', url, { headers: { 'Content-Type': 'application/octet-stream' }, body }, 'the configuration upload');
      await res.text();
      if (!res.ok) throw new HcpApiError(failure(res, '', 'the configuration upload', props.tokenVariable), res.status);
    },
  };
}

// Says what a refusal means; HCP Terraform's own words (JSON:API `errors`) follow, cut short.
function failure(res: Response, text: string, what: string, tokenVariable: string): string {
  const said = detail(text);
  const theirs = said ? `: ${said}` : '';
  switch (res.status) {
    case 401:
      return `HCP Terraform refused the token in ${tokenVariable} on ${what} (401 Unauthorized): it is not a valid token, or it has expired; set ${tokenVariable} to a team token`;
    case 403:
      return `the token in ${tokenVariable} may not ${what} (403 Forbidden)${theirs}; give its team access to the project's workspaces`;
    case 404:
      return `${what}: not found (404), or the token in ${tokenVariable} may not see it`;
    case 429: {
      const reset = res.headers.get('x-ratelimit-reset');
      return `HCP Terraform is rate limiting this token (429 Too Many Requests) on ${what}${reset ? `; it allows the next call in ${reset} s` : ''}; the run is retried`;
    }
    default:
      if (res.status >= 500) return `HCP Terraform failed on ${what} (HTTP ${res.status})${theirs}; the run is retried`;
      return `HCP Terraform refused ${what} (HTTP ${res.status})${theirs}`;
  }
}

function detail(text: string): string | undefined {
  try {
    const errors = (JSON.parse(text) as { errors?: { title?: unknown; detail?: unknown }[] }).errors;
    const first = errors?.[0];
    const said = typeof first?.detail === 'string' ? first.detail : typeof first?.title === 'string' ? first.title : undefined;
    return said && cut(said, 200);
  } catch {
    return undefined;
  }
}
