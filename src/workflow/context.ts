/** Where a workflow run reads and writes, and what Kratix asked it to do. */
export interface WorkflowContext {
  readonly type: 'resource' | 'promise';
  readonly action: 'configure' | 'delete';
  readonly inputFile: string;
  readonly outputDir: string;
  readonly metadataDir: string;
  readonly dryRun: boolean;
  /**
   * End expected failures with workflow-control.yaml and exit 0, so that Kratix keeps their
   * status (control.ts). KRATIX_CDKTF_WORKFLOW_CONTROL=false exits 1 instead, for a Kratix older
   * than 2026-03 that ignores the file.
   */
  readonly workflowControl: boolean;
  /** This pipeline's name (KRATIX_PIPELINE_NAME), under which Kratix counts its retries. */
  readonly pipelineName: string;
  /** Namespace for a request whose metadata has none (KRATIX_OBJECT_NAMESPACE). */
  readonly objectNamespace: string;
  /** The environment, for what runs on behalf of the workflow (Terraform, credentials). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clock for condition timestamps; tests pin it. */
  readonly now: () => Date;
}

/**
 * Reads the Kratix workflow environment. Paths default to Kratix's and can be moved for local
 * runs with KRATIX_CDKTF_INPUT_DIR, KRATIX_CDKTF_OUTPUT_DIR and KRATIX_CDKTF_METADATA_DIR.
 * Returns why the environment is unusable instead of a context when it is.
 */
export function readContext(env: Readonly<Record<string, string | undefined>>): WorkflowContext | string {
  const type = env.KRATIX_WORKFLOW_TYPE ?? 'resource';
  const action = env.KRATIX_WORKFLOW_ACTION ?? 'configure';
  if (type !== 'resource' && type !== 'promise') return `KRATIX_WORKFLOW_TYPE=${JSON.stringify(type)} is not "resource" or "promise"`;
  if (action !== 'configure' && action !== 'delete') return `KRATIX_WORKFLOW_ACTION=${JSON.stringify(action)} is not "configure" or "delete"`;
  const control = env.KRATIX_CDKTF_WORKFLOW_CONTROL ?? 'true';
  if (control !== 'true' && control !== 'false') return `KRATIX_CDKTF_WORKFLOW_CONTROL=${JSON.stringify(control)} is not "true" or "false"`;
  const fixed = env.KRATIX_CDKTF_NOW;
  return {
    type,
    action,
    inputFile: `${env.KRATIX_CDKTF_INPUT_DIR ?? '/kratix/input'}/object.yaml`,
    outputDir: env.KRATIX_CDKTF_OUTPUT_DIR ?? '/kratix/output',
    metadataDir: env.KRATIX_CDKTF_METADATA_DIR ?? '/kratix/metadata',
    dryRun: env.KRATIX_DRY_RUN === 'true',
    workflowControl: control === 'true',
    pipelineName: env.KRATIX_PIPELINE_NAME || 'terraform',
    objectNamespace: env.KRATIX_OBJECT_NAMESPACE || 'default',
    env,
    now: fixed ? () => new Date(fixed) : () => new Date(),
  };
}
