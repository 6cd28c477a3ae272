// Each request's catalog entity, written by its workflow to the Backstage Destination: real
// Terraform and PostgreSQL (apply mode on the echo fixture, so outputs are real), Backstage's own
// validators on what is written, and the routing read as Kratix's work-creator reads it: a
// folder named in destination-selectors.yaml goes only where that entry's labels match.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { requestCatalogGroup, requestCatalogOwner } from '../../src/backstage/index.js';
import { requestEntityName } from '../../src/backstage/entities.js';
import type { BackstageProps, PromiseDefinition } from '../../src/index.js';
import { backstageValidators, catalogEntities } from '../../src/testing/index.js';
import echo from '../fixtures/echo/index.js';
import { applyEnvironment, meta, SECRET_VALUE } from '../helpers/apply-env.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const t = applyEnvironment('kratix_backstage_test');
const CATALOG = { matchLabels: { environment: 'backstage' } };

const withBackstage = (backstage: BackstageProps): PromiseDefinition => ({ ...t.applied(), backstage }) as PromiseDefinition;
const run = (def: PromiseDefinition, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>, action = 'configure') =>
  runRequest(def, requestYaml(echo, spec, { ...meta(name), ...(annotations ? { annotations } : {}) }), { ...t.env, KRATIX_WORKFLOW_ACTION: action });

describe('a request’s entity', () => {
  test('is written beside the stack, for the Backstage Destination only, with owner, links, the Promise and the non-sensitive outputs', async () => {
    const def = withBackstage({
      system: 'system:default/platform',
      catalog: CATALOG,
      links: ({ request, outputs }) => [{ title: 'Dashboard', url: `https://dash.example.com/${request.metadata.name}?m=${String(outputs.message)}` }],
    });
    const r = await run(def, 'db', { message: 'hi <there>', token: { name: 'creds', key: 'token' } }, { 'kratix-cdktf.io/owner': 'group:default/team-a' });
    expect(r.ending).toBe('done');
    const file = 'backstage/team-a.echo.db.yaml';
    expect(Object.keys(r.output)).toContain(file);
    expect(parse(r.metadata['destination-selectors.yaml']!)).toEqual([{ directory: 'backstage', matchLabels: { environment: 'backstage' } }]);
    const [entity] = catalogEntities(r.output[file]!) as any[];
    expect(entity).toMatchObject({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'echo.db',
        namespace: 'team-a',
        annotations: { 'kratix-cdktf.io/promise': 'echo', 'kratix-cdktf.io/request': 'echos.fixtures.example.com/team-a/db' },
        links: [{ title: 'Dashboard', url: 'https://dash.example.com/db?m=hi%20%3Cthere%3E' }],
      },
      spec: { type: 'echo', owner: 'group:default/team-a', system: 'system:default/platform', dependsOn: ['api:default/echo'] },
    });
    expect(entity.spec.outputs).toMatchObject({ message: 'hi <there>', greeting: 'Hello, hi <there>!' });
    // The sensitive output is neither in status nor in the entity, nor its value anywhere.
    expect(entity.spec.outputs).not.toHaveProperty('token');
    expect(r.output[file]).not.toContain(SECRET_VALUE);
    await (await backstageValidators())!(entity);
    t.expectNoSecretsWritten();
  });

  test('is owned by the namespace’s group when the request names no owner', async () => {
    const r = await run(withBackstage({ catalog: CATALOG }), 'plain', {});
    const [entity] = catalogEntities(r.output['backstage/team-a.echo.plain.yaml']!) as any[];
    expect(entity.spec.owner).toBe('group:default/team-a');
  });

  test('is not written by a Promise that names no Backstage Destination', async () => {
    const r = await run(withBackstage({ owner: 'group:default/platform-team' }), 'none', {});
    expect(r.ending).toBe('done');
    expect(Object.keys(r.output).filter((f) => f.startsWith('backstage/'))).toEqual([]);
    expect(r.metadata['destination-selectors.yaml']).toBeUndefined();
  });

  test('is not written by a delete: Kratix removes it with the request’s Work', async () => {
    const def = withBackstage({ catalog: CATALOG });
    await run(def, 'gone', {});
    const r = await run(def, 'gone', {}, undefined, 'delete');
    expect(r.ending).toBe('done');
    expect(Object.keys(r.output).filter((f) => f.startsWith('backstage/'))).toEqual([]);
  });
});

