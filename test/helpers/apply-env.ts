// Apply mode with real Terraform and a real PostgreSQL (pg backend), for the apply test files:
// a private PostgreSQL on loopback, a stand-in for the Kubernetes API serving one Secret, and the
// workflow's environment, all started and stopped around the calling file.
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { requestSlug } from '../../src/workflow/run.js';
import echo from '../fixtures/echo/index.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { requestYaml, runRequest, type WorkflowRun } from './workflow.js';

export const CLOUD_SECRET = 'AKIA-not-real-but-secret-4242';
export const SECRET_VALUE = 'hunter2-from-a-kubernetes-secret';

export interface ApplyEnvironment {
  readonly pg: TestPostgres;
  readonly env: Record<string, string>;
  /** Every run made through {@link ApplyEnvironment.configure}, for the checks on what they wrote. */
  readonly runs: WorkflowRun[];
  /** The echo fixture in apply mode on this environment's pg schema. */
  applied(lockTimeout?: string): typeof echo;
  configure(name: string, spec: Record<string, unknown>, lockTimeout?: string, action?: string): Promise<WorkflowRun>;
  slug(name: string): string;
  /** The request's state in the pg backend, or undefined when there is none. */
  stateOf(name: string): any;
  /** The request's resources in its state: all but the owner and stack records (terraform_data.kratix_cdktf_owner, kratix_cdktf_stack). */
  resourcesOf(name: string): any[];
  /** Checks that no credential or secret value appears in anything the runs wrote. */
  expectNoSecretsWritten(): void;
}

export const meta = (name: string) => ({ name, namespace: 'team-a' });

/** Starts the environment before the calling file's tests and stops it after them. */
export function applyEnvironment(schema: string): ApplyEnvironment {
  let kubeApi: Server | undefined;
  const self = {
    runs: [] as WorkflowRun[],
    applied: (lockTimeout = '5m') => ({ ...echo, delivery: applyInWorkflow({ backend: pgBackend({ schemaName: schema }), lockTimeout }) }),
    async configure(name: string, spec: Record<string, unknown>, lockTimeout?: string, action = 'configure') {
      const run = await runRequest(self.applied(lockTimeout), requestYaml(echo, spec, meta(name)), { ...self.env, KRATIX_WORKFLOW_ACTION: action });
      self.runs.push(run);
      return run;
    },
    slug: (name: string) => requestSlug('echo', { metadata: meta(name) }),
    stateOf(name: string) {
      const row = self.pg.query(`select data from ${schema}.states where name = '${self.slug(name)}'`);
      return row ? JSON.parse(row) : undefined;
    },
    resourcesOf(name: string) {
      return (self.stateOf(name)?.resources ?? []).filter(
        (r: { type: string; name: string }) => !['terraform_data.kratix_cdktf_owner', 'terraform_data.kratix_cdktf_stack'].includes(`${r.type}.${r.name}`),
      );
    },
    expectNoSecretsWritten() {
      for (const run of self.runs) {
        const written = [run.stdout, run.stderr, ...Object.values(run.output), ...Object.values(run.metadata)].join('\n');
        for (const secret of [self.pg.password, CLOUD_SECRET, SECRET_VALUE]) expect(written).not.toContain(secret);
      }
    },
  } as unknown as ApplyEnvironment & { pg: TestPostgres; env: Record<string, string> };
  beforeAll(async () => {
    self.pg = await startPostgres();
    // A stand-in for the Kubernetes API (there is no cluster here): it serves one Secret.
    kubeApi = createServer((req, res) => {
      if (req.url === '/api/v1/namespaces/team-a/secrets/creds') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { token: Buffer.from(SECRET_VALUE).toString('base64') } }));
      } else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => kubeApi!.listen(0, '127.0.0.1', resolve));
    self.env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? '/root',
      PG_CONN_STR: self.pg.connStr,
      AWS_SECRET_ACCESS_KEY: CLOUD_SECRET,
      KRATIX_CDKTF_WORK_DIR: mkdtempSync(join(tmpdir(), 'kratix-cdktf-apply-')),
      KRATIX_CDKTF_KUBE_API: `http://127.0.0.1:${(kubeApi.address() as { port: number }).port}`,
    };
  });
  afterAll(() => {
    self.pg?.stop();
    kubeApi?.close();
  });
  return self;
}
