// Delivery to HCP Terraform through the HCP Terraform Operator: the design, and what it cannot
// do, are in docs/hcp-operator.md.
import type { Delivery } from '../delivery.js';
import { checkOptions } from './check.js';
import { configure, warmUp } from './configure.js';
import { DEFAULT_HOSTNAME, DEFAULT_PIPELINE_NAMESPACE, DEFAULT_RECONCILIATION_INTERVAL, tokenVariable, type HcpTerraformOperatorProps } from './props.js';

export type { HcpTerraformOperatorProps } from './props.js';
export { readOutputs, type OutputsResult, type ReadOutputsProps } from './outputs.js';
export { hcpApi, HcpApiError, type HcpApi, type HcpApiProps } from './api.js';

/**
 * Runs each request's stack in HCP Terraform. Kratix delivers a `Workspace` object per request
 * to the destination, where the HCP Terraform Operator creates the workspace, its tags and its
 * sensitive variables (from Secrets), and destroys the stack and deletes the workspace when the
 * request is deleted. The workflow uploads the stack to that workspace as a configuration
 * version and queues the run (with the token in `TF_TOKEN_<host>`), and reads the outputs back
 * into status. Runs happen in HCP Terraform only; the first upload waits for the run after the
 * operator has created the workspace.
 * @example definePromise({ ..., delivery: hcpTerraformOperator({ organization: 'acme', project: 'kratix', tokenSecretRef: { name: 'hcp-terraform-token', key: 'token' }, workflowTokenSecretRef: { name: 'hcp-terraform', key: 'token' } }) })
 */
export function hcpTerraformOperator(props: HcpTerraformOperatorProps): Delivery {
  return {
    kind: 'hcp-terraform-operator',
    ...(props.destinationLabels ? { destinationLabels: props.destinationLabels } : {}),
    ...(props.retry ? { retry: props.retry } : {}),
    runsTerraform: false,
    check: () => checkOptions(props),
    // The workflow holds a token that may upload to every request's workspace: it runs in a
    // platform namespace, never a tenant's, and reads no Kubernetes Secret (the operator does, on
    // the destination).
    pipeline: () => ({
      namespace: props.pipelineNamespace ?? DEFAULT_PIPELINE_NAMESPACE,
      permissions: [],
      env: props.workflowTokenSecretRef
        ? [
            {
              name: tokenVariable(props.hostname ?? DEFAULT_HOSTNAME),
              valueFrom: { secretKeyRef: { name: props.workflowTokenSecretRef.name, key: props.workflowTokenSecretRef.key } },
            },
          ]
        : [],
      reconciliationInterval: props.reconciliationInterval ?? DEFAULT_RECONCILIATION_INTERVAL,
    }),
    configure: (run) => configure(props, run),
    delete: {
      message:
        "the HCP Terraform Operator destroys the stack and deletes the workspace (deletionPolicy: destroy) once Flux prunes the Workspace object that Kratix removes with this request's Work",
    },
    warmUp: (run) => warmUp(props, run),
  };
}
