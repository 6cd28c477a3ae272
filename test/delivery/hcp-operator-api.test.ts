// The hcp-operator delivery's HCP Terraform client: reading outputs back and uploading the stack.
// Run against a stand-in HTTP server (test/helpers/hcp-standin.ts) that follows the JSON:API
// documents of HCP Terraform's API reference; it is not HCP Terraform itself.
import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { hcpApi, HcpApiError, type HcpApi } from '../../src/delivery/hcp-operator/api.js';
import { readOutputs } from '../../src/delivery/hcp-operator/outputs.js';
import { runMessage, uploadStack, type UploadProps } from '../../src/delivery/hcp-operator/upload.js';
import { HcpStandin } from '../helpers/hcp-standin.js';

const TOKEN = 'atlasv1.not-a-real-token-but-a-secret-one';
const ENV = 'TF_TOKEN_app_terraform_io';
let hcp: HcpStandin;
let api: HcpApi;

beforeAll(async () => {
  hcp = await new HcpStandin('acme', TOKEN).start();
});
afterAll(() => hcp.stop());
beforeEach(() => {
  hcp.workspaces.clear();
  hcp.failures.length = 0;
  hcp.seen.length = 0;
  hcp.pendingPolls = 0;
  hcp.pageSize = 100;
  api = hcpApi({ base: hcp.base, token: TOKEN, tokenVariable: ENV, timeoutMs: 2000 });
});

// Every message the client produced in a test, to check that the token is in none of them.
const said: string[] = [];
const keep = <T extends { message?: string }>(result: T): T => {
  said.push(JSON.stringify(result));
  return result;
};
afterAll(() => expect(said.join('\n')).not.toContain(TOKEN));

const declared = { endpoint: {}, port: {}, password: { sensitive: true }, tags: {}, later: {} };
const read = (workspace = 'ws-a') => readOutputs({ api, organization: 'acme', workspace, declared, redact: (t) => t }).then(keep);

