// The Software Template and API entity synth writes for a Promise, on the kitchen-sink fixture
// (every schema feature once): golden files, Backstage's own validators, the form's fields as
// react-jsonschema-form reads them, and the request the Template's steps render, through
// Backstage's own template engine (nunjitsu), with hostile values.
import { join } from 'node:path';
import { getDefaultFormState } from '@rjsf/utils';
import { Ajv } from 'ajv';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { createTemplateRenderer, type TemplateValue } from 'nunjitsu';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseKubernetesYaml } from '../../src/artifacts/yaml.js';
import { renderLocation, requestCatalogOwner } from '../../src/backstage/index.js';
import { withoutPlatformChecks } from '../../src/backstage/form.js';
import { backstageKubeApply, backstagePullRequest, definePromise, type PromiseDefinition, tofuController, Type } from '../../src/index.js';
import { requestApi } from '../../src/kratix/request.js';
import { applyDefaults } from '../../src/schema/defaults.js';
import {
  backstageValidators,
  catalogEntities,
  checkFormAgreement,
  checkFormPrefill,
  exampleRequest,
  formCorpus,
  synthPromise,
  templateSpecSchema,
} from '../../src/testing/index.js';
import { compilePromise } from '../../src/artifacts/compile.js';
import sink from '../fixtures/kitchen-sink/index.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'kitchen-sink');
const example = exampleRequest(FIXTURE);
let files: ReadonlyMap<string, string>;
let template: any;
let validate: (entity: unknown) => Promise<void>;

beforeAll(async () => {
  files = await synthPromise(sink, example);
  template = parse(files.get('backstage/template.yaml')!);
  validate = (await backstageValidators())!;
});

const specPage = () => template.spec.parameters[1];
const field = (name: string) => specPage().properties.spec.properties[name];

describe('golden files', () => {
  test.each(['backstage/template.yaml', 'backstage/catalog-info.yaml', 'backstage/mkdocs.yml'])('%s', async (file) => {
    await expect(files.get(file)).toMatchFileSnapshot(join(FIXTURE, 'expected', file));
  });
});

describe('Backstage’s own validators', () => {
  test('accept the Template, the API entity and the Location', async () => {
    const entities = [
      ...catalogEntities(files.get('backstage/template.yaml')!),
      ...catalogEntities(files.get('backstage/catalog-info.yaml')!),
      ...catalogEntities(renderLocation(['kitchen-sink', 'other'])),
    ];
    expect(entities.map((e: any) => e.kind)).toEqual(['Template', 'API', 'Location']);
    for (const entity of entities) await validate(entity);
  });

  test('refuse what Backstage refuses, so their verdict above means something', async () => {
    const broken = structuredClone(template);
    broken.metadata.name = 'not a name!';
    await expect(validate(broken)).rejects.toThrow(/name/);
    const noSteps = structuredClone(template);
    delete noSteps.spec.steps;
    await expect(validate(noSteps)).rejects.toThrow(/steps/);
  });
});

