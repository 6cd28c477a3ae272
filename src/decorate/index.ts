// Decoration: tags on every Terraform resource that takes them, and labels on every Kubernetes
// object the Promise writes, decided once by the platform (owner, cost centre, request, Promise
// and version) rather than remembered in each stack. Tags go on as a cdktf Aspect after the
// author's stack is built; the decoration wins over what the stack or the request set, so a
// tenant cannot change the keys the platform sets.
import type { IConstruct } from 'constructs';
import type { ResourceRequest } from '../promise/define-promise.js';
import type { Issue, Result } from '../schema/issue.js';
import { labelKeyProblem, labelValueProblem } from '../kratix/names.js';
import { authorThrew } from '../terraform/errors.js';
import { Fn, type IAspect, TerraformResource, Token } from '../terraform/cdktf.js';

/** What a decoration sees. The Promise's own stack and manifests have no request. */
export interface DecorationContext<Spec> {
  readonly promise: { readonly name: string; readonly version?: string };
  readonly request?: ResourceRequest<Spec> & { readonly labels: Readonly<Record<string, string>> };
}

/**
 * Tags and labels the platform puts on everything a Promise builds. Write it once in a module
 * the platform's Promises import (a platform-wide decoration), and add Promise-wide ones beside it.
 */
export interface Decoration<Spec = any> {
  /** Named in errors. */
  readonly name: string;
  /** Tags for every Terraform resource whose schema has a `tags` argument; skipped where it has none. */
  tags?(ctx: DecorationContext<Spec>): Readonly<Record<string, string>> | undefined;
  /** Labels for every Kubernetes object of `manifests()` and `promiseManifests()`. */
  labels?(ctx: DecorationContext<Spec>): Readonly<Record<string, string>> | undefined;
}

/** Problems in `decorate` that synth reports. */
export function checkDecorations(decorations: unknown): Issue[] {
  if (decorations === undefined) return [];
  if (!Array.isArray(decorations)) return [{ path: 'decorate', message: 'is not a list', fix: "write decorate: [{ name: 'owner', tags(ctx) { ... } }]" }];
  const issues: Issue[] = [];
  decorations.forEach((d: Partial<Decoration> | null, i) => {
    if (typeof d?.name !== 'string' || d.name === '') issues.push({ path: `decorate[${i}].name`, message: 'is missing', fix: 'name the decoration' });
    for (const what of ['tags', 'labels'] as const)
      if (d?.[what] !== undefined && typeof d[what] !== 'function')
        issues.push({ path: `decorate[${i}].${what}`, message: 'is not a function', fix: `write ${what}(ctx) { return { ... } }` });
    if (d && d.tags === undefined && d.labels === undefined)
      issues.push({ path: `decorate[${i}]`, message: 'has neither tags() nor labels()', fix: 'give it one, or remove it' });
  });
  return issues;
}

// AWS's limits, the strictest of the clouds whose resources take a `tags` map.
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/** The tags or labels of all decorations, later ones winning, each checked; or what is wrong. */
export function decorationsOf(
  decorations: readonly Decoration[] | undefined,
  what: 'tags' | 'labels',
  ctx: DecorationContext<unknown>,
): Result<Readonly<Record<string, string>>> {
  const merged: Record<string, string> = {};
  const issues: Issue[] = [];
  for (const [i, decoration] of (decorations ?? []).entries()) {
    const fn = decoration[what];
    if (typeof fn !== 'function') continue;
    const at = `decorate[${i}] ${decoration.name}: ${what}()`;
    let map: unknown;
    try {
      map = fn.call(decoration, ctx);
    } catch (e) {
      return { ok: false, issues: [authorThrew(at, e)] };
    }
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      issues.push({ path: at, message: 'did not return a map of strings', fix: `return { 'example.com/owner': 'team-a' }` });
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      const problem = what === 'labels' ? labelProblem(key, value) : tagProblem(key, value);
      if (problem) issues.push({ path: `${at}.${key}`, message: problem, fix: what === 'labels' ? 'shorten or hash it (physicalName())' : 'keep tags short' });
      else merged[key] = value as string;
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: merged };
}

function tagProblem(key: string, value: unknown): string | undefined {
  if (key.length === 0 || key.length > MAX_TAG_KEY) return `the key must be 1 to ${MAX_TAG_KEY} characters`;
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a string`;
  if (value.length > MAX_TAG_VALUE) return `the value is ${value.length} characters; at most ${MAX_TAG_VALUE}`;
  return undefined;
}

function labelProblem(key: string, value: unknown): string | undefined {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) return `the key ${keyProblem}`;
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a string`;
  const valueProblem = labelValueProblem(value);
  return valueProblem ? `${JSON.stringify(value.slice(0, 80))} ${valueProblem}` : undefined;
}

/**
 * Adds the tags to every resource whose schema has a `tags` argument (its cdktf class has a
 * `tags` setter and a `tagsInput` getter): merged over a map the stack set, or with Terraform's
 * merge() over an expression. Resources without tags are left alone.
 */
export class TagAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !takesTags(node)) return;
    const resource = node as unknown as { tags: unknown; readonly tagsInput: unknown };
    const current = resource.tagsInput;
    if (current === undefined || current === null) resource.tags = { ...this.tags };
    else if (Token.isUnresolved(current)) resource.tags = Fn.merge([current, { ...this.tags }]);
    else resource.tags = { ...(current as Record<string, string>), ...this.tags };
  }
}

// A generated provider class declares each argument as an accessor pair on its prototype.
function takesTags(node: object): boolean {
  for (let proto = Object.getPrototypeOf(node); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const tags = Object.getOwnPropertyDescriptor(proto, 'tags');
    if (tags) return typeof tags.set === 'function' && Object.getOwnPropertyDescriptor(proto, 'tagsInput')?.get !== undefined;
  }
  return false;
}
