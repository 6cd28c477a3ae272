import type { PromiseDefinition, ResourceRequest } from '../promise/define-promise.js';
import { toCrdSchema } from '../schema/crd-schema.js';
import { applyDefaults } from '../schema/defaults.js';
import { IssueSink, MAX_REQUEST_ISSUES, type Issue, type Result } from '../schema/issue.js';
import { validateInto } from '../schema/validate.js';
import { apiNames, type ApiNames } from './crd.js';
import type { RenderedPromise } from './promise.js';
import { dnsLabelProblem, dnsSubdomainProblem } from './names.js';
import { olderVersions } from './versions.js';
import type { StructuralSchema } from '../schema/structural.js';

const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

/**
 * Checks a Resource request object (as read from YAML) against a Promise's API and returns it
 * with defaults applied: the same checks and defaults as the API server, CEL rules included,
 * and unknown fields rejected instead of pruned. `namespace` fills in a missing metadata.namespace.
 * Keeps the first {@link MAX_REQUEST_ISSUES} issues and counts the rest (`omitted`).
 */
export function parseRequest(
  rendered: Pick<RenderedPromise, 'names' | 'spec'> & { readonly older?: Readonly<Record<string, StructuralSchema>> },
  object: unknown,
  namespace = 'default',
  options: { readonly lenient?: boolean } = {},
): Result<ResourceRequest<unknown>> {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return {
      ok: false,
      issues: [
        { path: '(root)', message: `expected a Kubernetes object, got ${object === null ? 'null' : Array.isArray(object) ? 'a list' : `a ${typeof object}`}` },
      ],
    };
  }
  const record = object as Record<string, unknown>;
  const sink = new IssueSink(MAX_REQUEST_ISSUES);
  for (const issue of checkType(rendered.names, record, Object.keys(rendered.older ?? {}))) sink.add(issue);
  for (const key of Object.keys(record)) {
    if (!TOP_LEVEL.has(key)) sink.add({ path: key, message: 'is not a field of a Resource request', fix: 'use apiVersion, kind, metadata and spec' });
  }
  const metadata = checkMetadata(record.metadata, namespace, sink);
  const rawSpec = record.spec === undefined ? {} : record.spec;
  // A request of an older version is what its version takes, then, as Kubernetes stores it,
  // the current version's (None conversion: only apiVersion changes).
  const olderSchema = typeof record.apiVersion === 'string' ? rendered.older?.[record.apiVersion.slice(rendered.names.group.length + 1)] : undefined;
  const asWritten = olderSchema ? applyDefaults(olderSchema, rawSpec) : rawSpec;
  const spec = applyDefaults(rendered.spec, asWritten);
  // Lenient parsing (for deletion) only needs a name to find the state; the spec is taken as is.
  if (!options.lenient) {
    const before = sink.count;
    if (olderSchema) validateInto(sink, olderSchema, asWritten, 'spec');
    if (sink.count === before) validateInto(sink, rendered.spec, spec, 'spec');
  }
  if (sink.count > 0 || !metadata) return { ok: false, issues: sink.issues, omitted: sink.omitted };
  return { ok: true, value: { metadata, spec } };
}

function checkType(names: ApiNames, record: Record<string, unknown>, older: readonly string[]): Issue[] {
  const served = [names.version, ...older].map((v) => `${names.group}/${v}`);
  const issues: Issue[] = [];
  if (!served.includes(record.apiVersion as string))
    issues.push({
      path: 'apiVersion',
      message: `expected ${served.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(record.apiVersion)}`,
    });
  if (record.kind !== names.kind) issues.push({ path: 'kind', message: `expected ${JSON.stringify(names.kind)}, got ${JSON.stringify(record.kind)}` });
  return issues;
}

function checkMetadata(value: unknown, defaultNamespace: string, issues: IssueSink): ResourceRequest<unknown>['metadata'] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add({ path: 'metadata', message: 'is required and must be an object with a name' });
    return undefined;
  }
  const { name, namespace = defaultNamespace } = value as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string') {
    issues.add({ path: 'metadata.name', message: 'is required and must be a string' });
    return undefined;
  }
  // Kratix caps request names at 63 characters (they end up in labels), on top of the DNS rule.
  const nameProblem = dnsSubdomainProblem(name, 63);
  if (nameProblem) issues.add({ path: 'metadata.name', message: `${JSON.stringify(name.slice(0, 80))} ${nameProblem}` });
  if (typeof namespace !== 'string') {
    issues.add({ path: 'metadata.namespace', message: 'must be a string' });
    return undefined;
  }
  const nsProblem = dnsLabelProblem(namespace);
  if (nsProblem) issues.add({ path: 'metadata.namespace', message: `${JSON.stringify(namespace.slice(0, 80))} ${nsProblem}` });
  return { name, namespace };
}

/** The parts of a Promise's API that requests are checked against, or the definition's issues. */
export function requestApi(
  def: PromiseDefinition,
): Result<Pick<RenderedPromise, 'names' | 'spec' | 'secretRefs'> & { readonly older: Readonly<Record<string, StructuralSchema>> }> {
  const converted = toCrdSchema(def.spec, 'spec');
  if (converted.issues.length > 0) return { ok: false, issues: converted.issues };
  const older = olderVersions(def.versions, { version: def.api.version, spec: converted.schema, group: def.api.group, kind: def.api.kind });
  if (!older.ok) return older;
  return {
    ok: true,
    value: {
      names: apiNames(def.api),
      spec: converted.schema,
      secretRefs: converted.secretRefs,
      older: Object.fromEntries(older.value.map((v) => [v.name, v.spec])),
    },
  };
}

/**
 * A map of the request's metadata (`labels`, `annotations`) as Kubernetes keeps it: string values
 * only, frozen; empty when absent or not a map.
 */
export function requestMetadataMap(raw: unknown, field: 'labels' | 'annotations'): Readonly<Record<string, string>> {
  const value = (raw as { metadata?: Record<string, unknown> } | null)?.metadata?.[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return Object.freeze({});
  return Object.freeze(Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
}
