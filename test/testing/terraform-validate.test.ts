// validateStacks against the real AWS provider plugin of this machine's filesystem mirror
// (DESIGN.md: /opt/tf-plugins); skipped, visibly, where the plugin is missing.
import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { validateStacks } from '../../src/testing/terraform-validate.js';

const MIRROR = process.env.KRATIX_CDKTF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
const hasAws = existsSync(`${MIRROR}/registry.terraform.io/hashicorp/aws`);
const aws = { terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } }, provider: { aws: [{ region: 'eu-west-1' }] } };

test.skipIf(!hasAws)(
  'one validate run sorts each error back to its own stack, and a stack needing a missing provider is skipped with the reason',
  () => {
    const verdicts = validateStacks(
      new Map([
        [
          'good',
          {
            ...aws,
            variable: { secret_x: { type: 'string', sensitive: true } },
            resource: { aws_s3_bucket: { b: { bucket_prefix: 'x', tags: { secret: '${var.secret_x}' } } } },
          },
        ],
        ['bad', { ...aws, resource: { aws_s3_bucket: { b: { bucket_prefix: 'x', no_such_attribute: true } } } }],
        ['elsewhere', { terraform: { required_providers: { nope: { source: 'example/nope', version: '1.0.0' } } } }],
      ]),
      MIRROR,
    );
    expect(verdicts.get('good')).toEqual({ errors: [] });
    expect(verdicts.get('bad')!.errors).toEqual([
      expect.stringMatching(/Extraneous JSON object property: No argument or block type is named "no_such_attribute"/),
    ]);
    expect(verdicts.get('elsewhere')!.skip).toMatch(/no registry\.terraform\.io\/example\/nope provider plugin in the mirror/);
  },
  120_000,
);
