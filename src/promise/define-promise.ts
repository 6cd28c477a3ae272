import type { Static, TObject } from '@sinclair/typebox';
import type { Construct } from 'constructs';
import type { Delivery } from '../delivery/delivery.js';
import type { ManifestFile } from './manifest-file.js';
import type { Manifest } from '../manifests/index.js';
import type { ComponentApi } from '../manifests/components.js';
import type { BusinessRule } from '../rules/index.js';
import type { Decoration } from '../decorate/index.js';
import type { ApprovalProps } from '../approval/index.js';
import type { BackstageProps } from '../backstage/props.js';
import type { AcceptedBreakingChange } from '../evolution/index.js';
import type { ServedVersionProps } from '../kratix/versions.js';
import type { CostProps } from '../cost/index.js';
import type { PlanPolicy } from '../policies/index.js';

/** The Kubernetes API a Promise offers: group, version and kind of its Resource requests. */
export interface ApiProps {
  /** API group, a DNS name with at least one dot, e.g. `data.example.com`. */
  readonly group: string;
  /** API version, e.g. `v1alpha1`. */
  readonly version: string;
  /**
   * Kind, usually UpperCamelCase (`Postgres`); any case Kubernetes accepts (`redis`): letters,
   * digits and "-", starting with a letter, at most 59 characters.
   */
  readonly kind: string;
  /** Lower-case letters, digits and "-", starting with a letter. @default the kind, lower-cased and pluralized (`Postgres` → `postgreses`) */
  readonly plural?: string;
  /** @default the kind, lower-cased */
  readonly singular?: string;
  /** Short names for kubectl, each like `plural`. @default none */
  readonly shortNames?: readonly string[];
  /** Groups for `kubectl get <category>`, each like `plural`. @default none */
  readonly categories?: readonly string[];
}

/** One named output of the stack, copied into the request's status. */
export interface OutputProps {
  /** What the value is, shown in the API docs. */
  readonly description?: string;
  /**
   * Keep the value out of status and logs (it still reaches Terraform state).
   * @default false
   */
  readonly sensitive?: boolean;
  /**
   * A `kubectl get` column showing the value in `status.outputs`: its name, or `{ name, type?,
   * priority? }` (priority 1 and up: only with `-o wide`). Not for sensitive outputs.
   * @default none
   */
  readonly printerColumn?: string | { readonly name: string; readonly type?: 'string' | 'integer' | 'number' | 'boolean' | 'date'; readonly priority?: number };
}

/** The Resource request a stack is built for, validated and with defaults applied. */
export interface ResourceRequest<Spec> {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Spec;
}

/** A container in a Kratix Pipeline; only the fields Kratix accepts. */
export interface PipelineContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly Record<string, unknown>[];
  readonly envFrom?: readonly Record<string, unknown>[];
  readonly volumeMounts?: readonly Record<string, unknown>[];
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly securityContext?: Record<string, unknown>;
  readonly resources?: ContainerResources;
}

/** Kubernetes container resources. */
export interface ContainerResources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/** Extra containers around the Terraform step of one workflow action, and pipelines around its pipeline. */
export interface WorkflowStepsProps {
  /** Containers run before the Terraform step (checks, approvals). @default none */
  readonly before?: readonly PipelineContainer[];
  /** Containers run after the Terraform step (notifications, audit). @default none */
  readonly after?: readonly PipelineContainer[];
  /**
   * Pipelines of their own, which Kratix runs one after the other, each as its own Job, before
   * and after the Promise's pipeline: containers, or a TypeScript `step` run in the Promise's
   * image. @default none
   */
  readonly pipelines?: { readonly before?: readonly NamedPipeline[]; readonly after?: readonly NamedPipeline[] };
}

/**
 * A Kratix Pipeline of the author's. `<promise>-resource-<action>-<name>` must fit 60 characters
 * (Kratix names the pipeline's RBAC objects after it). Exactly one of `containers` and `step`.
 */
export interface NamedPipeline {
  /** A DNS label, unique within the action. */
  readonly name: string;
  /** Containers of any image, run in order. */
  readonly containers?: readonly PipelineContainer[];
  /**
   * TypeScript run in the Promise's own image on the validated request (lenient on delete):
   * what it returns is written to status.yaml, which Kratix merges into the request's status
   * (top-level keys replaced, conditions by type). What it throws is reported in status and the
   * pipeline is retried.
   */
  readonly step?: (request: ResourceRequest<any>) => StepResult | Promise<StepResult>;
}

/** What a TypeScript step gives back. */
export interface StepResult {
  /** Top-level status keys (not `conditions` or `kratix`, which Kratix and kratix-cdktf own). @default none */
  readonly status?: Readonly<Record<string, unknown>>;
  /** One line for the step's condition and the log. @default "done" */
  readonly message?: string;
}

