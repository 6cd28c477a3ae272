// Requests as large as Kubernetes stores (1.5 MiB) must be answered, accepted or refused, with
// status written. These tests check what is answered; what it costs is measured by
// bench/worst-case.ts (npm run bench), not here.
import { expect, test } from 'vitest';
import { MAX_REQUEST_NODES } from '../../src/workflow/input.js';
import echo from '../fixtures/echo/index.js';
import sink from '../fixtures/kitchen-sink/index.js';
import { runRequest } from '../helpers/workflow.js';

const ECHO = 'apiVersion: fixtures.example.com/v1alpha1\nkind: Echo\nmetadata: {name: big, namespace: team-a}\n';
const SINK = 'apiVersion: fixtures.example.com/v1beta1\nkind: KitchenSink\nmetadata: {name: big, namespace: team-a}\n';
const flowList = (items: number, item: string) => `[${Array(items).fill(item).join(',')}]`;

test('a 1.4 MB list of 700,000 items is refused before it is parsed, with status written', async () => {
  const run = await runRequest(echo, `${ECHO}spec:\n  items: [{name: a, values: ${flowList(700_000, 'a')}}]\n`);
  expect(run.ending).toBe('suspended');
  const reason = new RegExp(`\\(root\\): object\\.yaml holds more than ${MAX_REQUEST_NODES} YAML nodes`);
  expect(run.stderr).toMatch(reason);
  expect(run.status.message).toMatch(reason);
  expect(run.status.message).toMatch(/fix: .*maxItems/);
  expect(run.status.conditions).toEqual([
    expect.objectContaining({ type: 'RequestValid', status: 'False', reason: 'InvalidRequest' }),
    expect.objectContaining({ type: 'Ready', status: 'False', reason: 'InvalidRequest' }),
  ]);
  expect(run.output).toEqual({});
});

test('a map of 100,000 keys is refused the same way', async () => {
  const keys = Array.from({ length: 100_000 }, (_, i) => `    k${i}: v\n`).join('');
  const run = await runRequest(echo, `${ECHO}spec:\n  labels:\n${keys}`);
  expect(run.ending).toBe('suspended');
  expect(run.status.message).toMatch(/\(root\): object\.yaml holds more than \d+ YAML nodes/);
});

test('90,000 wrong-typed items: the first 100 are listed on stderr and 20 in status, the rest are counted', async () => {
  const run = await runRequest(echo, `${ECHO}spec:\n  items: [{name: a, values: ${flowList(90_000, '1')}}]\n`);
  expect(run.ending).toBe('suspended');
  expect(run.stderr).toMatch(/^Echo team-a\/big: invalid request: 90000 problems\n/);
  expect(run.stderr.match(/✖ spec\.items\[0\]\.values\[\d+\]: expected a string, got a number 1/g)).toHaveLength(100);
  expect(run.stderr).toMatch(/\.\.\. and 89900 more, not listed \(only the first 100 found are kept\)$/);
  expect(run.status.message.match(/expected a string/g)).toHaveLength(20);
  expect(run.status.message).toMatch(/\.\.\. and 89980 more$/);
  expect(run.statusText!.length).toBeLessThan(20_000);
});

test('a huge valid request is accepted: 19,000 list items, each checked by a CEL rule', async () => {
  const run = await runRequest(
    sink,
    `${SINK}spec:\n  email: a@example.com\n  port: 80\n  password: {name: a, key: b}\n  rules: ${flowList(19_000, '{name: a, max: 1}')}\n`,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.status.conditions).toContainEqual(expect.objectContaining({ type: 'RequestValid', status: 'True' }));
});

test('one bad item among 19,000 is found by its CEL rule and named by its index', async () => {
  const items = Array(19_000).fill('{name: a, max: 1}');
  items[18_765] = '{name: a, min: 2, max: 1}';
  const run = await runRequest(sink, `${SINK}spec:\n  email: a@example.com\n  port: 80\n  password: {name: a, key: b}\n  rules: [${items.join(',')}]\n`);
  expect(run.ending).toBe('suspended');
  expect(run.status.message).toMatch(/spec\.rules\[18765\]: min must not exceed max/);
});

test('problems found after validation (reserved characters in 5,000 strings) are capped the same way', async () => {
  const labels = Array.from({ length: 5_000 }, (_, i) => `    k${i}: "\\uE000"\n`).join('');
  const run = await runRequest(echo, `${ECHO}spec:\n  labels:\n${labels}`);
  expect(run.ending).toBe('suspended');
  expect(run.stderr).toMatch(/^Echo team-a\/big: invalid request: 5000 problems\n/);
  expect(run.stderr.match(/✖ spec\.labels\.k\d+: contains one of U\+E000/g)).toHaveLength(100);
  expect(run.status.message).toMatch(/\.\.\. and 4980 more$/);
});
