// A corpus of API changes with the verdict each must get: breaking ones by field and kind, safe
// ones with none. Schemas are written in TypeBox, as a Promise author writes them, and compared
// as synth compares them: the CRD schema the compiler makes of each.
import { describe, expect, test } from 'vitest';
import { type ApiSnapshot, type BreakingKind, breakingChanges } from '../../src/evolution/index.js';
import { secretRef, Type } from '../../src/index.js';
import { toCrdSchema } from '../../src/schema/crd-schema.js';
import type { TObject } from '../../src/schema/index.js';

const base = {
  size: Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large')], { default: 'small' }),
  replicas: Type.Integer({ minimum: 1, maximum: 10, default: 2 }),
  name: Type.String({ pattern: '^[a-z]+$', maxLength: 20, default: 'app' }),
  tags: Type.Record(Type.String(), Type.String({ maxLength: 64 }), { default: {}, maxProperties: 10 }),
  zones: Type.Array(Type.String(), { default: ['a'], maxItems: 3 }),
  backup: Type.Optional(Type.Object({ days: Type.Integer({ default: 7, minimum: 0, maximum: 35 }), window: Type.Optional(Type.String()) })),
  ratio: Type.Number({ default: 0.5, minimum: 0, maximum: 1, multipleOf: 0.05 }),
  note: Type.Union([Type.String(), Type.Null()], { default: null }),
  port: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  rules: Type.Optional(Type.Array(Type.Object({ name: Type.String(), min: Type.Integer({ default: 0 }) }))),
  password: Type.Optional(secretRef()),
};
type Fields = Record<string, any>;

function snapshot(fields: Fields, options: Record<string, unknown> = {}, names: Partial<ApiSnapshot> = {}): ApiSnapshot {
  const converted = toCrdSchema(Type.Object(fields, options) as TObject, 'spec');
  expect(converted.issues).toEqual([]);
  return {
    group: 'data.example.com',
    kind: 'Database',
    plural: 'databases',
    scope: 'Namespaced',
    versions: { v1: converted.schema },
    ...names,
  };
}

const change = (fields: Fields) => ({ ...base, ...fields });
const without = (name: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));

/** A change: its name, the API after it, what must be found, and the API before it (the base one unless given). */
type Case = readonly [string, ApiSnapshot, readonly (readonly [string, BreakingKind])[], ApiSnapshot?];
const before = snapshot(base);
// A list of ports told apart by `keys` (list-type map).
const ports = (keys: string[]) =>
  snapshot({
    ...base,
    ports: Type.Array(Type.Object({ name: Type.String(), zone: Type.String() }, { required: ['name', 'zone'] }), {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': keys,
    }),
  });

