import type { ApiProps } from '../promise/define-promise.js';
import type { PrinterColumn, StructuralSchema } from '../schema/structural.js';
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
 * one served and stored version, the status subresource, and the author's printer columns.
 */
export function renderCrd(names: ApiNames, spec: StructuralSchema, columns: readonly PrinterColumn[], description?: string) {
  const { schema: specNode, required: specRequired } = specField(spec);
  const root: StructuralSchema = {
    type: 'object',
    ...(description ? { description } : {}),
    properties: {
      spec: specNode,
      // Kratix replaces this with its own; declaring it keeps the CRD valid on its own too.
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    ...(specRequired ? { required: ['spec'] } : {}),
  };
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
      versions: [
        {
          name: names.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: root },
          subresources: { status: {} },
          // Setting any column hides kubectl's default Age column, so it is added back last.
          additionalPrinterColumns: [
            ...columns,
            { name: 'Status', type: 'string', jsonPath: '.status.message' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}