/** How the workflow containers run. */
export interface WorkflowProps {
  /**
   * Resources of the Terraform container.
   * @default requests 250m CPU / 256Mi, limits 1 CPU / 1Gi: enough for Terraform with a large provider
   */
  readonly resources?: ContainerResources;
  /**
   * Environment of the Terraform container, e.g. backend or cloud credentials from a Secret:
   * `envFrom: [{ secretRef: { name: 'terraform-credentials' } }]`.
   * @default none
   */
  readonly env?: readonly Record<string, unknown>[];
  /** @default none */
  readonly envFrom?: readonly Record<string, unknown>[];
  /**
   * How many times Kubernetes restarts a crashed workflow container before the run fails
   * (`jobOptions.backoffLimit` of every Pipeline). Failures the workflow expects are reported in
   * status and retried by Kratix, not by Kubernetes, so this only covers crashes.
   * @default 2
   */
  readonly backoffLimit?: number;
  /**
   * Secrets holding registry credentials for this Promise's images, added to the project's
   * `imagePullSecrets` (package.json) on every Pipeline. They must exist in the namespace the
   * pipelines run in.
   * @default none: the project's only
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * Namespace of the platform cluster where every workflow Job of this Promise runs
   * (`spec.workflows.config.pipelineNamespace`); it must exist. A delivery that needs its own
   * (apply mode) sets it through its options instead.
   * @default the delivery's, or each request's own namespace
   */
  readonly pipelineNamespace?: string;
  /**
   * How often Kratix runs every workflow of this Promise again, also with no change
   * (`spec.workflows.config.reconciliationInterval`, a Go duration of at least 1m). The annotation
   * `kratix.io/reconciliation-interval` (see `annotations`) overrides it.
   * @default the delivery's, or Kratix's platform-wide default (10h)
   */
  readonly reconciliationInterval?: string;
  /** Extra containers in the resource configure pipeline. @default none */
  readonly configure?: WorkflowStepsProps;
  /** Extra containers in the resource delete pipeline. @default none */
  readonly delete?: WorkflowStepsProps;
}

export type { Manifest, ManifestGroup, ManifestObject } from '../manifests/index.js';
export type { ComponentApi, ComponentStatus } from '../manifests/components.js';

/** Status fields the author designs: declared, then computed on every configure run. */
export interface StatusProps<S extends TObject = TObject, O extends Record<string, OutputProps> = Record<string, OutputProps>> {
  readonly fields: Readonly<Record<string, StatusFieldProps>>;
  compute(ctx: {
    readonly request: ResourceRequest<Static<S>>;
    readonly outputs: { readonly [K in keyof O]?: OutputValue };
  }): Readonly<Record<string, OutputValue | undefined>>;
}

/** One field of `status.details`. */
export interface StatusFieldProps {
  readonly description?: string;
  /** A `kubectl get` column on `.status.details.<name>`, as on outputs. @default none */
  readonly printerColumn?: OutputProps['printerColumn'];
}

/** {@link PromiseProps.promiseStack}: what the Promise applies once, for all its requests. */
export interface PromiseStackProps {
  /**
   * The stack's named outputs, which requests' stacks read with `promiseOutput(scope, name)`.
   * Sensitive ones are marked sensitive again there (Terraform drops the mark from a remote
   * state), and none may be null after the apply. @default none
   */
  readonly outputs?: Readonly<Record<string, Pick<OutputProps, 'description' | 'sensitive'>>>;
  /** Builds the shared constructs in `scope` and returns the declared outputs. Declare no backend. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a stack with no outputs returns nothing
  stack(scope: Construct): Readonly<Record<string, OutputValue>> | void;
  /**
   * Where the stack is applied: a delivery that runs Terraform in the workflow (`applyInWorkflow`),
   * so that it is applied once, on the platform. A GitOps delivery cannot carry it: Kratix
   * writes a Promise workflow's output to every Destination the Promise selects, and each
   * Destination's controller would apply the same stack.
   * @default the Promise's delivery
   */
  readonly delivery?: Delivery;
  /**
   * Environment of the Promise stack's container only, added to `workflow.env`: the credentials
   * that apply the shared stack, which requests' pipelines (in tenants' namespaces, with a GitOps
   * delivery) must not get. @default none
   */
  readonly env?: readonly Record<string, unknown>[];
  /** Added to `workflow.envFrom`, for the Promise stack's container only. @default none */
  readonly envFrom?: readonly Record<string, unknown>[];
}

/** A Kubernetes object, as plain data. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A static dependency: a Kubernetes object, or a YAML file of them beside the Promise (`manifestFile()`). */
export type Dependency = KubernetesObject | ManifestFile;

