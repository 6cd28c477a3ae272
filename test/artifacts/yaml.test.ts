import { describe, expect, test, vi } from 'vitest';
import { parse } from 'yaml';
import { countYamlNodes, InexactNumberError, parseKubernetesYaml, parseKubernetesYamlDocuments, toYaml, YamlDocumentError } from '../../src/artifacts/yaml.js';

const TRICKY = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'N',
  'true',
  'null',
  '~',
  '0o17',
  '017',
  '0x1F',
  '1_000',
  '1e3',
  '16.4',
  '02:00',
  '2026-01-01',
  '.inf',
  '-',
  'plain',
  'data.example.com/v1alpha1',
];

test.each(['1.1', '1.2'] as const)('strings come back as the same strings for a YAML %s reader', (version) => {
  const value = Object.fromEntries(TRICKY.map((s) => [s, s]));
  expect(parse(toYaml(value), { version })).toEqual(value);
});

test('plain strings stay plain, so generated files stay readable', () => {
  expect(toYaml({ a: 'plain', b: 'data.example.com/v1alpha1', c: 'two words' })).toBe('a: plain\nb: data.example.com/v1alpha1\nc: two words\n');
});

test('requests are read as kubectl reads them: YAML 1.1 booleans, dates as strings, no duplicate keys', () => {
  expect(parseKubernetesYaml('a: yes\nb: 0o17\nc: 2026-01-01\nd: "16.4"')).toEqual({ a: true, b: '0o17', c: '2026-01-01', d: '16.4' });
  expect(() => parseKubernetesYaml('a: 1\na: 2')).toThrow(/unique/i);
});

test('Go integer forms and the merge key are quoted too', () => {
  for (const text of ['0X1F', '0B11', '0O17', '+0o17', '1e1_0', '-1', '.5']) expect(toYaml({ v: text })).toBe(`v: "${text}"\n`);
  const merged = toYaml({ o: { '<<': '<<' } });
  expect(merged).toBe('o:\n  !!str "<<": !!str "<<"\n');
  expect(parse(merged, { version: '1.1' })).toEqual({ o: { '<<': '<<' } });
});

test('a YAML stream is read document by document, empty ones skipped, each with its position and line', () => {
  const docs = parseKubernetesYamlDocuments('---\na: yes\n---\n# only a comment\n---\nb: 2026-01-01\n---\n');
  expect(docs).toEqual([
    { value: { a: true }, index: 1, line: 2 },
    { value: { b: '2026-01-01' }, index: 3, line: 6 },
  ]);
  expect(parseKubernetesYamlDocuments('')).toEqual([]);
});

test('a malformed document is named by position and line: duplicate keys, syntax, alias bombs', () => {
  expect(() => parseKubernetesYamlDocuments('a: 1\n---\nb: 1\nb: 2\n')).toThrow(/^document 2 \(line 3\): Map keys must be unique/);
  expect(() => parseKubernetesYamlDocuments('a: 1\n---\nb: [\n')).toThrow(YamlDocumentError);
  const bomb = `x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n${Array.from({ length: 120 }, (_, i) => `y${i}: *a`).join('\n')}\n`;
  expect(() => parseKubernetesYamlDocuments(bomb)).toThrow(/^document 1 \(line 1\): Excessive alias count/);
});

test('duplicate keys are found among 50,000, with the key and its line', () => {
  const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: v\n`).join('');
  expect(Object.keys(parseKubernetesYaml(keys) as object)).toHaveLength(50_000);
  expect(() => parseKubernetesYaml(`${keys}k49999: again\n`)).toThrow(/^Map keys must be unique; "k49999" is repeated at line 50001, column 1$/);
  expect(() => parseKubernetesYaml('a: {x: 1, "x": 2}')).toThrow(/"x" is repeated at line 1, column 11/);
  // As the library compares keys: by value, so 1 and "1" differ and 0x1 and 1 do not.
  expect(parseKubernetesYaml('1: a\n"1": b')).toEqual({ 1: 'b' });
  expect(() => parseKubernetesYaml('0x1: a\n1: b')).toThrow(/"1" is repeated at line 2/);
  expect(() => parseKubernetesYaml('1: a\n1.0: b')).toThrow(/"1" is repeated at line 2/);
});

test('nodes are counted from the tokens: keys, values, list items, collections and aliases', () => {
  expect(countYamlNodes('a: [x, "y"]\nb:\n- 1\n-\n- {k: v}\nc: |\n  text\nd: *x\n? e\n')).toBe(18);
  expect(countYamlNodes('# only a comment\n')).toBe(0);
  expect(countYamlNodes(`[${Array(1000).fill('a').join(',')}]`, 10)).toBe(11);
});

test('integers the text spells exactly come back exact; one a double would round is refused with its path', () => {
  expect(parseKubernetesYaml('a: 9007199254740991\nb: -9007199254740992\nc: 0x1F\nd: 1e30\ne: 1_000')).toEqual({
    a: 9007199254740991,
    b: -9007199254740992,
    c: 31,
    d: 1e30,
    e: 1000,
  });
  expect(() => parseKubernetesYaml('spec:\n  list: [1, 9007199254740993]')).toThrow(InexactNumberError);
  expect(() => parseKubernetesYaml('spec:\n  list: [1, 9007199254740993]')).toThrow(/^spec\.list\[1\]: 9007199254740993 cannot be represented exactly/);
  expect(() => parseKubernetesYaml('spec: {"a b": -12345678901234567890}')).toThrow(/^spec\["a b"\]: -12345678901234567890 cannot be/);
  // Fractions are doubles, as in JSON and in Kubernetes: rounded to the nearest, as Go rounds them.
  expect(parseKubernetesYaml('x: 0.1000000000000000055511151231257827')).toEqual({ x: 0.1 });
});

describe('tenant text never reaches stderr through the YAML library', () => {
  const printed = () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    return () => {
      const calls = [...warn.mock.calls, ...emit.mock.calls];
      warn.mockRestore();
      emit.mockRestore();
      return calls;
    };
  };
  const STRINGS = ['%TAG ! tag:x', '%foo', '%', '!foo', '! x', '!!int x', '!<tag:x> y', '? [a]'];

  test.each(['1.1', '1.2'] as const)(
    'strings that start like a directive (%) or a tag (!) are written quoted and come back the same for a YAML %s reader',
    (version) => {
      const done = printed();
      const value = Object.fromEntries(STRINGS.map((s) => [s, s]));
      const text = toYaml(value);
      expect(done()).toEqual([]);
      expect(parse(text, { version })).toEqual(value);
      for (const s of STRINGS) expect(text).toContain(`${JSON.stringify(s)}: ${JSON.stringify(s)}`);
    },
  );

  test('reading requests with tags, directives or collection keys prints nothing', () => {
    const done = printed();
    expect(parseKubernetesYaml('a: !foo bar')).toEqual({ a: 'bar' });
    expect(parseKubernetesYaml('%FOO secret\n---\na: 1')).toEqual({ a: 1 });
    expect(parseKubernetesYaml('? [x]\n: 1')).toEqual({ '[ x ]': 1 });
    expect(parseKubernetesYamlDocuments('a: !foo bar\n---\nb: 1')).toHaveLength(2);
    expect(done()).toEqual([]);
  });
});

test('manifests, the platform’s own files, are read as before: a number a double cannot hold is rounded, not refused', () => {
  expect(parseKubernetesYamlDocuments('maximum: 9223372036854775807')).toEqual([{ value: { maximum: 2 ** 63 }, index: 1, line: 1 }]);
});
