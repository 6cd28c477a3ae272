import { describe, expect, test } from 'vitest';
import { Type } from '../../src/schema/index.js';
import { toCrdSchema } from '../../src/schema/crd-schema.js';
import { structuralProblems } from '../helpers/structural.js';

const convert = (props: Parameters<typeof Type.Object>[0], options?: Parameters<typeof Type.Object>[1]) => toCrdSchema(Type.Object(props, options));
const field = (schema: Parameters<typeof Type.Object>[0][string]) => {
  const result = convert({ f: schema });
  expect(result.issues).toEqual([]);
  return result.schema.properties!.f!;
};
const problems = (schema: Parameters<typeof Type.Object>[0][string]) => convert({ f: schema }).issues.map((i) => `${i.path}: ${i.message}`);

describe('translations Kubernetes can express', () => {
  test('a union of string literals becomes an enum', () => {
    expect(field(Type.Union([Type.Literal('S'), Type.Literal('M')]))).toEqual({ type: 'string', enum: ['S', 'M'] });
  });

  test('a single literal becomes a one-value enum', () => {
    expect(field(Type.Literal(3))).toEqual({ type: 'integer', enum: [3] });
  });

  test('X | null becomes X with nullable', () => {
    expect(field(Type.Union([Type.String({ maxLength: 3 }), Type.Null()]))).toEqual({ type: 'string', maxLength: 3, nullable: true });
  });

  test("'a' | 'b' | null keeps null among the values, since the API server checks a null's enum too", () => {
    expect(field(Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Null()]))).toEqual({ type: 'string', enum: ['a', 'b', null], nullable: true });
  });

  test('integer | string becomes int-or-string', () => {
    expect(field(Type.Union([Type.Integer(), Type.String()]))).toEqual({ 'x-kubernetes-int-or-string': true });
  });

  test('a string-keyed record becomes additionalProperties', () => {
    expect(field(Type.Record(Type.String(), Type.Integer({ minimum: 0 })))).toEqual({ type: 'object', additionalProperties: { type: 'integer', minimum: 0 } });
  });

  test('numeric exclusive bounds become boolean flags beside minimum/maximum', () => {
    expect(field(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }))).toEqual({
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
      exclusiveMaximum: true,
    });
  });

  test('uniqueItems on scalars becomes list-type set', () => {
    expect(field(Type.Array(Type.String(), { uniqueItems: true }))).toEqual({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
  });

  test('additionalProperties: false is dropped, since v1 CRDs forbid it and pruning does the same', () => {
    expect(field(Type.Object({ a: Type.String() }, { additionalProperties: false }))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
  });

  test('string constraints, formats and descriptions are kept', () => {
    expect(field(Type.String({ minLength: 1, maxLength: 9, pattern: '^a', format: 'email', description: 'd', default: 'a@b.c' }))).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: 9,
      pattern: '^a',
      format: 'email',
      description: 'd',
      default: 'a@b.c',
    });
  });

  test('arrays of objects keep their item schema and required fields', () => {
    const out = field(Type.Array(Type.Object({ id: Type.String(), n: Type.Optional(Type.Integer()) }), { maxItems: 5 }));
    expect(out).toEqual({
      type: 'array',
      maxItems: 5,
      items: { type: 'object', properties: { id: { type: 'string' }, n: { type: 'integer' } }, required: ['id'] },
    });
  });

  test('CEL rules are kept with their messages', () => {
    const rules = [{ rule: 'self.a <= self.b', message: 'a must not exceed b' }];
    const { schema } = convert({ a: Type.Integer(), b: Type.Integer() }, { 'x-kubernetes-validations': rules });
    expect(schema['x-kubernetes-validations']).toEqual(rules);
  });
});

describe('required, optional and defaults', () => {
  test('optional fields and fields with defaults are not required', () => {
    const { schema } = convert({ a: Type.String(), b: Type.Optional(Type.String()), c: Type.String({ default: 'x' }) });
    expect(schema.required).toEqual(['a']);
  });

  test('a required object whose fields all have defaults defaults to {} so Kubernetes fills it in', () => {
    const out = field(Type.Object({ days: Type.Integer({ default: 7 }) }));
    expect(out.default).toEqual({});
    expect(convert({ f: Type.Object({ days: Type.Integer({ default: 7 }) }) }).schema.required).toBeUndefined();
  });

  test('an object whose rules refuse {} gets no default and stays required', () => {
    const rules = [{ rule: 'has(self.a) || has(self.b)', message: 'set a or b' }];
    const { schema, issues } = convert({
      pick: Type.Object({ a: Type.Optional(Type.String()), b: Type.Optional(Type.String()) }, { 'x-kubernetes-validations': rules }),
    });
    expect(issues).toEqual([]);
    expect(schema.properties!.pick!.default).toBeUndefined();
    expect(schema.required).toEqual(['pick']);
  });

  test('a default the field itself rejects is an error naming the field', () => {
    expect(problems(Type.Integer({ minimum: 1, default: 0 }))).toEqual([expect.stringMatching(/^spec\.f: default 0 is invalid: .*1/)]);
  });

  test('a nested default is checked at its own path', () => {
    const { issues } = convert({ outer: Type.Object({ inner: Type.String({ maxLength: 2, default: 'long' }) }) });
    expect(issues.map((i) => i.path)).toEqual(['spec.outer.inner']);
  });
});