describe('bad input', () => {
  test.each([
    ['no entity reference', 'team a'],
    ['a kind that owns nothing', 'component:default/web'],
    ['a namespace that is no DNS label', 'group:Team_A/x'],
    ['a name too long', `group:default/${'x'.repeat(64)}`],
  ])(
    'an owner annotation with %s is named in status, and the request still gets what it asked for, its entity owned by its namespace’s group',
    async (_, owner) => {
      const name = `bad-owner-${owner.length}`;
      const r = await run(withBackstage({ catalog: CATALOG }), name, {}, { 'kratix-cdktf.io/owner': owner });
      expect(r.ending).toBe('done');
      expect(t.stateOf(name)).toBeDefined();
      const catalog = r.status.conditions.find((c: any) => c.type === 'CatalogEntity');
      expect(catalog).toMatchObject({ status: 'False', reason: 'InvalidOwner' });
      expect(catalog.message).toContain('metadata.annotations["kratix-cdktf.io/owner"]');
      expect(catalog.message).toContain('owned by group:default/team-a instead');
      const [entity] = catalogEntities(r.output[`backstage/team-a.echo.${name}.yaml`]!) as any[];
      expect(entity.spec.owner).toBe('group:default/team-a');
    },
  );

  test('a corrected owner annotation is taken on the next run, and the condition turns True', async () => {
    const def = withBackstage({ catalog: CATALOG });
    await run(def, 'fixed', {}, { 'kratix-cdktf.io/owner': 'team a' });
    const r = await run(def, 'fixed', {}, { 'kratix-cdktf.io/owner': 'team-a' });
    expect(r.status.conditions.find((c: any) => c.type === 'CatalogEntity')).toMatchObject({ status: 'True', reason: 'Written' });
  });

  test('an output that is a map of request data is written as text, so Backstage never reads a { $text: <url> } in it', () => {
    const def = { ...echo, backstage: { catalog: CATALOG } } as PromiseDefinition;
    const hostile = { $text: 'https://github.com/acme/private/blob/main/creds.env' };
    const group = requestCatalogGroup(def, { metadata: meta('x'), spec: {} }, 'group:default/team-a', { labels: hostile, joined: ['a', 'b'] });
    const [entity] = catalogEntities([...(group.ok ? group.value.files.values() : [])][0]!) as any[];
    expect(entity.spec.outputs).toEqual({ labels: JSON.stringify(hostile), joined: '["a","b"]' });
  });

  test('a link that is not http(s) is refused, naming it, and nothing is written', async () => {
    const def = withBackstage({ catalog: CATALOG, links: () => [{ title: 'x', url: 'javascript:alert(1)' }] });
    const r = await run(def, 'bad-link', {});
    expect(r.status.message).toContain('backstage.links()[0].url');
    expect(r.status.message).toContain('is not an http or https URL');
    expect(r.output).toEqual({});
  });

  test('links() that throws is the author’s mistake, reported as such', async () => {
    const def = withBackstage({
      catalog: CATALOG,
      links: () => {
        throw new Error('no dashboard for this one');
      },
    });
    const r = await run(def, 'throws', {});
    expect(r.status.message).toContain('backstage.links(): threw: no dashboard for this one');
    expect(r.status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'StackSynthesized', status: 'False', reason: 'CatalogFailed' })]),
    );
  });

  test('a manifests() group in the entity’s folder is refused rather than overwritten', async () => {
    const def = {
      ...withBackstage({ catalog: CATALOG }),
      manifests: () => [
        { directory: 'backstage', matchLabels: { x: 'y' }, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' } }] },
      ],
    } as PromiseDefinition;
    const r = await run(def, 'clash', {});
    expect(r.status.message).toContain("backstage/ is where the request's Backstage entity goes");
    expect(r.output).toEqual({});
  });
});

describe('names and owners', () => {
  test('an entity is named <promise>-<name>, shortened with a hash past Backstage’s 63 characters', () => {
    expect(requestEntityName('postgres', 'db')).toBe('postgres.db');
    // A Promise's name has no dot: <promise>.<name> never repeats across Promises.
    expect(requestEntityName('postgres', 'ha-db')).not.toBe(requestEntityName('postgres-ha', 'db'));
    const a = requestEntityName('postgres', `${'a'.repeat(60)}.x`);
    const b = requestEntityName('postgres', `${'a'.repeat(60)}.y`);
    for (const name of [a, b]) expect(name).toMatch(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,61}[A-Za-z0-9]$/);
    expect(a).not.toBe(b);
    expect(requestEntityName('postgres', `${'a'.repeat(60)}.x`)).toBe(a);
  });

  test('an owner and a system are always full references, since a short one would be read in the entity’s namespace', () => {
    const owner = (value?: string) => requestCatalogOwner(value === undefined ? {} : { 'kratix-cdktf.io/owner': value }, 'team-a');
    expect(owner()).toEqual({ owner: 'group:default/team-a' });
    expect(owner('team-b')).toEqual({ owner: 'group:default/team-b' });
    expect(owner('User:jane')).toEqual({ owner: 'user:default/jane' });
    expect(owner('group:ops/sre')).toEqual({ owner: 'group:ops/sre' });
    const def = { ...echo, backstage: { catalog: CATALOG, system: 'platform' } } as PromiseDefinition;
    const group = requestCatalogGroup(def, { metadata: meta('x'), spec: {} }, 'group:default/team-a', {});
    const [entity] = catalogEntities([...(group.ok ? group.value.files.values() : [])][0]!) as any[];
    expect(entity.spec.system).toBe('system:default/platform');
  });

  test('outputs that are null or sensitive stay out', () => {
    const def = { ...echo, backstage: { catalog: CATALOG } } as PromiseDefinition;
    const group = requestCatalogGroup(def, { metadata: meta('x'), spec: {} }, 'group:default/team-a', { message: 'm', id: null, token: 'leaked?' });
    expect(group.ok).toBe(true);
    const [entity] = catalogEntities([...(group.ok ? group.value.files.values() : [])][0]!) as any[];
    expect(entity.spec.outputs).toEqual({ message: 'm' });
  });
});
