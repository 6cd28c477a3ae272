// The hcp-operator delivery as the workflow uses it (the Delivery interface): option checks,
// pipeline needs, configure runs from the first (no workspace yet) to an unchanged stack, and
// what never reaches files or status. HCP Terraform is the stand-in of test/helpers/hcp-standin.ts,
// which follows the API reference's JSON:API documents; it is not HCP Terraform itself.
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Delivery, DeliveryDone, DeliveryRun } from '../../src/delivery/delivery.js';
import { hcpTerraformOperator, type HcpTerraformOperatorProps } from '../../src/delivery/hcp-operator/index.js';
import { runMessage } from '../../src/delivery/hcp-operator/upload.js';
import { OWNER_OUTPUT, requestOwner } from '../../src/delivery/owner.js';
import { definePromise, Type } from '../../src/index.js';
import { checkDelivery } from '../../src/kratix/delivery.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { synthRequest } from '../../src/terraform/stack.js';
import { requestSlug } from '../../src/workflow/run.js';
import echo from '../fixtures/echo/index.js';
import { HcpStandin } from '../helpers/hcp-standin.js';
import { crdValidator } from '../helpers/upstream.js';

const TOKEN = 'atlasv1.not-a-real-token-but-a-secret-one';
const CLOUD_SECRET = 'AKIA-not-real-but-secret-4242';
const validate = crdValidator('hcp-terraform-operator/app.terraform.io_workspaces.yaml', 'v1alpha2');
const props: HcpTerraformOperatorProps = { organization: 'acme', project: 'kratix', tokenSecretRef: { name: 'hcp-terraform-token', key: 'token' } };
const delivery: Delivery = hcpTerraformOperator(props);

const request = {
  metadata: { name: 'db', namespace: 'team-a' },
  spec: { message: 'hello', labels: {}, items: [], fail: false, slowSeconds: 0, token: { name: 'creds', key: 'token' } },
};
const synthesized = synthRequest(echo, request);
const slug = requestSlug('echo', request);
let hcp: HcpStandin;
let logs: string[];
const results: unknown[] = [];

beforeAll(async () => {
  hcp = await new HcpStandin('acme', TOKEN).start();
});
afterAll(() => {
  hcp.stop();
  // Nothing any run handed back (files, status, conditions, logs) holds the token or a secret.
  const everything = JSON.stringify(results) + logs.join('\n');
  for (const secret of [TOKEN, CLOUD_SECRET, 'hunter2']) expect(everything).not.toContain(secret);
});
beforeEach(() => {
  hcp.workspaces.clear();
  hcp.failures.length = 0;
  hcp.seen.length = 0;
  logs = [];
});

const runOf = (over: Partial<DeliveryRun> = {}): DeliveryRun => ({
  def: echo,
  action: 'configure',
  dryRun: false,
  request,
  slug,
  owner: requestOwner('echo', request.metadata),
  synthesized,
  input: {},
  env: { TF_TOKEN_app_terraform_io: TOKEN, AWS_SECRET_ACCESS_KEY: CLOUD_SECRET, KRATIX_CDKTF_HCP_API: hcp.base },
  now: new Date('2026-01-02T00:00:00Z'),
  log: (line) => logs.push(line),
  ...over,
});
const configure = async (over: Partial<DeliveryRun> = {}, d = delivery) => {
  const result = (await d.configure(runOf(over))) as DeliveryDone;
  results.push({ ...result, files: Object.fromEntries(result.files) });
  return result;
};
const conditionOf = (result: DeliveryDone, type: string) => result.conditions.find((c) => c.type === type);
const TAGS = ['kratix-cdktf', 'kratix-promise:echo', 'kratix-namespace:team-a', 'kratix-request:db'];
// What the operator does once Flux has applied the Workspace object.
const operatorCreatesWorkspace = () => hcp.addWorkspace(slug, { tags: TAGS, vars: synthesized.secrets.map((s) => s.variable) });

