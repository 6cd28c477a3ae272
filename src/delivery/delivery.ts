// What every delivery is to the rest of kratix-cdktf. The workflow, the Promise renderer, the
// warm-up and render call these and nothing else, so a delivery lives in its own folder and no
// other code names it.
import type { KubernetesObject, PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';
import type { SynthesizedStack } from '../terraform/stack.js';
import type { Ending, RetryPolicy } from '../workflow/control.js';
import type { Condition } from '../workflow/status.js';

/** A dry run's result in the output, which Kratix sends to the DryRun's summary. */
export const DRY_RUN_FILE = 'dry-run.yaml';

/** How a synthesized stack reaches Terraform: `tofuController()`, `applyInWorkflow()`, `hcpTerraformOperator()`. */
export interface Delivery {
  /** A short name for status (`status.terraform.delivery`) and messages. */
  readonly kind: string;
  /**
   * Kratix destination labels for this request's output, written to destination-selectors.yaml.
   * Kratix adds the Promise's `destinationSelectors` to them; synth checks the two do not overlap.
   * @default none: the Promise's destinationSelectors decide
   */
  readonly destinationLabels?: Readonly<Record<string, string>>;
  /** When Kratix runs a failed pipeline again. @default { first: "30s", max: "30m" } */
  readonly retry?: RetryPolicy;
  /** True when the workflow itself runs Terraform (what `render --apply` runs). */
  readonly runsTerraform: boolean;
  /** Problems in the delivery's own options, for synth (field paths start with `delivery.`). */
  check(def: PromiseDefinition): Issue[];
  /** What the Promise's resource pipelines need beside the workflow container itself. */
  pipeline(def: PromiseDefinition, facts: { readonly secretRefs: boolean }): PipelineNeeds;
  /**
   * Builds the configure run's result. May throw {@link IssuesError} for a request the delivery
   * cannot carry (reported like an invalid request).
   */
  configure(run: DeliveryRun): DeliveryResult | Promise<DeliveryResult>;
  /**
   * The delete run. `undefined`: the pipeline has nothing to do (a controller destroys the stack
   * when Kratix removes the request's Work), so nothing is read or validated and deletion is never
   * blocked; `message` is logged.
   */
  readonly delete: ((run: DeliveryRun) => DeliveryResult | Promise<DeliveryResult>) | { readonly message: string };
  /**
   * Objects every destination of the Promise needs for this delivery, sent with the Promise's
   * dependencies (say, a CronJob that runs one of {@link Delivery.tasks}). @default none
   */
  dependencies?(def: PromiseDefinition, job: { readonly image: string; readonly imagePullSecrets: readonly string[] }): KubernetesObject[];
  /**
   * Work the workflow image does outside Kratix's pipelines, by the name in KRATIX_CDKTF_TASK;
   * each returns the exit code. @default none
   */
  readonly tasks?: Readonly<Record<string, (task: DeliveryTask) => Promise<number>>>;
  /**
   * Runs the delivery's hot path in memory with no I/O, while the image's startup snapshot is built
   * (see warm-up.ts).
   */
  warmUp(run: DeliveryRun): void;
  /**
   * Where a `terraform_remote_state` data source finds the state this delivery keeps for `slug`:
   * how a request's stack reads the Promise's own stack (`promiseOutput`). Only a delivery that
   * runs Terraform in the workflow can apply a Promise's stack, and has this. @default none
   */
  stateOf?(def: PromiseDefinition, slug: string): RemoteState;
  /**
   * Starts what does not depend on the request while the workflow reads, validates and
   * synthesizes it; the result comes back in {@link DeliveryRun.headStart}. @default nothing
   */
  begin?(run: DeliveryBegin): HeadStart | undefined;
}

/** A `terraform_remote_state` data source's settings; credentials come from the environment. */
export interface RemoteState {
  readonly backend: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** @default "default" */
  readonly workspace?: string;
}

/** What {@link Delivery.begin} knows: the run, not yet its request. */
export interface DeliveryBegin {
  readonly def: PromiseDefinition;
  readonly action: 'configure' | 'delete';
  readonly dryRun: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Work a delivery started early. The workflow disposes of it once the run ends, used or not. */
export interface HeadStart {
  /** Waits for what was started and removes what it left. */
  dispose(): Promise<void>;
}

/** What a delivery adds to the Promise's resource pipelines. */
export interface PipelineNeeds {
  /** `spec.workflows.config.pipelineNamespace`. @default none: each request's own namespace */
  readonly namespace?: string;
  readonly permissions: readonly PipelinePermission[];
  /** Extra environment of the workflow container: values, or references to a Secret's key. */
  readonly env: readonly PipelineEnv[];
  /**
   * `spec.workflows.config.reconciliationInterval`: how often Kratix runs every request's
   * configure workflow again (at least 1m). @default Kratix's, 10h
   */
  readonly reconciliationInterval?: string;
}

/** One environment variable of the workflow container. */
export type PipelineEnv =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } };

