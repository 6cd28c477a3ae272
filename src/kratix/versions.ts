// Older API versions served beside the current one. Kratix watches a Promise's requests at the
// CRD's storage version (api.version here), and with no conversion webhook Kubernetes converts
// between versions by changing apiVersion only (the None strategy), then prunes and defaults
// with the storage version's schema. So an older version must be one whose every request the
// storage version accepts as it is: synth checks that with the breaking-change comparison.
import type { TObject } from '@sinclair/typebox';
import { breakingChanges } from '../evolution/compare.js';
import { toCrdSchema } from '../schema/crd-schema.js';
import type { Issue, Result } from '../schema/issue.js';
import type { StructuralSchema } from '../schema/structural.js';
import { versionProblem } from './names.js';

/** An older version of the API, still served. */
export interface ServedVersionProps {
  /** Its name, such as `v1alpha1`. */
  readonly name: string;
  /** Its spec schema, as it was. */
  readonly spec: TObject;
  /** Shown by kubectl to whoever still uses it. @default a sentence naming the current version */
  readonly deprecationWarning?: string;
}

/** An older version, converted. */
export interface OlderVersion {
  readonly name: string;
  readonly spec: StructuralSchema;
  readonly deprecationWarning: string;
}

/** The older versions of a Promise, or why they cannot be served beside `current`. */
export function olderVersions(
  versions: readonly ServedVersionProps[] | undefined,
  current: { readonly version: string; readonly spec: StructuralSchema; readonly group: string; readonly kind: string },
): Result<OlderVersion[]> {
  if (versions === undefined) return { ok: true, value: [] };
  if (!Array.isArray(versions))
    return { ok: false, issues: [{ path: 'versions', message: 'is not a list', fix: "write versions: [{ name: 'v1alpha1', spec }]" }] };
  const issues: Issue[] = [];
  const out: OlderVersion[] = [];
  const seen = new Set([current.version]);
  versions.forEach((v, i) => {
    const path = `versions[${i}]`;
    const nameProblem = typeof v?.name === 'string' ? versionProblem(v.name) : 'must be a version name like v1alpha1';
    if (nameProblem) return issues.push({ path: `${path}.name`, message: nameProblem });
    if (seen.has(v.name))
      return issues.push({ path: `${path}.name`, message: `${v.name} is served twice`, fix: 'name each older version once, and not as api.version' });
    seen.add(v.name);
    if (comesFirst(v.name, current.version))
      return issues.push({
        path: `${path}.name`,
        message: `${v.name} ranks above ${current.version} (GA, then beta, then alpha, then the higher number): kubectl and most clients would keep using ${v.name}`,
        fix: `name the current version so it ranks first (for example v1 after ${v.name})`,
      });
    const converted = toCrdSchema(v.spec, `${path}.spec`);
    if (converted.issues.length) return issues.push(...converted.issues);
    // Every request written through the older version is stored as the current one, unchanged.
    const snapshot = (spec: StructuralSchema) => ({
      group: current.group,
      kind: current.kind,
      plural: '',
      scope: 'Namespaced',
      versions: { v: spec },
    });
    for (const c of breakingChanges(snapshot(converted.schema), snapshot(current.spec)))
      issues.push({
        path: `${path}: ${c.path}`,
        message: `${c.change}: Kubernetes stores a ${v.name} request as ${current.version} by changing its apiVersion only, and ${current.version} ${c.message.replace(/^./, (m) => m.toLowerCase())}`,
        fix: `make ${current.version} take every ${v.name} request (a conversion webhook is what renames fields, and Kratix has none), or stop serving ${v.name}`,
      });
    out.push({ name: v.name, spec: converted.schema, deprecationWarning: v.deprecationWarning ?? `${v.name} is deprecated; use ${current.version}` });
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}

// Kubernetes' version priority (the order `kubectl` prefers): v2 > v1 > v1beta2 > v1beta1 >
// v1alpha1, and names that look like none of these after all of them, alphabetically.
function comesFirst(a: string, b: string): boolean {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0), ''];
  };
  const [x, y] = [rank(a), rank(b)];
  if (x[0] === 0 || y[0] === 0) return x[0] !== y[0] ? x[0] > y[0] : a < b;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) > (y[i] as number);
  return false;
}
