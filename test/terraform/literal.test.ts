import { describe, expect, test } from 'vitest';
import { shield, toTerraformLiterals, unshield } from '../../src/terraform/literal.js';
import { renderRequest, validateRequest } from '../../src/testing/index.js';
import { DataResource, Fn, TerraformIterator } from 'cdktf';
import { definePromise, Type } from '../../src/index.js';
import echo from '../fixtures/echo/index.js';

// Request data inside expressions cdktf builds itself, where it writes strings into HCL.
const expressions = definePromise({
  name: 'expressions',
  api: { group: 'fixtures.example.com', version: 'v1', kind: 'Expressions' },
  spec: Type.Object({
    list: Type.Array(Type.String(), { default: [] }),
    tags: Type.Record(Type.String(), Type.String(), { default: {} }),
    s: Type.String({ default: '' }),
  }),
  outputs: { joined: {}, encoded: {}, merged: {}, upper: {}, policy: {}, prefixed: {}, each: {} },
  stack(scope, { spec }) {
    // terraform_data takes any value as input; cdktf types it as a map.
    const base = new DataResource(scope, 'base', { input: 'B' as unknown as Record<string, string> });
    const it = TerraformIterator.fromList(spec.list);
    new DataResource(scope, 'each', { forEach: it, input: { v: it.value } });
    return {
      joined: Fn.join(',', spec.list),
      encoded: Fn.jsonencode({ tags: spec.tags }),
      merged: Fn.jsonencode(Fn.merge([spec.tags, { z: 'v' }])),
      upper: Fn.upper(spec.s),
      policy: JSON.stringify({ Statement: [{ Resource: spec.list, Tags: spec.tags }] }),
      prefixed: `${spec.s}${base.output}`,
      each: '${jsonencode(keys(terraform_data.each))}',
    };
  },
});

// A number field reaching a resource, for the token-number case.
const kitchenSinkish = definePromise({
  name: 'numbers',
  api: { group: 'fixtures.example.com', version: 'v1', kind: 'Numbers' },
  spec: Type.Object({ ratio: Type.Number({ default: 1 }) }),
  stack(scope, { spec }) {
    new DataResource(scope, 'n', { input: { ratio: spec.ratio } });
  },
});
import { applyAndReadOutputs } from '../helpers/terraform.js';

// Strings a tenant could send to make Terraform evaluate something, or to confuse an escaper.
const HOSTILE = [
  '${path.root}',
  '${file("/etc/hostname")}',
  '%{ if true }yes%{ endif }',
  '$${already escaped}',
  '$$${triple}',
  '%%{not a directive}',
  '\\${backslash}',
  'x$',
  '$',
  '%',
  '${',
  '%{',
  '}${}',
  '${${nested}}',
  'a${b}c%{d}e',
  'unicode ✓ ${ü} — \u0000 \n newline "quote" \'single\'',
  '${jsonencode({a = 1})}',
];

// How Terraform reads a template literal: left to right, "$${" and "%%{" are escapes.
function terraformDecode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += `${text[i]}{`;
      i += 3;
    } else out += text[i++];
  }
  return out;
}

