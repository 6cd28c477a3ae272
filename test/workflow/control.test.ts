// How runs that did not succeed end under Kratix: workflow-control.yaml and exit 0, so that the
// status-writer (the pod's last container) merges their status; and the retry backoff, counted
// from the attempts Kratix records in the request's status.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { retryAttempts, retryDelayMs, workflowControlFile } from '../../src/workflow/control.js';
import echo from '../fixtures/echo/index.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const policy = { firstMs: 30_000, maxMs: 1_800_000 };

describe('the retry backoff', () => {
  test('doubles from the first wait and stops at the longest', () => {
    expect([0, 1, 2, 3, 5, 6, 7, 60].map((n) => retryDelayMs(n, policy))).toEqual([30_000, 60_000, 120_000, 240_000, 960_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  test('is written as a Go duration, which Kratix parses with time.ParseDuration', () => {
    const retryAfter = (attempts: number, p = policy) => parse(workflowControlFile({ kind: 'retry', message: 'm' }, attempts, p)).retryAfter;
    expect([0, 1, 3, 5, 6].map((n) => retryAfter(n))).toEqual(['30s', '1m', '4m', '16m', '30m']);
    expect(retryAfter(0, { firstMs: 90_500, maxMs: 10_000_000 })).toBe('1m31s');
    expect(retryAfter(4, { firstMs: 300_000, maxMs: 5_400_000 })).toBe('1h20m');
    expect(retryAfter(0, { firstMs: 10, maxMs: 10 })).toBe('1s'); // never 0: Kratix would not wait at all
  });

  test('counts the attempts Kratix recorded for this pipeline, and nothing else', () => {
    const object = (pipelines: unknown) => ({ status: { kratix: { workflows: { pipelines } } } });
    expect(
      retryAttempts(
        object([
          { name: 'other', attempts: 9 },
          { name: 'terraform', attempts: 3 },
        ]),
        'terraform',
      ),
    ).toBe(3);
    expect(retryAttempts(object([{ name: 'terraform' }]), 'terraform')).toBe(0);
    for (const odd of [
      undefined,
      null,
      'x',
      {},
      object('x'),
      object([null, 7]),
      object([{ name: 'terraform', attempts: -2 }]),
      object([{ name: 'terraform', attempts: 'lots' }]),
    ])
      expect(retryAttempts(odd, 'terraform')).toBe(0);
  });

  test('a suspension carries its message, cut to one bounded line', () => {
    const control = parse(workflowControlFile({ kind: 'suspend', message: 'x'.repeat(2000) }, 4, policy));
    expect(control).toEqual({ suspend: true, message: `${'x'.repeat(497)}...` });
  });
});

describe('a refused request under Kratix', () => {
  const bad = requestYaml(echo, { message: 7 });

  test('exits 0 with its status and a suspension, which a new spec lifts', async () => {
    const run = await runRequest(echo, bad);
    expect(run.code).toBe(0);
    expect(run.control).toEqual({ suspend: true, message: run.status.message });
    expect(run.status.message).toMatch(/spec\.message: expected a string/);
    expect(run.stdout).toMatch(/suspending the workflow until the request changes/);
  });

  test('a retry is timed from the attempts in the request’s status', async () => {
    // A failed Terraform run asks for a retry; here one that cannot start terraform at all.
    const applied = { ...echo, delivery: applyInWorkflow({ backend: pgBackend(), retry: { first: '1m', max: '1h' } }) };
    const object = { ...JSON.parse(requestYaml(echo, {})), status: { kratix: { workflows: { pipelines: [{ name: 'terraform', attempts: 2 }] } } } };
    const run = await runRequest(applied, JSON.stringify(object), { PATH: '/nonexistent' });
    expect(run.ending).toBe('retry');
    expect(run.control).toEqual({ retryAfter: '4m', message: expect.stringMatching(/^Terraform could not be run: cannot run terraform/) });
    // Kratix names the pipeline in KRATIX_PIPELINE_NAME; another pipeline's count is not ours.
    const other = await runRequest(applied, JSON.stringify(object), { PATH: '/nonexistent', KRATIX_PIPELINE_NAME: 'terraform-2' });
    expect(other.control?.retryAfter).toBe('1m');
  });

  test('with KRATIX_CDKTF_WORKFLOW_CONTROL=false, for a Kratix that ignores the file, it exits 1 and writes only status', async () => {
    const run = await runRequest(echo, bad, { KRATIX_CDKTF_WORKFLOW_CONTROL: 'false' });
    expect(run.ending).toBe('exit 1');
    expect(Object.keys(run.metadata)).toEqual(['status.yaml']);
    expect(run.status.message).toMatch(/spec\.message: expected a string/);
  });

  test('any other value of KRATIX_CDKTF_WORKFLOW_CONTROL is the platform’s mistake: exit 2, named, nothing written', async () => {
    const run = await runRequest(echo, bad, { KRATIX_CDKTF_WORKFLOW_CONTROL: 'no' });
    expect(run.ending).toBe('exit 2');
    expect(run.stderr).toMatch(/KRATIX_CDKTF_WORKFLOW_CONTROL="no" is not "true" or "false"/);
    expect(run.metadata).toEqual({});
  });
});

describe('dry runs end so that the DryRun completes', () => {
  test('a refused request is the dry run’s result: exit 0, in the output, and no suspension a DryRun would wait on forever', async () => {
    const run = await runRequest(echo, requestYaml(echo, { message: 7 }), { KRATIX_DRY_RUN: 'true' });
    expect(run.ending).toBe('done');
    expect(run.control).toBeUndefined();
    expect(parse(run.output['dry-run.yaml']!)).toEqual({ ok: false, message: expect.stringMatching(/spec\.message: expected a string/) });
  });

  test('a dry run falls back to the empty default workspace only when the request has none, not on any failure', async () => {
    // A stand-in terraform (no backend here): `workspace select <slug>` fails for another reason.
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-fake-tf-'));
    const calls = join(dir, 'calls');
    writeFileSync(
      join(dir, 'terraform'),
      `#!/bin/sh\necho "$*" >> ${calls}\ncase "$1 $4" in "workspace default") exit 0;; workspace*) echo "Error: the backend is unreachable" >&2; exit 1;; esac\nexit 0\n`,
      { mode: 0o755 },
    );
    const applied = { ...echo, delivery: applyInWorkflow({ backend: pgBackend() }) };
    const run = await runRequest(applied, requestYaml(echo, {}), { KRATIX_DRY_RUN: 'true', PATH: `${dir}:${process.env.PATH}` });
    expect(run.ending).toBe('done');
    expect(parse(run.output['dry-run.yaml']!)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/workspace select failed: .*the backend is unreachable/),
    });
    const made = readFileSync(calls, 'utf8').trim().split('\n');
    expect(made.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['init -input=false', 'workspace select']);
  });
});

describe('cut messages stay valid YAML for Kratix', () => {
  test('a cut never splits a character outside the BMP (a lone surrogate would fail Kratix’s YAML reader)', () => {
    for (const at of [495, 496, 497, 498]) {
      const message = `${'x'.repeat(at)}${'😀'.repeat(10)}`;
      const text = workflowControlFile({ kind: 'suspend', message }, 0, policy);
      expect(text).not.toMatch(/\\u[dD][89abAB]/);
      const written = parse(text).message as string;
      expect(written.endsWith('...')).toBe(true);
      expect(written).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(written.length).toBeLessThanOrEqual(500);
    }
  });
});
