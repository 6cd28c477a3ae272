import { describe, expect, test } from 'vitest';
import { shield, toTerraformLiterals, unshield } from '../../src/terraform/literal.js';
import { renderRequest, validateRequest } from '../../src/testing/index.js';
import { DataResource, Fn, TerraformIterator, Token } from 'cdktf';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyInWorkflow, definePromise, pgBackend, Type, tofuController } from '../../src/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';
import echo from '../fixtures/echo/index.js';

// Request data inside expressions cdktf builds itself, where it writes strings into HCL.
const expressions = definePromise({
  name: 'expressions',
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  api: { group: 'fixtures.example.com', version: 'v1', kind: 'Expressions' },
  spec: Type.Object({
    list: Type.Array(Type.String(), { default: [] }),
    tags: Type.Record(Type.String(), Type.String(), { default: {} }),
    s: Type.String({ default: '' }),
  }),
  outputs: { joined: {}, encoded: {}, merged: {}, upper: {}, policy: {}, prefixed: {}, each: {}, minus: {}, port: {} },
  stack(scope, { spec }) {
    // terraform_data takes any value as input; cdktf types it as a map.
    const base = new DataResource(scope, 'base', { input: 'B' as unknown as Record<string, string> });
    // A number attribute, as an RDS instance's port is: cdktf registers a number token for it.
    const port = new DataResource(scope, 'port', { input: '5432' as unknown as Record<string, string> });
    lastPortToken = Token.asNumber(port.output);
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
      minus: `-${spec.s}`,
      port: lastPortToken,
    };
  },
});
let lastPortToken = 0;

// The number cdktf uses for token `index` (tokens/private/encoding.ts): a negative double whose top
// 16 bits are a marker and whose low 48 bits are the index.
function tokenDouble(index: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(4, 0xfdff0000 + Math.floor(index / 2 ** 32), true);
  view.setUint32(0, index % 2 ** 32, true);
  return view.getFloat64(0, true);
}
// Every spelling parseFloat reads as the same number.
function spellings(x: number): string[] {
  const shortest = String(x);
  return [
    shortest,
    shortest.replace('e+', 'e'),
    shortest.replace('e+', 'e+0000000'),
    shortest.replace('-', '-0'),
    x.toPrecision(21),
    `${BigInt(x)}e0`,
    shortest.slice(1),
  ];
}

// A number field reaching a resource, for the token-number case.
const kitchenSinkish = definePromise({
  name: 'numbers',
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  api: { group: 'fixtures.example.com', version: 'v1', kind: 'Numbers' },
  spec: Type.Object({ ratio: Type.Number({ default: 1 }) }),
  stack(scope, { spec }) {
    new DataResource(scope, 'n', { input: { ratio: spec.ratio } });
  },
});
import { applyAndReadOutputs } from '../helpers/terraform.js';
import { SOURCE_REF } from '../helpers/widget.js';

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

