// status.details: fields the author declares and computes from the request and the outputs status
// shows, on every configure run. Kratix replaces the key whole on each run, so every run writes
// all of them.
import type { Issue, Result } from '../schema/issue.js';
import { authorThrew } from '../terraform/errors.js';
import { cut } from '../workflow/status.js';
import type { OutputValue, PromiseDefinition, ResourceRequest } from './define-promise.js';

/** Longest string a field keeps: status lives in etcd, and request data may flow into it. */
export const MAX_DETAIL_CHARS = 1024;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Problems with the declaration, for synth. */
export function checkStatusFields(def: PromiseDefinition): Issue[] {
  const status = def.status as unknown;
  if (status === undefined) return [];
  const { fields, compute } = (status ?? {}) as { fields?: unknown; compute?: unknown };
  const issues: Issue[] = [];
  if (typeof compute !== 'function')
    issues.push({ path: 'status.compute', message: 'is not a function', fix: 'write compute({ request, outputs }) { return { ... } }' });
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.keys(fields).length === 0)
    return [...issues, { path: 'status.fields', message: 'must declare at least one field', fix: "write fields: { endpoint: { description: '...' } }" }];
  for (const name of Object.keys(fields))
    if (!FIELD_NAME.test(name))
      issues.push({
        path: `status.fields.${name}`,
        message: 'is not a field name a printer column can point at',
        fix: 'use letters, digits and "_", starting with a letter',
      });
  return issues;
}

/** Runs `status.compute`; the declared fields it returned, or the author's mistake. */
export function computeStatusFields(
  def: PromiseDefinition,
  request: ResourceRequest<unknown>,
  outputs: Readonly<Record<string, unknown>>,
): Result<Record<string, OutputValue>> | undefined {
  if (!def.status) return undefined;
  let returned: unknown;
  try {
    returned = def.status.compute({ request: request as ResourceRequest<never>, outputs: outputs as Record<string, OutputValue> });
  } catch (e) {
    return { ok: false, issues: [authorThrew('status.compute()', e)] };
  }
  if (typeof returned !== 'object' || returned === null || Array.isArray(returned))
    return { ok: false, issues: [{ path: 'status.compute()', message: 'did not return an object of fields', fix: 'return { field: value, ... }' }] };
  const issues: Issue[] = [];
  const details: Record<string, OutputValue> = {};
  for (const [name, value] of Object.entries(returned)) {
    const path = `status.compute().${name}`;
    if (!Object.hasOwn(def.status.fields, name)) issues.push({ path, message: 'is not a declared field', fix: `declare it in status.fields, or leave it out` });
    else if (value === undefined) continue;
    else if (typeof value === 'string') details[name] = cut(value, MAX_DETAIL_CHARS);
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) details[name] = value;
    else
      issues.push({
        path,
        message: `is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a string, finite number or boolean`,
        fix: 'return a scalar, or leave the field out',
      });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: details };
}
