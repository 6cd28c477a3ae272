import type { RetryPolicy } from '../../workflow/control.js';

/** Options for {@link hcpTerraformOperator}. */
export interface HcpTerraformOperatorProps {
  /** HCP Terraform organization the request workspaces live in. */
  readonly organization: string;
  /**
   * Project the operator creates the workspaces in, by name. A variable set attached to it is the
   * simplest way to give every request's runs their cloud credentials.
   * @default the organization's default project
   */
  readonly project?: string;
  /**
   * The Secret (in {@link namespace}, on the destination) and key that hold the operator's API
   * token: a team token that may create, change and delete workspaces in the project. The
   * platform creates it; no request output carries it, so deleting a request never prunes it.
   */
  readonly tokenSecretRef: { readonly name: string; readonly key: string };
  /**
   * Namespace on the destination for the `Workspace` objects. The token Secret lives there, and
   * so do the Secrets the request variables read, as `kratix-cdktf.<request namespace>.<name>`.
   * @default "hcp-terraform"
   */
  readonly namespace?: string;
  /**
   * HCP Terraform's host (Terraform Enterprise: its own). The workflow calls its API with the
   * token in `TF_TOKEN_<host, dots as underscores>` (`TF_TOKEN_app_terraform_io`); the operator
   * is pointed at the same host by its own setting (Helm value `operator.tfeAddress`).
   * @default "app.terraform.io"
   */
  readonly hostname?: string;
  /**
   * Put before every workspace name (`<prefix><slug>`). Workspace names are unique per
   * organization, so two Kratix platforms that share one must each have their own prefix:
   * otherwise the same request on both would name the same workspace.
   * @default none
   */
  readonly workspacePrefix?: string;
  /**
   * Terraform version of the workspaces, `1.9.8`.
   * @default the newest HCP Terraform offers when the operator creates the workspace
   */
  readonly terraformVersion?: string;
  /**
   * Kratix destination labels for the `Workspace` objects, written to destination-selectors.yaml:
   * they narrow the Promise's `destinationSelectors` to the destination that runs the operator.
   * A key the Promise's `destinationSelectors` also use is refused at synth.
   * @default none: the Promise's destinationSelectors decide
   */
  readonly destinationLabels?: Readonly<Record<string, string>>;
  /**
   * Namespace on the platform cluster where the Promise's workflow Jobs run. They hold an HCP
   * Terraform token that may upload to every request's workspace, so never a tenant's namespace.
   * It must exist, with the token's Secret, before the Promise is applied.
   * @default "kratix-cdktf"
   */
  readonly pipelineNamespace?: string;
  /**
   * The Secret (in the pipeline namespace, on the platform cluster) and key that hold the
   * workflow's team token, which uploads stacks and reads outputs; it reaches the workflow as
   * `TF_TOKEN_<host>`. Leave it out to set that variable yourself (`workflow.env`/`envFrom`).
   * @default none
   */
  readonly workflowTokenSecretRef?: { readonly name: string; readonly key: string };
  /**
   * How often Kratix runs every request's workflow again (`workflows.config.reconciliationInterval`,
   * at least "1m"). A request's first upload waits for its second run, since the first one only
   * writes the `Workspace` object: this bounds that wait, and how old outputs in status get. Each
   * run of an unchanged request costs about six API reads.
   * @default "10m"
   */
  readonly reconciliationInterval?: string;
  /** When Kratix runs a failed pipeline again (an HCP Terraform API failure). @default { first: "30s", max: "30m" } */
  readonly retry?: RetryPolicy;
}

export const DEFAULT_NAMESPACE = 'hcp-terraform';
export const DEFAULT_HOSTNAME = 'app.terraform.io';
export const DEFAULT_PIPELINE_NAMESPACE = 'kratix-cdktf';
export const DEFAULT_RECONCILIATION_INTERVAL = '10m';

/** HCP Terraform's longest workspace name. */
export const MAX_WORKSPACE_NAME = 90;
/** Longest request slug (requestSlug in workflow/run.ts). */
export const MAX_SLUG = 52;

/**
 * The environment variable that holds the workflow's token for `hostname`, named as Terraform
 * names it: dots become `_`, hyphens `__` (`TF_TOKEN_app_terraform_io`).
 */
export function tokenVariable(hostname: string): string {
  return `TF_TOKEN_${hostname.replace(/-/g, '__').replace(/\./g, '_')}`;
}
