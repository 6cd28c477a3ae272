// validateStacks with real Terraform. The stacks use the built-in terraform provider, so the
// sorting of diagnostics runs everywhere and cheaply; validation against a real provider plugin
// (the AWS one in this machine's mirror) is what the generic suite does for every Promise.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { pinToMirror, validateStacks } from '../../src/testing/terraform-validate.js';

test('one validate run sorts each error back to its own stack, and a stack needing a missing provider is skipped with the reason', () => {
  const mirror = mkdtempSync(join(tmpdir(), 'empty-mirror-'));
  const verdicts = validateStacks(
    new Map([
      [
        'good',
        {
          variable: { secret_x: { type: 'string', sensitive: true } },
          resource: { terraform_data: { d: { input: { secret: '${var.secret_x}' } } } },
        },
      ],
      ['bad', { resource: { terraform_data: { d: { input: 'x', no_such_attribute: true } } } }],
      ['also-bad', { resource: { terraform_data: { d: { triggers_replace: '${var.undeclared}' } } } }],
      ['elsewhere', { terraform: { required_providers: { nope: { source: 'example/nope', version: '1.0.0' } } } }],
    ]),
    mirror,
  );
  // terraform_data is in the builtin provider's schema, without tags.
  expect(verdicts.get('good')).toEqual({ errors: [], takesTags: new Map([['terraform_data', false]]) });
  expect(verdicts.get('bad')!.errors).toEqual([
    expect.stringMatching(/Extraneous JSON object property: No argument or block type is named "no_such_attribute"/),
  ]);
  expect(verdicts.get('also-bad')!.errors).toEqual([expect.stringMatching(/Reference to undeclared input variable/)]);
  expect(verdicts.get('elsewhere')!.skip).toMatch(/no registry\.terraform\.io\/example\/nope provider plugin in the mirror/);
});

test('a provider is pinned to the newest version in the mirror, whatever the stack asked for', () => {
  // Only the mirror's directory layout matters here: <host>/<namespace>/<type>/<version>/.
  const mirror = mkdtempSync(join(tmpdir(), 'mirror-'));
  for (const v of ['5.9.0', '5.100.0']) mkdirSync(join(mirror, 'registry.terraform.io/hashicorp/aws', v), { recursive: true });
  mkdirSync(join(mirror, 'example.com/acme/widget/1.2.3'), { recursive: true });
  const stack = {
    terraform: {
      backend: { local: {} },
      required_providers: { aws: { source: 'aws', version: '6.25.0' }, widget: { source: 'example.com/acme/widget', version: '~> 1.0' } },
    },
  };
  expect(pinToMirror(stack, mirror)).toEqual({
    terraform: {
      backend: { local: {} },
      required_providers: {
        aws: { source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' },
        widget: { source: 'example.com/acme/widget', version: '1.2.3' },
      },
    },
  });
});
