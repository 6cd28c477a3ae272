import { createHash } from 'node:crypto';
import { toYamlDocuments } from '../../artifacts/yaml.js';
import type { OutputValue } from '../../promise/define-promise.js';
import type { DeliveryDone, DeliveryRun } from '../delivery.js';
import type { TofuControllerProps } from './index.js';
import type { SecretBinding } from '../../terraform/secrets.js';
import { countResources, requestOwner, withOwnerGuard } from '../owner.js';
import { controllerSecretName, endsWithGoInt } from '../secret-names.js';

/** What the tofu-controller objects of one request are made from. */
export interface TofuControllerObjectsProps {
  readonly delivery: TofuControllerProps;
  /** The request's identity slug: the object name, the state secret suffix. */
  readonly slug: string;
  readonly promise: string;
  readonly request: { readonly name: string; readonly namespace: string };
  /** The synthesized stack, as it is written to main.tf.json. */
  readonly stackJson: string;
  readonly outputs: readonly string[];
  /** Outputs known at synth (plain values), for status. */
  readonly knownOutputs: Readonly<Record<string, OutputValue>>;
  readonly secrets: readonly SecretBinding[];
}

export const STACK_FILE = 'main.tf.json';

/** Labels on the stack Secret, so that the clean-up finds it and its Terraform object. */
export const PART_LABEL = 'kratix-cdktf.io/part';
export const TERRAFORM_LABEL = 'kratix-cdktf.io/terraform';
/** Annotation on the runner pod template: the stack's digest, so a new stack is a new generation. */
export const DIGEST_ANNOTATION = 'kratix-cdktf.io/stack-sha256';

/**
 * The objects that make tofu-controller apply one request's stack: a Secret holding
 * `main.tf.json`, mapped into the runner's workspace with `fileMappings`, and the `Terraform`
 * object. Carrying the stack inside a Kubernetes object means no path into the state store has
 * to be known (the destination's path and Kratix's per-folder hash stay Kratix's business), and
 * a source that never changes can stand in for the CRD's required `sourceRef`. State lives in
 * tofu-controller's Kubernetes backend, in a Secret suffixed with the slug. What each field is
 * for, as tofu-controller v0.16.5 and Flux's kustomize-controller v1.9 read it:
 * - The stack Secret is `prune: disabled`: Flux deletes a removed request's objects in one pass
 *   without waiting for finalizers, and tofu-controller's finalizer reads the fileMappings
 *   Secret to destroy (tf_controller_finalizer.go → setupTerraform), failing forever when it is
 *   gone. Kept, it is deleted after the destroy by the clean-up CronJob (cleanup.ts).
 * - The stack's digest in the runner pod template: a new stack changes the spec, and a new
 *   generation is planned at once (shouldReconcile: "terraform generation has changed"); Flux
 *   applies Secrets before custom resources, so the plan reads the new stack.
 * - Secrets through `varsFrom` with `varsKeys` ("<key>:<variable>"): the runner ignores
 *   `vars[].valueFrom` and would set those variables to null (server_generate_tf_vars.go).
 * - `writeOutputsToSecret` without an `outputs` list: a listed output that is null is absent
 *   from the state, and the controller then fails the reconcile ("output not found").
 */