describe('shield and restore', () => {
  test('no template opener survives shielding, in values or keys, at any depth', () => {
    const shielded = JSON.stringify(shield({ a: HOSTILE, '${k}': { '%{k}': ['${x}'] } }));
    expect(shielded).not.toMatch(/\$\{|%\{/);
  });

  test.each(HOSTILE)('%j becomes a Terraform literal and comes back unchanged for status', (value) => {
    const literal = toTerraformLiterals(shield(value));
    expect(terraformDecode(literal)).toBe(value);
    expect(unshield(shield(value))).toBe(value);
  });

  test('slicing a shielded string cannot produce an opener', () => {
    const literal = toTerraformLiterals(shield('$${x}').slice(1));
    expect(literal).toBe('$${x}');
  });

  test('joining request strings cannot produce an opener either', () => {
    const joined = [shield('x$'), shield('{path.root}'), shield('%'), shield('{ if true }')].join('');
    expect(joined).not.toMatch(/\$\{|%\{/);
    expect(terraformDecode(toTerraformLiterals(joined))).toBe('x${path.root}%{ if true }');
  });

  test('request data that looks like a cdktf token is refused: strings, map keys, numbers', () => {
    const cases: [unknown, RegExp][] = [
      [{ message: '${TfToken[TOKEN.0]}' }, /spec\.message: contains "TfToken\["/],
      [{ items: [{ name: 'a', values: ['#{TfToken[TOKEN.1]}'] }] }, /spec\.items\[0\]\.values\[0\]: contains "TfToken\["/],
      [{ labels: { '&{TfToken[TOKEN.2]}': 'x' } }, /spec\.labels: has a key containing "TfToken\["/],
    ];
    for (const [spec, message] of cases) expect(() => renderRequest(echo, { spec })).toThrow(message);
    expect(() => renderRequest(kitchenSinkish, { spec: { ratio: -8.109562212591379e298 } })).toThrow(/spec\.ratio: .* is a number cdktf reserves/);
  });

  test('request strings holding the marker characters are refused, naming the field', () => {
    const result = validateRequest(echo, { spec: { message: 'a\uE000b' } });
    expect(result.ok).toBe(true); // schema-valid: the refusal happens where the stack is built
    expect(() => renderRequest(echo, { spec: { message: 'a\uE000b' } })).toThrow(/spec\.message: contains U\+E000/);
  });
});

describe('with real Terraform', () => {
  test('without escaping, Terraform evaluates request data (what this guards against)', () => {
    const outputs = applyAndReadOutputs({ output: { raw: { value: '${path.root}' } } });
    expect(outputs.raw).toBe('.');
  });

  test('request data inside cdktf expressions (Fn, iterators, merged maps, JSON.stringify) stays data', () => {
    const list = ['"" == "" ? file("/etc/hostname") : ""', 'a\\b', 'C:\\new\\u0041', '${path.root}', 'x$', 'q"uote', '%{ if true }y%{ endif }'];
    const tags = { 'k" = file("/etc/hostname"), "z': 'v"\\', '${path.root}': '%' };
    const s = 'ab"c\\d$';
    const tf = renderRequest(expressions, { spec: { list, tags, s } });
    const outputs = applyAndReadOutputs(tf);
    expect(outputs.joined).toBe(list.join(','));
    expect(JSON.parse(outputs.encoded as string)).toEqual({ tags });
    expect(JSON.parse(outputs.merged as string)).toEqual({ ...tags, z: 'v' });
    expect(outputs.upper).toBe(s.toUpperCase());
    expect(JSON.parse(outputs.policy as string)).toEqual({ Statement: [{ Resource: list, Tags: tags }] });
    expect(outputs.prefixed).toBe(`${s}B`); // the author's own expression still evaluates after a tenant's "$"
    expect(JSON.parse(outputs.each as string).sort()).toEqual([...list].sort());
  }, 120_000);

  test('hostile values, keys and author transformations come back byte for byte', () => {
    const message = HOSTILE.join('|');
    const labels = Object.fromEntries(HOSTILE.map((v, i) => [v, `v${i}${v}`]));
    const items = [
      { name: '${path.module}', values: HOSTILE },
      { name: 'x$', values: [] },
      { name: '{path.root}', values: [] },
    ];
    const tf = renderRequest(echo, { metadata: { name: 'x', namespace: 'y' }, spec: { message, labels, items } });
    const outputs = applyAndReadOutputs(tf);
    expect(outputs.message).toBe(message);
    expect(outputs.greeting).toBe(`Hello, ${message}!`);
    expect(outputs.shout).toBe(message.toUpperCase());
    expect(outputs.tail).toBe(message.slice(1));
    expect(JSON.parse(outputs.labels as string)).toEqual(labels);
    expect(outputs.joined).toBe('${path.module}x${path.root}');
  }, 120_000);
});
