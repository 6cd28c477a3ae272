// A corpus of requests the workflow must refuse: each exits 1, writes nothing to the output,
// and names the field and the reason both on stderr and in status.
import { describe, expect, test } from 'vitest';
import postgres from '../fixtures/postgres/index.js';
import sink from '../fixtures/kitchen-sink/index.js';
import echo from '../fixtures/echo/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const PG = 'apiVersion: data.example.com/v1alpha1\nkind: Postgres\n';
const pg = (spec: unknown, metadata?: Record<string, unknown>) => requestYaml(postgres, spec, metadata);

const CORPUS: [string, any, string | Uint8Array, RegExp][] = [
  ['malformed YAML', postgres, `${PG}metadata: {name: x\nspec: [}`, /\(root\): object\.yaml is not valid YAML/],
  ['duplicate keys', postgres, `${PG}metadata: {name: x}\nspec: {size: small, size: large}`, /not valid YAML: .*[Uu]nique/],
  ['an empty file', postgres, '', /\(root\): expected a Kubernetes object, got null/],
  ['a list', postgres, '- a\n- b\n', /\(root\): expected a Kubernetes object, got a list/],
  ['a scalar', postgres, 'just text', /\(root\): expected a Kubernetes object, got a string/],
  [
    'alias expansion (billion laughs)',
    postgres,
    `${PG}metadata: {name: x}\nspec:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    /\(root\): object\.yaml is not valid YAML: .*[Aa]lias/,
  ],
  [
    'the wrong apiVersion',
    postgres,
    'apiVersion: data.example.com/v1\nkind: Postgres\nmetadata: {name: x}\n',
    /apiVersion: expected "data\.example\.com\/v1alpha1", got "data\.example\.com\/v1"/,
  ],
  ['the wrong kind', postgres, 'apiVersion: data.example.com/v1alpha1\nkind: Bucket\nmetadata: {name: x}\n', /kind: expected "Postgres", got "Bucket"/],
  ['no metadata', postgres, `${PG}spec: {}`, /metadata: is required/],
  ['no name', postgres, `${PG}metadata: {namespace: a}\n`, /metadata\.name: is required/],
  ['an upper-case name', postgres, pg({}, { name: 'Orders' }), /metadata\.name: "Orders" must be lower-case/],
  ['a 64-character name', postgres, pg({}, { name: 'a'.repeat(64) }), /metadata\.name: .* at most 63 characters, is 64/],
  ['a name with a slash', postgres, pg({}, { name: '../../etc' }), /metadata\.name: "\.\.\/\.\.\/etc" must be/],
  ['a bad namespace', postgres, pg({}, { name: 'x', namespace: 'a.b' }), /metadata\.namespace: "a\.b" must be/],
  ['an unknown top-level field', postgres, `${PG}metadata: {name: x}\nspecs: {}\n`, /specs: is not a field of a Resource request/],
  ['spec as a string', postgres, `${PG}metadata: {name: x}\nspec: large\n`, /spec: expected an object, got a string "large"/],
  ['a string for an integer', postgres, pg({ storageGiB: '100' }), /spec\.storageGiB: expected an integer, got a string "100"/],
  ['a fraction for an integer', postgres, pg({ storageGiB: 20.5 }), /spec\.storageGiB: expected an integer, got a number 20\.5/],
  ['a number for a boolean', postgres, pg({ highAvailability: 1 }), /spec\.highAvailability: expected a boolean/],
  ['null for a required field', sink, requestYaml(sink, { email: null, port: 80, password: { name: 'a', key: 'b' } }), /spec\.email: is required/],
  ['null in a list', echo, requestYaml(echo, { items: [null] }), /spec\.items\[0\]: must not be null/],
  ['an unknown field', postgres, pg({ pasword: 'x' }), /spec\.pasword: is not a field of this API/],
  ['an unknown nested field', postgres, pg({ backup: { retention: 3 } }), /spec\.backup\.retention: is not a field of this API/],
  ['a value outside an enum', postgres, pg({ size: 'huge' }), /spec\.size: "huge" is not one of "small", "medium", "large"/],
  ['a value below the minimum', postgres, pg({ storageGiB: 5 }), /spec\.storageGiB: 5 is below the minimum 20/],
  [
    'a huge number',
    postgres,
    pg({ storageGiB: 1e30 }),
    /spec\.storageGiB: 1e\+30 is beyond ±9007199254740991 \(2\^53-1\): larger integers cannot be represented exactly/,
  ],
  [
    'an integer beyond 2^53 that a double would round',
    postgres,
    `${PG}metadata: {name: x}\nspec: {storageGiB: 9007199254740993}\n`,
    /spec\.storageGiB: 9007199254740993 cannot be represented exactly: numbers are IEEE-754 doubles/,
  ],
  [
    'an integer just beyond 2^53-1',
    postgres,
    `${PG}metadata: {name: x}\nspec: {storageGiB: 9007199254740992}\n`,
    /spec\.storageGiB: 9007199254740992 is beyond ±9007199254740991/,
  ],
  [
    'a number beyond floating point',
    postgres,
    `${PG}metadata: {name: x}\nspec: {storageGiB: 1e400}\n`,
    /spec\.storageGiB: expected an integer, got a number Infinity/,
  ],
  [
    'several YAML documents',
    postgres,
    `${PG}metadata: {name: x}\n---\n${PG}metadata: {name: y}\n`,
    /\(root\): object\.yaml is not valid YAML: .*multiple documents/,
  ],
  [
    'bytes that are not UTF-8',
    echo,
    Buffer.concat([Buffer.from(requestYaml(echo, { message: 'caf' }).slice(0, -3)), Buffer.from([0xe9]), Buffer.from('"}}')]),
    new RegExp(
      `\\(root\\): object\\.yaml is not valid UTF-8: the bytes at offset ${requestYaml(echo, { message: 'caf' }).length - 3} \\(e9 22 7d 7d\\) are not a character; Kubernetes and Kratix only ever write UTF-8`,
    ),
  ],
  ['a value above the maximum', postgres, pg({ backup: { retentionDays: 36 } }), /spec\.backup\.retentionDays: 36 is above the maximum 35/],
  ['a pattern mismatch', postgres, pg({ engineVersion: '16' }), /spec\.engineVersion: "16" does not match the pattern/],
  ['a broken CEL rule', postgres, pg({ size: 'large' }), /spec: large instances must run with highAvailability: true/],
  ['a map value of the wrong type', postgres, pg({ tags: { team: 5 } }), /spec\.tags\.team: expected a string, got a number 5/],
  [
    'too many map entries',
    postgres,
    pg({ tags: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v'])) }),
    /spec\.tags: must have at most 40 entries, has 41/,
  ],
  ['a missing required field', sink, requestYaml(sink, { port: 80, password: { name: 'a', key: 'b' } }), /spec\.email: is required/],
  [
    'a missing spec with required fields',
    sink,
    'apiVersion: fixtures.example.com/v1beta1\nkind: KitchenSink\nmetadata: {name: x}\n',
    /spec\.email: is required/,
  ],
  ['a huge string', echo, requestYaml(echo, { message: 'x'.repeat(100_000) }), /spec\.message: must be at most 4096 characters, is 100000/],
  ['a reserved private-use character', echo, requestYaml(echo, { message: 'a\uE001{b}' }), /spec\.message: contains one of U\+E000 to U\+E007/],
];

describe.each(CORPUS)('%s', (_name, def, yaml, expected) => {
  test('is refused with the field and the reason, on stderr and in status, with nothing written', async () => {
    const run = await runRequest(def, yaml);
    // Exit 0 with workflow-control.yaml: Kratix keeps the status and waits for a new spec.
    expect(run.ending).toBe('suspended');
    expect(run.control?.message).toMatch(expected);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.status.message).toMatch(expected);
    // Ready too, so that `kubectl wait --for=condition=Ready` sees the refusal.
    expect(run.status.conditions).toEqual([
      expect.objectContaining({ type: 'RequestValid', status: 'False', reason: 'InvalidRequest' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'InvalidRequest' }),
    ]);
    expect(run.output).toEqual({});
    expect(Object.keys(run.metadata).sort()).toEqual(['status.yaml', 'workflow-control.yaml']);
  });
});

test('the fix the CLI prints reaches the requester in status too', async () => {
  const run = await runRequest(postgres, pg({ pasword: 'x' }));
  expect(run.stderr).toMatch(/✖ spec\.pasword: is not a field of this API\n\s+fix: (.+)/);
  const fix = /fix: (.+)/.exec(run.stderr)![1]!;
  expect(run.status.message).toContain(`spec.pasword: is not a field of this API (fix: ${fix})`);
});

test('an input over the 1.5 MiB Kubernetes limit is refused before parsing', async () => {
  const run = await runRequest(echo, `${requestYaml(echo, { message: 'x' })}\n# ${'x'.repeat(1.6 * 1024 * 1024)}`);
  expect(run.ending).toBe('suspended');
  expect(run.status.message).toMatch(/object\.yaml is \d+ bytes; Kubernetes objects are at most/);
});

test('many bad fields are all reported on stderr, and status stays bounded', async () => {
  const spec = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`unknown${String(i).padStart(2, '0')}-${'k'.repeat(500)}`, 'v']));
  const run = await runRequest(postgres, pg(spec));
  expect(run.ending).toBe('suspended');
  expect(run.stderr.match(/is not a field of this API/g)).toHaveLength(50);
  expect(run.status.message).toContain('... and 30 more');
  expect(run.statusText!.length).toBeLessThan(20_000);
});

test('every problem of one request is reported together', async () => {
  const run = await runRequest(postgres, pg({ size: 'huge', storageGiB: 'x', nope: 1 }, { name: 'Bad' }));
  for (const path of ['metadata.name', 'spec.size', 'spec.storageGiB', 'spec.nope']) expect(run.status.message).toContain(`${path}:`);
  expect(run.stderr).toMatch(/Postgres Bad: invalid request: 4 problems/);
});
