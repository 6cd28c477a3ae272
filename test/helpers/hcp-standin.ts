// A stand-in for HCP Terraform's API on 127.0.0.1 (node:http, port 0), for the hcp-operator
// delivery's tests. It is not HCP Terraform: it answers the few calls the delivery makes with the
// JSON:API documents HCP Terraform's API reference shows for them (workspaces, workspace
// variables, runs, configuration versions and their upload URL, state versions and state version
// outputs: https://developer.hashicorp.com/terraform/cloud-docs/api-docs), 404 for anything else,
// 401 with a JSON:API error for a wrong token, and whatever failure a test injects.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface StandinWorkspace {
  id: string;
  name: string;
  tags: string[];
  vars: string[];
  currentRunId?: string;
  currentStateVersionId?: string;
}

export interface StandinRun {
  id: string;
  status: string;
  message: string;
  isDestroy?: boolean;
  configurationVersion?: string;
}

export interface StandinStateVersion {
  id: string;
  serial: number;
  createdAt: string;
  run?: string;
  processed: boolean;
  outputs: { name: string; sensitive: boolean; value: unknown }[];
}

export interface StandinConfigurationVersion {
  id: string;
  status: string;
  autoQueueRuns: unknown;
  /** Polls answered `pending` before `uploaded`. */
  pendingPolls: number;
  archive?: Buffer;
}