describe('configure', () => {
  test('first run: the Workspace object goes out, the upload waits for the workspace, and the run ends done', async () => {
    const result = await configure();
    expect([...result.files.keys()]).toEqual([`${slug}.yaml`]);
    const docs = parseAllDocuments(result.files.get(`${slug}.yaml`)!).map((d) => d.toJSON());
    expect(docs).toHaveLength(1);
    expect(validate(docs[0])).toEqual([]);
    expect(docs[0]).toMatchObject({
      kind: 'Workspace',
      metadata: { name: slug, namespace: 'hcp-terraform' },
      spec: { name: slug, project: { name: 'kratix' } },
    });
    expect(result.ending).toBeUndefined();
    expect(result.status.message).toMatch(
      /^Synthesized 1 Terraform resource; not uploaded yet: HCP Terraform has no workspace acme\/echo-team-a-db-\w+ yet: .*this Promise's workflows run every 10m; label the request kratix.io\/manual-reconciliation=true to run it now\)$/,
    );
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({ status: 'False', reason: 'WorkspaceNotCreated' });
    expect(conditionOf(result, 'OutputsRead')).toMatchObject({ status: 'False', reason: 'WorkspaceNotFound' });
    expect(conditionOf(result, 'Ready')).toMatchObject({ status: 'False', reason: 'WorkspaceNotCreated' });
    // Outputs known at synthesis, as with tofu-controller.
    expect(result.status.outputs).toMatchObject({ message: 'hello', greeting: 'Hello, hello!' });
    expect(result.status.terraform).toMatchObject({
      delivery: 'hcp-terraform-operator',
      organization: 'acme',
      workspace: slug,
      workspaceObject: `hcp-terraform/${slug}`,
      resources: 1,
    });
  });

  test('once the operator made the workspace: the stack is uploaded with its owner guard, a run is queued, and outputs say how fresh they are', async () => {
    const ws = operatorCreatesWorkspace();
    const sv = hcp.addState(ws, [
      { name: 'id', sensitive: false, value: 'abc-123' },
      { name: 'token', sensitive: true, value: 'hunter2' },
      { name: 'message', sensitive: false, value: 'hello' },
    ]);
    const result = await configure();
    expect(result.ending).toBeUndefined();
    const run = [...hcp.runs.values()].at(-1)!;
    expect(run.message).toBe(runMessage('echo/team-a/db', (result.status.terraform as { stackSha256: string }).stackSha256));
    expect(result.status.message).toBe(
      `Synthesized 1 Terraform resource; uploaded the stack to HCP Terraform workspace acme/${slug}, where run ${run.id} is queued`,
    );
    const stack = JSON.parse(hcp.uploadedFiles(run.configurationVersion!)['main.tf.json']!);
    expect(stack.resource.terraform_data).toHaveProperty(OWNER_OUTPUT);
    expect(stack.resource.terraform_data).toHaveProperty('echo');
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({ status: 'True', reason: 'Uploaded' });
    expect(conditionOf(result, 'OutputsRead')).toMatchObject({
      status: 'True',
      reason: 'Read',
      message: expect.stringMatching(
        new RegExp(
          `^Outputs from state version ${sv.id} \\(serial 3\\) written at 2026-01-01T12:00:00.000Z by run ${sv.run}; .*; run ${run.id} \\(pending\\) has not applied yet, so they may change$`,
        ),
      ),
    });
    // The outputs are an earlier run's: not Ready until this stack's run has applied.
    expect(conditionOf(result, 'Ready')).toMatchObject({ status: 'False', reason: 'Applying' });
    expect(result.status.outputs).toMatchObject({ id: 'abc-123', token: '(sensitive)', message: 'hello', greeting: 'Hello, hello!' });
    expect(result.status.terraform).toMatchObject({
      run: { id: run.id, status: 'pending' },
      configurationVersion: run.configurationVersion,
      stateVersion: { id: sv.id },
    });
  });

  test('the next run finds the same stack in its run and uploads nothing', async () => {
    operatorCreatesWorkspace();
    await configure();
    const posts = hcp.seen.filter((r) => r.method === 'POST').length;
    const again = await configure();
    expect(hcp.seen.filter((r) => r.method === 'POST')).toHaveLength(posts);
    expect(conditionOf(again, 'StackUploaded')).toMatchObject({ status: 'True', reason: 'Unchanged' });
    expect(again.status.message).toMatch(/is unchanged since run run-\w+ \(pending\)$/);
    // No state yet: nothing applied.
    expect(conditionOf(again, 'Ready')).toMatchObject({ status: 'False', reason: 'NoState' });
  });

  test('Ready once the run of this stack has applied: False while it is queued, True after', async () => {
    const ws = operatorCreatesWorkspace();
    hcp.addState(ws, [{ name: 'id', sensitive: false, value: 'abc-123' }]);
    const queued = await configure();
    expect(conditionOf(queued, 'StackUploaded')).toMatchObject({ status: 'True', reason: 'Uploaded' });
    expect(conditionOf(queued, 'Ready')).toMatchObject({ status: 'False', reason: 'Applying' });
    [...hcp.runs.values()].at(-1)!.status = 'applied';
    const applied = await configure();
    expect(conditionOf(applied, 'StackUploaded')).toMatchObject({ status: 'True', reason: 'Unchanged' });
    expect(conditionOf(applied, 'Ready')).toMatchObject({ status: 'True', reason: 'Applied' });
  });

  test('an HCP Terraform failure asks Kratix to retry, with the reason in status; outputs that cannot be read fail nothing', async () => {
    operatorCreatesWorkspace();
    hcp.failures.push({ match: /\/configuration-versions$/, status: 500 });
    const result = await configure();
    expect(result.ending).toEqual({ kind: 'retry', message: result.status.message });
    expect(result.status.message).toMatch(
      /; uploading the stack to acme\/echo-team-a-db-\w+ failed: HCP Terraform failed on POST .* \(HTTP 500\): internal server error; the run is retried$/,
    );
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({ status: 'False', reason: 'UploadFailed' });
    expect(result.log?.error).toBe(true);
    // The state is readable: a failed upload still reports what was applied before.
    expect(conditionOf(result, 'OutputsRead')).toMatchObject({ status: 'False', reason: 'NoState' });
    expect(conditionOf(result, 'Ready')).toMatchObject({ status: 'False', reason: 'UploadFailed' });
    expect(result.files.size).toBe(1);
  });

  test('without a token nothing is called, the objects still go out, and status says which variable to set', async () => {
    const result = await configure({ env: { KRATIX_CDKTF_HCP_API: hcp.base } });
    expect(hcp.seen).toEqual([]);
    expect(result.files.size).toBe(1);
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({
      status: 'False',
      reason: 'NoToken',
      message: expect.stringContaining('TF_TOKEN_app_terraform_io is not set'),
    });
    expect(conditionOf(result, 'Ready')).toMatchObject({ status: 'False', reason: 'NoToken' });
  });

  test('Kratix replaces status.outputs whole, so a run that reads none keeps those it read before', async () => {
    const result = await configure({ env: { KRATIX_CDKTF_HCP_API: hcp.base }, input: { status: { outputs: { id: 'abc-123', message: 'old' } } } });
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({ reason: 'NoToken' });
    // Read after apply, kept; known at synthesis, this stack's value.
    expect(result.status.outputs).toMatchObject({ id: 'abc-123', message: 'hello' });
  });

  test('a dry run renders the objects and calls nothing', async () => {
    const result = await configure({ dryRun: true });
    expect(hcp.seen).toEqual([]);
    expect(result.status.message).toBe(`Dry run: Synthesized 1 Terraform resource; nothing was uploaded to acme/${slug}`);
  });

  test('render (renderTo set) calls nothing either, even with a token in the shell', async () => {
    const result = await configure({ renderTo: '/tmp/unused' });
    expect(hcp.seen).toEqual([]);
    expect(result.status.message).toMatch(/^Rendered, not uploaded: /);
    expect(result.files.size).toBe(1);
  });

  test('credentials of the environment never reach status, even when an output carries one', async () => {
    const ws = operatorCreatesWorkspace();
    // `id` is known only after apply, so status shows what was read.
    hcp.addState(ws, [{ name: 'id', sensitive: false, value: `leaked ${CLOUD_SECRET} and ${TOKEN}` }]);
    const result = await configure();
    expect(result.status.outputs).toMatchObject({ id: 'leaked (redacted) and (redacted)' });
  });

  test('a Promise without outputs or secrets uploads with no variables to wait for', async () => {
    const plain = definePromise({ name: 'plain', api: { group: 'x.example.com', version: 'v1', kind: 'Plain' }, spec: Type.Object({}), stack() {} });
    const req = { metadata: { name: 'p', namespace: 'team-a' }, spec: {} };
    const plainSlug = requestSlug('plain', req);
    hcp.addWorkspace(plainSlug, { tags: ['kratix-cdktf', 'kratix-promise:plain', 'kratix-namespace:team-a', 'kratix-request:p'] });
    const result = await configure({ def: plain, request: req, slug: plainSlug, owner: 'plain/team-a/p', synthesized: synthRequest(plain, req) });
    expect(conditionOf(result, 'StackUploaded')).toMatchObject({ status: 'True', reason: 'Uploaded' });
    expect(result.status).not.toHaveProperty('outputs');
    expect(result.status.message).toMatch(/^Synthesized 0 Terraform resources; uploaded/);
  });
});

