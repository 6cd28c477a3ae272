import type { Issue } from '../schema/issue.js';

/**
 * Checks a Promise's list of named checks (`rules`, `policies`): a list, each with a short
 * lower-case name of its own and a `check` function. `example` shows one, `what` names one.
 */
export function checkNamedChecks(
  path: string,
  list: unknown,
  props: { readonly what: string; readonly example: string; readonly name: string; readonly arg: string },
): Issue[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return [{ path, message: 'is not a list', fix: `write ${path}: ${props.example}` }];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  list.forEach((item: { name?: unknown; check?: unknown } | null, i) => {
    const name = item?.name;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
      issues.push({ path: `${path}[${i}].name`, message: `${JSON.stringify(name)} is not a short lower-case name`, fix: `name it like "${props.name}"` });
    else if (seen.has(name))
      issues.push({ path: `${path}[${i}].name`, message: `names ${JSON.stringify(name)} a second time`, fix: `give each ${props.what} its own name` });
    else seen.add(name);
    if (typeof item?.check !== 'function')
      issues.push({ path: `${path}[${i}].check`, message: 'is not a function', fix: `write check(${props.arg}) { return [...] }` });
  });
  return issues;
}
