// Backstage catalog entities: the Promise's API (its OpenAPI definition from the CRD schema, and
// the API README as its TechDocs), one Location for every Promise's files, and the Resource
// entity a request's workflow writes to the Backstage Destination.
import { createHash } from 'node:crypto';
import type { ApiNames } from '../kratix/crd.js';
import { specField } from '../kratix/crd.js';
import type { StructuralSchema } from '../schema/structural.js';
import { toYaml } from '../artifacts/yaml.js';
import { type BackstageLink, type BackstageProps, DEFAULT_OWNER, fullRef } from './props.js';
import { TEMPLATE_FILE } from './template.js';

/** The Promise's catalog file, beside its Template. */
export const CATALOG_FILE = 'backstage/catalog-info.yaml';

/** What the Promise's API entity is made from. */
export interface ApiEntityProps {
  readonly promiseName: string;
  readonly description?: string;
  readonly version?: string;
  readonly names: ApiNames;
  readonly spec: StructuralSchema;
  readonly readme: string;
  readonly backstage: BackstageProps;
}

/**
 * The API entity of the Promise and its TechDocs site (the API README), keyed by path inside
 * `generated/<promise>/`. TechDocs reads `mkdocs.yml` beside the entity (`dir:.`).
 */
export function renderApiEntity(props: ApiEntityProps): Map<string, string> {
  const { names, promiseName, backstage } = props;
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: {
      name: promiseName,
      title: `${names.kind} (${names.group}/${names.version})`,
      description: props.description ?? `The ${names.kind} API of the Kratix Promise ${promiseName}.`,
      tags: ['kratix'],
      annotations: { 'backstage.io/techdocs-ref': 'dir:.', 'kratix-cdktf.io/promise': promiseName },
    },
    spec: {
      type: 'openapi',
      lifecycle: backstage.lifecycle ?? 'production',
      owner: fullRef(backstage.owner ?? DEFAULT_OWNER, 'group'),
      ...(backstage.system ? { system: fullRef(backstage.system, 'system') } : {}),
      definition: toYaml(openApi(props)),
    },
  };
  return new Map([
    [CATALOG_FILE, toYaml(entity)],
    ['backstage/mkdocs.yml', toYaml({ site_name: `${names.kind} API`, docs_dir: 'docs', nav: [{ [names.kind]: 'index.md' }], plugins: ['techdocs-core'] })],
    ['backstage/docs/index.md', props.readme],
  ]);
}

// The request API as Kubernetes serves it: the paths a client calls and the object's schema.
function openApi({ names, spec, description, version }: ApiEntityProps): unknown {
  const ref = { $ref: `#/components/schemas/${names.kind}` };
  const body = { content: { 'application/json': { schema: ref } } };
  const collection = `/apis/${names.group}/${names.version}/namespaces/{namespace}/${names.plural}`;
  const namespace = { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } };
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
  const specNode = specField(spec);
  return {
    openapi: '3.0.3',
    info: { title: `${names.kind} (${names.group}/${names.version})`, version: version ?? names.version, ...(description ? { description } : {}) },
    paths: {
      [collection]: {
        parameters: [namespace],
        get: { summary: `List the ${names.kind} requests of a namespace`, responses: { '200': { description: 'The requests' } } },
        post: { summary: `Request a ${names.kind}`, requestBody: body, responses: { '201': { description: 'Created', ...body } } },
      },
      [`${collection}/{name}`]: {
        parameters: [namespace, name],
        get: { summary: `Read a ${names.kind}, its status included`, responses: { '200': { description: 'The request', ...body } } },
        delete: { summary: `Delete a ${names.kind} and what it built`, responses: { '200': { description: 'Deleting' } } },
      },
    },
    components: {
      schemas: {
        [names.kind]: {
          type: 'object',
          required: ['apiVersion', 'kind', 'metadata', ...(specNode.required ? ['spec'] : [])],
          properties: {
            apiVersion: { type: 'string', enum: [`${names.group}/${names.version}`] },
            kind: { type: 'string', enum: [names.kind] },
            metadata: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', maxLength: 63 }, namespace: { type: 'string', maxLength: 63 } },
            },
            spec: specNode.schema,
            status: { type: 'object', description: 'Written by the platform: conditions, outputs, message.' },
          },
        },
      },
    },
  };
}

/** One Location for every Promise's API entity and Template: the one URL to register in Backstage. */
export function renderLocation(promises: readonly string[]): string {
  return toYaml({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Location',
    metadata: { name: 'kratix-cdktf-promises', description: 'The Promises of this platform: their APIs and Software Templates.' },
    spec: { targets: promises.flatMap((p) => [`./${p}/${CATALOG_FILE}`, `./${p}/${TEMPLATE_FILE}`]) },
  });
}

/**
 * The catalog name of a request's entity: `<promise>.<name>`, shortened with a hash when longer
 * than Backstage's 63. A Promise's name has no dot, so no two requests share one.
 */
export function requestEntityName(promise: string, name: string): string {
  const full = `${promise}.${name}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(`${promise}/${name}`).digest('hex').slice(0, 10);
  return `${full.slice(0, 52).replace(/[-_.]+$/, '')}-${hash}`;
}

/** What a request's entity says. */
export interface RequestEntityProps {
  readonly promiseName: string;
  readonly names: ApiNames;
  readonly metadata: { readonly name: string; readonly namespace: string };
  /** The owner's entity reference, already checked. */
  readonly owner: string;
  /** The request's non-sensitive outputs. */
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly links: readonly BackstageLink[];
  readonly backstage: BackstageProps;
}

/** The file a request's workflow writes to the Backstage Destination, and its content. */
export function renderRequestEntity(props: RequestEntityProps): { readonly file: string; readonly text: string } {
  const { names, metadata } = props;
  const name = requestEntityName(props.promiseName, metadata.name);
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: metadata.namespace,
      title: `${names.kind} ${metadata.namespace}/${metadata.name}`,
      description: `A ${names.kind} requested from the Kratix Promise ${props.promiseName}.`,
      tags: ['kratix', props.promiseName],
      annotations: {
        'kratix-cdktf.io/promise': props.promiseName,
        'kratix-cdktf.io/request': `${names.plural}.${names.group}/${metadata.namespace}/${metadata.name}`,
      },
      ...(props.links.length ? { links: props.links } : {}),
    },
    spec: {
      type: props.promiseName,
      owner: props.owner,
      ...(props.backstage.system ? { system: fullRef(props.backstage.system, 'system') } : {}),
      dependsOn: [`api:default/${props.promiseName}`],
      ...(Object.keys(props.outputs).length ? { outputs: props.outputs } : {}),
    },
  };
  // Namespaces have no dots and come first: no two requests share a file, whatever the filepath mode.
  return { file: `${metadata.namespace}.${props.promiseName}.${metadata.name}.yaml`, text: toYaml(entity) };
}
