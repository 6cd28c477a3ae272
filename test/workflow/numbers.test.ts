// Numbers in requests: JavaScript numbers are IEEE-754 doubles, as JSON numbers are in
// Kubernetes' `number` fields. A number the YAML text spells is used exactly as written, or the
// request is refused: nothing is rounded on the way.
import { DataResource } from 'cdktf';
import { expect, test } from 'vitest';
import { definePromise, Type, tofuController } from '../../src/index.js';
import { runRequest } from '../helpers/workflow.js';
import { SOURCE_REF } from '../helpers/widget.js';

const numbers = definePromise({
  name: 'numbers',
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Numbers' },
  spec: Type.Object({ size: Type.Number(), count: Type.Optional(Type.Integer()) }),
  outputs: { size: { description: 'The size, as given.' } },
  stack(scope, { spec }) {
    new DataResource(scope, 'n', { input: { size: spec.size } });
    return { size: spec.size };
  },
});
const request = (spec: string) => `apiVersion: fixtures.example.com/v1alpha1\nkind: Numbers\nmetadata: {name: numbers}\nspec: {${spec}}\n`;

test('a number field takes 2^53 and other integers a double holds exactly, unchanged', async () => {
  for (const text of ['9007199254740992', '-9007199254740992', '18014398509481984', '1e300', '0.5']) {
    const run = await runRequest(numbers, request(`size: ${text}`));
    expect(run.code).toBe(0);
    expect(run.status.outputs.size).toBe(Number(text));
    const stack = Object.values(run.output).join('');
    expect(stack).toContain(`"size": ${JSON.stringify(Number(text))}\n`);
    expect(stack).toContain(`"value": ${JSON.stringify(Number(text))}\n`);
  }
});

test('a number field refuses an integer a double would round, naming the field', async () => {
  const run = await runRequest(numbers, request('size: 9007199254740993'));
  expect(run.ending).toBe('suspended');
  expect(run.status.message).toMatch(
    /spec\.size: 9007199254740993 cannot be represented exactly: numbers are IEEE-754 doubles, exact for integers within ±9007199254740991/,
  );
  expect(run.output).toEqual({});
});

test('an integer field refuses anything beyond ±(2^53-1), even an integer a double holds', async () => {
  const run = await runRequest(numbers, request('size: 1, count: -9007199254740992'));
  expect(run.ending).toBe('suspended');
  expect(run.status.message).toMatch(/spec\.count: -9007199254740992 is beyond ±9007199254740991 \(2\^53-1\): larger integers cannot be represented exactly/);
});
