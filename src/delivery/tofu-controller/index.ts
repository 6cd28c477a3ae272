// Delivery through GitOps: the workflow writes the stack and a Flux tofu-controller `Terraform`
// object, Kratix puts them in the destination's state store, and tofu-controller runs Terraform.
import { CLUSTER_CA_ENV } from '../kube-api.js';
import type { KubernetesObject, PromiseDefinition } from '../../promise/define-promise.js';
import type { Issue } from '../../schema/issue.js';
import type { Delivery, DeliveryDone, DeliveryResult, DeliveryRun, DeliveryTask, PipelineNeeds } from '../delivery.js';
import { statusOutputs } from '../read-outputs.js';
import { readTofuOutputs, readyFrom } from './outputs.js';
import { cleanUp } from './cleanup.js';
import { CLEANUP_TASK, cleanUpObjects } from './cleanup-job.js';
import { dnsLabelProblem, dnsSubdomainProblem } from '../../kratix/names.js';
import { deliverRequest } from './objects.js';

const SOURCE_KINDS = ['GitRepository', 'Bucket', 'OCIRepository'];
// Five fields of cron characters, or one of the macros Kubernetes' CronJob accepts.
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[-*/,0-9A-Za-z?]+( [-*/,0-9A-Za-z?]+){4})$/;

// The pipeline reads the destination's API over HTTPS with fetch, which trusts extra CAs only through this.

// Flux applies a request's stack Secret and Terraform object within seconds of each other.
const CLEANUP_GRACE_MS = 60 * 60 * 1000;

/** A Flux source on the destination. */
export interface SourceRef {
  readonly kind: 'GitRepository' | 'Bucket' | 'OCIRepository';
  readonly name: string;
  /** @default the Terraform object's namespace */
  readonly namespace?: string;
}

/** Options for {@link tofuController}. */
export interface TofuControllerProps {
  /**
   * Namespace on the destination where tofu-controller watches `Terraform` objects.
   * @default "flux-system"
   */
  readonly namespace?: string;
  /**
   * The Flux source the `Terraform` objects name. tofu-controller's CRD requires one and stalls
   * an object whose source is missing, but the stack travels in a Secret (`fileMappings`), so
   * the source only has to exist and stay still: tofu-controller plans every object that names a
   * source again whenever the source's revision changes. So do not name the Kratix state store's
   * own source, which changes with every request's write; the README shows a pinned, near-empty
   * `GitRepository` to create once per destination.
   * @example { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' }
   */
  readonly sourceRef: SourceRef;
  /**
   * How often tofu-controller reconciles (and corrects drift).
   * @default "10m"
   */
  readonly interval?: string;
  /**
   * Apply plans without a human: `"auto"`. Leave unset to require `approvePlan: <plan id>` by hand.
   * @default "auto"
   */
  readonly approvePlan?: 'auto' | undefined;
  /**
   * Service account of the runner pod, which needs the cloud credentials.
   * @default tofu-controller's default ("tf-runner")
   */
  readonly serviceAccountName?: string;
  /**
   * Kratix destination labels for the controller objects, written to destination-selectors.yaml.
   * Kratix adds the Promise's `destinationSelectors` to them, so a Destination must carry both:
   * they narrow where the objects go (say, to the destinations that run tofu-controller), and
   * cannot send them anywhere the Promise's selectors exclude. A key the Promise's
   * `destinationSelectors` also use is refused at synth: Kratix would keep the Promise's value.
   * @default none: the Promise's destinationSelectors decide
   */
  readonly destinationLabels?: Readonly<Record<string, string>>;
  /**
   * Namespace on the platform cluster where the Promise's workflow Jobs run (Kratix's
   * `spec.workflows.config.pipelineNamespace`). It must exist before the Promise is applied.
   * Set it before the first request: Kratix looks a request's Work up in the pipeline namespace,
   * so a Work written from the old namespace stays behind.
   * @default none: each request's own namespace, where its tenant can read the Job's logs
   */
  readonly pipelineNamespace?: string;
  /**
   * The clean-up after a deleted request's destroy: a CronJob in `namespace` on each destination,
   * with this Promise's workflow image, deletes the stack Secret (which Flux leaves, so that
   * tofu-controller's finalizer can read it) and the empty state Secret of every request whose
   * Terraform object is gone. `false` leaves them (they hold no secret values).
   * @default { schedule: "17 * * * *" }: hourly
   */
  readonly cleanUp?: { readonly schedule?: string } | false;
  /**
   * Reads the outputs tofu-controller wrote after its last apply into `status.outputs`, with a
   * condition `OutputsRead` saying whether they are the current stack's, at each run of the
   * workflow (Kratix's reconciliation interval, 10h by default). The pipeline needs the
   * destination's Kubernetes API: in-cluster when the destination is the platform cluster (the
   * pipeline then gets `get` on Secrets and Terraform objects in `namespace`), or
   * KRATIX_CDKTF_DESTINATION_API and KRATIX_CDKTF_DESTINATION_TOKEN in its environment. Requires
   * `pipelineNamespace`: that service account can read every Secret of the controller's namespace.
   * @default false
   */
  readonly readOutputs?: boolean;
}

