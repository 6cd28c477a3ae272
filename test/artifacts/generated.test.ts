// Every committed artifact under generated/ against the upstream contracts it must meet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { crdValidator, kubernetesCrdValidator, pipelineProblems } from '../helpers/upstream.js';
import { structuralProblems } from '../helpers/structural.js';
import { kindIdentifier } from '../../src/kratix/names.js';

const GENERATED = join(import.meta.dirname, '..', '..', 'generated');
const PROMISES = join(import.meta.dirname, '..', '..', 'promises');
const names = readdirSync(GENERATED).sort();
const validatePromise = crdValidator('kratix/platform.kratix.io_promises.yaml');
const validateCrd = kubernetesCrdValidator();

test('generated/ holds exactly one folder per Promise in promises/', () => {
  const promises = readdirSync(PROMISES)
    .filter((n) => existsSync(join(PROMISES, n, 'index.ts')))
    .sort();
  expect(names).toEqual(promises);
  expect(names.length).toBeGreaterThan(0);
});

describe.each(names)('generated/%s', (name) => {
  const dir = join(GENERATED, name);
  const promise = parse(readFileSync(join(dir, 'promise.yaml'), 'utf8'));
  const crd = promise.spec.api;

  test('holds exactly the four artifacts', () => {
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'example-resource.yaml', 'promise.yaml', 'types.ts']);
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
