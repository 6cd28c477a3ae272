// Kubernetes naming rules for the names a Promise chooses (apimachinery's validation package).

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a DNS-1123 label (at most 63 characters), or undefined when it is one. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters, is ${name.length}`;
  if (!DNS_LABEL.test(name)) return 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (at most 253 characters), or undefined when it is one. */
export function dnsSubdomainProblem(name: string, maxLength = 253): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > maxLength) return `must be at most ${maxLength} characters, is ${name.length}`;
  if (!DNS_SUBDOMAIN.test(name)) return 'must be lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit';
  return undefined;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `key` is not a Kubernetes label key (`[prefix/]name`), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = dnsSubdomainProblem(key.slice(0, slash));
    if (prefix) return `has a prefix that ${prefix}`;
  }
  if (name.length === 0) return 'must have a name';
  if (name.length > 63) return `must have a name of at most 63 characters, is ${name.length}`;
  if (!LABEL_NAME.test(name))
    return 'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional "<DNS subdomain>/"';
  return undefined;
}

/** Why `value` is not a Kubernetes label value (at most 63 characters, may be empty), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `must be at most 63 characters, is ${value.length}`;
  if (value.length > 0 && !LABEL_NAME.test(value)) return 'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `name` is not a DNS-1035 label, or undefined: what Kubernetes requires of a CRD's plural,
 * singular, short names and categories (apiextensions-apiserver, validation.go,
 * ValidateCustomResourceDefinitionNames): a DNS-1123 label that starts with a letter.
 */
export function dns1035LabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters, is ${name.length}`;
  if (!DNS_1035_LABEL.test(name)) return 'must be lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';
  return undefined;
}

/**
 * Why `kind` is not a kind Kubernetes accepts, or undefined. Kubernetes checks the lower-cased
 * kind, and the list kind (`<kind>List`), as DNS-1035 labels: any case, so `redis` is as valid as
 * `Redis`, but letters, digits and "-" only, starting with a letter.
 */
export function kindProblem(kind: string): string | undefined {
  if (kind.length === 0) return 'must not be empty';
  const lower = dns1035LabelProblem(kind.toLowerCase());
  if (lower) return `may have mixed case, but otherwise ${lower}`;
  // The list kind must pass the same check, which leaves 59 characters for the kind.
  if (kind.length + 'List'.length > 63) return `must be at most 59 characters, so that its list kind "${kind}List" fits 63; is ${kind.length}`;
  return undefined;
}

/**
 * The TypeScript type name for a kind, in UpperCamelCase as TypeScript types are written (and as
 * the type generator names the spec type, whatever the case given): `redis` → `Redis`,
 * `my-db` → `MyDb`, `Postgres` stays. The `kind` field of the type keeps the exact spelling.
 */
export function kindIdentifier(kind: string): string {
  return kind
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Why `version` is not a Kubernetes API version name, or undefined. */
export function versionProblem(version: string): string | undefined {
  return /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/.test(version) ? undefined : 'must look like v1, v1beta1 or v1alpha2';
}

/** The plural Kubernetes tools would guess for a kind: English rules, lower-cased. */
export function pluralize(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