describe('the form, field by field', () => {
  test('a page for where the request goes, with the owner picker, then one for its spec', () => {
    const where = template.spec.parameters[0];
    expect(where.required).toEqual(['name', 'namespace', 'owner']);
    expect(where.properties.name).toMatchObject({ type: 'string', maxLength: 63 });
    expect(where.properties.owner['ui:field']).toBe('OwnerPicker');
    expect(specPage().required).toEqual(['spec']);
    expect(specPage().properties.spec).toMatchObject({ type: 'object', additionalProperties: false, required: ['email', 'port', 'password'] });
  });

  test('types, enums with labels, defaults, limits and descriptions come from the schema', () => {
    expect(field('size')).toMatchObject({ title: 'Size', type: 'string', enum: ['S', 'M', 'L'], 'ui:enumNames': ['S', 'M', 'L'], default: 'S' });
    expect(field('replicas')).toMatchObject({ type: 'integer', minimum: 1, maximum: 10, default: 2 });
    // OpenAPI 3.0's boolean exclusiveMinimum becomes draft-07's number.
    expect(field('ratio')).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1, multipleOf: 0.05, default: 0.5 });
    expect(field('note')).toMatchObject({ type: ['string', 'null'], maxLength: 100, default: null });
    expect(field('port')).toMatchObject({ type: ['integer', 'string'], description: 'A number or a named port.' });
    expect(field('tags')).toMatchObject({ type: 'object', maxProperties: 10, additionalProperties: { type: 'string', maxLength: 64 } });
    expect(field('zones')).toMatchObject({ type: 'array', uniqueItems: true, minItems: 1, maxItems: 3, items: { type: 'string', minLength: 1 } });
    expect(field('rules').items).toMatchObject({ type: 'object', required: ['name', 'max'], properties: { name: { pattern: '^[a-z]+$' } } });
    expect(field('window')).toMatchObject({ default: {}, properties: { start: { default: '02:00' }, hours: { minimum: 1 } } });
    // Integers the workflow could not hold exactly are refused by the form too.
    expect(field('rules').items.properties.max).toMatchObject({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
  });

  test('a secret reference asks for the Secret’s name and key, never a value', () => {
    expect(field('password')).toMatchObject({ type: 'object', required: ['name', 'key'], description: 'Admin password.' });
    expect(field('password')['ui:help']).toMatch(/Secret in the same namespace/);
    expect(Object.keys(field('password').properties)).toEqual(['name', 'key']);
  });

  test('what only the platform checks is listed in the page’s description, and left out of the form', () => {
    expect(specPage().description).toContain(
      'The platform also checks, after you submit:\n- spec.email: must be a valid email\n- spec.rules[*]: min must not exceed max',
    );
    expect(field('email')).not.toHaveProperty('format');
    expect(field('rules').items).not.toHaveProperty('x-kubernetes-validations');
  });

  test('a pattern only RE2 reads is listed rather than put where the browser would fail to compile it', async () => {
    const def = definePromise({
      name: 're2',
      api: { group: 'x.example.com', version: 'v1', kind: 'Re2' },
      delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
      spec: Type.Object({ code: Type.String({ pattern: '^(?P<x>[a-z])+$', default: 'a' }) }),
      stack() {},
    });
    const files = await synthPromise(def, { spec: {} });
    const page = parse(files.get('backstage/template.yaml')!).spec.parameters[1];
    expect(page.properties.spec.properties.code).not.toHaveProperty('pattern');
    expect(page.description).toContain('- spec.code: must match "^(?P<x>[a-z])+$" (a pattern the form cannot read)');
    const api = requestApi(def);
    expect(api.ok && withoutPlatformChecks(api.value.spec).properties?.code).not.toHaveProperty('pattern');
    expect(checkFormAgreement(def, {}).disagreements).toEqual([]);
  });

  test('business rules are listed by name and description', async () => {
    const def = definePromise({
      ...sink,
      rules: [{ name: 'prod-only-large', description: 'Size L is for production namespaces.', check: () => [] }],
    } as PromiseDefinition);
    const page = parse((await synthPromise(def, example)).get('backstage/template.yaml')!).spec.parameters[1];
    expect(page.description).toContain('- prod-only-large: Size L is for production namespaces.');
  });
});

