// The request's outputs, read back from the workspace's current state version, for status.
import type { OutputProps, OutputValue } from '../../promise/define-promise.js';
import { HcpApiError, type HcpApi } from './api.js';
import { readWorkspace, single } from './workspace.js';

/** Options for {@link readOutputs}. */
export interface ReadOutputsProps {
  readonly api: HcpApi;
  readonly organization: string;
  readonly workspace: string;
  /**
   * Tags the workspace must carry (the ones the request's Workspace object gives it): a workspace
   * of that name without them is not known to be this request's, and its outputs are not read.
   * @default none checked
   */
  readonly tags?: readonly string[];
  /** The Promise's declared outputs: only these reach status, the others are not read into it. */
  readonly declared: Readonly<Record<string, OutputProps>>;
  /** Removes credentials from values before they reach status. */
  readonly redact: (text: string) => string;
}

/** Where the outputs were read from: how fresh they are. */
export interface StateVersionInfo {
  readonly id: string;
  readonly serial?: number;
  readonly createdAt?: string;
  /** The run that wrote it. */
  readonly run?: string;
}

export type OutputsResult =
  | {
      readonly ok: true;
      /** Declared outputs found in the state; sensitive ones as `(sensitive)`. */
      readonly outputs: Record<string, OutputValue>;
      readonly stateVersion: StateVersionInfo;
      /** Declared outputs the state does not hold (yet). */
      readonly missing: readonly string[];
      readonly message: string;
    }
  | { readonly ok: false; readonly reason: 'WorkspaceNotFound' | 'WorkspaceNotReady' | 'NoState' | 'ReadFailed'; readonly message: string };

// 100 a page (the most HCP Terraform serves), up to 20 pages.
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

/**
 * Reads the current state version of `organization/workspace` and its outputs
 * (`GET /organizations/:org/workspaces/:name`, `GET /state-versions/:id`,
 * `GET /state-versions/:id/outputs`), keeping the declared ones. Never throws: a failure is a
 * result, since status must not wait on outputs. A sensitive value is never kept, whatever
 * the token may read: HCP Terraform returns sensitive values to tokens that may read state.
 */
export async function readOutputs(p: ReadOutputsProps): Promise<OutputsResult> {
  const where = `${p.organization}/${p.workspace}`;
  try {
    const ws = await readWorkspace(p.api, p.organization, p.workspace);
    if (!ws) return { ok: false, reason: 'WorkspaceNotFound', message: `HCP Terraform has no workspace ${where} (or the token may not see it)` };
    const untagged = (p.tags ?? []).filter((t) => !ws.tags.includes(t));
    if (untagged.length)
      return {
        ok: false,
        reason: 'WorkspaceNotReady',
        message: `workspace ${where} does not carry the tags ${untagged.join(', ')}, so it is not known to be this request's`,
      };
    if (!ws.currentStateVersionId) return { ok: false, reason: 'NoState', message: `workspace ${where} has no state yet: no run has applied the stack` };
    const svDoc = await p.api.get(`/state-versions/${encodeURIComponent(ws.currentStateVersionId)}`);
    if (!svDoc)
      return {
        ok: false,
        reason: 'ReadFailed',
        message: `state version ${ws.currentStateVersionId} of ${where} is gone (404), or the token may not read state`,
      };
    const sv = single(svDoc, 'state-versions');
    const a = sv.attributes ?? {};
    const run = sv.relationships?.run?.data?.id;
    const stateVersion: StateVersionInfo = {
      id: sv.id,
      ...(typeof a.serial === 'number' ? { serial: a.serial } : {}),
      ...(typeof a['created-at'] === 'string' ? { createdAt: a['created-at'] } : {}),
      ...(run ? { run } : {}),
    };
    const found = await listOutputs(p.api, sv.id);
    const outputs: Record<string, OutputValue> = {};
    const missing: string[] = [];
    for (const [name, props] of Object.entries(p.declared)) {
      const output = found.get(name);
      if (!output) missing.push(name);
      // Present, but never its value: status ends up in etcd and often in git.
      else if (output.sensitive || props.sensitive) outputs[name] = '(sensitive)';
      else outputs[name] = plain(output.value, p.redact);
    }
    const processing = a['resources-processed'] === false && missing.length ? '; HCP Terraform is still processing it, so outputs may be missing' : '';
    const from = `state version ${sv.id}${stateVersion.serial !== undefined ? ` (serial ${stateVersion.serial})` : ''}`;
    const when = `${stateVersion.createdAt ? ` written at ${stateVersion.createdAt}` : ''}${run ? ` by run ${run}` : ''}`;
    const absent = missing.length ? `; not in the state: ${missing.join(', ')}` : '';
    return { ok: true, outputs, stateVersion, missing, message: `Outputs from ${from}${when}${absent}${processing}` };
  } catch (e) {
    if (e instanceof HcpApiError) return { ok: false, reason: 'ReadFailed', message: e.message };
    return {
      ok: false,
      reason: 'ReadFailed',
      message: `kratix-cdktf could not read the outputs of ${where} (a bug; please report it): ${(e as Error).message}`,
    };
  }
}

async function listOutputs(api: HcpApi, stateVersion: string): Promise<Map<string, { sensitive: boolean; value: unknown }>> {
  const found = new Map<string, { sensitive: boolean; value: unknown }>();
  for (let page = 1, pages = 0; page && pages < MAX_PAGES; pages++) {
    const doc = await api.get(`/state-versions/${encodeURIComponent(stateVersion)}/outputs?page%5Bnumber%5D=${page}&page%5Bsize%5D=${PAGE_SIZE}`);
    if (!doc) throw new HcpApiError(`the outputs of state version ${stateVersion} are gone (404), or the token may not read state outputs`, 404);
    for (const o of Array.isArray(doc.data) ? doc.data : []) {
      const a = o.attributes ?? {};
      if (o.type === 'state-version-outputs' && typeof a.name === 'string') found.set(a.name, { sensitive: a.sensitive !== false, value: a.value });
    }
    page = doc.meta?.pagination?.['next-page'] ?? 0;
  }
  return found;
}

// Status holds strings, numbers and booleans: lists and maps are written as JSON, as apply mode does.
function plain(value: unknown, redact: (text: string) => string): OutputValue {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return redact(typeof value === 'string' ? value : JSON.stringify(value ?? null));
}