describe('what Kubernetes cannot accept is rejected with the field path', () => {
  test.each([
    ['a type union', Type.Union([Type.String(), Type.Object({ a: Type.String() })]), /spec\.f: a union of different types/],
    ['an untyped node', Type.Any(), /spec\.f: has no type/],
    ['an unknown value', Type.Unknown(), /spec\.f: has no type/],
    ['a tuple', Type.Tuple([Type.String(), Type.Integer()]), /spec\.f: .*tuple/],
    ['a map with number keys', Type.Record(Type.Number(), Type.String()), /spec\.f: a map whose keys are not arbitrary strings/],
    ['unique objects', Type.Array(Type.Object({ a: Type.String() }), { uniqueItems: true }), /spec\.f: uniqueItems on an array of non-scalars/],
    ['a $ref', Type.Unsafe({ $ref: '#/x' }), /spec\.f: keyword "\$ref" is not allowed/],
    ['allOf', Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]), /spec\.f: keyword "allOf" is not allowed/],
    ['a format Kubernetes ignores', Type.String({ format: 'phone' }), /spec\.f: format "phone" is not one Kubernetes validates/],
    ['an invalid pattern', Type.String({ pattern: '(' }), /spec\.f: pattern "\(" is not valid RE2/],
    [
      'a lookahead, which Go’s RE2 refuses',
      Type.String({ pattern: '^(?=.*[0-9]).{8,}$' }),
      /spec\.f: pattern .* is not valid RE2, the syntax Kubernetes uses: .*\(\?=/,
    ],
    ['a backreference', Type.String({ pattern: '(a)\\1' }), /spec\.f: pattern .* is not valid RE2/],
    [
      'a Kubernetes CEL library function',
      Type.String({ 'x-kubernetes-validations': [{ rule: 'isURL(self)', message: 'm' }] }),
      /spec\.f: CEL rule "isURL\(self\)" calls isURL, which the workflow cannot evaluate/,
    ],
    ['a misspelt keyword', Type.String({ maxlength: 3 }), /spec\.f: unknown schema keyword "maxlength"/],
    ['a keyword of another type', Type.Integer({ pattern: 'x' } as never), /spec\.f: keyword "pattern" does not apply to type integer/],
    ['an empty object', Type.Object({}), /spec\.f: an object with no properties/],
    ['a Date', Type.Date(), /spec\.f: type "Date" has no JSON form/],
    [
      'a CEL rule that does not parse',
      Type.String({ 'x-kubernetes-validations': [{ rule: 'self ==', message: 'm' }] }),
      /spec\.f: CEL rule "self ==" does not parse/,
    ],
    ['a CEL rule without a message', Type.String({ 'x-kubernetes-validations': [{ rule: 'self != ""' }] }), /spec\.f: CEL rule .* has no message/],
    [
      'a transition rule',
      Type.String({ 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'immutable' }] }),
      /spec\.f: CEL rule .* uses oldSelf/,
    ],
  ])('%s', (_name, schema, expected) => {
    expect(problems(schema as never)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('errors deep inside arrays name the item path', () => {
    const { issues } = convert({ rules: Type.Array(Type.Object({ when: Type.Any() })) });
    expect(issues.map((i) => i.path)).toEqual(['spec.rules[*].when']);
  });

  test('every problem is reported, not only the first', () => {
    const { issues } = convert({ a: Type.Any(), b: Type.Tuple([Type.String()]), c: Type.Integer({ minimum: 5, default: 1 }) });
    expect(issues.map((i) => i.path).sort()).toEqual(['spec.a', 'spec.b', 'spec.c']);
  });
});

describe('printer columns', () => {
  test('marked scalar fields become columns with their JSONPath and type', () => {
    const { printerColumns } = convert({
      size: Type.String({ printerColumn: 'Size' }),
      nested: Type.Object({ when: Type.String({ format: 'date-time', printerColumn: { name: 'When', priority: 1 } }) }),
    });
    expect(printerColumns).toEqual([
      { name: 'Size', type: 'string', jsonPath: '.spec.size' },
      { name: 'When', type: 'date', jsonPath: '.spec.nested.when', priority: 1 },
    ]);
  });

  test('a column inside an array is rejected', () => {
    expect(problems(Type.Array(Type.String({ printerColumn: 'X' })))).toEqual([expect.stringMatching(/spec\.f\[\*\]: printerColumn: fields inside arrays/)]);
  });
});

test('the output of a schema using every supported feature is structural', () => {
  const { schema, issues } = convert({
    e: Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a' }),
    n: Type.Union([Type.Integer(), Type.Null()]),
    io: Type.Union([Type.Integer(), Type.String()]),
    m: Type.Record(Type.String(), Type.Array(Type.Object({ x: Type.Boolean() }))),
    s: Type.Array(Type.String(), { uniqueItems: true, default: [] }),
    o: Type.Object({ d: Type.Number({ exclusiveMinimum: 0, default: 1 }) }),
  });
  expect(issues).toEqual([]);
  expect(structuralProblems(schema as Record<string, unknown>)).toEqual([]);
});
