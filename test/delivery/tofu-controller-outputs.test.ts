// Outputs known after tofu-controller's apply, read back into status. The destination's Kubernetes
// API is a stand-in here (there is no API server): it serves one Terraform object and the outputs
// Secret as tofu-controller v0.16.5 writes it (tf_controller_outputs.go: a string output as its
// text, any other as JSON plus "<name>__type"; sensitive outputs too, as plain values).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { readTofuOutputs, readyFrom } from '../../src/delivery/tofu-controller/outputs.js';
import { definePromise } from '../../src/index.js';
import { checkDelivery } from '../../src/kratix/delivery.js';
import { renderPromise } from '../../src/kratix/promise.js';
import echo from '../fixtures/echo/index.js';
import { SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

let server: Server;
let api: string;
let terraform: Record<string, any> | undefined;
let secret: Record<string, any> | undefined;
let status = 200;
const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (code: number, body: unknown = {}) => res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (status !== 200) return send(status);
    if (req.url!.includes('/terraforms/')) return terraform ? send(200, terraform) : send(404);
    if (req.url!.includes('/secrets/')) return secret ? send(200, secret) : send(404);
    return send(404);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  status = 200;
  terraform = {
    metadata: { generation: 3 },
    spec: { runnerPodTemplate: { metadata: { annotations: { 'kratix-cdktf.io/stack-sha256': 'abc' } } } },
    status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-01T10:00:00Z' }] },
  };
  secret = {
    data: {
      endpoint: b64('db.example.com'),
      port: b64('5432'),
      port__type: b64('"number"'),
      tags: b64('{"a":"b"}'),
      tags__type: b64('["map","string"]'),
      password: b64('hunter2'),
      extra: b64('not declared'),
    },
  };
});