describe('form and API agree', () => {
  test('on a corpus made from the schema, but for the checks the form lists', () => {
    const agreement = checkFormAgreement(sink, example.spec);
    expect(agreement.disagreements).toEqual([]);
    expect(agreement.accepted).toBeGreaterThan(10);
    expect(agreement.refused).toBeGreaterThan(50);
    // The email format and the CEL rule: accepted by the form, refused by the platform, as listed.
    expect(agreement.platformOnly).toBeGreaterThan(0);
  });

  test('the corpus has each side of every limit, unknown and missing fields', () => {
    const labels = formCorpus((requestApi(sink) as any).value.spec, example.spec).map((c) => c.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'spec.replicas = maximum +0',
        'spec.replicas = maximum +1',
        'spec.ratio = minimum +0',
        'spec.size = a value not in the enum',
        'spec = with an unknown field',
        'spec = without required email',
        'spec.zones = above maxItems',
        'spec.zones = a duplicate item',
        'spec.tags = above maxProperties',
        'spec.note = null (nullable)',
      ]),
    );
  });

  test('our ajv gives the verdicts of react-jsonschema-form’s own validator', () => {
    const schema = templateSpecSchema(sink) as any;
    const rjsf = customizeValidator();
    // Defaults filled as checkFormAgreement fills them, then judged by rjsf's validator.
    const ajv = new Ajv({ strict: false, useDefaults: true });
    const fill = ajv.compile(schema);
    let refused = 0;
    for (const c of formCorpus((requestApi(sink) as any).value.spec, example.spec)) {
      const data = structuredClone(c.spec);
      fill(data);
      const errors = rjsf.validateFormData(data, schema).errors;
      const ours = checkFormAgreement(sink, example.spec, [c]);
      if (errors.length) refused++;
      expect(errors.length > 0, `${c.label}: ${JSON.stringify(errors.map((e) => e.stack))}`).toBe(ours.refused > 0);
    }
    expect(refused).toBeGreaterThan(50);
  });

  test('what the form starts with becomes, once the API defaults it, what the API makes of the same request', () => {
    const schema = templateSpecSchema(sink) as any;
    const spec = (requestApi(sink) as any).value.spec;
    // The example, and the least a requester must type: only the required fields.
    const least = { email: 'a@example.com', port: 80, password: { name: 's', key: 'k' } };
    for (const base of [example.spec, least]) {
      const form = getDefaultFormState(customizeValidator(), schema, structuredClone(base), schema) as Record<string, unknown>;
      // rjsf leaves out null and {} defaults, which the API then fills in, and starts an optional
      // list nobody touched as [], which the API keeps: the one difference a requester can see.
      const api = applyDefaults(spec, base) as Record<string, unknown>;
      const submitted = applyDefaults(spec, form) as Record<string, unknown>;
      for (const key of Object.keys(submitted))
        if (!(key in api) && Array.isArray(submitted[key]) && (submitted[key] as []).length === 0) delete submitted[key];
      expect(submitted).toEqual(api);
    }
  });

  test('patterns are read as RE2 reads them: `.` takes \\r and U+2028, `\\s` takes no NBSP or \\v', async () => {
    const def = definePromise({
      name: 'patterns',
      api: { group: 'x.example.com', version: 'v1', kind: 'Patterns' },
      delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
      spec: Type.Object({
        word: Type.String({ pattern: '^\\S+$', default: 'a' }),
        line: Type.String({ pattern: '^.+$', default: 'a' }),
        spaced: Type.String({ pattern: '^a\\sb$', default: 'a b' }),
        cls: Type.String({ pattern: '^[\\s\\d.]+$', default: '1 2' }),
      }),
      stack() {},
    });
    const agreement = checkFormAgreement(def, {});
    expect(agreement.disagreements).toEqual([]);
    expect(agreement.accepted).toBeGreaterThan(0);
    // What a plain copy of the patterns into the form would have got wrong.
    const verbatim = JSON.parse(JSON.stringify(templateSpecSchema(def)));
    for (const [name, field] of Object.entries(verbatim.properties as Record<string, any>)) field.pattern = (def.spec.properties as any)[name].pattern;
    const wrong = checkFormAgreement(def, {}, undefined, verbatim).disagreements.map((d) => d.label);
    const label = (field: string, text: string) => `spec.${field} = ${JSON.stringify(text)}`;
    expect(wrong).toEqual(expect.arrayContaining([label('word', 'a\u00a0a'), label('word', 'a\va'), label('line', 'a\ra'), label('line', 'a\u2028a')]));
  });

  test('an optional object or list starts empty in the form, as the API leaves it, so what the API takes can be sent', async () => {
    const def = definePromise({
      name: 'optional',
      api: { group: 'x.example.com', version: 'v1', kind: 'Optional' },
      delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
      spec: Type.Object({
        backup: Type.Optional(Type.Object({ days: Type.Integer({ default: 7 }), bucket: Type.String() })),
        zones: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
      }),
      stack() {},
    });
    expect(await checkFormPrefill(def, {})).toEqual([]);
    expect(checkFormAgreement(def, {}).disagreements).toEqual([]);
    const form = templateSpecSchema(def) as any;
    expect(form.properties.backup.properties.days).not.toHaveProperty('default');
    expect(form.properties.zones).not.toHaveProperty('minItems');
    // With the default and the least count copied as they are, rjsf starts a form it cannot send.
    const naive = structuredClone(form);
    naive.properties.backup.properties.days.default = 7;
    naive.properties.zones.minItems = 1;
    const refused = (await checkFormPrefill(def, {}, naive))!.map((r) => r.label);
    expect(refused).toContain('an empty spec');
  });

  test('a nullable enum takes null in the form and in the API alike', () => {
    const def = definePromise({
      name: 'tier',
      api: { group: 'x.example.com', version: 'v1', kind: 'Tier' },
      delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
      spec: Type.Object({ tier: Type.Optional(Type.Union([Type.Literal('gold'), Type.Literal('silver'), Type.Null()])) }),
      stack() {},
    });
    const agreement = checkFormAgreement(def, { tier: 'gold' });
    expect(agreement.disagreements).toEqual([]);
    expect((templateSpecSchema(def) as any).properties.tier.enum).toEqual(['gold', 'silver', null]);
  });

  test('a form that lets unknown fields through is caught', () => {
    const loose = JSON.parse(JSON.stringify(templateSpecSchema(sink)).replaceAll('"additionalProperties":false', '"additionalProperties":true'));
    const agreement = checkFormAgreement(sink, example.spec, undefined, loose);
    expect(agreement.disagreements.map((d) => d.label)).toContain('spec = with an unknown field');
  });
});

