// Compiler edge cases through a fixture Promise: golden files for the artifacts, and assertions
// on the properties that explain why the golden files look as they do.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { applyInWorkflow, pgBackend } from '../../src/index.js';
import { exampleRequest, synthPromise } from '../../src/testing/index.js';
import sink from '../fixtures/kitchen-sink/index.js';
import { kubernetesCrdValidator } from '../helpers/upstream.js';
import { structuralProblems } from '../helpers/structural.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'kitchen-sink');
let files: ReadonlyMap<string, string>;
let crd: any;
let spec: any;

beforeAll(async () => {
  files = await synthPromise(sink, exampleRequest(FIXTURE));
  crd = parse(files.get('promise.yaml')!).spec.api;
  spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
});

describe('golden files', () => {
  test.each(['promise.yaml', 'example-resource.yaml', 'types.ts', 'README.md'])('%s', async (file) => {
    await expect(files.get(file)).toMatchFileSnapshot(join(FIXTURE, 'expected', file));
  });
});

describe('why the CRD looks as it does', () => {
  test('it is a valid, structural CRD', () => {
    expect(kubernetesCrdValidator()(crd)).toEqual([]);
    expect(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema)).toEqual([]);
  });

  test('only fields without defaults that are not optional are required', () => {
    expect(spec.required).toEqual(['email', 'port', 'password']);
    expect(crd.spec.versions[0].schema.openAPIV3Schema.required).toEqual(['spec']);
  });

  test('an object whose fields all default gets default {}', () => {
    expect(spec.properties.window.default).toEqual({});
  });

  test('the author’s names are used: plural, short names, categories', () => {
    expect(crd.metadata.name).toBe('kitchensinks.fixtures.example.com');
    expect(crd.spec.names).toMatchObject({
      plural: 'kitchensinks',
      singular: 'kitchensink',
      shortNames: ['ks'],
      categories: ['fixtures'],
      listKind: 'KitchenSinkList',
    });
  });

  test('printer columns come first, then Ready, Status and Age', () => {
    expect(crd.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(['Size', 'Replicas', 'Ready', 'Status', 'Age']);
  });

  test('a secret reference is a name/key object, documented as a Secret reference', () => {
    expect(spec.properties.password.required).toEqual(['name', 'key']);
    expect(files.get('README.md')).toContain('| `spec.password` | Secret reference (`name`, `key`) | yes |');
    expect(files.get('README.md')).not.toContain('`spec.password.name`');
  });

  test('the README lists constraints in words', () => {
    const readme = files.get('README.md')!;
    expect(readme).toMatch(/`spec\.replicas` \| integer \| no \| `2` \| >= 1; <= 10/);
    expect(readme).toMatch(/`spec\.ratio` \| number \| no \| `0\.5` \| > 0; <= 1; multiple of 0\.05/);
    expect(readme).toMatch(/`spec\.rules\[\*\]\.min` \| integer \| no \| `0`/);
    expect(readme).toMatch(/`spec\.rules` \| list of object .*each item: min must not exceed max/);
    expect(readme).toMatch(/\| `secret` \| yes \(never written to status\)/);
    expect(readme).toMatch(/`spec\.tags` \| map of string \| no \| `\{\}` \| at most 10 entries; each value: length <= 64/);
  });

  test('consumer types make defaulted fields optional and keep literal unions', () => {
    const types = files.get('types.ts')!;
    expect(types).toMatch(/size\?: 'S' \| 'M' \| 'L';/);
    expect(types).toMatch(/email: string;/);
    expect(types).toMatch(/port: number \| string;/);
    expect(types).toMatch(/note\?: string \| null;/);
  });

  test('the example keeps what the user wrote, without the defaults', () => {
    const example = parse(files.get('example-resource.yaml')!);
    expect(example.metadata.name).toBe('sink.example-1');
    expect(example.spec.size).toBeUndefined();
  });
});

describe('the API README tells requesters what happens when a request fails', () => {
  test('GitOps delivery: the conditions and the suspension, and no Terraform retries (tofu-controller retries itself)', () => {
    const readme = files.get('README.md')!;
    expect(readme).toContain('## When a request fails');
    expect(readme).toMatch(/`RequestValid` \(the spec\), `StackSynthesized` \(building the stack\)\./);
    expect(readme).toMatch(/waits for a change to its spec: Kratix shows its workflow as `Suspended`/);
    expect(readme).not.toMatch(/tried again/);
  });

  test('apply mode: the retry waits the Promise sets', async () => {
    const applied = { ...sink, delivery: applyInWorkflow({ backend: pgBackend(), retry: { first: '2m', max: '4h' } }) };
    const readme = (await synthPromise(applied, exampleRequest(FIXTURE))).get('README.md')!;
    expect(readme).toMatch(/`TerraformApplied` or `TerraformDestroyed` \(Terraform\)/);
    expect(readme).toContain('first after 2m, then after twice as long each time, up to 4h');
  });
});