const read = (digest = 'abc', env: Record<string, string> = { KRATIX_CDKTF_KUBE_API: api, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' }) =>
  readTofuOutputs({
    env,
    namespace: 'flux-system',
    slug: 'echo-team-a-db-0123',
    digest,
    outputs: {
      endpoint: { sensitive: false },
      port: { sensitive: false },
      tags: { sensitive: false },
      password: { sensitive: true },
      missing: { sensitive: false },
    },
    now: new Date('2026-12-01T12:00:00Z'),
  });

describe('reading the outputs Secret', () => {
  test('values come back typed, sensitive ones hidden, undeclared ones left; Current when this stack is applied', async () => {
    const { outputs, condition } = await read();
    expect(outputs).toEqual({ endpoint: 'db.example.com', port: 5432, tags: '{"a":"b"}', password: '(sensitive)' });
    expect(JSON.stringify(outputs)).not.toContain('hunter2');
    expect(condition).toMatchObject({
      type: 'OutputsRead',
      status: 'True',
      reason: 'Current',
      message: expect.stringContaining('Ready since 2026-12-01T10:00:00Z'),
    });
    // The request is Ready only now: tofu-controller applied the stack this run wrote.
    expect(readyFrom(condition)).toMatchObject({ type: 'Ready', status: 'True', reason: 'Applied', message: condition.message });
  });

  test('Stale while tofu-controller has not applied this stack: another digest, or a generation not yet observed', async () => {
    expect((await read('def')).condition).toMatchObject({ status: 'False', reason: 'Stale' });
    terraform!.metadata.generation = 4;
    terraform!.status.conditions[0] = { type: 'Ready', status: 'False', message: 'Plan generated: 1 to add' };
    const { outputs, condition } = await read();
    expect(condition).toMatchObject({ reason: 'Stale', message: expect.stringContaining('Plan generated: 1 to add') });
    expect(readyFrom(condition)).toMatchObject({ type: 'Ready', status: 'False', reason: 'Applying' });
    expect(outputs.endpoint).toBe('db.example.com');
  });

  test('NotYetApplied before the objects or the Secret exist', async () => {
    secret = undefined;
    terraform!.status.conditions[0] = { type: 'Ready', status: 'False', message: 'VarsGenerationFailed: secrets "kratix-cdktf.team-a.creds" not found' };
    const notYet = (await read()).condition;
    expect(notYet).toMatchObject({ status: 'False', reason: 'NotYetApplied', message: expect.stringContaining('VarsGenerationFailed') });
    expect(readyFrom(notYet)).toMatchObject({ type: 'Ready', status: 'False', reason: 'NotYetApplied' });
    terraform = undefined;
    expect((await read()).condition).toMatchObject({ reason: 'NotYetApplied', message: expect.stringContaining('has not created the Terraform object') });
  });

  test('an unreachable or forbidding API is said, not thrown', async () => {
    status = 403;
    expect((await read()).condition).toMatchObject({
      status: 'Unknown',
      reason: 'DestinationUnreachable',
      message: expect.stringContaining('forbidden (403)'),
    });
    const gone = await read('abc', { KRATIX_CDKTF_DESTINATION_API: 'http://127.0.0.1:1', KRATIX_CDKTF_DESTINATION_TOKEN: 'sekret-token' });
    expect(gone.condition).toMatchObject({ reason: 'DestinationUnreachable', message: expect.stringContaining('did not answer') });
    expect(JSON.stringify(gone)).not.toContain('sekret-token');
  });
});

describe('in the workflow', () => {
  const reading = { ...echo, delivery: tofuController({ sourceRef: SOURCE_REF, readOutputs: true, pipelineNamespace: 'kratix-cdktf' }) };

  test('status gets the outputs and the OutputsRead condition; the run succeeds whatever was read', async () => {
    secret = { data: { id: b64('abc-123'), token: b64('the-secret-token') } };
    const run = await runRequest(reading, requestYaml(echo, { message: 'hi' }, { name: 'db', namespace: 'team-a' }), {
      KRATIX_CDKTF_KUBE_API: api,
      KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent',
    });
    expect(run.ending).toBe('done');
    // Known at synth (message) and read back (id); the sensitive one only as a marker.
    expect(run.status.outputs).toMatchObject({ message: 'hi', id: 'abc-123', token: '(sensitive)' });
    expect(run.statusText).not.toContain('the-secret-token');
    expect(run.status.conditions.at(-2)).toMatchObject({ type: 'OutputsRead', reason: 'Stale' });
    expect(run.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'False', reason: 'Applying' });
    status = 500;
    const failing = await runRequest(reading, requestYaml(echo, {}), { KRATIX_CDKTF_KUBE_API: api, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' });
    expect(failing.ending).toBe('done');
    expect(failing.status.conditions.at(-2)).toMatchObject({ type: 'OutputsRead', status: 'Unknown', reason: 'DestinationUnreachable' });
    expect(failing.status.conditions.at(-1)).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'DestinationUnreachable' });
  });

  test('Kratix replaces status.outputs whole: an unread run keeps the last values; values known at synth win over stale ones', async () => {
    const env = { KRATIX_CDKTF_KUBE_API: api, KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent' };
    const withStatus = (outputs: Record<string, unknown>) =>
      JSON.stringify({ ...JSON.parse(requestYaml(echo, { message: 'hi' }, { name: 'db', namespace: 'team-a' })), status: { outputs } });
    status = 500;
    const unread = await runRequest(reading, withStatus({ message: 'old', id: 'abc-123', dropped: 'no longer declared' }), env);
    expect(unread.status.conditions.at(-2)).toMatchObject({ reason: 'DestinationUnreachable' });
    expect(unread.status.outputs).toMatchObject({ message: 'hi', id: 'abc-123', shout: 'HI' });
    expect(unread.status.outputs).not.toHaveProperty('dropped');
    status = 200;
    // An earlier stack's Secret (another digest: Stale) still says the old message.
    secret = { data: { id: b64('abc-456'), message: b64('old') } };
    const stale = await runRequest(reading, withStatus({ id: 'abc-123' }), env);
    expect(stale.status.conditions.at(-2)).toMatchObject({ reason: 'Stale' });
    expect(stale.status.outputs).toMatchObject({ message: 'hi', id: 'abc-456' });
  });

  test('the pipeline may get Secrets and Terraform objects in the controller namespace, and must run in a namespace of its own', () => {
    const rendered = renderPromise(definePromise({ ...WIDGET, delivery: reading.delivery }), { image: 'img:1' });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const spec = rendered.value.promise.spec as any;
    expect(spec.workflows.config).toEqual({ pipelineNamespace: 'kratix-cdktf' });
    expect(spec.workflows.resource.configure[0].spec.rbac.permissions).toEqual([
      { resourceNamespace: 'flux-system', apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      { resourceNamespace: 'flux-system', apiGroups: ['infra.contrib.fluxcd.io'], resources: ['terraforms'], verbs: ['get'] },
    ]);
    const issues = checkDelivery(definePromise({ ...WIDGET, delivery: tofuController({ sourceRef: SOURCE_REF, readOutputs: true }) }));
    expect(issues).toEqual([expect.objectContaining({ path: 'delivery.readOutputs', message: expect.stringMatching(/^needs pipelineNamespace/) })]);
  });
});