// Values a requester can type: each must arrive in the request exactly as typed.
const HOSTILE = {
  quote: 'it\'s "quoted"',
  template: '${{ parameters.name }} {{ x }} {% raw %}',
  yaml: 'a: b\n- c\n---\nkind: Secret',
  unicode: 'zürich ☃ \u0000 \t',
  anchors: '&a *a !!binary',
};

describe('the request the Template creates', () => {
  const renderer = createTemplateRenderer();
  const parameters = {
    name: 'db-1',
    namespace: 'team-a',
    owner: 'group:default/team-a',
    spec: { ...(example.spec as Record<string, unknown>), tags: HOSTILE, email: 'team@example.com' },
  } as unknown as TemplateValue & Record<string, any>;
  const expected = (def: PromiseDefinition) => ({
    apiVersion: `${def.api.group}/${def.api.version}`,
    kind: def.api.kind,
    metadata: { name: 'db-1', namespace: 'team-a', annotations: { 'kratix-cdktf.io/owner': 'group:default/team-a' } },
    spec: parameters.spec,
  });

  test('kube:apply gets the request as typed, hostile values included', () => {
    const step = template.spec.steps[0];
    expect(step).toMatchObject({ action: 'kube:apply', input: { namespaced: true } });
    const manifest = renderer.render(step.input.manifest, { parameters });
    expect(parseKubernetesYaml(manifest)).toEqual(expected(sink));
  });

  test('a pull request writes the request from the skeleton, under <targetPath>/<namespace>/<promise>/<name>.yaml', async () => {
    const def = definePromise({
      ...sink,
      backstage: { create: backstagePullRequest({ repoUrl: 'github.com?owner=acme&repo=platform', targetPath: 'clusters/platform/requests' }) },
    } as PromiseDefinition);
    const out = await synthPromise(def, example);
    const t = parse(out.get('backstage/template.yaml')!);
    expect(t.spec.steps.map((s: any) => s.action)).toEqual(['fetch:template', 'publish:github:pull-request']);
    const [write, publish] = t.spec.steps;
    expect(write.input).toMatchObject({ url: './skeleton', targetPath: './request' });
    expect(publish.input).toMatchObject({ repoUrl: 'github.com?owner=acme&repo=platform', sourcePath: './request' });
    expect(renderer.render(publish.input.targetPath, { parameters })).toBe('clusters/platform/requests/team-a/kitchen-sink');
    // fetch:template renders each file's name and text with the step's values.
    const [path, text] = [...out].find(([p]) => p.startsWith('backstage/skeleton/'))!;
    // The step's own values, each rendered as the scaffolder renders an input.
    const values = Object.fromEntries(
      Object.entries(write.input.values as Record<string, string>).map(([k, v]) => [k, renderer.renderValue(v, { parameters })!]),
    );
    expect(renderer.render(path!.replace('backstage/skeleton/', ''), { values })).toBe('db-1.yaml');
    expect(parseKubernetesYaml(renderer.render(text!, { values }))).toEqual(expected(def));
    expect(t.spec.output.links[0]).toMatchObject({ title: 'Pull request', url: '${{ steps.publish.output.remoteUrl }}' });
  });

  test('namespaces, when the Promise lists them, are picked from the list rather than typed', async () => {
    const def = definePromise({ ...sink, backstage: { namespaces: ['team-a', 'team-b'] } } as PromiseDefinition);
    const where = parse((await synthPromise(def, example)).get('backstage/template.yaml')!).spec.parameters[0];
    expect(where.properties.namespace).toMatchObject({ type: 'string', enum: ['team-a', 'team-b'] });
    expect(where.properties.namespace).not.toHaveProperty('pattern');
  });

  test('the owner field takes only what the workflow takes as an owner', () => {
    const owner = new RegExp(template.spec.parameters[0].properties.owner.pattern, 'u');
    const samples = [
      'group:default/team-a',
      'user:default/jane.doe',
      'team-a',
      'Group:ops/sre',
      'team a',
      'component:default/web',
      'group:Team_A/x',
      '',
      'x/y/z',
    ];
    for (const value of samples) {
      const taken = requestCatalogOwner({ 'kratix-cdktf.io/owner': value }, 'team-a').problem === undefined;
      expect(owner.test(value), value).toBe(taken);
    }
    expect(samples.filter((v) => owner.test(v))).toHaveLength(4);
  });

  test('GitLab gets a merge request', async () => {
    const def = definePromise({
      ...sink,
      backstage: { create: backstagePullRequest({ provider: 'gitlab', repoUrl: 'gitlab.com?owner=acme&repo=platform' }) },
    } as PromiseDefinition);
    const t = parse((await synthPromise(def, example)).get('backstage/template.yaml')!);
    expect(t.spec.steps[1].action).toBe('publish:gitlab:merge-request');
    expect(t.spec.output.links[0].url).toBe('${{ steps.publish.output.mergeRequestUrl }}');
    await validate(t);
  });

  test('the link to the request’s catalog entity shows only while its name is the one the workflow writes', async () => {
    const def = definePromise({
      ...sink,
      backstage: { create: backstageKubeApply({ clusterName: 'platform' }), catalog: { matchLabels: { environment: 'backstage' } } },
    } as PromiseDefinition);
    const t = parse((await synthPromise(def, example)).get('backstage/template.yaml')!);
    expect(t.spec.steps[0].input.clusterName).toBe('platform');
    const link = t.spec.output.links.find((l: any) => l.entityRef?.startsWith('resource:'));
    expect(renderer.render(link.entityRef, { parameters })).toBe('resource:team-a/kitchen-sink.db-1');
    expect(renderer.renderValue(link.if, { parameters })).toBe(true);
    expect(renderer.renderValue(link.if, { parameters: { ...(parameters as Record<string, any>), name: 'x'.repeat(63) } as TemplateValue })).toBe(false);
  });
});

