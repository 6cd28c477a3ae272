import { describe, expect, test } from 'vitest';
import { applyDefaults } from '../../src/schema/defaults.js';
import { matchesFormat } from '../../src/schema/formats.js';
import type { StructuralSchema } from '../../src/schema/structural.js';
import { IssueSink } from '../../src/schema/issue.js';
import { validateInto, validateValue } from '../../src/schema/validate.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    size: { type: 'string', default: 'S' },
    note: { type: 'string', nullable: true, default: 'n' },
    backup: { type: 'object', default: {}, properties: { days: { type: 'integer', default: 7 } } },
    rules: { type: 'array', items: { type: 'object', properties: { min: { type: 'integer', default: 0 }, max: { type: 'integer' } } } },
    ratio: { type: 'number', multipleOf: 0.05 },
  },
};

describe('defaults, as the API server applies them', () => {
  test('missing fields, nested objects and list items are defaulted', () => {
    expect(applyDefaults(schema, { rules: [{ max: 3 }] })).toEqual({ size: 'S', note: 'n', backup: { days: 7 }, rules: [{ min: 0, max: 3 }] });
  });

  test('a null in a non-nullable field is pruned and defaulted; a nullable null is kept', () => {
    expect(applyDefaults(schema, { size: null, note: null })).toMatchObject({ size: 'S', note: null });
  });

  test('the input is not modified', () => {
    const input = { rules: [{ max: 1 }] };
    applyDefaults(schema, input);
    expect(input).toEqual({ rules: [{ max: 1 }] });
  });
});

describe('validation details', () => {
  test('fields named like Object’s own properties are fields like any other', () => {
    const text = { type: 'string' } as const;
    const odd = { type: 'object', required: ['toString'], properties: { constructor: { ...text, default: 'c' }, toString: text } } as StructuralSchema;
    expect(applyDefaults(odd, {})).toEqual({ constructor: 'c' });
    expect(validateValue(odd, applyDefaults(odd, {}), 'spec')).toEqual([{ path: 'spec.toString', message: 'is required', fix: 'add toString to the request' }]);
    expect(validateValue(odd, applyDefaults(odd, { toString: 'x' }), 'spec')).toEqual([]);
  });

  test('a null passes a nullable field’s type but not an enum without null, as kube-openapi validates it', () => {
    const tier: StructuralSchema = { type: 'string', nullable: true, enum: ['gold', 'silver'] };
    expect(validateValue(tier, null, 'spec.tier')).toEqual([{ path: 'spec.tier', message: 'null is not one of "gold", "silver"' }]);
    expect(validateValue({ ...tier, enum: ['gold', 'silver', null] }, null, 'spec.tier')).toEqual([]);
  });

  test('multipleOf tolerates floating-point error', () => {
    expect(validateValue(schema, { ratio: 0.15 }, 'spec')).toEqual([]);
    expect(validateValue(schema, { ratio: 0.13 }, 'spec')).toEqual([expect.objectContaining({ path: 'spec.ratio' })]);
  });

  test('CEL sees integers as ints, so comparisons with literals work', () => {
    const withRule: StructuralSchema = {
      ...schema.properties!.rules!.items!,
      'x-kubernetes-validations': [{ rule: 'self.min <= self.max && self.max < 100', message: 'bad range' }],
    };
    expect(validateValue(withRule, { min: 1, max: 2 }, 'r')).toEqual([]);
    expect(validateValue(withRule, { min: 3, max: 2 }, 'r')).toEqual([{ path: 'r', message: 'bad range' }]);
  });

  test('odd keys are quoted in paths', () => {
    const map: StructuralSchema = { type: 'object', additionalProperties: { type: 'integer' } };
    expect(validateValue(map, { 'a.b c': 'x' }, 'spec.m')[0]!.path).toBe('spec.m["a.b c"]');
  });

  test('long tenant values are cut in messages', () => {
    const [issue] = validateValue({ type: 'integer' }, 'x'.repeat(10_000), 'spec.n');
    expect(issue!.message.length).toBeLessThan(120);
  });
});

test.each([
  ['email', 'a@b.co', 'a@b'],
  ['hostname', 'db-1.example.com', '-bad-.com'],
  ['ipv4', '10.0.0.1', '10.0.0.256'],
  ['ipv6', '2001:db8::1', '2001:::1'],
  ['cidr', '10.0.0.0/16', '10.0.0.0/33'],
  ['uri', 'https://example.com/x', 'not a uri'],
  ['uuid', '123e4567-e89b-12d3-a456-426614174000', '123'],
  ['date-time', '2026-01-01T00:00:00Z', '2026-01-01'],
  ['date', '2026-02-28', '2026-02-30x'],
  ['duration', '1h30m', '1 hour'],
  ['byte', 'aGVsbG8=', 'not base64!'],
])('format %s accepts %j and refuses %j', (format, good, bad) => {
  expect(matchesFormat(format, good)).toBe(true);
  expect(matchesFormat(format, bad)).toBe(false);
});

test('date and date-time formats are checked as RFC 3339 calendars, not by shape', () => {
  const schema = { type: 'object', properties: { day: { type: 'string', format: 'date' }, at: { type: 'string', format: 'date-time' } } } as const;
  expect(validateValue(schema as never, { day: '2024-02-29', at: '2026-01-31T23:59:59Z' }, 'spec')).toEqual([]);
  const bad = validateValue(schema as never, { day: '2026-02-30', at: '2026-13-01T00:00:00Z' }, 'spec');
  expect(bad.map((i) => i.path).sort()).toEqual(['spec.at', 'spec.day']);
});

test('the email check refuses a megabyte-long near miss, which a backtracking regex would take hours over', () => {
  expect(matchesFormat('email', `a@${'.'.repeat(1_000_000)}@`)).toBe(false);
  expect(matchesFormat('email', `a@${'b.'.repeat(500_000)}c`)).toBe(true);
});

test.each([
  ['a@b.c', true],
  ['a@b..c', true],
  ['a.b@c.d', true],
  ['a@.c', false],
  ['a@b.', false],
  ['@b.c', false],
  ['a b@c.d', false],
  ['a@b@c.d', false],
  ['a@b.c\n', false],
])('email %j: %s, as /^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/ decides', (text, expected) => {
  expect(matchesFormat('email', text)).toBe(expected);
  expect(/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)).toBe(expected);
});

test('past its limit a sink counts issues instead of keeping them, and a value past the limit that fails its type is not run through its CEL rule', () => {
  const sink = new IssueSink(2);
  const list: StructuralSchema = { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != "x"', message: 'no x' }] } };
  validateInto(sink, list, [1, 2, 3, 'x', 4], 'spec.l');
  expect(sink.issues.map((i) => i.path)).toEqual(['spec.l[0]', 'spec.l[1]']);
  expect(sink.omitted).toBe(3);
  // An item past the limit that fails its type is not also checked by its CEL rule.
  expect(sink.count).toBe(5);
});
