import { createHash } from 'node:crypto';
import type { ResourceRequest } from '../promise/define-promise.js';

/** Options for {@link physicalName}. */
export interface PhysicalNameProps {
  /** Longest name the cloud API accepts. @default 63 */
  readonly maxLength?: number;
  /** Separator between parts, also the replacement for characters the API rejects. @default "-" */
  readonly separator?: string;
  /** Characters allowed besides lower-case letters and digits. @default "-" */
  readonly extraCharacters?: string;
  /** Prefix, e.g. the Promise name, so resources are recognisable in the cloud console. @default none */
  readonly prefix?: string;
  /**
   * Hex digits of SHA-256 kept: 4 bits each. With 8 (32 bits), a tenant who can pick long names
   * finds two with the same name in seconds: enough for names a cloud API refuses to duplicate,
   * where a clash only fails the second request. Names that separate requests' state or files
   * need 16 or more (requestSlug uses 20). @default 8
   */
  readonly hashLength?: number;
}

/**
 * A cloud resource name unique to one request: `<prefix>-<namespace>-<name>-<hash>`, lower-case,
 * cut to `maxLength`. The hash covers the untouched namespace and name, so requests that differ
 * only in characters the cloud rejects (dots, case) or in a cut-off tail still get distinct
 * names, and the same request always gets the same one. It starts with a letter.
 * @example new DbInstance(scope, 'db', { identifier: physicalName(request, { prefix: 'pg' }) })
 */
export function physicalName(request: Pick<ResourceRequest<unknown>, 'metadata'>, props: PhysicalNameProps = {}): string {
  const max = props.maxLength ?? 63;
  const sep = props.separator ?? '-';
  const allowed = new RegExp(`[^a-z0-9${escapeClass(props.extraCharacters ?? '-')}]+`, 'g');
  const { namespace, name } = request.metadata;
  const hash = createHash('sha256')
    .update(`${props.prefix ?? ''}/${namespace}/${name}`)
    .digest('hex')
    .slice(0, props.hashLength ?? 8);
  const parts = [props.prefix, namespace, name].filter(Boolean).map((p) => p!.toLowerCase().replace(allowed, sep));
  let base = parts.join(sep).replace(new RegExp(`(${escapeRe(sep)})+`, 'g'), sep);
  if (!/^[a-z]/.test(base)) base = `r${sep}${base}`;
  base = base.slice(0, Math.max(1, max - hash.length - sep.length)).replace(new RegExp(`${escapeRe(sep)}+$`), '');
  return `${base}${sep}${hash}`;
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