describe('an author’s mistakes in backstage are refused at synth, by field', () => {
  const cases: [string, unknown, string][] = [
    ['an owner that is no entity reference', { owner: 'platform team' }, 'backstage.owner'],
    ['an owner of the wrong kind', { owner: 'component:default/x' }, 'backstage.owner'],
    ['a system that is no reference', { system: 'a/b/c' }, 'backstage.system'],
    ['a lifecycle with spaces', { lifecycle: 'in production' }, 'backstage.lifecycle'],
    [
      'a repoUrl with template syntax',
      { create: backstagePullRequest({ repoUrl: 'github.com?owner=${{ parameters.x }}&repo=p' }) },
      'backstage.create.repoUrl',
    ],
    [
      'a targetPath out of the repository',
      { create: backstagePullRequest({ repoUrl: 'github.com?owner=a&repo=p', targetPath: '../etc' }) },
      'backstage.create.targetPath',
    ],
    ['an unknown way to create', { create: { kind: 'email' } }, 'backstage.create'],
    ['a cluster name with template syntax', { create: backstageKubeApply({ clusterName: '${{ x }}' }) }, 'backstage.create.clusterName'],
    ['a catalog with no labels', { catalog: { matchLabels: {} } }, 'backstage.catalog.matchLabels'],
    ['a catalog label that is no label', { catalog: { matchLabels: { 'bad key!': 'x' } } }, 'backstage.catalog.matchLabels["bad key!"]'],
    ['links that are no function', { links: [] }, 'backstage.links'],
    ['namespaces that are no DNS labels', { namespaces: ['Team_A'] }, 'backstage.namespaces'],
    ['an empty list of namespaces', { namespaces: [] }, 'backstage.namespaces'],
    ['backstage that is no object', 'yes', 'backstage'],
  ];
  test.each(cases)('%s', async (_, backstage, path) => {
    const result = await compilePromise({ ...sink, backstage } as PromiseDefinition, { image: 'registry.test/x:1', exampleRequest: example });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