const BREAKING: Case[] = [
  ['a field removed', snapshot(without('note')), [['spec.note', 'removed']]],
  ['a field renamed', snapshot({ ...without('note'), comment: base.note }), [['spec.note', 'removed']]],
  [
    'a nested field removed',
    snapshot(change({ backup: Type.Optional(Type.Object({ days: base.backup.properties.days })) })),
    [['spec.backup.window', 'removed']],
  ],
  [
    'a field inside list items removed',
    snapshot(change({ rules: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))) })),
    [['spec.rules[*].min', 'removed']],
  ],
  ['string to integer', snapshot(change({ name: Type.Integer({ default: 1 }) })), [['spec.name', 'type-changed']]],
  ['integer to string', snapshot(change({ replicas: Type.String({ default: '2' }) })), [['spec.replicas', 'type-changed']]],
  ['number to integer', snapshot(change({ ratio: Type.Integer({ default: 0 }) })), [['spec.ratio', 'type-changed']]],
  ['a map became a list', snapshot(change({ tags: Type.Array(Type.String(), { default: [] }) })), [['spec.tags', 'type-changed']]],
  ['int-or-string to integer', snapshot(change({ port: Type.Optional(Type.Integer()) })), [['spec.port', 'type-changed']]],
  ['an object became a string', snapshot(change({ backup: Type.Optional(Type.String()) })), [['spec.backup', 'type-changed']]],
  [
    'an enum value removed',
    snapshot(change({ size: Type.Union([Type.Literal('small'), Type.Literal('medium')], { default: 'small' }) })),
    [['spec.size', 'enum-narrowed']],
  ],
  [
    'an enum on a free string',
    snapshot(change({ name: Type.Union([Type.Literal('app'), Type.Literal('web')], { default: 'app' }) })),
    [['spec.name', 'enum-added']],
  ],
  ['minimum raised', snapshot(change({ replicas: Type.Integer({ minimum: 2, maximum: 10, default: 2 }) })), [['spec.replicas', 'minimum-raised']]],
  ['maximum lowered', snapshot(change({ replicas: Type.Integer({ minimum: 1, maximum: 5, default: 2 }) })), [['spec.replicas', 'maximum-lowered']]],
  [
    'minimum made exclusive',
    snapshot(change({ ratio: Type.Number({ default: 0.5, exclusiveMinimum: 0, maximum: 1, multipleOf: 0.05 }) })),
    [['spec.ratio', 'minimum-raised']],
  ],
  [
    'a maximum where there was none',
    snapshot(change({ backup: Type.Optional(Type.Object({ days: base.backup.properties.days, window: Type.Optional(Type.String({ maxLength: 11 })) })) })),
    [['spec.backup.window', 'length-narrowed']],
  ],
  [
    'a nested maximum lowered',
    snapshot(
      change({ backup: Type.Optional(Type.Object({ days: Type.Integer({ default: 7, minimum: 0, maximum: 30 }), window: Type.Optional(Type.String()) })) }),
    ),
    [['spec.backup.days', 'maximum-lowered']],
  ],
  ['maxLength lowered', snapshot(change({ name: Type.String({ pattern: '^[a-z]+$', maxLength: 10, default: 'app' }) })), [['spec.name', 'length-narrowed']]],
  [
    'minLength added',
    snapshot(change({ name: Type.String({ pattern: '^[a-z]+$', maxLength: 20, minLength: 3, default: 'app' }) })),
    [['spec.name', 'length-narrowed']],
  ],
  [
    'a map value maxLength lowered',
    snapshot(change({ tags: Type.Record(Type.String(), Type.String({ maxLength: 32 }), { default: {}, maxProperties: 10 }) })),
    [['spec.tags[*]', 'length-narrowed']],
  ],
  [
    'pattern changed',
    snapshot(change({ name: Type.String({ pattern: '^[a-z][a-z0-9]*$', maxLength: 20, default: 'app' }) })),
    [['spec.name', 'pattern-changed']],
  ],
  [
    'pattern added',
    snapshot(change({ tags: Type.Record(Type.String(), Type.String({ maxLength: 64, pattern: '^\\S*$' }), { default: {}, maxProperties: 10 }) })),
    [['spec.tags[*]', 'pattern-changed']],
  ],
  ['maxItems lowered', snapshot(change({ zones: Type.Array(Type.String(), { default: ['a'], maxItems: 2 }) })), [['spec.zones', 'items-narrowed']]],
  ['minItems added', snapshot(change({ zones: Type.Array(Type.String(), { default: ['a'], maxItems: 3, minItems: 1 }) })), [['spec.zones', 'items-narrowed']]],
  [
    'maxProperties lowered',
    snapshot(change({ tags: Type.Record(Type.String(), Type.String({ maxLength: 64 }), { default: {}, maxProperties: 5 }) })),
    [['spec.tags', 'entries-narrowed']],
  ],
  [
    'a format added',
    snapshot(
      change({ backup: Type.Optional(Type.Object({ days: base.backup.properties.days, window: Type.Optional(Type.String({ format: 'date-time' })) })) }),
    ),
    [['spec.backup.window', 'format-changed']],
  ],
  [
    'multipleOf coarser',
    snapshot(change({ ratio: Type.Number({ default: 0.5, minimum: 0, maximum: 1, multipleOf: 0.1 }) })),
    [['spec.ratio', 'multiple-of-changed']],
  ],
  ['a required field without a default', snapshot({ ...base, region: Type.String() }), [['spec.region', 'required-added']]],
  ['an optional field made required', snapshot(change({ port: Type.Union([Type.Integer(), Type.String()]) })), [['spec.port', 'required-added']]],
  [
    'a required field inside an optional object that exists',
    snapshot(
      change({ backup: Type.Optional(Type.Object({ days: base.backup.properties.days, window: Type.Optional(Type.String()), bucket: Type.String() })) }),
    ),
    [['spec.backup.bucket', 'required-added']],
  ],
  ['null no longer allowed', snapshot(change({ note: Type.String({ default: '' }) })), [['spec.note', 'nullable-removed']]],
  [
    'a list made a set',
    snapshot(change({ zones: Type.Array(Type.String(), { default: ['a'], maxItems: 3, uniqueItems: true }) })),
    [['spec.zones', 'unique-items-added']],
  ],
  ['a CEL rule added', snapshot(base, { 'x-kubernetes-validations': [{ rule: 'self.replicas <= 5', message: 'at most 5' }] }), [['spec', 'rule-added']]],
  [
    'a CEL rule added on a field',
    snapshot(
      change({
        tags: Type.Record(Type.String(), Type.String({ maxLength: 64 }), {
          default: {},
          maxProperties: 10,
          'x-kubernetes-validations': [{ rule: 'self.all(k, k != "x")', message: 'no key x' }],
        }),
      }),
    ),
    [['spec.tags', 'rule-added']],
  ],
  ['the kind renamed', snapshot(base, {}, { kind: 'Db' }), [['api.kind', 'names-changed']]],
  // The CRD keeps its name (plural.group): the stored requests stay, and so does every schema check.
  [
    'the kind renamed and a field removed',
    snapshot(without('note'), {}, { kind: 'Db' }),
    [
      ['api.kind', 'names-changed'],
      ['spec.note', 'removed'],
    ],
  ],
  ['list-map keys narrowed', ports(['name']), [['spec.ports', 'unique-items-added']], ports(['name', 'zone'])],
  ['the group changed', snapshot(base, {}, { group: 'db.example.com' }), [['api.group', 'names-changed']]],
  ['the plural changed', snapshot(base, {}, { plural: 'dbs' }), [['api.plural', 'names-changed']]],
  ['the scope changed', snapshot(base, {}, { scope: 'Cluster' }), [['api.scope', 'names-changed']]],
  ['the version renamed', { ...snapshot(base), versions: { v2: snapshot(base).versions.v1! } }, [['api.version', 'version-removed']]],
  [
    'two changes at once',
    snapshot({ ...without('note'), replicas: Type.Integer({ minimum: 1, maximum: 3, default: 2 }) }),
    [
      ['spec.replicas', 'maximum-lowered'],
      ['spec.note', 'removed'],
    ],
  ],
];

