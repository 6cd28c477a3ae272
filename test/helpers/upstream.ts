// Validators built from the upstream schemas copied into test/upstream/ (see its README for
// provenance), so generated objects are checked against the real contracts, not our idea of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const UPSTREAM_SCHEMAS = join(import.meta.dirname, '..', 'upstream');

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** A validator for objects of one upstream CRD, with unknown fields rejected (kubectl --validate=strict). */
export function crdValidator(file: string, version?: string): (object: unknown) => string[] {
  const docs = parseAllDocuments(readFileSync(join(UPSTREAM_SCHEMAS, file), 'utf8')).map((d) => d.toJSON());
  const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition');
  const v = crd.spec.versions.find((x: { name: string; storage: boolean }) => (version ? x.name === version : x.storage));
  return wrap(ajv.compile(strictify(structuredClone(v.schema.openAPIV3Schema))));
}

/** Validates a CustomResourceDefinition against the Kubernetes v1.36 OpenAPI definitions. */
export function kubernetesCrdValidator(): (object: unknown) => string[] {
  const file = JSON.parse(readFileSync(join(UPSTREAM_SCHEMAS, 'kubernetes', 'v1.36-apiextensions-definitions.json'), 'utf8'));
  const schema = {
    definitions: strictDefinitions(file.definitions),
    $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  };
  return wrap(new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema));
}

function wrap(validate: ValidateFunction): (object: unknown) => string[] {
  return (object) => (validate(object) ? [] : (validate.errors ?? []).map(show));
}

function show(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
  return `${e.instancePath || '(root)'} ${e.message}${extra}`;
}

// Kubernetes prunes unknown fields; for our output an unknown field is a bug, so reject it.
function strictify(node: Record<string, unknown>): Record<string, unknown> {
  if (node.properties && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) node.additionalProperties = false;
  for (const child of Object.values((node.properties as Record<string, Record<string, unknown>>) ?? {})) strictify(child);
  if (node.items && typeof node.items === 'object') strictify(node.items as Record<string, unknown>);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') strictify(node.additionalProperties as Record<string, unknown>);
  return node;
}

function strictDefinitions(defs: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    // JSONSchemaProps and JSON are open-ended by design (x-kubernetes-* and any default value).
    const open = name.endsWith('.JSONSchemaProps') || name.endsWith('.JSON') || name.includes('meta.v1');
    out[name] = def.properties && !open ? { ...def, additionalProperties: false } : def;
  }
  return out;
}

/** The container fields Kratix's Pipeline parser accepts (DESIGN.md §2); anything else fails its webhook. */
export const KRATIX_CONTAINER_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'volumeMounts',
  'imagePullPolicy',
  'securityContext',
  'resources',
];
const PIPELINE_SPEC_FIELDS = ['containers', 'imagePullSecrets', 'jobOptions', 'nodeSelector', 'tolerations', 'volumes', 'restartPolicy', 'rbac'];
// Kratix decodes a Pipeline with unknown fields disallowed, nested structs included
// (api/v1alpha1/pipeline_types.go: JobOptions{BackoffLimit *int32}, corev1.LocalObjectReference{Name}).
const JOB_OPTIONS_FIELDS = ['backoffLimit'];
const INT32_MAX = 2 ** 31 - 1;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems Kratix's webhook would find in the Pipelines of one Promise. */
export function pipelineProblems(promise: { metadata: { name: string }; spec: { workflows?: Record<string, Record<string, unknown>> } }): string[] {
  const problems: string[] = [];
  const { config, ...workflows } = promise.spec.workflows ?? {};
  // Kratix creates the Jobs (and the webhook its dry-run Job) in this namespace.
  const namespace = config?.pipelineNamespace;
  if (namespace !== undefined && !(typeof namespace === 'string' && namespace.length <= 63 && DNS_LABEL.test(namespace))) {
    problems.push(`config.pipelineNamespace ${JSON.stringify(namespace)} is not a namespace name`);
  }
  for (const [type, actions] of Object.entries(workflows)) {
    for (const [action, pipelines] of Object.entries(actions)) {
      const seen = new Set<string>();
      for (const p of pipelines as { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }[]) {
        const where = `${type}.${action}.${p.metadata.name}`;
        if (p.apiVersion !== 'platform.kratix.io/v1alpha1' || p.kind !== 'Pipeline') problems.push(`${where}: not a platform.kratix.io/v1alpha1 Pipeline`);
        const full = `${promise.metadata.name}-${type}-${action}-${p.metadata.name}`;
        if (full.length > 60) problems.push(`${where}: ${full} is longer than 60`);
        if (seen.has(p.metadata.name)) problems.push(`${where}: duplicate pipeline name`);
        seen.add(p.metadata.name);
        for (const key of Object.keys(p.spec)) if (!PIPELINE_SPEC_FIELDS.includes(key)) problems.push(`${where}: unknown spec field ${key}`);
        problems.push(...jobSpecProblems(where, p.spec));
        for (const c of p.spec.containers as Record<string, unknown>[]) {
          for (const key of Object.keys(c)) if (!KRATIX_CONTAINER_FIELDS.includes(key)) problems.push(`${where}.${c.name}: unknown container field ${key}`);
        }
      }
    }
  }
  return problems;
}

// What the Job would refuse: a backoffLimit that is not an int32 >= 0 (Kubernetes' Job
// validation), pull Secret references that are not `{ name }` with a Secret name.
function jobSpecProblems(where: string, spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (spec.jobOptions !== undefined) {
    const options = spec.jobOptions as Record<string, unknown>;
    for (const key of Object.keys(options)) if (!JOB_OPTIONS_FIELDS.includes(key)) problems.push(`${where}: unknown jobOptions field ${key}`);
    const limit = options.backoffLimit;
    if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 0 && limit <= INT32_MAX)) {
      problems.push(`${where}: jobOptions.backoffLimit ${String(limit)} is not an int32 of at least 0`);
    }
  }
  if (spec.imagePullSecrets !== undefined) {
    if (!Array.isArray(spec.imagePullSecrets)) problems.push(`${where}: imagePullSecrets is not a list`);
    else
      for (const ref of spec.imagePullSecrets as Record<string, unknown>[]) {
        for (const key of Object.keys(ref)) if (key !== 'name') problems.push(`${where}: unknown imagePullSecrets field ${key}`);
        if (typeof ref.name !== 'string' || ref.name.length > 253 || !DNS_SUBDOMAIN.test(ref.name)) {
          problems.push(`${where}: imagePullSecrets name ${JSON.stringify(ref.name)} is not a Secret name`);
        }
      }
  }
  return problems;
}
