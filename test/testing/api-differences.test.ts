// apiDifferences(): the field-for-field check of a ported Promise against the original's schema.
import { expect, test } from 'vitest';
import { Type } from '../../src/index.js';
import { apiDifferences } from '../../src/testing/index.js';
import { WIDGET } from '../helpers/widget.js';

const upstream = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', description: 'not compared' },
        size: { type: 'string', enum: ['s', 'm'], default: 's' },
        replicas: { type: 'integer', default: 1 },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};
const ported = (spec: unknown) => ({ ...WIDGET, spec }) as never;

test('the same API: no differences, whatever the descriptions say', () => {
  const spec = Type.Object({
    name: Type.String({ description: 'ours' }),
    size: Type.Union([Type.Literal('s'), Type.Literal('m')], { default: 's' }),
    replicas: Type.Integer({ default: 1, minimum: 1 }),
    tags: Type.Optional(Type.Array(Type.String())),
  });
  expect(apiDifferences(ported(spec), upstream)).toEqual([]);
});

test('every kind of difference, one line each', () => {
  const spec = Type.Object({
    name: Type.Optional(Type.String()),
    size: Type.Union([Type.Literal('s'), Type.Literal('l')], { default: 's' }),
    replicas: Type.Number({ default: 2 }),
    extra: Type.Optional(Type.Boolean()),
  });
  expect(apiDifferences(ported(spec), upstream)).toEqual([
    // Nothing in spec is required any more, so kratix-cdktf defaults spec itself to {}.
    'spec: default {} here, undefined upstream',
    'spec.extra: only ours has it',
    'spec.name: optional here, required upstream',
    'spec.replicas: type "number" here, "integer" upstream',
    'spec.replicas: default 2 here, 1 upstream',
    'spec.size: enum ["s","l"] here, ["s","m"] upstream',
    'spec.tags: ours lacks it',
  ]);
});