/**
 * Delivers each request's stack to Flux tofu-controller on the destination, through Kratix's
 * GitOps scheduling: tofu-controller plans and applies it, destroys it when the request is
 * deleted, and writes its outputs to a Secret.
 * @example definePromise({ ..., delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }) })
 */
export function tofuController(props: TofuControllerProps): TofuController {
  return new TofuController(props);
}

// A Secret's data may be at most 1 MiB, uncompressed; leave room for its metadata.
const MAX_OBJECT_BYTES = 1000 * 1024;

/** The delivery {@link tofuController} returns; its options are its fields. */
export class TofuController implements Delivery, TofuControllerProps {
  readonly kind = 'tofu-controller';
  readonly runsTerraform = false;
  declare readonly namespace?: string;
  declare readonly sourceRef: SourceRef;
  declare readonly interval?: string;
  declare readonly approvePlan?: 'auto' | undefined;
  declare readonly serviceAccountName?: string;
  declare readonly destinationLabels?: Readonly<Record<string, string>>;
  declare readonly pipelineNamespace?: string;
  declare readonly cleanUp?: { readonly schedule?: string } | false;
  declare readonly readOutputs?: boolean;

  constructor(props: TofuControllerProps) {
    // Only what was given: `approvePlan: undefined`, given, asks for manual approval.
    Object.assign(this, props);
  }

  check(def: PromiseDefinition): Issue[] {
    const issues: Issue[] = [];
    const ref = this.sourceRef as unknown;
    if (ref === undefined) {
      issues.push({
        path: def.delivery ? 'delivery.sourceRef' : 'delivery',
        message: `is missing: tofu-controller's Terraform objects must name a Flux source that exists on every destination, or they stall`,
        fix: "delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }), and create that source as the README shows (or choose applyInWorkflow)",
      });
      return issues;
    }
    if (this.readOutputs && this.pipelineNamespace === undefined)
      issues.push({
        path: 'delivery.readOutputs',
        message: `needs pipelineNamespace: the pipeline's service account may read every Secret in ${JSON.stringify(this.namespace ?? 'flux-system')} (state, outputs, credentials), and in a request's namespace its tenant could start a pod with it`,
        fix: "set tofuController({ ..., readOutputs: true, pipelineNamespace: 'kratix-cdktf' }), a namespace tenants cannot use",
      });
    const schedule = this.cleanUp ? (this.cleanUp.schedule as unknown) : undefined;
    if (schedule !== undefined && (typeof schedule !== 'string' || !CRON.test(schedule.trim())))
      issues.push({
        path: 'delivery.cleanUp.schedule',
        message: `${JSON.stringify(schedule)} is not a cron schedule, which the CronJob needs`,
        fix: 'five fields, as "17 * * * *" (hourly), or a macro such as "@daily"',
      });
    const { kind, name, namespace } = (ref ?? {}) as Record<string, unknown>;
    if (!SOURCE_KINDS.includes(kind as string))
      issues.push({
        path: 'delivery.sourceRef.kind',
        message: `is ${JSON.stringify(kind)}, not a Flux source kind tofu-controller reads`,
        fix: `use one of ${SOURCE_KINDS.join(', ')}`,
      });
    const nameProblem = typeof name === 'string' ? dnsSubdomainProblem(name) : 'is not a name, which is a string';
    if (nameProblem) issues.push({ path: 'delivery.sourceRef.name', message: `${JSON.stringify(name)} ${nameProblem}` });
    const namespaceProblem =
      namespace === undefined ? undefined : typeof namespace === 'string' ? dnsLabelProblem(namespace) : 'is not a namespace name, which is a string';
    if (namespaceProblem) issues.push({ path: 'delivery.sourceRef.namespace', message: `${JSON.stringify(namespace)} ${namespaceProblem}` });
    const own = this.namespace ?? 'flux-system';
    if (!namespaceProblem && namespace !== undefined && namespace !== own)
      issues.push({
        path: 'delivery.sourceRef.namespace',
        message: `is ${JSON.stringify(namespace)}, not the Terraform objects' namespace ${JSON.stringify(own)}: tofu-controller refuses cross-namespace sources by default (--allow-cross-namespace-refs=false), and such an object never plans, nor destroys when deleted`,
        fix: `create the source in ${own} and leave out sourceRef.namespace`,
      });
    return issues;
  }

