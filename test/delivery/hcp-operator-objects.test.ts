// The hcp-operator delivery's Workspace object, checked against the operator's own CRD
// (test/upstream/hcp-terraform-operator, v1alpha2), its names and tags for hostile requests, and
// the configuration archive it uploads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { toYamlDocuments } from '../../src/artifacts/yaml.js';
import { renderWorkspace, stackFile, workspaceName, workspaceTags } from '../../src/delivery/hcp-operator/objects.js';
import { countResources } from '../../src/delivery/owner.js';
import { tokenVariable, type HcpTerraformOperatorProps } from '../../src/delivery/hcp-operator/props.js';
import { tarGz } from '../../src/delivery/hcp-operator/tar.js';
import { OWNER_OUTPUT } from '../../src/delivery/owner.js';
import { requestSlug } from '../../src/workflow/run.js';
import { crdValidator } from '../helpers/upstream.js';

const validate = crdValidator('hcp-terraform-operator/app.terraform.io_workspaces.yaml', 'v1alpha2');
const props: HcpTerraformOperatorProps = { organization: 'acme', tokenSecretRef: { name: 'hcp-terraform-token', key: 'token' } };
const request = (namespace: string, name: string) => ({ metadata: { namespace, name } });
const workspaceOf = (
  p: HcpTerraformOperatorProps,
  namespace: string,
  name: string,
  secrets = [] as { variable: string; secretName: string; secretKey: string }[],
) => renderWorkspace({ props: p, slug: requestSlug('postgres', request(namespace, name)), promise: 'postgres', request: { namespace, name }, secrets });

// HCP Terraform: workspace names are letters, digits, "-" and "_", at most 90 characters; tags
// letters, digits, ":", "_" and "-", starting and ending with a letter or digit, at most 255.
const WORKSPACE_NAME = /^[A-Za-z0-9_-]{1,90}$/;
const TAG = /^[a-z0-9]([a-z0-9:_-]{0,253}[a-z0-9])?$/;

describe('the Workspace object', () => {
  test('is valid for the operator’s CRD, minimal and with every option', () => {
    const secrets = [{ variable: 'secret_0123456789ab', secretName: 'db-creds', secretKey: 'password' }];
    const full = { ...props, project: 'Kratix Requests', namespace: 'tf', terraformVersion: '1.9.8', workspacePrefix: 'kratix-prod-' };
    for (const object of [workspaceOf(props, 'team-a', 'db'), workspaceOf(full, 'team-a', 'db', secrets)]) {
      expect(validate(object)).toEqual([]);
      // As Kratix writes it and Flux reads it.
      const [doc] = parseAllDocuments(toYamlDocuments([object])).map((d) => d.toJSON());
      expect(validate(doc)).toEqual([]);
      expect(doc).toEqual(object);
    }
    expect(workspaceOf(full, 'team-a', 'db', secrets)).toMatchObject({
      apiVersion: 'app.terraform.io/v1alpha2',
      kind: 'Workspace',
      metadata: {
        namespace: 'tf',
        labels: { 'kratix.io/promise-name': 'postgres', 'kratix.io/resource-name': 'db', 'kratix.io/resource-namespace': 'team-a' },
      },
      spec: {
        organization: 'acme',
        project: { name: 'Kratix Requests' },
        token: { secretKeyRef: { name: 'hcp-terraform-token', key: 'token' } },
        executionMode: 'remote',
        applyMethod: 'auto',
        allowDestroyPlan: true,
        deletionPolicy: 'destroy',
        terraformVersion: '1.9.8',
        tags: ['kratix-cdktf', 'kratix-promise:postgres', 'kratix-namespace:team-a', 'kratix-request:db'],
      },
    });
  });

  test('secret variables are sensitive and read from the Secret the platform synced for the request’s namespace, never a value', () => {
    const secrets = [{ variable: 'secret_0123456789ab', secretName: 'db-creds', secretKey: 'password' }];
    const object = workspaceOf(props, 'team-a', 'db', secrets);
    expect(object.spec.terraformVariables).toEqual([
      { name: 'secret_0123456789ab', sensitive: true, valueFrom: { secretKeyRef: { name: 'kratix-cdktf.team-a.db-creds', key: 'password' } } },
    ]);
    expect(JSON.stringify(object)).not.toMatch(/"value"/);
    // The token Secret is named by the platform; a tenant's reference can never reach it.
    expect(object.spec.terraformVariables![0]!.valueFrom.secretKeyRef.name.startsWith('kratix-cdktf.team-a.')).toBe(true);
  });

  test('no secretRef() fields: no terraformVariables at all (the CRD wants at least one item when the list is there)', () => {
    expect(workspaceOf(props, 'team-a', 'db').spec).not.toHaveProperty('terraformVariables');
  });
});

