import type { RetryPolicy } from '../../workflow/control.js';

/** Where apply mode keeps each request's state. Every request gets its own Terraform workspace in it. */
export type Backend =
  | { readonly kind: 'pg'; readonly schemaName?: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly region: string; readonly key?: string; readonly workspaceKeyPrefix?: string }
  | { readonly kind: 'kubernetes'; readonly namespace: string; readonly secretSuffix?: string }
  | ({ readonly kind: 'hcp-terraform' } & HcpTerraformProps);

/**
 * PostgreSQL. The connection string comes from `PG_CONN_STR` in the workflow's environment
 * (from a Secret), never from the configuration.
 * @default schemaName "kratix_cdktf"
 */
export function pgBackend(props: { readonly schemaName?: string } = {}): Backend {
  return { kind: 'pg', ...props };
}

/** Amazon S3 with S3-native locking (`use_lockfile`); credentials from the standard AWS_* environment. */
export function s3Backend(props: { readonly bucket: string; readonly region: string; readonly key?: string; readonly workspaceKeyPrefix?: string }): Backend {
  return { kind: 's3', ...props };
}

/** A Kubernetes Secret per request, locked with a Lease; in-cluster credentials of the workflow pod. */
export function kubernetesBackend(props: { readonly namespace: string; readonly secretSuffix?: string }): Backend {
  return { kind: 'kubernetes', ...props };
}

/** Options for {@link hcpTerraform}. */
export interface HcpTerraformProps {
  readonly organization: string;
  /**
   * Project the request workspaces are created in; they take its default execution mode.
   * @default the organization's default project
   */
  readonly project?: string;
  /** @default "app.terraform.io" */
  readonly hostname?: string;
  /**
   * Acknowledges that the workspaces run Terraform locally, in the workflow, and HCP Terraform
   * only keeps their state. The `cloud` block cannot choose the execution mode: new workspaces
   * take the default of their project or organization, which is Remote unless changed. A remote
   * run happens on HCP's workers, without the workflow's cloud credentials or provider mirror,
   * and the CLI sends it the `TF_VAR_*` values (`secretRef()` fields included) as run
   * variables. Set the project's (Settings > Default execution mode) or organization's
   * (Settings > General > Default Execution Mode) default to Local, then write
   * `executionMode: 'local'`; synth refuses anything else.
   */
  readonly executionMode: 'local';
}

/**
 * An HCP Terraform (or Terraform Enterprise) workspace per request, run in local execution mode;
 * the token comes from TF_TOKEN_<host>.
 * @example hcpTerraform({ organization: 'acme', project: 'kratix', executionMode: 'local' })
 */
export function hcpTerraform(props: HcpTerraformProps): Backend {
  return { kind: 'hcp-terraform', ...props };
}

/** Options for {@link applyInWorkflow}. */
export interface ApplyProps {
  readonly backend: Backend;
  /**
   * Namespace on the platform cluster where the Promise's workflow Jobs run (Kratix's
   * `spec.workflows.config.pipelineNamespace`), and where their credentials Secret
   * (`workflow.envFrom`) and image pull Secrets live. Tenants must not be able to create pods or
   * read Secrets there: the backend's credentials open every request's state, and the pipeline's
   * service account may read Secrets in every namespace. It must exist before the Promise is
   * applied (Kratix's webhook creates a dry-run Job in it).
   * @default "kratix-cdktf"
   */
  readonly pipelineNamespace?: string;
  /**
   * How long a run waits for the state lock held by another run of the same request.
   * @default "5m"
   */
  readonly lockTimeout?: string;
  /**
   * When Kratix runs the pipeline again after a failed Terraform run: `first` after the first
   * failure, doubled each further attempt, at most `max` (durations such as "30s", "5m", "1h").
   * The run asks for it in workflow-control.yaml; a success resets the count.
   * @default { first: "30s", max: "30m" }
   */
  readonly retry?: RetryPolicy;
  /**
   * What a configure run does with drift: resources Terraform would change although nothing
   * that configures them changed since the last apply (someone changed the real object, or the
   * state, outside Terraform). Either way the run reports it in `status.drift` and the `Drifted`
   * condition. `correct` applies as usual, which puts the drifted resources back; `report`
   * applies only what the request (or its Secrets, data sources) changed, never a drifted
   * resource's correction, and says so. See the README's "Drift".
   * @default "correct"
   */
  readonly drift?: DriftPolicy;
}

/** {@link ApplyProps.drift}. */
export type DriftPolicy = 'correct' | 'report';

/** Where apply-mode pipelines run when {@link ApplyProps.pipelineNamespace} is not set. */
export const DEFAULT_APPLY_PIPELINE_NAMESPACE = 'kratix-cdktf';
