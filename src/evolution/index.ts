// Schema evolution: synth refuses an API change that can break the requests already stored,
// unless the Promise acknowledges that change, by field and kind, with a reason a reviewer reads.
import { parse } from 'yaml';
import type { Issue } from '../schema/issue.js';
import { apiSnapshot, BREAKING_KINDS, type BreakingChange, type BreakingKind, breakingChanges } from './compare.js';

export { apiSnapshot, BREAKING_KINDS, breakingChanges, type ApiSnapshot, type BreakingChange, type BreakingKind } from './compare.js';

/** A breaking change the Promise ships on purpose. */
export interface AcceptedBreakingChange {
  /** The field, as synth names it: `spec.size`, `spec.tags[*]`, `api.version`. */
  readonly path: string;
  /** Which change, as synth names it: `removed`, `enum-narrowed`, ... */
  readonly change: BreakingKind;
  /** What exactly changed, as synth prints it (`"large"`, `35 → 30`): required where synth prints one. */
  readonly detail?: string;
  /** Why stored requests are safe, or what was done about them: the reviewer reads it. */
  readonly reason: string;
}

/** Problems of `acceptBreakingChanges`, for synth. */
export function checkAccepted(value: unknown): Issue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    return [
      {
        path: 'acceptBreakingChanges',
        message: 'is not a list',
        fix: "write acceptBreakingChanges: [{ path: 'spec.size', change: 'enum-narrowed', reason: '...' }]",
      },
    ];
  return value.flatMap((a: Partial<AcceptedBreakingChange> | null, i): Issue[] => {
    const path = `acceptBreakingChanges[${i}]`;
    if (!a || typeof a.path !== 'string' || !a.path) return [{ path: `${path}.path`, message: 'must name the field, as synth reported it' }];
    if (!BREAKING_KINDS.includes(a.change as BreakingKind))
      return [
        {
          path: `${path}.change`,
          message: `${JSON.stringify(a.change)} is not a kind of change synth reports`,
          fix: `use one of ${BREAKING_KINDS.join(', ')}`,
        },
      ];
    if (a.detail !== undefined && typeof a.detail !== 'string') return [{ path: `${path}.detail`, message: 'must be the detail synth printed, as text' }];
    if (typeof a.reason !== 'string' || a.reason.trim().length < 10)
      return [
        {
          path: `${path}.reason`,
          message: 'must say, in a sentence, why stored requests are safe',
          fix: "write reason: 'no request used large: checked with kubectl on 2026-12-04'",
        },
      ];
    return [];
  });
}

/** What a change did against the committed API: what breaks, and which acknowledgements it used. */
export interface Evolution {
  readonly breaking: readonly BreakingChange[];
  readonly accepted: readonly BreakingChange[];
  /** Acknowledgements that matched no change (remove them once the change has landed). */
  readonly unused: readonly AcceptedBreakingChange[];
}

/** Compares the committed promise.yaml (if any) with the new one. */
export function evolution(committed: string | undefined, next: string, accepted: readonly AcceptedBreakingChange[] = []): Evolution {
  let old: unknown;
  try {
    old = committed === undefined ? undefined : parse(committed);
  } catch (e) {
    throw new Error(`the committed promise.yaml is not YAML (a merge conflict?): ${(e as Error).message.split('\n')[0]}; run npm run synth on a clean copy`);
  }
  const before = old === undefined ? undefined : apiSnapshot((old as { spec?: { api?: unknown } })?.spec?.api);
  const after = apiSnapshot((parse(next) as { spec?: { api?: unknown } })?.spec?.api);
  if (!before || !after) return { breaking: [], accepted: [], unused: [...accepted] };
  const changes = breakingChanges(before, after);
  // By field, kind and what exactly changed: a later break of the same field is not the one accepted.
  const matches = (c: BreakingChange, a: AcceptedBreakingChange) => a.path === c.path && a.change === c.change && a.detail === c.detail;
  return {
    breaking: changes.filter((c) => !accepted.some((a) => matches(c, a))),
    accepted: changes.filter((c) => accepted.some((a) => matches(c, a))),
    unused: accepted.filter((a) => !changes.some((c) => matches(c, a))),
  };
}

/** The issues synth reports for the breaking changes nobody acknowledged, each with both ways out. */
export function evolutionIssues(e: Evolution): Issue[] {
  return e.breaking.map((c) => ({
    path: c.path,
    message: `${c.change}: ${c.message}`,
    fix: `${c.fix}; or, to ship it on purpose, add { path: '${c.path}', change: '${c.change}', ${c.detail !== undefined ? `detail: ${JSON.stringify(c.detail)}, ` : ''}reason: '<why stored requests are safe>' } to acceptBreakingChanges`,
  }));
}