export function renderTofuControllerObjects(props: TofuControllerObjectsProps) {
  const { delivery, slug } = props;
  const namespace = delivery.namespace ?? 'flux-system';
  // Written as `approvePlan: undefined`, the author asks for manual approval.
  const approvePlan = 'approvePlan' in delivery ? delivery.approvePlan : 'auto';
  const labels = {
    'app.kubernetes.io/managed-by': 'kratix-cdktf',
    'kratix.io/promise-name': props.promise,
    'kratix.io/resource-name': props.request.name,
    'kratix.io/resource-namespace': props.request.namespace,
  };
  const stackSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${slug}-stack`,
      namespace,
      labels: { ...labels, [PART_LABEL]: 'stack', [TERRAFORM_LABEL]: slug },
      annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
    },
    type: 'Opaque',
    // Not secret: the stack holds no secret values (those are variables filled from Secrets at
    // apply time). A Secret is what fileMappings reads.
    stringData: { [STACK_FILE]: props.stackJson },
  };
  const terraform = {
    apiVersion: 'infra.contrib.fluxcd.io/v1alpha2',
    kind: 'Terraform',
    metadata: { name: slug, namespace, labels },
    spec: {
      interval: delivery.interval ?? '10m',
      sourceRef: delivery.sourceRef,
      path: './',
      ...(approvePlan ? { approvePlan } : {}),
      destroyResourcesOnDeletion: true,
      fileMappings: [{ location: 'workspace', path: STACK_FILE, secretRef: { name: stackSecret.metadata.name, key: STACK_FILE } }],
      // inClusterConfig must be said: with backendConfig set, it defaults to false.
      backendConfig: { secretSuffix: stateSecretSuffix(slug), inClusterConfig: true, labels },
      ...(props.outputs.length ? { writeOutputsToSecret: { name: `${slug}-outputs`, labels } } : {}),
      ...(props.secrets.length ? { varsFrom: varsFrom(props.request.namespace, props.secrets) } : {}),
      runnerPodTemplate: { metadata: { annotations: { [DIGEST_ANNOTATION]: createHash('sha256').update(props.stackJson).digest('hex') } } },
      ...(delivery.serviceAccountName ? { serviceAccountName: delivery.serviceAccountName } : {}),
    },
  };
  return { stackSecret, terraform };
}

// One varsFrom entry per Secret, each of its keys renamed to the variable that reads it. Without
// `optional`, a missing Secret fails the reconcile (VarsGenerationFailed) rather than applying
// empty values; a missing key becomes "" (the runner does not check keys).
function varsFrom(namespace: string, secrets: readonly SecretBinding[]) {
  const bySecret = new Map<string, string[]>();
  for (const s of secrets) {
    const name = controllerSecretName(namespace, s.secretName);
    bySecret.set(name, [...(bySecret.get(name) ?? []), `${s.secretKey}:${s.variable}`]);
  }
  return [...bySecret].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, varsKeys]) => ({ kind: 'Secret', name, varsKeys: varsKeys.sort() }));
}

/** The output of one configure run in tofu-controller mode. */
export function deliverToTofuController(props: Omit<TofuControllerObjectsProps, 'stackJson'> & { readonly stack: Record<string, unknown> }): DeliveryDone {
  const stackJson = `${JSON.stringify(withOwnerGuard(props.stack, requestOwner(props.promise, props.request)), null, 2)}\n`;
  const { stackSecret, terraform } = renderTofuControllerObjects({ ...props, stackJson });
  const ns = terraform.metadata.namespace;
  const resources = countResources(props.stack);
  const message = `Synthesized ${resources} Terraform resource${resources === 1 ? '' : 's'}; tofu-controller applies the stack on the destination`;
  return {
    // The slug in the file name keeps requests apart even with Kratix's flat filepath mode.
    files: new Map([[`${props.slug}.yaml`, toYamlDocuments([stackSecret, terraform])]]),
    status: {
      message,
      // Kratix merges one top-level key at a time, so the whole outputs object is written each run.
      ...(Object.keys(props.knownOutputs).length ? { outputs: props.knownOutputs } : {}),
      terraform: {
        delivery: 'tofu-controller',
        resources,
        stackSha256: createHash('sha256').update(stackJson).digest('hex'),
        terraformObject: `${ns}/${terraform.metadata.name}`,
        stateSecret: `${ns}/tfstate-default-${stateSecretSuffix(props.slug)}`,
        ...(props.outputs.length ? { outputsSecret: `${ns}/${props.slug}-outputs` } : {}),
      },
    },
    conditions: [],
    stackMessage: message,
  };
}

/** The tofu-controller output of one synthesized request of a Promise. */
export function deliverRequest(run: DeliveryRun, delivery: TofuControllerProps): DeliveryDone {
  return deliverToTofuController({
    delivery,
    slug: run.slug,
    promise: run.def.name,
    request: run.request.metadata,
    stack: run.synthesized.json,
    knownOutputs: run.synthesized.knownOutputs,
    outputs: Object.keys(run.def.outputs ?? {}),
    secrets: run.synthesized.secrets,
  });
}

/**
 * The kubernetes backend's `secret_suffix` for a request: its slug, unless the slug's hash tail
 * is all digits and fits a Go int (about 1 slug in 130,000: twenty digits with a leading zero or
 * a small first digit), which Terraform refuses, taking it for the number of a split state. Only
 * those get `-s`: every other request keeps the state Secret it has always had.
 */
export function stateSecretSuffix(slug: string): string {
  return endsWithGoInt(slug) ? `${slug}-s` : slug;
}
