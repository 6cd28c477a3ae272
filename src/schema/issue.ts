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

/**
 * Either a value, or the issues that kept us from producing one: all of them, or, for tenant
 * input, the first ones found and the number of the others (`omitted`).
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly Issue[] /** Issues found but not kept. @default 0 */; readonly omitted?: number };

/**
 * How many issues of one request are kept. A 1.5 MiB request can hold 700,000 bad values; each
 * kept issue costs memory, sorting and a line of output, so beyond this they are only counted.
 */
export const MAX_REQUEST_ISSUES = 100;

/** Collects issues up to a limit, counting the ones beyond it. */
export class IssueSink {
  readonly issues: Issue[] = [];
  omitted = 0;
  constructor(readonly limit = Number.POSITIVE_INFINITY) {}

  /** Every issue added so far, kept or not. */
  get count(): number {
    return this.issues.length + this.omitted;
  }

  add(issue: Issue): void {
    if (this.issues.length < this.limit) this.issues.push(issue);
    else this.omitted++;
  }
}

/**
 * Formats issues under a heading, one `✖ path: message` line each, sorted by path; `omitted`
 * issues (found, not kept) are counted in the heading and in a last line.
 */
export function formatIssues(heading: string, issues: readonly Issue[], omitted = 0): string {
  const sorted = [...issues].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = sorted.length + omitted;
  const lines = [`${heading}: ${total} ${total === 1 ? 'problem' : 'problems'}`];
  for (const issue of sorted) {
    lines.push(`  ✖ ${issue.path}: ${issue.message}`);
    if (issue.fix) lines.push(`    fix: ${issue.fix}`);
  }
  if (omitted > 0) lines.push(`  ... and ${omitted} more, not listed (only the first ${sorted.length} found are kept)`);
  return lines.join('\n');
}

/**
 * An error that carries its issues, thrown only at the boundary that knows the context. It keeps
 * the first {@link MAX_REQUEST_ISSUES} and counts the rest: request data is checked in several
 * places, and none of them may turn a 700,000-item list into as many lines.
 */
export class IssuesError extends Error {
  readonly issues: readonly Issue[];
  /** Issues found but not kept. */
  readonly omitted: number;
  constructor(
    readonly heading: string,
    issues: readonly Issue[],
    omitted = 0,
  ) {
    const kept = issues.slice(0, MAX_REQUEST_ISSUES);
    super(formatIssues(heading, kept, omitted + issues.length - kept.length));
    this.name = 'IssuesError';
    this.issues = kept;
    this.omitted = omitted + issues.length - kept.length;
  }
}

/** Joins a parent path and a property name the way Kubernetes prints field paths. */
export function childPath(parent: string, key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
  if (!parent) return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
