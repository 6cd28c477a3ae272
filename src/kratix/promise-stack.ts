// The Promise's own stack (promiseStack) in the Promise object: a Promise configure pipeline that
// applies it and a Promise delete pipeline that destroys it, both run by Kratix in the Promise's
// pipeline namespace (api/v1alpha1/pipeline_types.go, ForPromise: workflows.config's
// pipelineNamespace, else kratix-platform-system). Kratix starts serving requests only once the
// Promise configure workflow has completed (promise_controller.go), so a request's stack can
// rely on what the Promise's stack built.
import type { Delivery, PipelineNeeds, PipelinePermission } from '../delivery/delivery.js';
import { CLUSTER_CA_ENV } from '../delivery/kube-api.js';
import { DESTROYED_OUTPUT, OWNER_OUTPUT, promiseStackSlug } from '../delivery/owner.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';
import { apiNames } from './crd.js';
import { renderPipeline, type PipelineProps } from './pipeline.js';

/** The Pipeline, in both Promise actions, that applies or destroys the Promise's stack. */
export const PROMISE_STACK_PIPELINE = 'stack';

/** Where Kratix runs a Promise's workflows when workflows.config names no namespace. */
export const KRATIX_SYSTEM_NAMESPACE = 'kratix-platform-system';

/** The delivery that applies the Promise's stack. */
export function promiseStackDelivery(def: PromiseDefinition): Delivery | undefined {
  return def.promiseStack?.delivery ?? def.delivery;
}

/** Problems of `promiseStack`, with the namespace Kratix will run the Promise's workflows in. */
export function checkPromiseStack(def: PromiseDefinition, namespace: string | undefined): Issue[] {
  const promiseStack = def.promiseStack as unknown;
  if (promiseStack === undefined) return [];
  if (typeof promiseStack !== 'object' || promiseStack === null || typeof (promiseStack as { stack?: unknown }).stack !== 'function')
    return [{ path: 'promiseStack', message: 'has no stack(scope) function', fix: 'write promiseStack: { stack(scope) { ... } }' }];
  const issues: Issue[] = [];
  const outputs = (promiseStack as { outputs?: unknown }).outputs;
  for (const name of Object.keys(outputs && typeof outputs === 'object' ? outputs : {})) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name))
      issues.push({
        path: `promiseStack.outputs.${name}`,
        message: 'is not a Terraform output name',
        fix: 'start with a letter; use letters, digits, "_" and "-"',
      });
    if (name === OWNER_OUTPUT || name === DESTROYED_OUTPUT)
      issues.push({
        path: `promiseStack.outputs.${name}`,
        message:
          name === OWNER_OUTPUT ? 'is the output kratix-cdktf records the owner of a state in' : "is the output that marks the Promise's stack destroyed",
        fix: 'name it differently',
      });
  }
  issues.push(...checkStackEnv(def));
  const delivery = promiseStackDelivery(def);
  const own = def.promiseStack?.delivery !== undefined;
  if (!delivery)
    return [
      ...issues,
      {
        path: 'promiseStack.delivery',
        message: 'is missing, and the Promise has no delivery either: nothing would apply the stack',
        fix: 'write promiseStack: { delivery: applyInWorkflow({ backend: pgBackend() }), ... }',
      },
    ];
  if (!delivery.runsTerraform || typeof delivery.stateOf !== 'function')
    return [
      ...issues,
      {
        path: own ? 'promiseStack.delivery' : 'delivery',
        message: `is ${delivery.kind}, which cannot apply the Promise's stack: Kratix writes a Promise workflow's output to every Destination the Promise selects, so each Destination's controller would apply the same stack, and a request's stack could not tell which state to read`,
        fix: 'give the Promise stack a delivery that runs Terraform in the workflow: promiseStack: { delivery: applyInWorkflow({ backend: pgBackend() }), ... }',
      },
    ];
  if (own) issues.push(...delivery.check(def).map((issue) => ({ ...issue, path: issue.path.replace(/^delivery\b/, 'promiseStack.delivery') })));
  const wanted = delivery.pipeline(def, { secretRefs: false }).namespace;
  const runs = namespace ?? KRATIX_SYSTEM_NAMESPACE;
  if (wanted !== undefined && wanted !== runs)
    issues.push({
      path: own ? 'promiseStack.delivery.pipelineNamespace' : 'delivery.pipelineNamespace',
      message: `is ${JSON.stringify(wanted)}, but Kratix runs this Promise's workflows in ${JSON.stringify(runs)} (workflows.config.pipelineNamespace, else ${KRATIX_SYSTEM_NAMESPACE}), where the stack's credentials and RBAC must then be`,
      fix: `set the same namespace on both: applyInWorkflow({ ..., pipelineNamespace: ${JSON.stringify(runs)} }), or workflow.pipelineNamespace: ${JSON.stringify(wanted)}`,
    });
  return issues;
}