/** One request the stand-in received. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: string;
}

export class HcpStandin {
  readonly workspaces = new Map<string, StandinWorkspace>();
  readonly runs = new Map<string, StandinRun>();
  readonly stateVersions = new Map<string, StandinStateVersion>();
  readonly configurationVersions = new Map<string, StandinConfigurationVersion>();
  readonly seen: SeenRequest[] = [];
  /** Injected failures, by path pattern: the next matching call gets this status (and body, headers). */
  readonly failures: { match: RegExp; status: number; body?: string; headers?: Record<string, string>; hang?: boolean }[] = [];
  pendingPolls = 0;
  pageSize = 100;
  private server?: Server;
  private ids = 0;
  base = '';

  constructor(
    readonly organization: string,
    readonly token: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = this.answer(req, body);
        if (answer === 'hang') return; // never answers: a timeout test
        res.writeHead(answer.status, { 'content-type': 'application/vnd.api+json', ...answer.headers }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  stop(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  id(prefix: string): string {
    return `${prefix}-${String(++this.ids).padStart(16, 'x')}`;
  }

  addWorkspace(name: string, fields: Partial<StandinWorkspace> = {}): StandinWorkspace {
    const ws = { id: this.id('ws'), name, tags: [], vars: [], ...fields };
    this.workspaces.set(name, ws);
    return ws;
  }

  /** A state version with these outputs, made current for the workspace. */
  addState(ws: StandinWorkspace, outputs: StandinStateVersion['outputs'], fields: Partial<StandinStateVersion> = {}): StandinStateVersion {
    const run = this.addRun(ws, { status: 'applied', message: 'an earlier run' });
    const sv = { id: this.id('sv'), serial: 3, createdAt: '2026-01-01T12:00:00.000Z', run: run.id, processed: true, outputs, ...fields };
    this.stateVersions.set(sv.id, sv);
    ws.currentStateVersionId = sv.id;
    return sv;
  }

  addRun(ws: StandinWorkspace, fields: Partial<StandinRun> = {}): StandinRun {
    const run = { id: this.id('run'), status: 'pending', message: '', ...fields };
    this.runs.set(run.id, run);
    ws.currentRunId = run.id;
    return run;
  }

  /** The files of the archive uploaded for a configuration version. */
  uploadedFiles(cvId: string): Record<string, string> {
    const tar = gunzipSync(this.configurationVersions.get(cvId)!.archive!);
    const files: Record<string, string> = {};
    for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
      const name = tar
        .subarray(at, at + 100)
        .toString('ascii')
        .replace(/\0.*$/s, '');
      const size = Number.parseInt(tar.subarray(at + 124, at + 136).toString('ascii'), 8);
      files[name] = tar.subarray(at + 512, at + 512 + size).toString('utf8');
      at += 512 + Math.ceil(size / 512) * 512;
    }
    return files;
  }

  private answer(req: IncomingMessage, body: Buffer): { status: number; body: string; headers?: Record<string, string> } | 'hang' {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = decodeURIComponent(url.pathname);
    this.seen.push({
      method: req.method ?? '',
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      body: body.toString('utf8'),
    });
    const failure = this.failures.findIndex((f) => f.match.test(path));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      if (f!.hang) return 'hang';
      return { status: f!.status, body: f!.body ?? error(f!.status), ...(f!.headers ? { headers: f!.headers } : {}) };
    }
    // The upload URL takes no token: HCP Terraform's archivist URLs are their own permission.
    const upload = path.match(/^\/upload\/(cv-[x0-9]+)$/);
    if (upload && req.method === 'PUT') {
      const cv = this.configurationVersions.get(upload[1]!);
      if (!cv) return { status: 404, body: '' };
      cv.archive = body;
      return { status: 200, body: '' };
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: error(401) };
    const route = (method: string, pattern: RegExp) => (req.method === method ? path.match(pattern) : null);
    let m: RegExpMatchArray | null;
    if ((m = route('GET', /^\/api\/v2\/organizations\/([^/]+)\/workspaces\/([^/]+)$/))) {
      const ws = m[1] === this.organization ? this.workspaces.get(m[2]!) : undefined;
      return ws ? ok({ data: workspaceDoc(ws, this.organization) }) : notFound();
    }
    if ((m = route('GET', /^\/api\/v2\/workspaces\/([^/]+)\/vars$/))) {
      const ws = [...this.workspaces.values()].find((w) => w.id === m![1]);
      if (!ws) return notFound();
      return ok({
        data: ws.vars.map((key, i) => ({
          id: `var-${i}`,
          type: 'vars',
          attributes: { key, value: null, sensitive: true, category: 'terraform', hcl: false },
          relationships: { configurable: { data: { id: ws.id, type: 'workspaces' } } },
        })),
      });
    }
    if ((m = route('GET', /^\/api\/v2\/runs\/([^/]+)$/))) {
      const run = this.runs.get(m[1]!);
      return run ? ok({ data: runDoc(run) }) : notFound();
    }
    if ((m = route('POST', /^\/api\/v2\/workspaces\/([^/]+)\/configuration-versions$/))) {
      const ws = [...this.workspaces.values()].find((w) => w.id === m![1]);
      if (!ws) return notFound();
      const sent = JSON.parse(body.toString('utf8'));
      const cv = { id: this.id('cv'), status: 'pending', autoQueueRuns: sent.data?.attributes?.['auto-queue-runs'], pendingPolls: this.pendingPolls };
      this.configurationVersions.set(cv.id, cv);
      return {
        status: 201,
        body: JSON.stringify({
          data: {
            id: cv.id,
            type: 'configuration-versions',
            attributes: {
              'auto-queue-runs': cv.autoQueueRuns,
              error: null,
              'error-message': null,
              source: 'tfe-api',
              speculative: false,
              status: 'pending',
              'upload-url': `${this.base}/upload/${cv.id}`,
            },
            links: { self: `/api/v2/configuration-versions/${cv.id}` },
          },
        }),
      };
    }
    if ((m = route('GET', /^\/api\/v2\/configuration-versions\/([^/]+)$/))) {
      const cv = this.configurationVersions.get(m[1]!);
      if (!cv) return notFound();
      if (cv.archive && cv.status === 'pending' && cv.pendingPolls-- <= 0) cv.status = 'uploaded';
      return ok({
        data: { id: cv.id, type: 'configuration-versions', attributes: { status: cv.status, source: 'tfe-api', 'auto-queue-runs': cv.autoQueueRuns } },
      });
    }
    if (route('POST', /^\/api\/v2\/runs$/)) {
      const sent = JSON.parse(body.toString('utf8')).data;
      const ws = [...this.workspaces.values()].find((w) => w.id === sent?.relationships?.workspace?.data?.id);
      const cv = this.configurationVersions.get(sent?.relationships?.['configuration-version']?.data?.id);
      if (!ws || sent?.type !== 'runs') return notFound();
      if (cv?.status !== 'uploaded') return { status: 422, body: error(422, 'Configuration version is not uploaded') };
      const run = this.addRun(ws, { message: String(sent.attributes?.message ?? ''), configurationVersion: cv.id });
      return { status: 201, body: JSON.stringify({ data: runDoc(run) }) };
    }
    if ((m = route('GET', /^\/api\/v2\/state-versions\/([^/]+)$/))) {
      const sv = this.stateVersions.get(m[1]!);
      return sv ? ok({ data: stateVersionDoc(sv) }) : notFound();
    }
    if ((m = route('GET', /^\/api\/v2\/state-versions\/([^/]+)\/outputs$/))) {
      const sv = this.stateVersions.get(m[1]!);
      if (!sv) return notFound();
      const size = Math.min(Number(url.searchParams.get('page[size]') ?? 20), this.pageSize);
      const page = Number(url.searchParams.get('page[number]') ?? 1);
      const items = sv.outputs.slice((page - 1) * size, page * size);
      const pages = Math.max(1, Math.ceil(sv.outputs.length / size));
      return ok({
        data: items.map((o, i) => ({
          id: `wsout-${page}-${i}`,
          type: 'state-version-outputs',
          // HCP Terraform returns sensitive values here to a token that may read state.
          attributes: {
            name: o.name,
            sensitive: o.sensitive,
            type: typeof o.value === 'object' ? 'array' : typeof o.value,
            value: o.value,
            'detailed-type': 'string',
          },
          links: { self: `/api/v2/state-version-outputs/wsout-${page}-${i}` },
        })),
        meta: {
          pagination: {
            'current-page': page,
            'page-size': size,
            'prev-page': page > 1 ? page - 1 : null,
            'next-page': page < pages ? page + 1 : null,
            'total-pages': pages,
            'total-count': sv.outputs.length,
          },
        },
      });
    }
    return notFound();
  }
}

