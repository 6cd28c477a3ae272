// One configure run: the request's Workspace object for Kratix to deliver, the stack uploaded to
// the workspace the operator made from it, and the outputs read back for status.
import { statusOutputs } from '../read-outputs.js';
import { toYamlDocuments } from '../../artifacts/yaml.js';
import { condition, type Condition, READY } from '../../workflow/status.js';
import type { DeliveryDone, DeliveryRun } from '../delivery.js';
import { redactor } from '../apply/terraform-cli.js';
import { HcpApiError, hcpApi } from './api.js';
import { countResources } from '../owner.js';
import { renderWorkspace, stackFile, workspaceName, workspaceTags } from './objects.js';
import { readOutputs, type OutputsResult } from './outputs.js';
import { DEFAULT_HOSTNAME, DEFAULT_NAMESPACE, DEFAULT_RECONCILIATION_INTERVAL, tokenVariable, type HcpTerraformOperatorProps } from './props.js';
import { tarGz } from './tar.js';
import { uploadStack, type UploadResult } from './upload.js';
import type { RunInfo } from './workspace.js';

/** The name of the configuration file in the uploaded configuration version. */
export const STACK_FILE = 'main.tf.json';

/** Everything a run computes without I/O: the files, the stack, the status summary. */
export function prepare(props: HcpTerraformOperatorProps, run: DeliveryRun) {
  const hostname = props.hostname ?? DEFAULT_HOSTNAME;
  const name = workspaceName(props, run.slug);
  const workspace = renderWorkspace({ props, slug: run.slug, promise: run.def.name, request: run.request.metadata, secrets: run.synthesized.secrets });
  const stack = stackFile(run.synthesized.json, run.owner);
  const resources = countResources(run.synthesized.json);
  return {
    hostname,
    name,
    where: `${props.organization}/${name}`,
    workspace,
    stack,
    resources,
    // The slug in the file name keeps requests apart even with Kratix's flat filepath mode.
    files: new Map([[`${run.slug}.yaml`, toYamlDocuments([workspace])]]),
    summary: {
      delivery: 'hcp-terraform-operator',
      organization: props.organization,
      workspace: name,
      workspaceObject: `${props.namespace ?? DEFAULT_NAMESPACE}/${run.slug}`,
      url: `https://${hostname}/app/${encodeURIComponent(props.organization)}/workspaces/${name}`,
      resources,
      stackSha256: stack.sha256,
    },
  };
}

