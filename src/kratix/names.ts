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

/** Why `kind` is not a usable Kubernetes kind, or undefined. */
export function kindProblem(kind: string): string | undefined {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return 'must be UpperCamelCase letters and digits, e.g. "Postgres"';
  if (kind.length > 63) return 'must be at most 63 characters';
  return undefined;
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