describe('reading outputs', () => {
  test('a workspace the operator has not created yet (404) is said so, without failing', async () => {
    expect(await read('nothing-here')).toEqual({
      ok: false,
      reason: 'WorkspaceNotFound',
      message: 'HCP Terraform has no workspace acme/nothing-here (or the token may not see it)',
    });
  });

  test('a workspace without a state version yet has no outputs to read', async () => {
    hcp.addWorkspace('ws-a');
    expect(await read()).toEqual({ ok: false, reason: 'NoState', message: 'workspace acme/ws-a has no state yet: no run has applied the stack' });
  });

  test('declared outputs are read with their freshness; sensitive ones never carry their value, undeclared ones are left out', async () => {
    const ws = hcp.addWorkspace('ws-a');
    const sv = hcp.addState(ws, [
      { name: 'endpoint', sensitive: false, value: 'db.internal:5432' },
      { name: 'port', sensitive: false, value: 5432 },
      // HCP Terraform hands sensitive values to a token that may read state.
      { name: 'password', sensitive: true, value: 'hunter2-plain-in-the-api' },
      { name: 'tags', sensitive: false, value: ['a', 'b'] },
      { name: 'kratix_cdktf_owner', sensitive: false, value: 'postgres/team-a/db' },
      { name: 'internal', sensitive: false, value: 'not declared' },
    ]);
    const result = await read();
    expect(result).toEqual({
      ok: true,
      outputs: { endpoint: 'db.internal:5432', port: 5432, password: '(sensitive)', tags: '["a","b"]' },
      stateVersion: { id: sv.id, serial: 3, createdAt: '2026-01-01T12:00:00.000Z', run: sv.run },
      missing: ['later'],
      message: `Outputs from state version ${sv.id} (serial 3) written at 2026-01-01T12:00:00.000Z by run ${sv.run}; not in the state: later`,
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  test('an output the Promise declares sensitive is hidden even when the state does not mark it', async () => {
    hcp.addState(hcp.addWorkspace('ws-a'), [{ name: 'password', sensitive: false, value: 'hunter2' }]);
    const result = await read();
    expect(result.ok && result.outputs.password).toBe('(sensitive)');
  });

  test('a workspace of that name without the request’s tags is not read from: it is not known to be the request’s', async () => {
    hcp.addState(hcp.addWorkspace('ws-a', { tags: ['kratix-cdktf'] }), [{ name: 'endpoint', sensitive: false, value: 'someone-elses' }]);
    const result = await readOutputs({ api, organization: 'acme', workspace: 'ws-a', tags: ['kratix-cdktf', 'kratix-request:db'], declared, redact: (t) => t });
    expect(result).toEqual({
      ok: false,
      reason: 'WorkspaceNotReady',
      message: "workspace acme/ws-a does not carry the tags kratix-request:db, so it is not known to be this request's",
    });
    expect(hcp.seen.some((r) => r.path.startsWith('/api/v2/state-versions'))).toBe(false);
  });

  test('outputs are read across pages', async () => {
    hcp.pageSize = 2;
    hcp.addState(
      hcp.addWorkspace('ws-a'),
      ['a', 'b', 'c', 'endpoint', 'e'].map((name) => ({ name, sensitive: false, value: name })),
    );
    const result = await read();
    expect(result.ok && result.outputs).toEqual({ endpoint: 'endpoint' });
    expect(hcp.seen.filter((r) => r.path.endsWith('/outputs'))).toHaveLength(3);
  });

  test('a state version HCP Terraform is still processing says so', async () => {
    hcp.addState(hcp.addWorkspace('ws-a'), [], { processed: false });
    const result = await read();
    expect(result.ok && result.message).toMatch(/still processing it, so outputs may be missing$/);
  });

  test.each([
    [401, {}, /^HCP Terraform refused the token in TF_TOKEN_app_terraform_io on GET \/api\/v2\/organizations\/acme\/workspaces\/ws-a \(401 Unauthorized\)/],
    [403, {}, /^the token in TF_TOKEN_app_terraform_io may not GET .* \(403 Forbidden\): forbidden-detail; give its team access/],
    [
      429,
      { 'x-ratelimit-reset': '0.75' },
      /rate limiting this token \(429 Too Many Requests\) on GET .*; it allows the next call in 0.75 s; the run is retried$/,
    ],
    [500, {}, /^HCP Terraform failed on GET \/api\/v2\/organizations\/acme\/workspaces\/ws-a \(HTTP 500\): internal server error; the run is retried$/],
  ])('HTTP %i is a failure that says what happened and what to do', async (status, headers, expected) => {
    hcp.addWorkspace('ws-a');
    const body = status === 403 ? JSON.stringify({ errors: [{ status: '403', title: 'forbidden', detail: 'forbidden-detail' }] }) : undefined;
    hcp.failures.push({ match: /\/workspaces\/ws-a$/, status, headers, ...(body ? { body } : {}) });
    const result = await read();
    expect(result).toEqual({ ok: false, reason: 'ReadFailed', message: expect.stringMatching(expected) });
  });

  test('a wrong token is refused by the API, and the message names the variable, not the value', async () => {
    const wrong = hcpApi({ base: hcp.base, token: 'wrong-token-value', tokenVariable: ENV });
    const result = keep(await readOutputs({ api: wrong, organization: 'acme', workspace: 'ws-a', declared, redact: (t) => t }));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('TF_TOKEN_app_terraform_io');
    expect(result.message).not.toContain('wrong-token-value');
  });

  test('an API that does not answer times out, and one that is not there says so', async () => {
    hcp.failures.push({ match: /\/workspaces\/ws-a$/, status: 0, hang: true });
    const slow = hcpApi({ base: hcp.base, token: TOKEN, tokenVariable: ENV, timeoutMs: 100 });
    const result = keep(await readOutputs({ api: slow, organization: 'acme', workspace: 'ws-a', declared, redact: (t) => t }));
    expect(result).toEqual({
      ok: false,
      reason: 'ReadFailed',
      message: `HCP Terraform at ${hcp.base} did not answer GET /api/v2/organizations/acme/workspaces/ws-a within 0.1 s`,
    });
    // A port nothing listens on: one a server had, closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const gone = hcpApi({ base, token: TOKEN, tokenVariable: ENV });
    const refused = keep(await readOutputs({ api: gone, organization: 'acme', workspace: 'ws-a', declared, redact: (t) => t }));
    expect(refused.message).toBe(`HCP Terraform at ${base} did not answer GET /api/v2/organizations/acme/workspaces/ws-a: ECONNREFUSED`);
  });

  test('every call carries the token as a bearer token', async () => {
    hcp.addState(hcp.addWorkspace('ws-a'), []);
    await read();
    expect(hcp.seen.length).toBeGreaterThan(0);
    expect(hcp.seen.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});

describe('uploading the stack', () => {
  const TAGS = ['kratix-cdktf', 'kratix-promise:echo'];
  const files = new Map([['main.tf.json', '{"resource":{}}\n']]);
  const upload = (over: Partial<UploadProps> = {}) =>
    uploadStack({
      api,
      organization: 'acme',
      workspace: 'ws-a',
      tags: TAGS,
      variables: ['secret_0123456789ab'],
      files,
      sha256: 'a'.repeat(64),
      owner: 'echo/team-a/db',
      log: () => {},
      sleep: async () => {},
      ...over,
    }).then(keep);

  test('no workspace yet: nothing is uploaded, and the next run tries again', async () => {
    expect(await upload()).toMatchObject({ kind: 'waiting', reason: 'WorkspaceNotCreated' });
    expect(hcp.seen.map((r) => r.method)).toEqual(['GET']);
  });

  test('a workspace without the request’s tags is never uploaded to: not set up yet, or not the operator’s', async () => {
    hcp.addWorkspace('ws-a', { tags: ['kratix-cdktf'] });
    expect(await upload()).toMatchObject({ kind: 'waiting', reason: 'WorkspaceNotReady', message: expect.stringContaining('kratix-promise:echo') });
  });

  test('a workspace without the stack’s secret variables waits for the operator to set them', async () => {
    hcp.addWorkspace('ws-a', { tags: TAGS, vars: ['other'] });
    expect(await upload()).toMatchObject({ kind: 'waiting', reason: 'VariablesNotReady', message: expect.stringContaining('secret_0123456789ab') });
  });

  test('a ready workspace gets a configuration version (auto-queue off), the archive, and a run with the stack’s hash', async () => {
    const ws = hcp.addWorkspace('ws-a', { tags: TAGS, vars: ['secret_0123456789ab'] });
    hcp.pendingPolls = 2;
    const result = await upload();
    expect(result).toMatchObject({ kind: 'uploaded', workspaceId: ws.id, run: { status: 'pending', message: runMessage('echo/team-a/db', 'a'.repeat(64)) } });
    if (result.kind !== 'uploaded') throw new Error('not uploaded');
    const cv = hcp.configurationVersions.get(result.configurationVersion)!;
    expect(cv.autoQueueRuns).toBe(false);
    expect(hcp.uploadedFiles(cv.id)).toEqual({ 'main.tf.json': '{"resource":{}}\n' });
    expect(hcp.runs.get(result.run.id)).toMatchObject({ configurationVersion: cv.id });
    // The upload URL is HCP Terraform's permission; the token never goes there.
    const put = hcp.seen.find((r) => r.method === 'PUT')!;
    expect(put.authorization).toBeUndefined();
    expect(hcp.seen.filter((r) => r.path === `/api/v2/configuration-versions/${cv.id}`)).toHaveLength(3);
  });

  test('the same stack is not uploaded again while its run is queued, running or done; after a failed run it is', async () => {
    const ws = hcp.addWorkspace('ws-a', { tags: TAGS, vars: ['secret_0123456789ab'] });
    const run = hcp.addRun(ws, { status: 'applied', message: runMessage('echo/team-a/db', 'a'.repeat(64)) });
    expect(await upload()).toMatchObject({ kind: 'unchanged', run: { id: run.id, status: 'applied' } });
    expect(hcp.seen.some((r) => r.method === 'POST')).toBe(false);
    run.status = 'errored';
    expect(await upload()).toMatchObject({ kind: 'uploaded' });
    // A different stack is uploaded whatever the newest run is doing.
    expect(await upload({ sha256: 'b'.repeat(64) })).toMatchObject({ kind: 'uploaded' });
  });

  test('a workspace whose newest run is a destroy (its old Workspace object being deleted) is not uploaded to', async () => {
    const ws = hcp.addWorkspace('ws-a', { tags: TAGS, vars: ['secret_0123456789ab'] });
    const destroy = hcp.addRun(ws, { status: 'applying', isDestroy: true, message: 'Triggered by HCP Terraform Operator' });
    expect(await upload()).toMatchObject({
      kind: 'waiting',
      reason: 'WorkspaceBeingDestroyed',
      message: expect.stringContaining(`${destroy.id} (applying), is a destroy`),
    });
    expect(hcp.seen.some((r) => r.method === 'POST')).toBe(false);
  });

  test('an upload HCP Terraform cannot take in, or that stays pending, fails the run with the reason', async () => {
    hcp.addWorkspace('ws-a', { tags: TAGS, vars: ['secret_0123456789ab'] });
    hcp.pendingPolls = 1000;
    await expect(upload({ uploadWaitMs: 1000 })).rejects.toThrow(/^configuration version cv-\w+ was still pending after 1 s; the run is retried$/);
    hcp.failures.push({
      match: /\/configuration-versions$/,
      status: 422,
      body: JSON.stringify({ errors: [{ status: '422', title: 'invalid', detail: 'workspace is locked' }] }),
    });
    const refused = await upload().catch((e: HcpApiError) => e);
    expect(refused).toBeInstanceOf(HcpApiError);
    expect((refused as HcpApiError).message).toMatch(
      /^HCP Terraform refused POST \/api\/v2\/workspaces\/ws-\w+\/configuration-versions \(HTTP 422\): workspace is locked$/,
    );
    said.push((refused as Error).message);
  });
});