const SAFE: [string, ApiSnapshot, ApiSnapshot?][] = [
  ['nothing changed', snapshot(base)],
  ['a new optional field', snapshot({ ...base, region: Type.Optional(Type.String()) })],
  ['a new required field with a default', snapshot({ ...base, region: Type.String({ default: 'eu-west-1' }) })],
  ['a new optional object with required fields', snapshot({ ...base, monitoring: Type.Optional(Type.Object({ endpoint: Type.String() })) })],
  [
    'a new enum value',
    snapshot(
      change({ size: Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large'), Type.Literal('xlarge')], { default: 'small' }) }),
    ),
  ],
  ['a range widened', snapshot(change({ replicas: Type.Integer({ minimum: 0, maximum: 20, default: 2 }) }))],
  ['a maximum removed', snapshot(change({ replicas: Type.Integer({ minimum: 1, default: 2 }) }))],
  ['maxLength raised', snapshot(change({ name: Type.String({ pattern: '^[a-z]+$', maxLength: 40, default: 'app' }) }))],
  ['a pattern removed', snapshot(change({ name: Type.String({ maxLength: 20, default: 'app' }) }))],
  ['a description changed', snapshot(change({ replicas: Type.Integer({ minimum: 1, maximum: 10, default: 2, description: 'How many.' }) }))],
  ['a default changed (stored requests keep theirs)', snapshot(change({ replicas: Type.Integer({ minimum: 1, maximum: 10, default: 3 }) }))],
  ['integer widened to number', snapshot(change({ replicas: Type.Number({ minimum: 1, maximum: 10, default: 2 }) }))],
  ['integer widened to int-or-string', snapshot(change({ replicas: Type.Union([Type.Integer(), Type.String()], { default: 2 }) }))],
  [
    'a required field made optional',
    snapshot(change({ rules: Type.Optional(Type.Array(Type.Object({ name: Type.Optional(Type.String()), min: Type.Integer({ default: 0 }) }))) })),
  ],
  ['maxItems raised', snapshot(change({ zones: Type.Array(Type.String(), { default: ['a'], maxItems: 10 }) }))],
  ['null now allowed', snapshot(change({ name: Type.Union([Type.String({ pattern: '^[a-z]+$', maxLength: 20 }), Type.Null()], { default: 'app' }) }))],
  ['a CEL rule removed', snapshot(base), snapshot(base, { 'x-kubernetes-validations': [{ rule: 'self.replicas <= 5', message: 'at most 5' }] })],
  ['multipleOf finer', snapshot(change({ ratio: Type.Number({ default: 0.5, minimum: 0, maximum: 1, multipleOf: 0.01 }) }))],
  ['a set made a plain list', snapshot(base), snapshot(change({ zones: Type.Array(Type.String(), { default: ['a'], maxItems: 3, uniqueItems: true }) }))],
  ['list-map keys widened', ports(['name', 'zone']), ports(['name'])],
  [
    'a defaulted field made required without its default (stored requests were defaulted)',
    snapshot(change({ replicas: Type.Integer({ minimum: 1, maximum: 10 }) })),
  ],
];

describe('breaking changes are found, by field and kind', () => {
  test.each(BREAKING.map(([name, after, expected, from]) => ({ name, after, expected, from })))('$name', ({ after, expected, from }) => {
    const found = breakingChanges(from ?? before, after);
    expect(found.map((c) => [c.path, c.change])).toEqual(expected);
    for (const c of found) {
      expect(c.message.length).toBeGreaterThan(10);
      expect(c.fix.length).toBeGreaterThan(5);
    }
  });
});

describe('safe changes pass', () => {
  test.each(SAFE.map(([name, after, from]) => ({ name, after, from })))('$name', ({ after, from }) => {
    expect(breakingChanges(from ?? before, after)).toEqual([]);
  });
});

test('the corpus holds at least 40 changes, of both verdicts', () => {
  expect(BREAKING.length + SAFE.length).toBeGreaterThanOrEqual(40);
  expect(BREAKING.length).toBeGreaterThan(20);
  expect(SAFE.length).toBeGreaterThan(10);
});

test('each break carries what exactly changed, so an acknowledgement accepts that change and no other', () => {
  const narrowed = (values: string[]) =>
    snapshot(
      change({
        size: Type.Union(
          values.map((v) => Type.Literal(v)),
          { default: 'small' },
        ),
      }),
    );
  const [first] = breakingChanges(before, narrowed(['small', 'medium']));
  const [second] = breakingChanges(narrowed(['small', 'medium']), narrowed(['small']));
  expect([first!.detail, second!.detail]).toEqual(['"large"', '"medium"']);
  expect(breakingChanges(before, snapshot(change({ replicas: Type.Integer({ minimum: 1, maximum: 5, default: 2 }) })))[0]!.detail).toBe('10 → 5');
});

test('a rename is named as a likely rename', () => {
  const [removed] = breakingChanges(before, snapshot({ ...without('note'), comment: base.note }));
  expect(removed!.message).toContain('renamed to comment?');
});
