import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_REF } from '../helpers/widget.js';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import postgres from '../fixtures/postgres/index.js';
import echo from '../fixtures/echo/index.js';
import { terraform } from '../helpers/terraform.js';
import { crdValidator } from '../helpers/upstream.js';
import { readInput, requestYaml, runRequest } from '../helpers/workflow.js';

const example = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'postgres', 'example-request.yaml'), 'utf8');
const validateTerraform = crdValidator('tofu-controller/infra.contrib.fluxcd.io_terraforms.yaml', 'v1alpha2');
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJSON());

describe('configure, for the postgres example', async () => {
  const run = await runRequest(postgres, example);
  const [file] = Object.keys(run.output);
  const [secret, terraform] = docs(run.output[file!]!);

  test('succeeds and writes one file named after the request', () => {
    expect(run.code).toBe(0);
    expect(Object.keys(run.output)).toEqual([expect.stringMatching(/^postgres-team-orders-orders-db-[0-9a-f]{20}\.yaml$/)]);
    expect(run.stdout).toMatch(/Postgres team-orders\/orders-db: Synthesized 1 Terraform resource/);
  });

  test('the Terraform object is valid for tofu-controller’s CRD', () => {
    expect(validateTerraform(terraform)).toEqual([]);
    expect(terraform).toMatchObject({ apiVersion: 'infra.contrib.fluxcd.io/v1alpha2', kind: 'Terraform' });
  });

  test('tofu-controller finds the stack through fileMappings, applies it, destroys on deletion and writes outputs to a Secret', () => {
    expect(terraform.spec.fileMappings).toEqual([
      { location: 'workspace', path: 'main.tf.json', secretRef: { name: secret.metadata.name, key: 'main.tf.json' } },
    ]);
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: terraform.metadata.namespace } });
    expect(terraform.spec).toMatchObject({ approvePlan: 'auto', destroyResourcesOnDeletion: true, path: './' });
    // Every output: a listed one that is null fails the reconcile (test/delivery/tofu-controller.test.ts).
    expect(terraform.spec.writeOutputsToSecret).toEqual({ name: `${terraform.metadata.name}-outputs`, labels: terraform.metadata.labels });
    expect(terraform.spec.backendConfig.secretSuffix).toBe(terraform.metadata.name);
  });

  test('the stack in the Secret is the synthesized Terraform JSON, with no backend of its own', () => {
    const stack = JSON.parse(secret.stringData['main.tf.json']);
    expect(stack.resource.aws_db_instance.db.instance_class).toBe('db.t4g.large');
    expect(stack.terraform.backend).toBeUndefined();
    expect(JSON.stringify(stack)).not.toMatch(/\/work|\/tmp|\/home/); // no machine paths
  });

  test('status carries a summary and conditions, never a top-level kratix key', () => {
    expect(run.status).toMatchObject({
      message: expect.stringContaining('tofu-controller'),
      terraform: {
        delivery: 'tofu-controller',
        resources: 1,
        terraformObject: `flux-system/${terraform.metadata.name}`,
        outputsSecret: `flux-system/${terraform.metadata.name}-outputs`,
      },
    });
    expect(run.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'RequestValid=True',
      'StackSynthesized=True',
      // readOutputs is off: the workflow cannot see tofu-controller apply.
      'Ready=Unknown',
    ]);
    expect(run.status).not.toHaveProperty('kratix');
    expect(run.status.outputs).toBeUndefined(); // all three are only known after apply
  });

  test('the input is left as it was', () => {
    expect(readInput(run)).toBe(example);
  });
});

test('the same request gives byte-identical output', async () => {
  const a = await runRequest(echo, requestYaml(echo, { message: 'same' }));
  const b = await runRequest(echo, requestYaml(echo, { message: 'same' }));
  expect(a.output).toEqual(b.output);
  expect(a.statusText).toBe(b.statusText);
});

test('outputs known at synthesis go to status; sensitive ones never do', async () => {
  const run = await runRequest(echo, requestYaml(echo, { message: 'hi ${x}', token: { name: 'creds', key: 'token' } }));
  expect(run.code).toBe(0);
  expect(run.status.outputs).toEqual({ message: 'hi ${x}', greeting: 'Hello, hi ${x}!', shout: 'HI ${X}', tail: 'i ${x}', joined: '' });
  const plain = await runRequest(echo, requestYaml(echo, {}));
  expect(plain.status.outputs.token).toBe('(sensitive)');
});