function workspaceDoc(ws: StandinWorkspace, organization: string) {
  return {
    id: ws.id,
    type: 'workspaces',
    attributes: { name: ws.name, 'tag-names': ws.tags, 'execution-mode': 'remote', 'auto-apply': true, locked: false },
    relationships: {
      organization: { data: { id: organization, type: 'organizations' } },
      'current-run': { data: ws.currentRunId ? { id: ws.currentRunId, type: 'runs' } : null },
      'current-state-version': ws.currentStateVersionId
        ? { data: { id: ws.currentStateVersionId, type: 'state-versions' }, links: { related: `/api/v2/workspaces/${ws.id}/current-state-version` } }
        : { data: null },
    },
    links: { self: `/api/v2/organizations/${organization}/workspaces/${ws.name}` },
  };
}

function runDoc(run: StandinRun) {
  return {
    id: run.id,
    type: 'runs',
    attributes: { status: run.status, message: run.message, 'is-destroy': run.isDestroy ?? false, 'created-at': '2026-01-01T12:00:00.000Z' },
    relationships: { 'configuration-version': { data: run.configurationVersion ? { id: run.configurationVersion, type: 'configuration-versions' } : null } },
  };
}

function stateVersionDoc(sv: StandinStateVersion) {
  return {
    id: sv.id,
    type: 'state-versions',
    attributes: { 'created-at': sv.createdAt, serial: sv.serial, 'resources-processed': sv.processed, 'state-version': 4 },
    relationships: {
      run: { data: sv.run ? { id: sv.run, type: 'runs' } : null },
      outputs: { data: sv.outputs.map((_, i) => ({ id: `wsout-${i}`, type: 'state-version-outputs' })) },
    },
    links: { self: `/api/v2/state-versions/${sv.id}` },
  };
}

const ok = (doc: unknown) => ({ status: 200, body: JSON.stringify(doc) });
const notFound = () => ({ status: 404, body: error(404) });

function error(status: number, detail?: string): string {
  const title = { 401: 'unauthorized', 404: 'not found', 422: 'invalid attribute', 429: 'Too many requests', 500: 'internal server error' }[status] ?? 'error';
  return JSON.stringify({ errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] });
}