/** The configure run (see the README section in docs/hcp-operator.md for what each outcome means). */
export async function configure(props: HcpTerraformOperatorProps, run: DeliveryRun): Promise<DeliveryDone> {
  const p = prepare(props, run);
  const redact = redactor(run.env, []);
  const synthesized = `Synthesized ${p.resources} Terraform resource${p.resources === 1 ? '' : 's'}`;
  const known = run.synthesized.knownOutputs;
  const tokenEnv = tokenVariable(p.hostname);
  if (run.dryRun)
    return { files: p.files, status: { message: `Dry run: ${synthesized}; nothing was uploaded to ${p.where}`, terraform: p.summary }, conditions: [] };
  // `render` promises to touch nothing, and a shell that runs Terraform often has the token set.
  if (run.renderTo !== undefined)
    return {
      files: p.files,
      status: {
        message: `Rendered, not uploaded: ${synthesized}; a Kratix run would upload the stack to ${p.where}`,
        terraform: { ...p.summary, rendered: true },
      },
      conditions: [],
    };

  const token = run.env[tokenEnv];
  if (!token?.trim()) {
    const why = `the stack was not uploaded to ${p.where}: ${tokenEnv} is not set in the workflow's environment`;
    return {
      files: p.files,
      status: { message: `${synthesized}; ${why}`, ...statusOutputs(run.def, run.input, known, undefined), terraform: p.summary },
      conditions: [condition('StackUploaded', false, 'NoToken', why, run.now), condition(READY, false, 'NoToken', why, run.now)],
      log: { error: true, text: `${p.where}: ${why}; give the Promise's workflow a team token in ${tokenEnv} (workflow.env from a Secret)` },
    };
  }

  const api = hcpApi({
    base: run.env.KRATIX_CDKTF_HCP_API ?? `https://${p.hostname}`,
    token,
    tokenVariable: tokenEnv,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const tags = workspaceTags(run.def.name, run.request.metadata);
  let upload: UploadResult | HcpApiError;
  try {
    upload = await uploadStack({
      api,
      organization: props.organization,
      workspace: p.name,
      tags,
      variables: run.synthesized.secrets.map((s) => s.variable),
      files: new Map([[STACK_FILE, p.stack.text]]),
      sha256: p.stack.sha256,
      owner: run.owner,
      log: run.log,
    });
  } catch (e) {
    if (!(e instanceof HcpApiError)) throw e;
    upload = e;
  }
  // Read even when the upload failed: status then still says what HCP Terraform last applied.
  const read = await readOutputs({ api, organization: props.organization, workspace: p.name, tags, declared: run.def.outputs ?? {}, redact });
  const uploaded = redact(uploadMessage(upload, p.where, props.reconciliationInterval ?? DEFAULT_RECONCILIATION_INTERVAL));
  const message = `${synthesized}; ${uploaded}`;
  const runInfo = upload instanceof HcpApiError || upload.kind === 'waiting' ? undefined : upload.run;
  const conditions: Condition[] = [
    upload instanceof HcpApiError
      ? condition('StackUploaded', false, 'UploadFailed', uploaded, run.now)
      : upload.kind === 'waiting'
        ? condition('StackUploaded', false, upload.reason, uploaded, run.now)
        : condition('StackUploaded', true, upload.kind === 'uploaded' ? 'Uploaded' : 'Unchanged', uploaded, run.now),
    read.ok
      ? condition('OutputsRead', true, 'Read', redact(freshness(read, runInfo)), run.now)
      : condition('OutputsRead', false, read.reason, redact(read.message), run.now),
  ];
  // Ready: the stack uploaded (or unchanged) and its run applied, or planned no changes.
  const [uploadCondition, readCondition] = conditions as [Condition, Condition];
  if (uploadCondition.status !== 'True') conditions.push({ ...uploadCondition, type: READY });
  else if (!read.ok) conditions.push({ ...readCondition, type: READY });
  else if (runInfo && runApplied(read, runInfo)) conditions.push(condition(READY, true, 'Applied', readCondition.message, run.now));
  else conditions.push(condition(READY, false, 'Applying', readCondition.message, run.now));
  const status = {
    message,
    ...statusOutputs(run.def, run.input, known, read.ok ? read.outputs : undefined),
    terraform: {
      ...p.summary,
      ...(runInfo ? { run: { id: runInfo.id, status: runInfo.status } } : {}),
      ...(upload instanceof HcpApiError || upload.kind !== 'uploaded' ? {} : { configurationVersion: upload.configurationVersion }),
      ...(read.ok ? { stateVersion: read.stateVersion } : {}),
    },
  };
  if (upload instanceof HcpApiError)
    return { files: p.files, status, conditions, ending: { kind: 'retry', message }, log: { error: true, text: `${p.where}: ${message}` } };
  return { files: p.files, status, conditions };
}

/** The run's hot path without I/O, for the image's startup snapshot. */
export function warmUp(props: HcpTerraformOperatorProps, run: DeliveryRun): void {
  const p = prepare(props, run);
  tarGz(new Map([[STACK_FILE, p.stack.text]]));
  uploadMessage({ kind: 'waiting', reason: 'WorkspaceNotCreated', message: '' }, p.where, DEFAULT_RECONCILIATION_INTERVAL);
}

function uploadMessage(upload: UploadResult | HcpApiError, where: string, interval: string): string {
  if (upload instanceof HcpApiError) return `uploading the stack to ${where} failed: ${upload.message}`;
  switch (upload.kind) {
    case 'uploaded':
      return `uploaded the stack to HCP Terraform workspace ${where}, where run ${upload.run.id} is queued`;
    case 'unchanged':
      return `the stack in HCP Terraform workspace ${where} is unchanged since run ${upload.run.id} (${upload.run.status})`;
    case 'waiting':
      // Kratix writes the Workspace object only after this run, so the upload waits for a later
      // one: the request's next reconciliation, or a manual one.
      return `not uploaded yet: ${upload.message}. The request's next reconciliation uploads it (this Promise's workflows run every ${interval}; label the request kratix.io/manual-reconciliation=true to run it now)`;
  }
}

// How fresh the outputs are: the state version they come from, and any newer run.
function freshness(read: Extract<OutputsResult, { ok: true }>, run: RunInfo | undefined): string {
  return run && !runApplied(read, run) ? `${read.message}; run ${run.id} (${run.status}) has not applied yet, so they may change` : read.message;
}

// The workspace's current state is this run's, or the run is over (applied, or planned nothing).
function runApplied(read: Extract<OutputsResult, { ok: true }>, run: RunInfo): boolean {
  return run.id === read.stateVersion.run || ['applied', 'planned_and_finished'].includes(run.status);
}
