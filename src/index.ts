// The public surface of kratix-cdktf. Anything not exported here is internal.

// Authoring
export {
  definePromise,
  type ApiProps,
  type Dependency,
  type DependencyDelivery,
  type KubernetesObject,
  type NamedPipeline,
  type StatusFieldProps,
  type StatusProps,
  type StepResult,
  type Manifest,
  type ManifestGroup,
  type ManifestObject,
  type OutputProps,
  type PipelineContainer,
  type PromiseDefinition,
  type PromiseProps,
  type PromiseStackProps,
  type ResourceRequest,
  type WorkflowProps,
} from './promise/define-promise.js';
export { manifestFile, type ManifestFile } from './promise/manifest-file.js';
export { secretRef, Type, type Infer, type SecretRefProps } from './schema/index.js';
export { physicalName, type PhysicalNameProps } from './terraform/physical-name.js';
export { secretValue } from './terraform/secrets.js';
export { promiseOutput } from './terraform/promise-output.js';
// A Terraform module as a construct and Terraform's functions, for Promises that call a module
// (kratix-cdktf import writes them): from here, so the Promise names neither cdktf nor cdktn.
export { Fn, TerraformHclModule } from './terraform/cdktf.js';
export type { BusinessRule, RuleContext, Violation } from './rules/index.js';
export type { Decoration, DecorationContext } from './decorate/index.js';
export type { PlannedProvider, PlannedResource, PlanPolicy, PlanView, PolicyViolation } from './policies/index.js';
export { awsPrices } from './cost/aws.js';
export type { CostEstimate, CostProps, PriceContext, PriceQuote, PriceTable } from './cost/index.js';
export { APPROVED_PLAN_ANNOTATION, type ApprovalProps, type ApprovalRequest, type PlanSummaryLine } from './approval/index.js';
export {
  backstageKubeApply,
  backstagePullRequest,
  OWNER_ANNOTATION,
  type BackstageCreate,
  type BackstageLink,
  type BackstageProps,
} from './backstage/index.js';
export { allowedInstanceClasses, allowedRegions, encryptionAtRest, noDestroyOfProtected, noOpenIngress, noPublicBuckets } from './policies/library.js';
export type { Delivery, DeliveryResult, DeliveryRun, PipelineNeeds, RemoteState } from './delivery/delivery.js';
export {
  applyInWorkflow,
  hcpTerraform,
  kubernetesBackend,
  pgBackend,
  s3Backend,
  type ApplyInWorkflow,
  type ApplyProps,
  type Backend,
  type HcpTerraformProps,
} from './delivery/apply/index.js';
export { tofuController, type SourceRef, type TofuController, type TofuControllerProps } from './delivery/tofu-controller/index.js';
export { hcpTerraformOperator, type HcpTerraformOperatorProps } from './delivery/hcp-operator/index.js';
export type { RetryPolicy } from './workflow/control.js';

// Errors
export { formatIssues, IssuesError, type Issue } from './schema/issue.js';

// Testing helpers live in their own entry point, src/testing/index.ts, so the workflow bundle
// of a Promise never carries the compiler (json-schema-to-typescript, prettier) or test code.