/**
 * How the `dependencies` reach the Destinations. Either way Kratix sends them to every
 * Destination matching the Promise's `destinationSelectors`, and removes them when the Promise
 * is deleted.
 * - `'inline'`: in the Promise's `spec.dependencies`, as Kratix static dependencies.
 * - `'workflow'`: written by a Promise configure workflow (pipeline `deps`) that runs the
 *   Promise's own workflow image, which carries the manifests; `promise.yaml` stays small.
 * - `'auto'`: inline while `promise.yaml` stays within 256 KiB, otherwise the workflow.
 */
export type DependencyDelivery = 'auto' | 'inline' | 'workflow';

/** Values a stack may return as outputs: plain values or cdktf tokens (which are strings or numbers). */
export type OutputValue = string | number | boolean;

/** Options for {@link definePromise}. */
export interface PromiseProps<S extends TObject, O extends Record<string, OutputProps>> {
  /** Promise name: a DNS label, also the folder under `generated/`. */
  readonly name: string;
  /** One paragraph for the API docs and the CRD. @default none */
  readonly description?: string;
  /** Version label `kratix.io/promise-version`. @default none */
  readonly version?: string;
  /**
   * Annotations of the Promise object, e.g. `{ 'kratix.io/reconciliation-interval': '30m' }`,
   * which Kratix reads before `workflow.reconciliationInterval`.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly api: ApiProps;
  /** The spec schema, one `Type.Object`: gives the TS type, the CRD, validation and defaults. */
  readonly spec: S;
  /** The stack's named outputs. @default none */
  readonly outputs?: O;
  /**
   * Status fields the author designs, in `status.details`: declared here (each a column if it
   * asks for one), computed by `compute` on every configure run from the request and the outputs
   * status shows (`(sensitive)` for sensitive ones; absent while a GitOps controller has not
   * reported them). @default none
   */
  readonly status?: StatusProps<S, O>;
  /**
   * Builds the cdktf constructs for one request in `scope`, and returns the declared outputs.
   * Strings in `request` reach Terraform as literals, whatever you do with them. Declare no
   * backend: the delivery decides where state lives, and a backend in the stack is dropped.
   */
  // A method, not a function property, so any specific definition is also a PromiseDefinition.
  // biome-ignore lint/suspicious/noConfusingVoidType: a stack() with no outputs returns nothing; void says so where undefined would not accept it
  stack?(scope: Construct, request: ResourceRequest<Static<S>>): { [K in keyof O]: OutputValue } | void;
  /**
   * Kubernetes objects for Kratix itself to schedule with the request's Work, beside the stack
   * or, for a Promise without `stack`, instead of it: objects (scheduled like the rest of the
   * request's output), or groups `{ directory, matchLabels, objects }` sent only to the
   * Destinations with those labels. Plain objects, or `kubernetes-models` instances, which are
   * validated against the Kubernetes OpenAPI schema. Kratix removes them when the request is
   * deleted. @default none
   */
  manifests?(request: ResourceRequest<Static<S>>): readonly Manifest[];
  /**
   * What the Promise installs once, computed when Kratix runs its configure workflow (an
   * operator's objects, shared configuration), as `manifests()` returns them: objects go where
   * the Promise's destinationSelectors send its dependencies, groups `{ directory, matchLabels,
   * objects }` only to the Destinations with those labels. Kratix removes them when the Promise
   * is deleted. @default none
   */
  promiseManifests?(): readonly Manifest[];
  /**
   * Shared infrastructure the Promise builds once, before it serves any request (an IAM role, a
   * network, a registry every request uses): a cdktf stack that the Promise's configure workflow
   * applies in the workflow, and its delete workflow destroys once the Promise's requests are gone
   * (it deletes them first). A request's stack reads its outputs with `promiseOutput(scope, name)`.
   * @default none
   */
  readonly promiseStack?: PromiseStackProps;
  /**
   * Other Promises' APIs whose requests `manifests()` writes (composition): on every configure
   * run their status is read back into `status.components`, and Ready waits for theirs. The
   * pipeline gets `get` on them. @default none
   */
  readonly components?: readonly ComponentApi[];
  /**
   * Business rules beyond the schema and CEL, run on every configure run after validation and
   * before anything is built: a violation refuses the request as a schema error does. Shared
   * rules are a module the platform's Promises import. @default none
   */
  readonly rules?: readonly BusinessRule<Static<S>>[];
  /**
   * Tags for every Terraform resource that takes them and labels for every Kubernetes object the
   * Promise writes (owner, cost centre, request, Promise and version), later decorations winning
   * and all of them over what the stack or the request set. A platform-wide decoration is a module
   * every Promise imports. @default none
   */
  readonly decorate?: readonly Decoration<Static<S>>[];
  /**
   * Plan policies: what a request's stack must not build (`noPublicBuckets()`, your own), checked
   * on every configure run before anything is applied or handed to a controller; a violation
   * refuses the request, naming the resource and attribute. @default none
   */
  readonly policies?: readonly PlanPolicy[];
  /**
   * Plans that need a person's approval before they are applied (replacements and destroys by
   * default, every change, or the Promise's own reason): the run suspends with the plan's digest
   * and summary in `status.approval`, and applies only a plan whose digest the request's
   * `approval.kratix-cdktf.io/plan` annotation names. Apply mode only. @default none
   */
  readonly approval?: ApprovalProps;
  /**
   * A monthly estimate from the plan (apply mode) or the configuration, priced by the platform's
   * table, in `status.cost`; with a budget, above it the request is refused or its plan needs
   * approval. @default none
   */
  readonly cost?: CostProps;
  /**
   * The Promise in Backstage: who owns it, how its Software Template creates a request (a pull
   * request or `kube:apply`), and the Destination each request's catalog entity is written to.
   * Synth always writes the Template and API entity under `generated/<name>/backstage/`.
   * @default owner group:default/platform-team, requests applied with kube:apply, no request entities
   */
  readonly backstage?: BackstageProps<Static<S>>;
  /**
   * Breaking API changes shipped on purpose, each by field and kind as synth names it, with the
   * reason stored requests are safe. Synth refuses any other change that can break them.
   * @default none
   */
  readonly acceptBreakingChanges?: readonly AcceptedBreakingChange[];
  /**
   * Older API versions still served beside `api.version`, which is the storage version Kratix
   * watches. Kubernetes converts a request between versions by changing its apiVersion only, so
   * synth refuses an older version whose requests `spec` would not take as they are.
   * @default none
   */
  readonly versions?: readonly ServedVersionProps[];
  /** Where requests' Work goes. @default every Destination Kratix would pick */
  readonly destinationSelectors?: readonly { readonly matchLabels: Readonly<Record<string, string>> }[];
  /**
   * Static manifests installed on every matching Destination: objects, or `manifestFile(path)`
   * for a YAML file in the Promise's folder (read by `npm run synth`, not at module load).
   * @default none
   */
  readonly dependencies?: readonly Dependency[];
  /**
   * Inline in `promise.yaml`, or written by a Promise configure workflow. kubectl's client-side
   * apply copies the whole Promise into an annotation, and Kubernetes caps annotations at 256 KiB,
   * so big dependencies (an operator's CRDs) must not be inline.
   * @default 'auto': inline while promise.yaml stays within 256 KiB (262144 bytes), otherwise the workflow
   */
  readonly dependencyDelivery?: DependencyDelivery;
  /**
   * Promises that must be installed first: until they are (at `version`, their
   * `kratix.io/promise-version` label, when given), Kratix keeps this Promise's requests waiting.
   * @default none
   */
  readonly requiredPromises?: readonly { readonly name: string; readonly version?: string }[];
  /** Containers, resources and extra steps of the workflows. @default the Terraform step alone */
  readonly workflow?: WorkflowProps;
  /**
   * How each request's stack reaches Terraform: `tofuController({ sourceRef })`,
   * `applyInWorkflow({ backend })`. Synth refuses a Promise without one.
   */
  readonly delivery?: Delivery;
}

