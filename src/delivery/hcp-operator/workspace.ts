// Reading a workspace and a run, the two things both the upload and the outputs start from.
import { HcpApiError, type HcpApi, type JsonApiDocument, type JsonApiResource } from './api.js';

/** What the workflow needs to know of a workspace. */
export interface WorkspaceInfo {
  readonly id: string;
  readonly tags: readonly string[];
  /** The workspace's newest run, whatever its status. */
  readonly currentRunId?: string;
  readonly currentStateVersionId?: string;
}

/** A run, as status reports it. */
export interface RunInfo {
  readonly id: string;
  readonly status: string;
  readonly message: string;
  readonly isDestroy: boolean;
}

/** Statuses in which a run has ended without applying (https://developer.hashicorp.com/terraform/cloud-docs/run/states). */
export const RUN_FAILED = new Set(['errored', 'canceled', 'force_canceled', 'discarded']);

/** `GET /organizations/:org/workspaces/:name`; undefined when there is none (or the token may not see it). */
export async function readWorkspace(api: HcpApi, organization: string, name: string): Promise<WorkspaceInfo | undefined> {
  const doc = await api.get(`/organizations/${encodeURIComponent(organization)}/workspaces/${encodeURIComponent(name)}`);
  if (!doc) return undefined;
  const ws = single(doc, 'workspaces');
  const tags = ws.attributes?.['tag-names'];
  const currentRunId = ws.relationships?.['current-run']?.data?.id;
  const currentStateVersionId = ws.relationships?.['current-state-version']?.data?.id;
  return {
    id: ws.id,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(currentRunId ? { currentRunId } : {}),
    ...(currentStateVersionId ? { currentStateVersionId } : {}),
  };
}

/** `GET /runs/:id`; undefined when it is gone. */
export async function readRun(api: HcpApi, id: string): Promise<RunInfo | undefined> {
  const doc = await api.get(`/runs/${encodeURIComponent(id)}`);
  return doc && runInfo(single(doc, 'runs'));
}

export function runInfo(run: JsonApiResource): RunInfo {
  const a = run.attributes ?? {};
  return { id: run.id, status: String(a.status ?? 'unknown'), message: String(a.message ?? ''), isDestroy: a['is-destroy'] === true };
}

/** The one resource of a document, checked to be of `type`. */
export function single(doc: JsonApiDocument, type: string): JsonApiResource {
  const data = doc.data;
  if (!data || Array.isArray(data) || typeof data.id !== 'string' || data.type !== type) {
    throw new HcpApiError(`HCP Terraform answered with something that is not a "${type}" resource`);
  }
  return data;
}
