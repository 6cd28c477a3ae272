// The same requests, held out from every other test, through all three deliveries: what each
// writes must keep requests apart, carry no secret, and say how deletion happens. Apply mode is
// rendered (what it would run, with no Terraform); HCP Terraform is not reachable (no token), so
// its run writes the Workspace object and uploads nothing. test/delivery/apply*.test.ts runs apply
// mode for real.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { hcpTerraformOperator } from '../../src/delivery/hcp-operator/index.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import type { Delivery } from '../../src/index.js';
import echo from '../fixtures/echo/index.js';
import { SOURCE_REF } from '../helpers/widget.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const CREDENTIAL = 'AKIA-all-deliveries-credential-0042';
const ENV = { AWS_SECRET_ACCESS_KEY: CREDENTIAL, PG_CONN_STR: `postgres://u:${CREDENTIAL}@db/x` };

const DELIVERIES: Record<string, Delivery> = {
  'tofu-controller': tofuController({ sourceRef: SOURCE_REF }),
  apply: applyInWorkflow({ backend: pgBackend() }),
  'hcp-terraform-operator': hcpTerraformOperator({ organization: 'acme', tokenSecretRef: { name: 'hcp', key: 'token' } }),
};

// Names that differ only where names get cut, lower-cased or have their dots replaced, and the
// same name in two namespaces.
const long = 'a'.repeat(60);
const REQUESTS = [
  { name: 'db', namespace: 'team-a' },
  { name: 'db', namespace: 'team-b' },
  { name: 'db.prod', namespace: 'team-a' },
  { name: 'db-prod', namespace: 'team-a' },
  { name: `${long}-x`, namespace: 'team-a' },
  { name: `${long}-y`, namespace: 'team-a' },
  { name: 'x', namespace: `${'n'.repeat(62)}a` },
  { name: 'x', namespace: `${'n'.repeat(62)}b` },
];

/** Every name a delivery gives a request's things, from what it wrote. */
function namesOf(kind: string, files: Record<string, string>, terraformDir: string): string[] {
  if (kind === 'apply') {
    const commands = readFileSync(join(terraformDir, 'commands.sh'), 'utf8');
    // The first workspace the commands select (TF_WORKSPACE, or `workspace select` with its options skipped): the request's own.
    return [...commands.matchAll(/(?:export TF_WORKSPACE=|workspace select (?:-\S+ )*)(\S+)/g)].map((m) => m[1]!).slice(0, 1);
  }
  const objects = Object.values(files).flatMap((text) => parseAllDocuments(text).map((d) => d.toJSON()));
  return objects.flatMap((o) => [`${o.kind}/${o.metadata.name}`, ...(o.spec?.name ? [`workspace/${o.spec.name}`] : [])]);
}

describe.each(Object.keys(DELIVERIES))('%s', (kind) => {
  const def = { ...echo, delivery: DELIVERIES[kind]! };

  test('keeps every request apart, and writes no credential and no secret reference value', async () => {
    const seen = new Map<string, string>();
    for (const metadata of REQUESTS) {
      const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-all-'));
      const run = await runRequest(def, requestYaml(echo, { token: { name: 'creds', key: 'token' } }, metadata), ENV, { renderTerraformTo: dir });
      expect(run.ending, `${metadata.namespace}/${metadata.name}`).toBe('done');
      const names = namesOf(kind, run.output, dir);
      expect(names.length).toBeGreaterThan(0);
      for (const name of [...names, ...Object.keys(run.output)]) {
        const owner = `${metadata.namespace}/${metadata.name}`;
        expect(seen.get(name) ?? owner, `${name} is used by two requests`).toBe(owner);
        seen.set(name, owner);
      }
      const written = [
        run.stdout,
        run.stderr,
        ...Object.values(run.output),
        ...Object.values(run.metadata),
        ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
      ].join('\n');
      expect(written).not.toContain(CREDENTIAL);
    }
  });

  test('says how deletion happens, and never fails it on a request that no longer validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-all-'));
    const run = await runRequest(
      def,
      requestYaml(echo, { unknown: true }, REQUESTS[0]),
      { ...ENV, KRATIX_WORKFLOW_ACTION: 'delete' },
      { renderTerraformTo: dir },
    );
    expect(run.ending).toBe('done');
    if (kind === 'apply') expect(readFileSync(join(dir, 'commands.sh'), 'utf8')).toMatch(/terraform destroy .*\n.*terraform workspace delete/s);
    else expect(run.stdout).toMatch(/destroys the stack/);
  });
});
