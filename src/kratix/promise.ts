import type { KubernetesObject, NamedPipeline, PromiseDefinition } from '../promise/define-promise.js';
import { checkStatusFields } from '../promise/status-fields.js';
import { checkComponents, componentNeeds } from '../manifests/components.js';
import { toCrdSchema } from '../schema/crd-schema.js';
import type { Issue, Result } from '../schema/issue.js';
import type { StructuralSchema } from '../schema/structural.js';
import { apiNames, outputColumns, renderCrd, type ApiNames } from './crd.js';
import { checkWorkflowConfig, workflowConfig } from './workflow-config.js';
import { checkDelivery } from './delivery.js';
import { checkApproval } from '../approval/index.js';
import { checkBackstage } from '../backstage/props.js';
import { checkAccepted } from '../evolution/index.js';
import { olderVersions } from './versions.js';
import { checkCost } from '../cost/index.js';
import { checkPromiseStack, promiseStackReadNeeds, renderPromiseStackPipeline } from './promise-stack.js';
import { checkRules, rulesNeeds } from '../rules/index.js';
import { checkDecorations } from '../decorate/index.js';
import { checkPolicies } from '../policies/index.js';
import { deliveryOf } from '../delivery/index.js';
import { promiseDependencies, type ResolvedManifests } from './dependencies.js';
import { OWNER_OUTPUT } from '../delivery/owner.js';
import * as errors from './errors.js';
import { dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, kindProblem, labelValueProblem, versionProblem } from './names.js';
import {
  checkContainers,
  checkEnv,
  checkImagePullSecrets,
  checkJobOptions,
  checkPipelines,
  DEFAULT_BACKOFF_LIMIT,
  renderDependenciesPipeline,
  checkNamedPipelines,
  MANIFESTS_PIPELINE,
  renderNamedPipeline,
  renderPipeline,
  type PipelineJobProps,
} from './pipeline.js';

