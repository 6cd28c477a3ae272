/**
 * One problem found in a schema, a Promise definition or a request: where, why, and how to fix it.
 * Validators return issues instead of throwing, so a caller can report all of them at once.
 */
export interface Issue {
  /** Dotted path to the field, e.g. `spec.lifecycleRules[*].days`. */
  readonly path: string;
  /** Why it is wrong, in one sentence without a trailing period. */
  readonly message: string;
  /** What to do about it, when there is an obvious fix. */
  readonly fix?: string;
}

/** Either a value, or every issue that kept us from producing one. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly Issue[] };

/** Formats issues under a heading, one `✖ path: message` line each, sorted by path. */
export function formatIssues(heading: string, issues: readonly Issue[]): string {
  const sorted = [...issues].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const noun = sorted.length === 1 ? 'problem' : 'problems';
  const lines = [`${heading}: ${sorted.length} ${noun}`];
  for (const issue of sorted) {
    lines.push(`  ✖ ${issue.path}: ${issue.message}`);
    if (issue.fix) lines.push(`    fix: ${issue.fix}`);
  }
  return lines.join('\n');
}

/** An error that carries its issues, thrown only at the boundary that knows the context. */
export class IssuesError extends Error {
  constructor(
    readonly heading: string,
    readonly issues: readonly Issue[],
  ) {
    super(formatIssues(heading, issues));
    this.name = 'IssuesError';
  }
}

/** Joins a parent path and a property name the way Kubernetes prints field paths. */
export function childPath(parent: string, key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
  if (!parent) return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