// Applies the `expressions` stack for this request data with real Terraform and checks that every
// path cdktf builds (Fn.join, jsonencode, merge, upper, JSON.stringify, an iterator, author text
// around it) gives back exactly what the tenant sent. Returns the outputs for further checks.
function expectRoundTrip(spec: { list: string[]; tags: Record<string, string>; s: string }): Record<string, unknown> {
  const { list, tags, s } = spec;
  const outputs = applyAndReadOutputs(renderRequest(expressions, { spec }));
  expect(outputs.joined).toBe(list.join(','));
  expect(JSON.parse(outputs.encoded as string)).toEqual({ tags });
  expect(JSON.parse(outputs.merged as string)).toEqual({ ...tags, z: 'v' });
  expect(outputs.upper).toBe(s.toUpperCase());
  expect(JSON.parse(outputs.policy as string)).toEqual({ Statement: [{ Resource: list, Tags: tags }] });
  expect(outputs.prefixed).toBe(`${s}B`); // the author's own expression still evaluates after a tenant's "$"
  expect(JSON.parse(outputs.each as string).sort()).toEqual([...list].sort());
  expect(outputs.minus).toBe(`-${s}`);
  return outputs;
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

  test('text that spells a cdktf token is shielded in strings, keys and list items; token numbers are refused', () => {
    const spec = {
      message: '${TfToken[TOKEN.0]} -8.10956221259138e+298',
      items: [{ name: 'a', values: ['#{TfToken[TOKEN.1]}'] }],
      labels: { '&{TfToken[TOKEN.2]}': '-1.8881545897087626e+289' },
    };
    expect(JSON.stringify(shield(spec))).not.toMatch(/TfToken\[|e\+2[89]/);
    expect(unshield(shield(spec))).toEqual(spec);
    expect(() => renderRequest(kitchenSinkish, { spec: { ratio: -8.109562212591379e298 } })).toThrow(/spec\.ratio: .* is a number cdktf reserves/);
  });

  test('a request being deleted is not blocked by a token number: it becomes 0 for the destroy', async () => {
    const applied = { ...kitchenSinkish, delivery: applyInWorkflow({ backend: pgBackend() }) };
    const yaml = requestYaml(applied, { ratio: -8.109562212591379e298 }, { name: 'r', namespace: 'ns' });
    const configure = await runRequest(applied, yaml);
    expect(configure.ending).toBe('suspended');
    expect(configure.status.message).toMatch(/spec\.ratio: .* is a number cdktf reserves for its tokens/);
    const out = mkdtempSync(join(tmpdir(), 'destroy-'));
    const deleted = await runRequest(applied, yaml, { KRATIX_WORKFLOW_ACTION: 'delete' }, { renderTerraformTo: out });
    expect(deleted.code, deleted.stderr).toBe(0);
    const tf = JSON.parse(readFileSync(join(out, 'main.tf.json'), 'utf8'));
    expect(tf.resource.terraform_data.n.input).toEqual({ ratio: 0 });
  });

  test('ordinary text with an "e" between digits is left alone: the author sees what the tenant wrote', () => {
    for (const text of ['1e5', 'e2e', 'release-e2e', '3.0e-7', '1e249', 'v1.2e3', 'ee+']) expect(shield(text)).toBe(text);
  });

  test('a tenant "__proto__" key stays a key', () => {
    const shielded = shield(JSON.parse('{"__proto__": {"x": "$"}}'));
    expect(Object.keys(shielded)).toEqual(['__proto__']);
    expect(unshield(shielded)).toEqual(JSON.parse('{"__proto__": {"x": "$"}}'));
  });

  test('request strings holding the marker characters are refused, naming the field', () => {
    const result = validateRequest(echo, { spec: { message: 'a\uE000b' } });
    expect(result.ok).toBe(true); // schema-valid: the refusal happens where the stack is built
    expect(() => renderRequest(echo, { spec: { message: 'a\uE000b' } })).toThrow(/spec\.message: contains one of U\+E000 to U\+E007/);
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
    expectRoundTrip({ list, tags, s: 'ab"c\\d$' });
  }, 120_000);

  test('text spelling a cdktf number token, registered or not, stays text: values, keys, list items, after an author "-"', () => {
    renderRequest(expressions, { spec: {} }); // registers the stack's number token; its text is now known
    const registered = spellings(lastPortToken);
    const unregistered = spellings(tokenDouble(2 ** 40));
    const list = [...registered, ...unregistered, `port ${String(lastPortToken)}`];
    const tags = Object.fromEntries(list.map((text, i) => [text, `${i} ${text}`]));
    const s = registered.at(-1)!; // positive: only the author's "-" in front makes it a token's text
    const tf = renderRequest(expressions, { spec: { list, tags, s } });
    const { port, ...others } = (tf as { output: Record<string, unknown> }).output;
    expect(JSON.stringify(port)).toContain('terraform_data.port.output');
    expect(JSON.stringify({ ...tf, output: others })).not.toContain('terraform_data.port');
    const outputs = expectRoundTrip({ list, tags, s });
    expect(outputs.port).toBe('5432'); // the author's own number token still resolves
  }, 120_000);

  test('CR, LF and other control characters come back byte for byte through Fn.join, jsonencode and map keys', () => {
    const list = ['line\rbreak', 'a\r\nb', 'two\nlines', 'tab\there', 'bell\u0007', 'sep\u2028x', '\r'];
    const tags = Object.fromEntries(list.map((text, i) => [`k${i}${text}`, text]));
    expectRoundTrip({ list, tags, s: 'pasted\r\nWindows text' });
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
