import { stringify } from 'yaml';

/**
 * Serializes data as YAML the same way on every machine: no line folding (which depends on
 * width), no anchors for repeated objects, block style, a trailing newline.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, indent: 2, sortMapEntries: false });
}

/** Several objects as one multi-document YAML stream. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map(toYaml).join('---\n');
}
