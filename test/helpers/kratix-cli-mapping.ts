// What `kratix init tf-module-promise` keeps of a module's variables, counted from its mapping
// (syntasso/kratix-cli c98516de, internal/vars_to_crd.go): string, number and bool are typed;
// list(T) and map(T) keep T when it converts, and an object() anywhere becomes an opaque object
// (x-kubernetes-preserve-unknown-fields); set, tuple and any are skipped (a variable with no type
// at all gets one inferred from a default string, number, bool or list). Defaults are kept unless the type holds an object.
// No enums, no validations, no required fields, no sensitivity. A test helper: only the counts
// in the README's table come from it.

/** What the kratix CLI keeps of one variable. */
export interface KratixCliVerdict {
  readonly kept: boolean;
  /** Typed all the way down: no opaque object anywhere. */
  readonly fullType: boolean;
  readonly default: boolean;
}

export function kratixCliVerdict(type: string | undefined, defaultValue: unknown): KratixCliVerdict {
  let t = (type ?? '').replace(/\s+/g, '');
  if (t === '') {
    t = inferred(defaultValue);
    if (t === '') return { kept: false, fullType: false, default: false };
  }
  const converted = convert(t);
  if (converted === 'skip') return { kept: false, fullType: false, default: false };
  return { kept: true, fullType: converted === 'typed', default: defaultValue !== undefined && defaultValue !== null && !t.includes('object') };
}

function inferred(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return value.length && inferred(value[0]) ? `list(${inferred(value[0])})` : 'list';
  return '';
}

// 'typed', 'opaque' (an object() somewhere became preserve-unknown-fields) or 'skip'.
function convert(t: string): 'typed' | 'opaque' | 'skip' {
  if (t === 'string' || t === 'number' || t === 'bool' || t === 'boolean') return 'typed';
  if (t.startsWith('list(')) {
    const inner = convert(t.slice(5, -1));
    return inner === 'skip' ? 'skip' : inner;
  }
  if (t.startsWith('map(')) {
    const inner = convert(t.slice(4, -1));
    return inner === 'typed' ? 'typed' : 'opaque';
  }
  if (t.startsWith('object(')) return 'opaque';
  return 'skip';
}
