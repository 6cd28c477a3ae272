import { RE2JS } from '@bufbuild/re2';

// Kubernetes evaluates `pattern` with Go's RE2: linear time, no lookarounds or backreferences.
// The same engine here means synth refuses what the API server would refuse, and a tenant's
// input can never make matching slow (no catastrophic backtracking).
const compiled = new Map<string, RE2JS | string>();

/** The compiled pattern, or why RE2 refuses it. */
export function compilePattern(pattern: string): RE2JS | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (e) {
      entry = (e as Error).message;
    }
    compiled.set(pattern, entry);
  }
  return entry;
}

/** True when `pattern` matches somewhere in `value`, as JSON Schema's `pattern` means. */
export function matchesPattern(pattern: string, value: string): boolean {
  const re = compilePattern(pattern);
  return typeof re === 'string' ? false : re.test(value);
}