describe('names and tags for hostile requests', () => {
  // Kubernetes names: namespaces are DNS labels (63), custom resources DNS subdomains (253, dots allowed).
  const hostile: [string, string][] = [
    ['team-a', 'db'],
    ['n'.repeat(63), 'db'],
    ['team-a', 'a'.repeat(253)],
    ['n'.repeat(63), `${'a.'.repeat(126)}b`],
    ['team-a', 'db.prod.eu'],
    ['team-a', 'db-prod-eu'],
    ['team-a', '0-starts-with-a-digit'],
  ];

  test('every workspace name is valid in HCP Terraform, with the longest prefix too, and its object name a DNS label', () => {
    for (const [namespace, name] of hostile) {
      for (const prefix of [undefined, 'p'.repeat(38), 'Kratix_Prod-']) {
        const object = workspaceOf({ ...props, ...(prefix ? { workspacePrefix: prefix } : {}) }, namespace, name);
        expect(object.spec.name).toMatch(WORKSPACE_NAME);
        expect(validate(object)).toEqual([]);
        expect(object.metadata.name).toMatch(/^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/);
        // The operator writes outputs to a ConfigMap and a Secret named <object>-outputs.
        expect(`${object.metadata.name}-outputs`.length).toBeLessThanOrEqual(63);
      }
    }
  });

  test('workspace names are unique per request: names that differ only where they are cut, or in dots, differ in the hash', () => {
    const names = new Set<string>();
    const requests: [string, string][] = [...hostile];
    for (let i = 0; i < 500; i++) requests.push(['n'.repeat(63), `${'x'.repeat(240)}.${i}`], [`team-${i}`, 'db']);
    for (const [namespace, name] of requests) names.add(workspaceName(props, requestSlug('postgres', request(namespace, name))));
    expect(names.size).toBe(requests.length);
    // The same request always gets the same name.
    expect(workspaceName(props, requestSlug('postgres', request('team-a', 'db')))).toBe(workspaceName(props, requestSlug('postgres', request('team-a', 'db'))));
  });

  test('tags are valid for the CRD and HCP Terraform, whatever the request is called', () => {
    for (const [namespace, name] of hostile) {
      for (const tag of workspaceTags('postgres', { namespace, name })) expect(tag).toMatch(TAG);
    }
    expect(workspaceTags('postgres', { namespace: 'team-a', name: 'db.prod.eu' })).toContain('kratix-request:db_prod_eu');
    // The CRD itself refuses the dot: the validator is not a rubber stamp.
    const object = workspaceOf(props, 'team-a', 'db');
    expect(validate({ ...object, spec: { ...object.spec, tags: ['kratix-request:db.prod.eu'] } })).not.toEqual([]);
  });
});

test('the uploaded stack carries the owner guard, and its hash changes with it', () => {
  const stack = { resource: { terraform_data: { echo: { input: 'x' } } }, output: { id: { value: '${terraform_data.echo.id}' } } };
  const a = stackFile(stack, 'echo/team-a/db');
  const parsed = JSON.parse(a.text);
  expect(Object.keys(parsed.resource.terraform_data)).toEqual(['echo', OWNER_OUTPUT]);
  expect(parsed.output[OWNER_OUTPUT].precondition[0].condition).toContain('"echo/team-a/db"');
  expect(parsed.output.id).toEqual(stack.output.id);
  expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(stackFile(stack, 'echo/team-a/db').sha256).toBe(a.sha256);
  expect(stackFile(stack, 'echo/team-a/other').sha256).not.toBe(a.sha256);
  expect(countResources(stack)).toBe(1);
});

test('the configuration archive is a .tar.gz that tar reads back byte for byte', () => {
  const text = `${JSON.stringify({ output: { x: { value: 'ünïcødé ✓ 😀' } } })}\n${'y'.repeat(1000)}`;
  const archive = tarGz(new Map([['main.tf.json', text]]));
  expect(tarGz(new Map([['main.tf.json', text]])).equals(archive)).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-tar-'));
  writeFileSync(join(dir, 'stack.tar.gz'), archive);
  expect(execFileSync('tar', ['-tzf', 'stack.tar.gz'], { cwd: dir, encoding: 'utf8' })).toBe('main.tf.json\n');
  execFileSync('tar', ['-xzf', 'stack.tar.gz'], { cwd: dir });
  expect(readFileSync(join(dir, 'main.tf.json'), 'utf8')).toBe(text);
  expect(() => tarGz(new Map([['../main.tf.json', '']]))).toThrow(/not a plain file name/);
});

test('the token variable is named as Terraform names it for the host', () => {
  expect(tokenVariable('app.terraform.io')).toBe('TF_TOKEN_app_terraform_io');
  expect(tokenVariable('tfe-1.example.com')).toBe('TF_TOKEN_tfe__1_example_com');
});