describe('the rest of the interface', () => {
  test('a delete needs no pipeline work: the operator destroys on deletion', () => {
    expect(delivery.delete).toEqual({ message: expect.stringContaining('deletionPolicy: destroy') });
    expect(delivery.runsTerraform).toBe(false);
    expect(delivery.kind).toBe('hcp-terraform-operator');
  });

  test('pipelines run in a platform namespace, need no RBAC, and can be moved', () => {
    expect(delivery.pipeline(echo, { secretRefs: true })).toEqual({ namespace: 'kratix-cdktf', permissions: [], env: [], reconciliationInterval: '10m' });
    expect(hcpTerraformOperator({ ...props, pipelineNamespace: 'platform-hcp' }).pipeline(echo, { secretRefs: false }).namespace).toBe('platform-hcp');
  });

  test('the workflow token comes from a Secret as TF_TOKEN_<host>, and Kratix reruns requests often enough for the first upload', () => {
    const rendered = renderPromise(
      definePromise({
        ...echo,
        delivery: hcpTerraformOperator({
          ...props,
          hostname: 'tfe.example-corp.com',
          workflowTokenSecretRef: { name: 'hcp', key: 'token' },
          reconciliationInterval: '5m',
        }),
      }),
      { image: 'img:1' },
    );
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const spec = rendered.value.promise.spec as any;
    expect(spec.workflows.config).toEqual({ pipelineNamespace: 'kratix-cdktf', reconciliationInterval: '5m' });
    expect(spec.workflows.resource.configure[0].spec.containers[0].env).toContainEqual({
      name: 'TF_TOKEN_tfe_example__corp_com',
      valueFrom: { secretKeyRef: { name: 'hcp', key: 'token' } },
    });
    const tooOften = checkDelivery({ ...echo, delivery: hcpTerraformOperator({ ...props, reconciliationInterval: '30s' }) });
    expect(tooOften).toEqual([expect.objectContaining({ path: 'delivery.reconciliationInterval' })]);
  });

  test('destination labels and retry waits are handed to the workflow', () => {
    const routed = hcpTerraformOperator({ ...props, destinationLabels: { 'hcp-operator': 'yes' }, retry: { first: '1m' } });
    expect(routed.destinationLabels).toEqual({ 'hcp-operator': 'yes' });
    expect(routed.retry).toEqual({ first: '1m' });
    expect(delivery).not.toHaveProperty('destinationLabels');
  });

  test('warm-up runs the hot path without any I/O', () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no I/O in warm-up'));
    try {
      delivery.warmUp(runOf());
      expect(fetch).not.toHaveBeenCalled();
    } finally {
      fetch.mockRestore();
    }
    expect(hcp.seen).toEqual([]);
  });
});