  /** The Jobs only write files (no credentials, no RBAC), unless they read outputs back. */
  pipeline(): PipelineNeeds {
    const namespace = this.namespace ?? 'flux-system';
    return {
      ...(this.pipelineNamespace !== undefined ? { namespace: this.pipelineNamespace } : {}),
      permissions: this.readOutputs
        ? [
            { resourceNamespace: namespace, apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
            { resourceNamespace: namespace, apiGroups: ['infra.contrib.fluxcd.io'], resources: ['terraforms'], verbs: ['get'] },
          ]
        : [],
      env: this.readOutputs ? [CLUSTER_CA_ENV] : [],
    };
  }

  async configure(run: DeliveryRun): Promise<DeliveryResult> {
    const result = this.sized(deliverRequest(run, this));
    if (result.refused || !this.readOutputs || run.dryRun || run.renderTo !== undefined) return result;
    const stackOutputs = (run.synthesized.json.output ?? {}) as Record<string, { sensitive?: boolean }>;
    const declared = Object.entries(run.def.outputs ?? {}).map(([name, o]) => [name, { sensitive: Boolean(o.sensitive || stackOutputs[name]?.sensitive) }]);
    const read = await readTofuOutputs({
      env: run.env,
      namespace: this.namespace ?? 'flux-system',
      slug: run.slug,
      digest: (result.status.terraform as { stackSha256: string }).stackSha256,
      outputs: Object.fromEntries(declared),
      now: run.now,
    });
    const unread = read.condition.reason === 'DestinationUnreachable' || read.condition.reason === 'NotYetApplied';
    const { outputs: _, ...rest } = result.status;
    return {
      ...result,
      status: {
        ...rest,
        ...statusOutputs(run.def, run.input, result.status.outputs as Record<string, unknown> | undefined, unread ? undefined : read.outputs),
      },
      conditions: [...result.conditions, read.condition, readyFrom(read.condition)],
    };
  }

  private sized(result: DeliveryDone): DeliveryResult {
    const largest = Math.max(...[...result.files.values()].map((text) => Buffer.byteLength(text)));
    if (largest > MAX_OBJECT_BYTES) {
      return {
        refused: {
          what: 'the output is too large',
          type: 'StackSynthesized',
          reason: 'OutputTooLarge',
          fixedBy: 'request',
          issues: [
            {
              path: 'spec',
              message: `the synthesized stack is ${largest} bytes; the Secret that carries it to tofu-controller holds at most ${MAX_OBJECT_BYTES}`,
            },
          ],
        },
      };
    }
    return result;
  }

  // Kratix deletes the Work, Flux prunes the Terraform object and tofu-controller destroys the
  // stack (destroyResourcesOnDeletion).
  readonly delete = { message: "tofu-controller destroys the stack when Kratix removes this request's Work" };

  dependencies(def: PromiseDefinition, job: { readonly image: string; readonly imagePullSecrets: readonly string[] }): KubernetesObject[] {
    if (this.cleanUp === false) return [];
    const schedule = this.cleanUp?.schedule ?? '17 * * * *';
    return cleanUpObjects({ promise: def.name, namespace: this.namespace ?? 'flux-system', schedule, ...job });
  }

  readonly tasks = {
    [CLEANUP_TASK]: async ({ def, env, now, log, signal }: DeliveryTask): Promise<number> => {
      const namespace = this.namespace ?? 'flux-system';
      try {
        const result = await cleanUp({ env, namespace, promise: def.name, now, graceMs: CLEANUP_GRACE_MS, log: log.info, ...(signal ? { signal } : {}) });
        log.info(`${def.name}: clean-up of ${namespace}: ${result.deleted.length} Secret(s) deleted, ${result.kept.length} request(s) left for a person`);
        return 0;
      } catch (e) {
        log.error(`${def.name}: clean-up of ${namespace} failed: ${(e as Error).message}`);
        return 1;
      }
    },
  };

  warmUp(run: DeliveryRun): void {
    deliverRequest(run, this);
  }
}