/** A compiled-ready Promise definition: what `promises/<name>/index.ts` exports by default. */
export interface PromiseDefinition<S extends TObject = TObject, O extends Record<string, OutputProps> = Record<string, OutputProps>>
  extends PromiseProps<S, O> {
  readonly kind: typeof DEFINITION_KIND;
}

const DEFINITION_KIND = 'kratix-cdktf.PromiseDefinition';

/**
 * Defines a Kratix Promise in TypeScript: one typed spec schema and a cdktf stack per request.
 * @example
 * export default definePromise({
 *   name: 'bucket',
 *   api: { group: 'storage.example.com', version: 'v1alpha1', kind: 'Bucket' },
 *   spec: Type.Object({ versioning: Type.Boolean({ default: true }) }),
 *   outputs: { arn: { description: 'Bucket ARN' } },
 *   stack(scope, request) {
 *     const bucket = new S3Bucket(scope, 'bucket', { bucketPrefix: request.metadata.name });
 *     return { arn: bucket.arn };
 *   },
 * });
 */
export function definePromise<S extends TObject, O extends Record<string, OutputProps> = Record<never, OutputProps>>(
  props: PromiseProps<S, O>,
): PromiseDefinition<S, O> {
  return Object.freeze({ ...props, kind: DEFINITION_KIND });
}

/** True for what {@link definePromise} returned, so a loader can tell a definition from anything else. */
export function isPromiseDefinition(value: unknown): value is PromiseDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === DEFINITION_KIND;
}
