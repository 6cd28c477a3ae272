import type { ApiProps, PromiseDefinition, StatusFieldProps } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';
import type { PrinterColumn, StructuralSchema } from '../schema/structural.js';
import * as errors from './errors.js';
import { pluralize } from './names.js';

/** Names Kubernetes derives for a Promise's API, defaults filled in. */
export interface ApiNames {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
}

/** Fills in the plural and singular of an API the way `kubectl` users would expect. */
export function apiNames(api: ApiProps): ApiNames {
  return {
    ...api,
    plural: api.plural ?? pluralize(api.kind),
    singular: api.singular ?? api.kind.toLowerCase(),
  };
}

/**
 * The `spec` field as the CRD declares it: required when any field inside is; otherwise it may
 * be left out, and Kubernetes defaults it to {} and applies the defaults inside.
 */
export function specField(spec: StructuralSchema): { readonly schema: StructuralSchema; readonly required: boolean } {
  const required = (spec.required?.length ?? 0) > 0;
  return { schema: required ? spec : { ...spec, default: {} }, required };
}

/**
 * The CustomResourceDefinition of a Promise's Resource requests: Namespaced (Kratix requires it),
 * the stored version and any older ones still served, the status subresource, and the author's
 * printer columns.
 */
export function renderCrd(
  names: ApiNames,
  spec: StructuralSchema,
  columns: readonly PrinterColumn[],
  description?: string,
  older: readonly { readonly name: string; readonly spec: StructuralSchema; readonly deprecationWarning: string }[] = [],
) {
  const version = (name: string, schema: StructuralSchema, storage: boolean, deprecationWarning?: string) => ({
    name,
    served: true,
    storage,
    ...(deprecationWarning ? { deprecated: true, deprecationWarning } : {}),
    schema: { openAPIV3Schema: rootSchema(schema, description) },
    subresources: { status: {} },
    // Setting any column hides kubectl's default Age column, so it is added back last.
    additionalPrinterColumns: [...(storage ? columns : []), ...FIXED_COLUMNS],
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${names.group}` },
    spec: {
      group: names.group,
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        ...(names.shortNames?.length ? { shortNames: [...names.shortNames] } : {}),
        ...(names.categories?.length ? { categories: [...names.categories] } : {}),
      },
      scope: 'Namespaced',
      versions: [...older.map((v) => version(v.name, v.spec, false, v.deprecationWarning)), version(names.version, spec, true)],
    },
  };
}

// The root of one version's schema: spec, and the status Kratix writes.
function rootSchema(spec: StructuralSchema, description: string | undefined): StructuralSchema {
  const { schema: specNode, required: specRequired } = specField(spec);
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: {
      spec: specNode,
      // Kratix replaces this with its own; declaring it keeps the CRD valid on its own too.
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    ...(specRequired ? { required: ['spec'] } : {}),
  };
}

/** The columns kratix-cdktf adds after the author's, in this order. */
export const FIXED_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Status', type: 'string', jsonPath: '.status.message' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/**
 * The printer columns of the outputs that ask for one, on `.status.outputs.<name>`, and the
 * problems with them and with every column's name (spec fields' included: one name, one column).
 */
export function outputColumns(def: PromiseDefinition, specColumns: readonly PrinterColumn[]): { columns: PrinterColumn[]; issues: Issue[] } {
  const columns: PrinterColumn[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, string>(FIXED_COLUMNS.map((c) => [c.name.toLowerCase(), 'kratix-cdktf']));
  const claim = (path: string, name: string, what: string) => {
    const first = seen.get(name.toLowerCase());
    if (first) issues.push(errors.duplicateColumn(path, name, first));
    else seen.set(name.toLowerCase(), what);
  };
  for (const c of specColumns) claim(`spec${c.jsonPath.slice('.spec'.length)}`, c.name, `the field ${c.jsonPath.slice(1)}`);
  const fields = Object.entries((def.status?.fields ?? {}) as Record<string, StatusFieldProps>);
  const sources = [
    ...Object.entries(def.outputs ?? {}).map(([name, o]) => ({ name, at: `outputs.${name}`, jsonPath: `.status.outputs.${name}`, ...o })),
    ...fields.map(([name, f]) => ({ name, at: `status.fields.${name}`, jsonPath: `.status.details.${name}`, ...f })),
  ];
  for (const { name, at, jsonPath, ...output } of sources) {
    const spec = output.printerColumn as unknown;
    if (spec === undefined) continue;
    const options = typeof spec === 'string' ? { name: spec } : (spec as { name?: unknown; type?: unknown; priority?: unknown } | null);
    if (typeof options !== 'object' || options === null || typeof options.name !== 'string' || !options.name.trim()) {
      issues.push(
        errors.badOutputColumn(at, 'expected a column name, or { name, type?, priority? }', `write printerColumn: '${name[0]!.toUpperCase()}${name.slice(1)}'`),
      );
      continue;
    }
    if ('sensitive' in output && output.sensitive) {
      issues.push(
        errors.badOutputColumn(
          at,
          'the output is sensitive: status shows it as "(sensitive)", so the column would too',
          'drop the column, or the sensitivity if the value may be shown',
        ),
      );
      continue;
    }
    if (options.type !== undefined && !COLUMN_TYPES.has(options.type as string)) {
      issues.push(
        errors.badOutputColumn(at, `type ${JSON.stringify(options.type)} is not a printer column type`, 'use string, integer, number, boolean or date'),
      );
      continue;
    }
    if (options.priority !== undefined && !(Number.isInteger(options.priority) && (options.priority as number) >= 0)) {
      issues.push(
        errors.badOutputColumn(
          at,
          `priority ${JSON.stringify(options.priority)} is not a whole number of 0 or more`,
          'use 0 (always shown) or 1 (shown with -o wide)',
        ),
      );
      continue;
    }
    claim(`${at}.printerColumn`, options.name, at);
    const column: PrinterColumn = {
      name: options.name,
      type: (options.type as PrinterColumn['type'] | undefined) ?? 'string',
      jsonPath,
    };
    if (output.description) column.description = output.description;
    if (options.priority !== undefined) column.priority = options.priority as number;
    columns.push(column);
  }
  return { columns, issues };
}
