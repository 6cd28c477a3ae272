// The stack reaches HCP Terraform as a configuration version the workflow uploads to the
// workspace the operator made, followed by a run the workflow queues, the way `terraform plan`
// with a `cloud` block does (auto-queue off, upload, wait until uploaded, create the run).
import { HcpApiError, type HcpApi } from './api.js';
import { tarGz } from './tar.js';
import { readRun, readWorkspace, RUN_FAILED, runInfo, single, type RunInfo } from './workspace.js';

/** Options for {@link uploadStack}. */
export interface UploadProps {
  readonly api: HcpApi;
  readonly organization: string;
  readonly workspace: string;
  /** Tags the workspace must carry: the ones the request's Workspace object gives it. */
  readonly tags: readonly string[];
  /** Terraform variables the stack declares that the workspace must hold (the secretRef() ones). */
  readonly variables: readonly string[];
  /** The configuration: file name → text. */
  readonly files: ReadonlyMap<string, string>;
  /** Names the stack's content in the run's message: an unchanged stack is not uploaded again. */
  readonly sha256: string;
  readonly owner: string;
  readonly log: (line: string) => void;
  /** How long to wait for HCP Terraform to take in the upload. @default 30 s */
  readonly uploadWaitMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type UploadResult =
  | { readonly kind: 'uploaded'; readonly workspaceId: string; readonly configurationVersion: string; readonly run: RunInfo; readonly message: string }
  | { readonly kind: 'unchanged'; readonly workspaceId: string; readonly run: RunInfo; readonly message: string }
  /** Not yet possible; the next run of the pipeline tries again. */
  | {
      readonly kind: 'waiting';
      readonly reason: 'WorkspaceNotCreated' | 'WorkspaceNotReady' | 'VariablesNotReady' | 'WorkspaceBeingDestroyed';
      readonly message: string;
    };

/** The message of the runs the workflow queues; it identifies the stack they run. */
export function runMessage(owner: string, sha256: string): string {
  return `kratix-cdktf: ${owner}, stack sha256:${sha256}`;
}

/**
 * Uploads the stack to the request's workspace and queues a run, unless the workspace is not
 * ready for it or its newest run is already this stack's (queued, running, or done without
 * failing). Throws {@link HcpApiError} when HCP Terraform refuses or fails.
 */
export async function uploadStack(p: UploadProps): Promise<UploadResult> {
  const where = `${p.organization}/${p.workspace}`;
  const ws = await readWorkspace(p.api, p.organization, p.workspace);
  if (!ws)
    return {
      kind: 'waiting',
      reason: 'WorkspaceNotCreated',
      message: `HCP Terraform has no workspace ${where} yet: the HCP Terraform Operator creates it once Flux applies this request's Workspace object`,
    };
  // The operator tags the workspace right after creating it. A workspace of that name without
  // the tags is not (yet) the one made from this request's object: never upload to it.
  const untagged = p.tags.filter((t) => !ws.tags.includes(t));
  if (untagged.length)
    return {
      kind: 'waiting',
      reason: 'WorkspaceNotReady',
      message: `workspace ${where} does not carry the tags ${untagged.join(', ')}: the operator has not finished setting it up, or the workspace was not made from this request's Workspace object (then rename or delete it in HCP Terraform)`,
    };
  const missing = await missingVariables(p.api, ws.id, p.variables);
  if (missing.length)
    return {
      kind: 'waiting',
      reason: 'VariablesNotReady',
      message: `workspace ${where} does not hold the variables ${missing.join(', ')} yet: the operator sets them from the Workspace object's Secrets (check that they exist on the destination)`,
    };
  const message = runMessage(p.owner, p.sha256);
  const current = ws.currentRunId ? await readRun(p.api, ws.currentRunId) : undefined;
  // A request deleted and created again under its name finds its old workspace still there while
  // the operator destroys it; a run queued behind the destroy would build what the operator's
  // deletion of the workspace then forgets.
  if (current?.isDestroy)
    return {
      kind: 'waiting',
      reason: 'WorkspaceBeingDestroyed',
      message: `the newest run of workspace ${where}, ${current.id} (${current.status}), is a destroy: the operator deletes the workspace after it when its Workspace object is being deleted, and creates it again for this request; if nobody is deleting it, start a plan and apply run in HCP Terraform so that the next run of this pipeline uploads the stack`,
    };
  if (current && current.message === message && !RUN_FAILED.has(current.status))
    return { kind: 'unchanged', workspaceId: ws.id, run: current, message: `The stack is unchanged since run ${current.id} (${current.status})` };

  const cvDoc = await p.api.post(`/workspaces/${encodeURIComponent(ws.id)}/configuration-versions`, {
    data: { type: 'configuration-versions', attributes: { 'auto-queue-runs': false } },
  });
  const cv = single(cvDoc, 'configuration-versions');
  const uploadUrl = cv.attributes?.['upload-url'];
  if (typeof uploadUrl !== 'string') throw new HcpApiError(`HCP Terraform created configuration version ${cv.id} without an upload-url`);
  await p.api.upload(uploadUrl, tarGz(p.files));
  await waitUploaded(p, cv.id);
  const runDoc = await p.api.post('/runs', {
    data: {
      type: 'runs',
      attributes: { message, 'is-destroy': false },
      relationships: {
        workspace: { data: { type: 'workspaces', id: ws.id } },
        'configuration-version': { data: { type: 'configuration-versions', id: cv.id } },
      },
    },
  });
  const run = runInfo(single(runDoc, 'runs'));
  p.log(`uploaded the stack to ${where} as ${cv.id}; queued run ${run.id}`);
  return { kind: 'uploaded', workspaceId: ws.id, configurationVersion: cv.id, run, message: `Uploaded the stack to ${where} and queued run ${run.id}` };
}

// `GET /workspaces/:id/vars`: the keys of the workspace's Terraform variables.
async function missingVariables(api: HcpApi, workspaceId: string, wanted: readonly string[]): Promise<string[]> {
  if (!wanted.length) return [];
  const doc = await api.get(`/workspaces/${encodeURIComponent(workspaceId)}/vars`);
  const held = new Set(
    (Array.isArray(doc?.data) ? doc.data : [])
      .filter((v) => v.type === 'vars' && v.attributes?.category === 'terraform')
      .map((v) => v.attributes?.key)
      .filter((k): k is string => typeof k === 'string'),
  );
  return wanted.filter((v) => !held.has(v));
}

// HCP Terraform takes an upload in asynchronously; a run on a configuration version that is
// still `pending` is refused. Waits 0.25 s, doubling to 4 s, for at most `uploadWaitMs`.
async function waitUploaded(p: UploadProps, id: string): Promise<void> {
  const sleep = p.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const limit = p.uploadWaitMs ?? 30_000;
  for (let waited = 0, wait = 250; ; waited += wait, wait = Math.min(wait * 2, 4000)) {
    const doc = await p.api.get(`/configuration-versions/${encodeURIComponent(id)}`);
    const a = doc ? single(doc, 'configuration-versions').attributes : undefined;
    const status = a?.status;
    if (status === 'uploaded') return;
    if (status === 'errored')
      throw new HcpApiError(`HCP Terraform could not take in configuration version ${id}: ${String(a?.['error-message'] ?? a?.error ?? 'no reason given')}`);
    if (waited >= limit)
      throw new HcpApiError(`configuration version ${id} was still ${String(status ?? 'missing')} after ${limit / 1000} s; the run is retried`);
    await sleep(wait);
  }
}