// promiseStack.env is added to workflow.env: a name in both would reach the container twice.
function checkStackEnv(def: PromiseDefinition): Issue[] {
  const issues: Issue[] = [];
  for (const field of ['env', 'envFrom'] as const) {
    const list = def.promiseStack?.[field] as unknown;
    if (list !== undefined && !Array.isArray(list))
      issues.push({ path: `promiseStack.${field}`, message: 'is not a list', fix: `write ${field}: [{ ... }], as in a container` });
  }
  const workflow = new Set((Array.isArray(def.workflow?.env) ? def.workflow.env : []).map((e) => (e as { name?: unknown }).name));
  const env = def.promiseStack?.env;
  (Array.isArray(env) ? env : []).forEach((entry: unknown, i) => {
    const name = entry !== null && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '')
      issues.push({ path: `promiseStack.env[${i}]`, message: 'has no name', fix: "write { name: 'AWS_REGION', value: 'eu-west-1' }" });
    else if (workflow.has(name))
      issues.push({ path: `promiseStack.env[${i}]`, message: `sets ${name}, which workflow.env sets too`, fix: 'set it in one place' });
  });
  return issues;
}

/**
 * The Pipeline that applies (configure) or destroys (delete) the Promise's stack: the workflow
 * image with the Promise's environment, resources and the stack delivery's RBAC.
 */
export function renderPromiseStackPipeline(
  def: PromiseDefinition,
  action: 'configure' | 'delete',
  props: Omit<PipelineProps, 'promise' | 'action' | 'name' | 'permissions' | 'steps'>,
) {
  const needs: PipelineNeeds | undefined = promiseStackDelivery(def)?.pipeline(def, { secretRefs: false });
  const { group, plural } = apiNames(def.api);
  // The delete deletes the Promise's requests first (src/workflow/promise-stack.ts), through the API.
  const own = action === 'delete' ? [CLUSTER_CA_ENV] : [];
  const env = [
    ...(props.env ?? []),
    ...[...(needs?.env ?? []), ...own].filter(
      (e, i, all) => !(props.env ?? []).some((o) => o.name === e.name) && all.findIndex((o) => o.name === e.name) === i,
    ),
  ];
  const permissions = [
    ...(needs?.permissions ?? []),
    ...(action === 'delete' ? [{ resourceNamespace: '*', apiGroups: [group], resources: [plural], verbs: ['list', 'delete'] }] : []),
  ];
  return renderPipeline({
    ...props,
    promise: def.name,
    action,
    name: PROMISE_STACK_PIPELINE,
    ...(env.length ? { env } : {}),
    permissions,
  });
}

/**
 * What requests' pipelines need to read the Promise stack's state, and why they could not: a
 * request's stack reads it with terraform_remote_state wherever its Terraform runs. The
 * Kubernetes backend keeps state in a Secret of the platform cluster, which a GitOps
 * controller's runner on a Destination cannot read (its in-cluster config is the Destination's),
 * and which an apply-mode pipeline reads with its own service account.
 */
export function promiseStackReadNeeds(def: PromiseDefinition): { readonly permissions: PipelinePermission[]; readonly issues: Issue[] } {
  const stackDelivery = promiseStackDelivery(def);
  const at = def.promiseStack && def.stack ? stackDelivery?.stateOf?.(def, promiseStackSlug(def.name)) : undefined;
  if (at?.backend !== 'kubernetes') return { permissions: [], issues: [] };
  const namespace = String(at.config.namespace);
  // With the Promise's own delivery, requests' pipelines already have that backend's RBAC.
  // Otherwise `get` of that one Secret: Terraform's kubernetes backend reads a workspace's state
  // by name (tfstate-<workspace>-<secret_suffix>), and the namespace holds others' Secrets.
  const secret = `tfstate-${at.workspace}-${String(at.config.secret_suffix)}`;
  if (def.delivery?.runsTerraform)
    return {
      permissions:
        def.promiseStack?.delivery === undefined
          ? []
          : [{ resourceNamespace: namespace, apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get'] }],
      issues: [],
    };
  return {
    permissions: [],
    issues: [
      {
        path: 'promiseStack.delivery',
        message: `keeps the Promise stack's state in the Kubernetes backend (a Secret in ${namespace} on the platform cluster), which requests' stacks cannot read: ${def.delivery?.kind ?? 'the delivery'} runs their Terraform on the Destinations, where the backend's in-cluster config reaches another API`,
        fix: "keep the Promise stack's state where the requests' Terraform can reach it: applyInWorkflow({ backend: s3Backend({ ... }) }), pgBackend() or hcpTerraform()",
      },
    ],
  };
}