describe('check', () => {
  // As synth checks: the delivery's own checks and those every delivery gets (labels, namespace).
  const issues = (p: Record<string, unknown>, def = echo) =>
    checkDelivery({ ...def, delivery: hcpTerraformOperator(p as unknown as HcpTerraformOperatorProps) });

  test('good options pass', () => {
    expect(
      issues({
        ...props,
        namespace: 'tf',
        hostname: 'tfe.example.com',
        workspacePrefix: 'kratix-prod-',
        terraformVersion: '1.9.8',
        retry: { first: '1m', max: '1h' },
      }),
    ).toEqual([]);
  });

  test.each([
    [{ organization: undefined }, 'delivery.organization', /^is missing: HCP Terraform's are letters, digits/],
    [{ organization: 'acme corp' }, 'delivery.organization', /^"acme corp" is not an organization name/],
    [{ project: '' }, 'delivery.project', /^"" is not a project name$/],
    [{ tokenSecretRef: undefined }, 'delivery.tokenSecretRef', /^is missing: the operator reads its HCP Terraform token from a Secret$/],
    [{ tokenSecretRef: { name: 'Token', key: 'token' } }, 'delivery.tokenSecretRef.name', /^"Token" must be lower-case/],
    [{ tokenSecretRef: { name: 'token', key: 'a/b' } }, 'delivery.tokenSecretRef.key', /^"a\/b" is not a Secret key/],
    [{ namespace: 'HCP' }, 'delivery.namespace', /^"HCP" must be lower-case/],
    [{ hostname: 'https://app.terraform.io' }, 'delivery.hostname', /^"https:\/\/app.terraform.io" must be lower-case letters/],
    [
      { workspacePrefix: 'p'.repeat(39) },
      'delivery.workspacePrefix',
      /must be at most 38 letters, digits, "-" and "_": workspace names are at most 90 characters/,
    ],
    [{ workspacePrefix: 'kratix.' }, 'delivery.workspacePrefix', /^"kratix." must be at most 38/],
    [{ terraformVersion: '~> 1.9' }, 'delivery.terraformVersion', /^"~> 1.9" is not a Terraform version the operator takes/],
    [{ applyMethod: 'manual' }, 'delivery.applyMethod', /^is not an option of hcpTerraformOperator\(\)$/],
    [{ pipelineNamespace: 'Platform_TF' }, 'delivery.pipelineNamespace', /^"Platform_TF" must be lower-case/],
    [{ destinationLabels: {} }, 'delivery.destinationLabels', /^is empty/],
    [{ destinationLabels: 'yes' }, 'delivery.destinationLabels', /^"yes" is not a map of label keys to values$/],
    [{ retry: { first: '0s' } }, 'delivery.retry.first', /^is 0/],
    [{ retry: { first: '1h', max: '1m' } }, 'delivery.retry.max', /^1m is shorter than retry.first \(1h\)$/],
  ])('%j is refused at its path, with a fix', (bad, path, message) => {
    expect(issues({ ...props, ...bad })).toEqual([{ path, message: expect.stringMatching(message), fix: expect.any(String) }]);
  });

  test('a destination label the Promise’s destinationSelectors also use is refused, as for tofuController()', () => {
    const def = { ...echo, destinationSelectors: [{ matchLabels: { environment: 'aws' } }] };
    expect(issues({ ...props, destinationLabels: { environment: 'gcp' } }, def)).toEqual([
      { path: 'delivery.destinationLabels.environment', message: expect.stringContaining('keeps the Promise\'s value "aws"'), fix: expect.any(String) },
    ]);
  });
});
