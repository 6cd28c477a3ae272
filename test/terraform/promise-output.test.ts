// promiseOutput(): the terraform_remote_state it writes, for every backend the Promise's stack
// can be kept in, checked by `terraform validate` (Terraform's builtin provider checks the
// `config` against the backend's own schema), and what the guard and sensitivity look like.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataResource } from 'cdktf';
import { expect, test } from 'vitest';
import { applyInWorkflow } from '../../src/delivery/apply/index.js';
import { hcpTerraform, kubernetesBackend, pgBackend, s3Backend } from '../../src/delivery/apply/options.js';
import { definePromise, type PromiseDefinition } from '../../src/promise/define-promise.js';
import { Type } from '../../src/schema/index.js';
import { promiseOutput } from '../../src/terraform/promise-output.js';
import { synthRequest } from '../../src/terraform/stack.js';

const withBackend = (backend: ReturnType<typeof pgBackend>): PromiseDefinition =>
  definePromise({
    name: 'shared',
    api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Shared' },
    spec: Type.Object({}),
    outputs: { network: {}, token: { sensitive: true } },
    delivery: applyInWorkflow({ backend }),
    promiseStack: { outputs: { networkId: {}, joinToken: { sensitive: true } }, stack: () => ({ networkId: 'n', joinToken: 't' }) },
    stack(scope) {
      new DataResource(scope, 'attachment', { input: { network: promiseOutput(scope, 'networkId') } });
      return { network: promiseOutput(scope, 'networkId'), token: promiseOutput(scope, 'joinToken') };
    },
  });

const synth = (def: PromiseDefinition) => synthRequest(def, { metadata: { name: 'app', namespace: 'team-a' }, spec: {} }).json as any;

function validate(json: unknown): { valid: boolean; diagnostics: { summary: string; detail?: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-remote-state-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(json));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(init.stderr);
    return JSON.parse(spawnSync('terraform', ['validate', '-json', '-no-color'], { cwd: dir, env, encoding: 'utf8' }).stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each([
  ['pg', pgBackend({ schemaName: 'platform' })],
  ['s3', s3Backend({ bucket: 'acme-state', region: 'eu-west-1' })],
  ['kubernetes', kubernetesBackend({ namespace: 'kratix-cdktf' })],
  ['hcp-terraform (read through the remote backend)', hcpTerraform({ organization: 'acme', executionMode: 'local' })],
])('the remote state a request reads the %s backend through is valid for Terraform', (_name, backend) => {
  const json = synth(withBackend(backend));
  const verdict = validate(json);
  expect(
    verdict.diagnostics.filter((d) => (d as { severity?: string }).severity === 'error'),
    JSON.stringify(verdict.diagnostics),
  ).toEqual([]);
  expect(verdict.valid).toBe(true);
  // One data source however many outputs are read, and a null default for each declared one.
  expect(Object.keys(json.data.terraform_remote_state)).toEqual(['kratix-cdktf-promise-stack']);
  expect(json.data.terraform_remote_state['kratix-cdktf-promise-stack'].defaults).toEqual({ networkId: null, joinToken: null, kratix_cdktf_destroyed: false });
});

test('the same configuration with a setting the backend does not know is refused: the validation above can fail', () => {
  const json = synth(withBackend(s3Backend({ bucket: 'acme-state', region: 'eu-west-1' })));
  json.data.terraform_remote_state['kratix-cdktf-promise-stack'].config.nope = 1;
  const verdict = validate(json);
  expect(verdict.valid).toBe(false);
  expect(JSON.stringify(verdict.diagnostics)).toContain('unexpected attribute');
});

test('a sensitive output stays sensitive, and the guard checks exactly the outputs the request reads', () => {
  const json = synth(withBackend(pgBackend()));
  const state = 'data.terraform_remote_state.kratix-cdktf-promise-stack.outputs';
  expect(json.output.token.value).toBe(`\${sensitive(${state}.joinToken)}`);
  expect(json.output.network.value).toBe(`\${${state}.networkId}`);
  const [guard] = json.resource.terraform_data.kratix_cdktf_promise_stack_applied.lifecycle.precondition;
  expect(guard.condition).toBe(`\${!${state}.kratix_cdktf_destroyed && alltrue([for k in ["joinToken","networkId"] : ${state}[k] != null])}`);
});
