// Every committed artifact under generated/ against the upstream contracts it must meet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { crdValidator, kubernetesCrdValidator, pipelineProblems } from '../helpers/upstream.js';
import { structuralProblems } from '../helpers/structural.js';
import { kindIdentifier } from '../../src/kratix/names.js';
import { backstageValidators, catalogEntities } from '../../src/testing/index.js';

const GENERATED = join(import.meta.dirname, '..', '..', 'generated');
const PROMISES = join(import.meta.dirname, '..', '..', 'promises');
// One folder per Promise, and beside them the Backstage Location of all of them.
const names = readdirSync(GENERATED, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const validatePromise = crdValidator('kratix/platform.kratix.io_promises.yaml');
const validateCrd = kubernetesCrdValidator();

test('generated/ holds exactly one folder per Promise in promises/', () => {
  const promises = readdirSync(PROMISES)
    .filter((n) => existsSync(join(PROMISES, n, 'index.ts')))
    .sort();
  expect(names).toEqual(promises);
  expect(names.length).toBeGreaterThan(0);
});

test('catalog-info.yaml is a Backstage Location of every Promise’s entities', async () => {
  const location = parse(readFileSync(join(GENERATED, 'catalog-info.yaml'), 'utf8'));
  await (await backstageValidators())!(location);
  expect(location.spec.targets).toEqual(names.flatMap((n) => [`./${n}/backstage/catalog-info.yaml`, `./${n}/backstage/template.yaml`]));
  for (const target of location.spec.targets) expect(existsSync(join(GENERATED, target))).toBe(true);
});

describe.each(names)('generated/%s', (name) => {
  const dir = join(GENERATED, name);
  const promise = parse(readFileSync(join(dir, 'promise.yaml'), 'utf8'));
  const crd = promise.spec.api;

  test('holds exactly the four artifacts and the Backstage folder', () => {
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'backstage', 'example-resource.yaml', 'promise.yaml', 'types.ts']);
  });

  test('its Backstage Template and API entity pass Backstage’s validators, made from the CRD’s own schema', async () => {
    const validate = (await backstageValidators())!;
    const template = parse(readFileSync(join(dir, 'backstage', 'template.yaml'), 'utf8'));
    const [api] = catalogEntities(readFileSync(join(dir, 'backstage', 'catalog-info.yaml'), 'utf8')) as any[];
    await validate(template);
    await validate(api);
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    // The form asks for exactly the CRD's fields; the API's definition carries the CRD's schema.
    expect(Object.keys(template.spec.parameters[1].properties.spec.properties)).toEqual(Object.keys(spec.properties));
    expect(parse(api.spec.definition).components.schemas[crd.spec.names.kind].properties.spec).toEqual(spec);
    // TechDocs shows the API README.
    expect(readFileSync(join(dir, 'backstage', 'docs', 'index.md'), 'utf8')).toBe(readFileSync(join(dir, 'README.md'), 'utf8'));
  });

  test('promise.yaml is valid against the upstream Kratix Promise CRD', () => {
    expect(validatePromise(promise)).toEqual([]);
    expect(promise.metadata.name).toBe(name);
  });

  test('its api is a valid CustomResourceDefinition by the Kubernetes definitions', () => {
    expect(validateCrd(crd)).toEqual([]);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
    expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
  });

  test('its schema is structural', () => {
    expect(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema)).toEqual([]);
  });

  test('its pipelines pass the rules of the Kratix webhook', () => {
    expect(pipelineProblems(promise)).toEqual([]);
    const configure = promise.spec.workflows.resource.configure[0].spec.containers;
    expect(configure.some((c: { resources?: { limits?: { memory?: string } } }) => c.resources?.limits?.memory)).toBe(true);
  });

  test('example-resource.yaml is a valid request for the CRD', () => {
    const example = parse(readFileSync(join(dir, 'example-resource.yaml'), 'utf8'));
    expect(example.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions[0].name}`);
    expect(example.kind).toBe(crd.spec.names.kind);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(crd.spec.versions[0].schema.openAPIV3Schema);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  test('README.md documents every spec field', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const fields = Object.keys(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties);
    for (const field of fields) expect(readme).toContain(`\`spec.${field}\``);
    // The README says spec is required exactly when the CRD does (else it defaults to {}).
    const specRequired = (crd.spec.versions[0].schema.openAPIV3Schema.required ?? []).includes('spec');
    expect(readme).toMatch(new RegExp(`^\\| \`spec\` \\| object \\| ${specRequired ? 'yes \\| +\\|' : 'no \\| `\\{\\}`'}`, 'm'));
    expect(Boolean(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.default)).toBe(!specRequired);
    expect(readme).toContain('## Status outputs');
    expect(readme).toContain('```yaml');
  });

  test('types.ts declares the request and its spec', () => {
    const types = readFileSync(join(dir, 'types.ts'), 'utf8');
    // Type names are the kind in UpperCamelCase (kind `namespace` gives `Namespace`).
    expect(types).toContain(`export interface ${kindIdentifier(crd.spec.names.kind)} {`);
    expect(types).toContain(`export interface ${kindIdentifier(crd.spec.names.kind)}Spec {`);
  });
});
