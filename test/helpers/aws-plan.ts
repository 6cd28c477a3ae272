// A real AWS plan with no AWS: Terraform with the AWS provider plugin from this machine's
// filesystem mirror (DESIGN.md, "Real AWS plans offline"), fake keys and every call home
// skipped, planning a stack that only creates (or, from a given state, destroys without refresh).
// `terraform show -json` of the saved plan is what apply mode's policies read.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinToMirror } from '../../src/testing/terraform-validate.js';
import type { TerraformJson } from '../../src/terraform/stack.js';
import { terraform } from './terraform.js';

export const MIRROR = process.env.KRATIX_CDKTF_PROVIDER_MIRROR ?? '/opt/tf-plugins';

/** Why AWS plans cannot run here, or undefined when they can. */
export function awsPlanSkip(): string | undefined {
  const dir = join(MIRROR, 'registry.terraform.io', 'hashicorp', 'aws');
  return existsSync(dir) && readdirSync(dir).length ? undefined : `no AWS provider plugin in ${MIRROR} (DESIGN.md, "Real AWS plans offline")`;
}

/** Plans the stack offline and returns `terraform show -json` of the saved plan, parsed. */
export function awsPlan(stack: TerraformJson, options: { readonly state?: unknown } = {}): any {
  const pinned = pinToMirror(stack, MIRROR);
  if (typeof pinned === 'string') throw new Error(pinned);
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-aws-plan-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(pinned));
    writeFileSync(
      join(dir, 'override.tf.json'),
      JSON.stringify({
        provider: {
          aws: {
            access_key: 'AKIAFAKEFAKEFAKEFAKE',
            secret_key: 'fake-secret-key-for-an-offline-plan',
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
          },
        },
      }),
    );
    if (options.state) writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(options.state));
    const steps = [
      ['init', '-input=false', '-no-color', `-plugin-dir=${MIRROR}`],
      ['plan', '-input=false', '-no-color', '-refresh=false', '-out=plan.tfplan'],
    ];
    for (const step of steps) {
      const run = terraform(dir, ...step);
      if (run.status !== 0) throw new Error(`terraform ${step[0]} failed:\n${run.stderr}${run.stdout}`);
    }
    const shown = terraform(dir, 'show', '-json', 'plan.tfplan');
    if (shown.status !== 0) throw new Error(`terraform show failed:\n${shown.stderr}`);
    return JSON.parse(shown.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