/** Where the workflow image lives (the tag is chosen per Promise), and the data read for it. */
export interface RenderPromiseProps {
  /** Full image reference of this Promise's workflow, e.g. `ghcr.io/acme/workflows:postgres-1a2b3c`. */
  readonly image: string;
  /** The objects of the manifest files `dependencies` names. @default none: a manifest file is then an issue */
  readonly manifests?: ResolvedManifests;
  /**
   * Where the dependencies go, decided by the caller (which measures the rendered YAML):
   * `spec.dependencies`, or a Promise configure workflow that writes them.
   * @default 'inline'
   */
  readonly dependencies?: 'inline' | 'workflow';
  /**
   * Image pull Secrets of the project (package.json), for every Pipeline; the Promise's own
   * `workflow.imagePullSecrets` are added to them.
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
}

/** A Promise rendered as Kubernetes data, with what other artifacts are derived from. */
export interface RenderedPromise {
  readonly promise: Record<string, unknown>;
  readonly names: ApiNames;
  /** The structural schema of `spec`, as it appears in the CRD. */
  readonly spec: StructuralSchema;
  /** Schema paths of fields declared with `secretRef()`. */
  readonly secretRefs: readonly string[];
  /** Every dependency as an object, manifest files expanded, wherever they were put. */
  readonly dependencies: readonly KubernetesObject[];
}

/**
 * Renders the Kratix Promise object for a definition, or every issue that keeps it from being
 * valid for Kubernetes and Kratix (names, schema, pipelines), each with its field path.
 */
export function renderPromise(def: PromiseDefinition, props: RenderPromiseProps): Result<RenderedPromise> {
  const issues: Issue[] = [
    ...checkBuilds(def),
    ...checkNames(def),
    ...checkOutputs(def),
    ...checkDelivery(def),
    ...checkRequiredPromises(def),
    ...checkStatusFields(def),
    ...checkComponents(def),
    ...checkRules(def.rules),
    ...checkDecorations(def.decorate),
    ...checkPolicies(def.policies),
    ...checkApproval(def.approval, deliveryOf(def).runsTerraform),
    ...checkCost(def.cost, def.approval !== undefined),
    ...checkBackstage(def.backstage),
    ...checkAccepted(def.acceptBreakingChanges),
  ];
  const delivery = deliveryOf(def);
  const pullSecrets = [...(props.imagePullSecrets ?? []), ...(Array.isArray(def.workflow?.imagePullSecrets) ? def.workflow.imagePullSecrets : [])];
  const dependencies = promiseDependencies(def, { image: props.image, imagePullSecrets: pullSecrets }, props.manifests);
  if (!dependencies.ok) issues.push(...dependencies.issues);
  const converted = toCrdSchema(def.spec, 'spec');
  issues.push(...converted.issues);
  const older = olderVersions(def.versions, { version: def.api.version, spec: converted.schema, group: def.api.group, kind: def.api.kind });
  if (!older.ok) issues.push(...older.issues);
  const outputs = outputColumns(def, converted.printerColumns);
  issues.push(...outputs.issues);
  const steps = def.workflow ?? {};
  issues.push(...checkContainers('workflow.configure.before', steps.configure?.before), ...checkContainers('workflow.configure.after', steps.configure?.after));
  issues.push(...checkContainers('workflow.delete.before', steps.delete?.before), ...checkContainers('workflow.delete.after', steps.delete?.after));
  issues.push(...checkJobOptions(steps.backoffLimit), ...checkImagePullSecrets('workflow.imagePullSecrets', steps.imagePullSecrets));
  const job: PipelineJobProps = {
    image: props.image,
    backoffLimit: steps.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
    imagePullSecrets: [...(props.imagePullSecrets ?? []), ...(steps.imagePullSecrets ?? [])],
  };
  const own = delivery.pipeline(def, { secretRefs: converted.secretRefs.length > 0 });
  // Reading composed requests' status back needs its own RBAC and the cluster's CA.
  const components = componentNeeds(def);
  const rules = rulesNeeds(def.rules);
  const promiseState = promiseStackReadNeeds(def);
  issues.push(...promiseState.issues);
  const extraEnv = [...components.env, ...rules.env].filter((e, i, all) => all.findIndex((o) => o.name === e.name) === i);
  const needs = {
    ...own,
    permissions: [...own.permissions, ...components.permissions, ...rules.permissions, ...promiseState.permissions],
    env: [...own.env, ...extraEnv.filter((e) => !own.env.some((o) => o.name === e.name))],
  };
  issues.push(...checkEnv(steps.env, needs.env, delivery.kind), ...checkWorkflowConfig(def, needs, delivery.kind));
  const env = [...(Array.isArray(steps.env) ? steps.env : []), ...needs.env];
  const pipeline = (action: 'configure' | 'delete') =>
    renderPipeline({
      promise: def.name,
      action,
      ...(def.stack ? {} : { name: MANIFESTS_PIPELINE }),
      ...job,
      ...(steps.resources ? { resources: steps.resources } : {}),
      ...(steps.env || env.length ? { env } : {}),
      ...(steps.envFrom ? { envFrom: steps.envFrom } : {}),
      ...(steps[action] ? { steps: steps[action] } : {}),
      permissions: needs.permissions,
    });
  // The author's named pipelines around the Promise's own, in the order Kratix runs them.
  const around = (action: 'configure' | 'delete') => {
    const named = steps[action]?.pipelines;
    issues.push(
      ...checkNamedPipelines(`workflow.${action}.pipelines.before`, named?.before),
      ...checkNamedPipelines(`workflow.${action}.pipelines.after`, named?.after),
    );
    const list = (value: unknown) => (Array.isArray(value) ? (value as NamedPipeline[]) : []);
    const props = {
      promise: def.name,
      action,
      ...job,
      ...(steps.resources ? { resources: steps.resources } : {}),
      ...(env.length ? { env } : {}),
      ...(steps.envFrom ? { envFrom: steps.envFrom } : {}),
    };
    return [
      ...list(named?.before).map((p) => renderNamedPipeline(props, p)),
      pipeline(action),
      ...list(named?.after).map((p) => renderNamedPipeline(props, p)),
    ];
  };
  const configure = around('configure');
  const remove = around('delete');
  issues.push(...checkPipelines(def.name, 'configure', configure), ...checkPipelines(def.name, 'delete', remove));
  const config = workflowConfig(def, needs);
  issues.push(...checkPromiseStack(def, config?.pipelineNamespace));
  if (issues.length > 0 || !dependencies.ok) return { ok: false, issues };

  const { all, narrowed } = dependencies.value;
  // What goes in spec.dependencies: everything, or the author's alone when the delivery's must
  // go to fewer Destinations (only a workflow's output can be narrowed), or nothing.
  const inlined = props.dependencies === 'workflow' ? [] : narrowed ? dependencies.value.author : all;
  const inline = inlined.length > 0;
  // Kratix sends a Promise workflow's output to every Destination the Promise selects, as it does
  // static dependencies, and deletes the Work when the Promise is deleted: no delete pipeline.
  const writesDependencies = inlined.length < all.length || typeof def.promiseManifests === 'function';
  // The Promise's stack is applied after the dependencies are written, and destroyed on delete.
  const stack = (action: 'configure' | 'delete') =>
    renderPromiseStackPipeline(def, action, {
      ...job,
      ...(steps.resources ? { resources: steps.resources } : {}),
      env: [...(Array.isArray(steps.env) ? steps.env : []), ...(def.promiseStack?.env ?? [])],
      envFrom: [...(steps.envFrom ?? []), ...(def.promiseStack?.envFrom ?? [])],
    });
  const promiseConfigure = [
    ...(writesDependencies ? [renderDependenciesPipeline({ ...job, authorsInline: inline })] : []),
    ...(def.promiseStack ? [stack('configure')] : []),
  ];
  const promiseWorkflows = promiseConfigure.length
    ? { promise: { configure: promiseConfigure, ...(def.promiseStack ? { delete: [stack('delete')] } : {}) } }
    : {};
  const names = apiNames(def.api);
  const labels = def.version ? { 'kratix.io/promise-version': def.version } : undefined;
  const annotations = def.annotations && Object.keys(def.annotations).length ? def.annotations : undefined;
  const promise = {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Promise',
    metadata: { name: def.name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: {
      api: renderCrd(names, converted.schema, [...converted.printerColumns, ...outputs.columns], def.description, older.ok ? older.value : []),
      ...(inline ? { dependencies: inlined } : {}),
      ...(def.destinationSelectors?.length ? { destinationSelectors: def.destinationSelectors } : {}),
      ...(def.requiredPromises?.length ? { requiredPromises: def.requiredPromises } : {}),
      workflows: {
        ...(config ? { config } : {}),
        ...promiseWorkflows,
        resource: { configure, delete: remove },
      },
    },
  };
  return { ok: true, value: { promise, names, spec: converted.schema, secretRefs: converted.secretRefs, dependencies: all } };
}

function checkNames(def: PromiseDefinition): Issue[] {
  const issues: Issue[] = [];
  const problem = (path: string, value: string, reason: string | undefined, fix?: string) => {
    if (reason) issues.push(errors.badName(path, value, reason, fix));
  };
  problem('name', def.name, dnsLabelProblem(def.name), 'use a short lower-case name like "postgres"');
  const { api } = def;
  problem('api.group', api.group, dnsSubdomainProblem(api.group));
  if (!api.group.includes('.')) issues.push(errors.groupNeedsDot(api.group));
  problem('api.version', api.version, versionProblem(api.version));
  problem('api.kind', api.kind, kindProblem(api.kind));
  const names = apiNames(api);
  // Kubernetes' own rules for CRD names (apiextensions-apiserver ValidateCustomResourceDefinitionNames).
  problem('api.plural', names.plural, dns1035LabelProblem(names.plural), 'a lower-case word starting with a letter, e.g. "redis" or "postgreses"');
  problem('api.singular', names.singular, dns1035LabelProblem(names.singular));
  // The CRD's own name is <plural>.<group> and must fit a DNS subdomain.
  problem('api', `${names.plural}.${names.group}`, dnsSubdomainProblem(`${names.plural}.${names.group}`));
  names.shortNames?.forEach((s, i) => problem(`api.shortNames[${i}]`, s, dns1035LabelProblem(s)));
  names.categories?.forEach((s, i) => problem(`api.categories[${i}]`, s, dns1035LabelProblem(s)));
  if (def.version !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(def.version)) {
    issues.push(errors.badName('version', def.version, 'is not a valid label value'));
  }
  return issues;
}

// What a request gets: a Terraform stack (and a delivery for it), Kubernetes manifests, or both.
function checkBuilds(def: PromiseDefinition): Issue[] {
  if (def.stack !== undefined && typeof def.stack !== 'function')
    return [{ path: 'stack', message: 'is not a function', fix: 'write stack(scope, request) { ... }' }];
  if (def.manifests !== undefined && typeof def.manifests !== 'function')
    return [{ path: 'manifests', message: 'is not a function', fix: 'write manifests(request) { return [...] }' }];
  if (def.promiseManifests !== undefined && typeof def.promiseManifests !== 'function')
    return [{ path: 'promiseManifests', message: 'is not a function', fix: 'write promiseManifests() { return [...] }' }];
  if (!def.stack && !def.manifests)
    return [
      {
        path: 'stack',
        message: 'is missing, and so is manifests(): a request would get nothing',
        fix: 'write stack(scope, request) { ... } for Terraform, manifests(request) { return [...] } for Kubernetes objects, or both',
      },
    ];
  if (!def.stack && def.delivery)
    return [
      {
        path: 'delivery',
        message: `is ${def.delivery.kind}, which delivers a Terraform stack, and this Promise has no stack()`,
        fix: 'remove delivery, or add a stack()',
      },
    ];
  return [];
}

// Kratix looks each one up by name (a Promise is a cluster-scoped object) and compares `version`
// with its kratix.io/promise-version label; an empty version accepts any (promise_types.go).
function checkRequiredPromises(def: PromiseDefinition): Issue[] {
  const required = def.requiredPromises as unknown;
  if (required === undefined) return [];
  if (!Array.isArray(required)) return [{ path: 'requiredPromises', message: 'is not a list', fix: "write [{ name: 'postgres', version: 'v1.2.0' }]" }];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  required.forEach((entry: { name?: unknown; version?: unknown } | null, i) => {
    const path = `requiredPromises[${i}]`;
    const name = entry?.name;
    const problem = typeof name === 'string' ? dnsSubdomainProblem(name) : 'must be a string';
    if (problem)
      issues.push({
        path: `${path}.name`,
        message: `${JSON.stringify(name)} is not a Promise name: ${problem}`,
        fix: "write the required Promise's metadata.name",
      });
    else if (name === def.name)
      issues.push({ path: `${path}.name`, message: 'names this Promise itself, which could never be installed first', fix: 'remove the entry' });
    else if (seen.has(name as string))
      issues.push({ path: `${path}.name`, message: `names ${JSON.stringify(name)} a second time`, fix: 'keep one entry per Promise' });
    else seen.add(name as string);
    const version = entry?.version;
    if (version !== undefined && (typeof version !== 'string' || labelValueProblem(version) || version === ''))
      issues.push({
        path: `${path}.version`,
        message: `${JSON.stringify(version)} cannot be a kratix.io/promise-version label${typeof version === 'string' && version ? `: ${labelValueProblem(version)}` : ''}`,
        fix: 'write the version as the required Promise labels it ("v1.2.0"), or leave version out to accept any',
      });
  });
  return issues;
}

function checkOutputs(def: PromiseDefinition): Issue[] {
  const names = Object.keys(def.outputs ?? {});
  return [
    ...names.filter((name) => !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)).map(errors.badOutputName),
    ...names.filter((name) => name === OWNER_OUTPUT).map(errors.reservedOutputName),
  ];
}