describe('names at the edges of what Kubernetes allows', () => {
  const names = ['a', '1db', 'orders.v2.eu-west-1', 'a'.repeat(63), `${'a.'.repeat(31)}b`];
  test.each(names)('%s gets a valid Terraform object name, file name and state', async (name) => {
    const run = await runRequest(echo, requestYaml(echo, {}, { name, namespace: 'n'.repeat(63) }));
    expect(run.code).toBe(0);
    const [file] = Object.keys(run.output);
    const [, terraform] = docs(run.output[file!]!);
    expect(validateTerraform(terraform)).toEqual([]);
    expect(terraform.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(terraform.metadata.name.length).toBeLessThanOrEqual(52);
    expect(file).toBe(`${terraform.metadata.name}.yaml`);
  });
});

test('two namespaces, one name: nothing shared', async () => {
  const a = await runRequest(echo, requestYaml(echo, {}, { name: 'db', namespace: 'team-a' }));
  const b = await runRequest(echo, requestYaml(echo, {}, { name: 'db', namespace: 'team-b' }));
  const [fileA] = Object.keys(a.output);
  const [fileB] = Object.keys(b.output);
  expect(fileA).not.toBe(fileB);
  expect(a.status.terraform.stateSecret).not.toBe(b.status.terraform.stateSecret);
  expect(a.status.terraform.terraformObject).not.toBe(b.status.terraform.terraformObject);
});

test('a GitOps stack records its owner, and its plan fails on a state another request owns, changing nothing', async () => {
  // Two requests whose objects and state coincide would need an 80-bit hash collision; simulated
  // by applying request B's stack in request A's Terraform folder, as tofu-controller would.
  const stackOf = async (name: string, message: string) => {
    const run = await runRequest(echo, requestYaml(echo, { message }, { name, namespace: 'team-a' }));
    return JSON.parse(docs(Object.values(run.output)[0]!)[0].stringData['main.tf.json']);
  };
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-owner-'));
  const apply = (stack: unknown) => {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(stack));
    return terraform(dir, 'apply', '-auto-approve', '-no-color');
  };
  expect(terraform(dir, 'init', '-no-color').status).toBe(0);
  expect(apply(await stackOf('owned', 'A')).status).toBe(0);
  const before = readFileSync(join(dir, 'terraform.tfstate'), 'utf8');
  expect(JSON.parse(before).outputs.kratix_cdktf_owner.value).toBe('echo/team-a/owned');
  const intruder = apply(await stackOf('intruder', 'B'));
  expect(intruder.status).toBe(1);
  expect(intruder.stderr.replace(/\s+/g, ' ')).toContain(
    'The state belongs to echo/team-a/owned, not to this request (echo/team-a/intruder): nothing was changed.',
  );
  expect(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')).toBe(before);
  expect(apply(await stackOf('owned', 'A2')).status).toBe(0); // its owner still changes it
});

test('namespaces that differ only in characters a slug drops still get distinct names', async () => {
  const a = await runRequest(echo, requestYaml(echo, {}, { name: 'a.b', namespace: 'x' }));
  const b = await runRequest(echo, requestYaml(echo, {}, { name: 'a-b', namespace: 'x' }));
  expect(Object.keys(a.output)).not.toEqual(Object.keys(b.output));
});

test('a secret reference becomes a variable filled from the Secret; its value never appears', async () => {
  const run = await runRequest(echo, requestYaml(echo, { token: { name: 'creds', key: 'api-token' } }));
  const [secret, terraform] = docs(Object.values(run.output)[0]!);
  const stack = JSON.parse(secret.stringData['main.tf.json']);
  const [variable] = Object.keys(stack.variable);
  expect(stack.variable[variable!]).toMatchObject({ sensitive: true, type: 'string' });
  // Prefixed and named after the request's namespace: a tenant cannot point at another tenant's
  // Secrets, nor at the controller's own, in the controller namespace.
  expect(terraform.spec.varsFrom).toEqual([{ kind: 'Secret', name: 'kratix-cdktf.default.creds', varsKeys: [`api-token:${variable}`] }]);
  expect(terraform.spec.vars).toBeUndefined();
  expect(stack.output.token).toMatchObject({ sensitive: true, value: `\${var.${variable}}` });
  expect(validateTerraform(terraform)).toEqual([]);
});

test('a stack that throws is reported as the author’s failure, with nothing written', async () => {
  const broken = {
    ...echo,
    stack: () => {
      throw new Error('boom');
    },
  } as typeof echo;
  const run = await runRequest(broken, requestYaml(echo, {}));
  // Retried, not suspended: Kratix resumes a suspended request only when its spec changes, not
  // when the Promise is fixed.
  expect(run.ending).toBe('retry');
  expect(run.status.conditions[0]).toMatchObject({ type: 'StackSynthesized', status: 'False', reason: 'StackFailed' });
  expect(run.stderr).toMatch(/promises\/echo could not build the stack: 1 problem\n\s+✖ stack\(\) at test\/workflow\/run\.test\.ts:\d+: threw boom/);
  expect(run.status.message).toMatch(/stack\(\) at test\/workflow\/run\.test\.ts:\d+: threw boom/);
  expect(run.output).toEqual({});
});

describe('other workflow actions', () => {
  test('delete succeeds without validating, so a request that became invalid can still be deleted', async () => {
    const run = await runRequest(postgres, 'not: [valid', { KRATIX_WORKFLOW_ACTION: 'delete' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/tofu-controller destroys the stack/);
  });

  test('a promise workflow writes only what the delivery needs on each destination (the clean-up), and no status', async () => {
    const run = await runRequest(postgres, '', { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_CDKTF_IMAGE: 'img:1' });
    expect(run.code).toBe(0);
    expect(Object.keys(run.output).map((f) => f.replace(/^\d+-/, ''))).toEqual([
      'serviceaccount-kratix-cdktf-cleanup-postgres.yaml',
      'role-kratix-cdktf-cleanup-postgres.yaml',
      'rolebinding-kratix-cdktf-cleanup-postgres.yaml',
      'cronjob-kratix-cdktf-cleanup-postgres.yaml',
    ]);
    expect(run.metadata).toEqual({});
  });

  test('an unknown action is refused', async () => {
    const run = await runRequest(postgres, example, { KRATIX_WORKFLOW_ACTION: 'update' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/KRATIX_WORKFLOW_ACTION="update" is not "configure" or "delete"/);
  });
});

test('destination labels of the delivery go to destination-selectors.yaml', async () => {
  const routed = { ...echo, delivery: tofuController({ sourceRef: SOURCE_REF, destinationLabels: { terraform: 'enabled' } }) };
  const run = await runRequest(routed, requestYaml(echo, {}));
  expect(parse(run.metadata['destination-selectors.yaml']!)).toEqual([{ matchLabels: { terraform: 'enabled' } }]);
});
