// Runs a Promise's workflow the way its container does, on temp folders instead of /kratix.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PromiseDefinition } from '../../src/promise/define-promise.js';
import { runWorkflow, type RunWorkflowProps } from '../../src/workflow/run.js';
import { snapshotTree } from './project.js';

export interface WorkflowRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Files written to the output folder, by relative path. */
  readonly output: Record<string, string>;
  readonly statusText: string | undefined;
  readonly status: any;
  readonly metadata: Record<string, string>;
  /** workflow-control.yaml, parsed, when the run wrote one. */
  readonly control: { suspend?: boolean; retryAfter?: string; message?: string } | undefined;
  /**
   * How the run ended, as Kratix sees it: "done", "suspended" or "retry" (each exit 0, the last
   * two with workflow-control.yaml), or "exit <code>".
   */
  readonly ending: string;
  readonly dir: string;
}

/** Runs the workflow for a request given as YAML text or bytes (or, with KRATIX_WORKFLOW_TYPE=promise, for the Promise). */
export async function runRequest(
  def: PromiseDefinition,
  objectYaml: string | Uint8Array,
  env: Record<string, string> = {},
  props: RunWorkflowProps = {},
): Promise<WorkflowRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-wf-'));
  for (const sub of ['input', 'output', 'metadata']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'input', 'object.yaml'), objectYaml);
  chmodSync(join(dir, 'input', 'object.yaml'), 0o444);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWorkflow(
    def,
    {
      KRATIX_WORKFLOW_TYPE: 'resource',
      KRATIX_WORKFLOW_ACTION: 'configure',
      KRATIX_CDKTF_INPUT_DIR: join(dir, 'input'),
      KRATIX_CDKTF_OUTPUT_DIR: join(dir, 'output'),
      KRATIX_CDKTF_METADATA_DIR: join(dir, 'metadata'),
      KRATIX_CDKTF_NOW: '2026-01-01T00:00:00Z',
      ...env,
    },
    { info: (l) => out.push(l), error: (l) => err.push(l) },
    props,
  );
  const metadata = snapshotTree(join(dir, 'metadata'));
  const statusText = metadata['status.yaml'];
  const control = metadata['workflow-control.yaml'] ? parse(metadata['workflow-control.yaml']) : undefined;
  const ending = code !== 0 ? `exit ${code}` : control?.suspend ? 'suspended' : control?.retryAfter ? 'retry' : 'done';
  return {
    code,
    control,
    ending,
    stdout: out.join('\n'),
    stderr: err.join('\n'),
    output: snapshotTree(join(dir, 'output')),
    statusText,
    status: statusText ? parse(statusText) : undefined,
    metadata,
    dir,
  };
}

/** A request for `def` as YAML, from a spec and optional metadata. */
export function requestYaml(def: PromiseDefinition, spec: unknown, metadata: Record<string, unknown> = { name: 'test', namespace: 'default' }): string {
  return JSON.stringify({ apiVersion: `${def.api.group}/${def.api.version}`, kind: def.api.kind, metadata, spec });
}

export function readInput(run: WorkflowRun): string {
  return readFileSync(join(run.dir, 'input', 'object.yaml'), 'utf8');
}