/** One entry of a Pipeline's `rbac.permissions`. */
export interface PipelinePermission {
  readonly resourceNamespace?: string;
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  /** Only these objects, by name. @default all of them */
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** What a task of the workflow image gets. */
export interface DeliveryTask {
  readonly def: PromiseDefinition;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
  readonly log: { readonly info: (line: string) => void; readonly error: (line: string) => void };
  /** Aborted when the pod is asked to stop (SIGTERM): finish the step in hand, start no other. */
  readonly signal?: AbortSignal;
}

/** One request's run, as every delivery gets it. */
export interface DeliveryRun {
  readonly def: PromiseDefinition;
  readonly action: 'configure' | 'delete';
  /** A Kratix DryRun: plan or describe, change nothing. */
  readonly dryRun: boolean;
  readonly request: ResourceRequest<unknown>;
  /** The request's identity: unique per (promise, namespace, name), a DNS label of at most 52 characters. */
  readonly slug: string;
  /** `<promise>/<namespace>/<name>`, recorded in the state. */
  readonly owner: string;
  readonly synthesized: SynthesizedStack;
  /** The request as Kratix wrote it, status included. */
  readonly input: unknown;
  /** The workflow's environment: credentials and settings for what runs on the request's behalf. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
  readonly log: (line: string) => void;
  /** The container got SIGTERM: stop what runs, start nothing new. */
  readonly signal?: AbortSignal;
  /** What the delivery's {@link Delivery.begin} started for this run. */
  readonly headStart?: HeadStart;
  /**
   * `render` without `--apply`: nothing may run or be sent anywhere; a delivery that
   * {@link Delivery.runsTerraform} writes what would run into this folder instead.
   */
  readonly renderTo?: string;
}

/**
 * What one run hands back. The workflow adds the RequestValid and StackSynthesized conditions,
 * checks the output's size, writes everything all or nothing, and turns `ending` into
 * workflow-control.yaml and the exit code (0; 1 without workflow control).
 */
export type DeliveryResult = DeliveryDone | DeliveryRefused;

export interface DeliveryDone {
  readonly refused?: undefined;
  /** Files for /kratix/output. */
  readonly files: ReadonlyMap<string, string>;
  /**
   * Top-level status keys besides `conditions` (Kratix merges each one whole): at least
   * `message`; `outputs`, `terraform` and others as the delivery reports them.
   */
  readonly status: { readonly message: string } & Readonly<Record<string, unknown>>;
  /** Conditions besides RequestValid and StackSynthesized. */
  readonly conditions: readonly Condition[];
  /** The StackSynthesized condition's message. @default "The stack was synthesized" */
  readonly stackMessage?: string;
  /** @default done: no workflow-control.yaml */
  readonly ending?: Ending;
  /** Logged: stderr when the run did not succeed. */
  readonly log?: { readonly error: boolean; readonly text: string };
}

/** The delivery could not carry this request: reported like an invalid request. */
export interface DeliveryRefused {
  readonly refused: {
    /** Says what failed, after the request's name: "the output is too large". */
    readonly what: string;
    /** The condition that is set false, and its reason. */
    readonly type: string;
    readonly reason: string;
    readonly issues: readonly Issue[];
    /**
     * Who can fix it: the request (Kratix suspends the workflow until its spec changes) or the
     * platform (Kratix retries it, so a fixed Promise or image picks it up).
     */
    readonly fixedBy: 'request' | 'platform';
  };
}
