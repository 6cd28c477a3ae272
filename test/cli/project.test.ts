// Reading the project settings from package.json: what is accepted, and how a bad value is named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readConfig } from '../../src/cli/project.js';

const projectWith = (settings: Record<string, unknown>) => {
  const root = mkdtempSync(join(tmpdir(), 'kratix-cdktf-config-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'platform', 'kratix-cdktf': settings }));
  return root;
};

test('imagePullSecrets are read from package.json, and default to none', () => {
  expect(readConfig(projectWith({ imagePullSecrets: ['regcred', 'mirror.creds'] })).imagePullSecrets).toEqual(['regcred', 'mirror.creds']);
  expect(readConfig(projectWith({})).imagePullSecrets).toEqual([]);
});

test.each([
  ['regcred', /✖ "kratix-cdktf"\.imagePullSecrets: "regcred" is not a list of Secret names\n {4}fix: .*\["regcred"\]/],
  [
    ['regcred', 'Reg_Cred', 7],
    /2 problems\n {2}✖ "kratix-cdktf"\.imagePullSecrets\[1\]: "Reg_Cred" must be lower-case[^\n]*\n {4}fix: [^\n]*\n {2}✖ "kratix-cdktf"\.imagePullSecrets\[2\]: 7 is not a Secret name/,
  ],
])('imagePullSecrets %j is refused, naming package.json, the entry and a fix', (imagePullSecrets, expected) => {
  expect(() => readConfig(projectWith({ imagePullSecrets }))).toThrow(expected);
  expect(() => readConfig(projectWith({ imagePullSecrets }))).toThrow(/^package\.json: /);
});
