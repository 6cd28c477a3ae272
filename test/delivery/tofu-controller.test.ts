// The tofu-controller objects, read the way the programs that consume them read them. Neither
// tofu-controller nor Flux can run here (no Kubernetes API server), so each test carries a small
// model of the upstream code it cites: tofu-controller v0.16.5 (4cb9876f), Flux
// kustomize-controller v1.9.4 with fluxcd/pkg ssa v0.76.1. The models are written from that
// source, not from our objects; where our old objects failed in a real cluster, the test shows it.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { endsWithGoInt } from '../../src/delivery/secret-names.js';
import { tofuController } from '../../src/delivery/tofu-controller/index.js';
import { definePromise } from '../../src/index.js';
import { checkDelivery } from '../../src/kratix/delivery.js';
import { requestSlug } from '../../src/workflow/run.js';
import echo from '../fixtures/echo/index.js';
import { crdValidator } from '../helpers/upstream.js';
import { SOURCE_REF, WIDGET } from '../helpers/widget.js';
import { requestYaml, runRequest } from '../helpers/workflow.js';

const validateTerraform = crdValidator('tofu-controller/infra.contrib.fluxcd.io_terraforms.yaml', 'v1alpha2');
type Obj = Record<string, any>;

async function objectsFor(spec: Record<string, unknown>, name = 'db') {
  const run = await runRequest(echo, requestYaml(echo, spec, { name, namespace: 'team-a' }));
  expect(run.ending).toBe('done');
  const [file] = Object.values(run.output);
  const [stackSecret, terraform] = parseAllDocuments(file!).map((d) => d.toJSON()) as [Obj, Obj];
  expect(validateTerraform(terraform)).toEqual([]);
  return { stackSecret, terraform, stack: JSON.parse(stackSecret.stringData['main.tf.json']) };
}

/**
 * runner/server_generate_tf_vars.go GenerateVarsForTF: spec.vars (only `.value`), then each
 * varsFrom Secret of the object's namespace, each varsKeys entry "<key>:<variable>" (no rename
 * without ":"), the value always a JSON string; a missing Secret fails unless optional, a missing
 * key gives "".
 */
function runnerVariables(terraform: Obj, secrets: Record<string, Record<string, string>>): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const v of terraform.spec.vars ?? []) vars[v.name] = v.value ?? null;
  for (const ref of terraform.spec.varsFrom ?? []) {
    const data = secrets[ref.name];
    if (!data) {
      if (ref.optional) continue;
      throw new Error(`VarsGenerationFailed: secrets "${ref.name}" not found`);
    }
    const keys: string[] = ref.varsKeys ?? Object.keys(data);
    for (const entry of keys) {
      const [key, variable = key] = entry.split(':');
      vars[variable!] = data[key!] ?? '';
    }
  }
  return vars;
}

describe('secrets reach Terraform through varsFrom', () => {
  test('each secret variable gets its key of the synced Secret, renamed with varsKeys "<key>:<variable>"', async () => {
    const { terraform, stack } = await objectsFor({ token: { name: 'creds', key: 'api-token' } });
    const variables = Object.keys(stack.variable);
    expect(variables).toHaveLength(1);
    const synced = { 'kratix-cdktf.team-a.creds': { 'api-token': 's3cret', other: 'not for this stack' } };
    expect(runnerVariables(terraform, synced)).toEqual({ [variables[0]!]: 's3cret' });
    // Not optional: a Secret not (yet) synced fails the plan instead of applying "" as the secret.
    expect(() => runnerVariables(terraform, {})).toThrow(/VarsGenerationFailed/);
  });

  test('the old vars[].valueFrom shape reaches Terraform as null (the runner reads only vars[].value)', () => {
    const old = { spec: { vars: [{ name: 'secret_x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] } };
    expect(runnerVariables(old, { s: { k: 'value' } })).toEqual({ secret_x: null });
  });
});

/**
 * Flux garbage collection (kustomize-controller deleteObjects, ssa DeleteAll): once a request's
 * files leave the state store, every object Flux applied from them is deleted in one pass, in
 * reverse apply order, with background propagation and no wait for finalizers; an object
 * labelled or annotated `kustomize.toolkit.fluxcd.io/prune: disabled` is skipped.
 */
function prune(objects: Obj[]): Obj[] {
  const disabled = (o: Obj) => [o.metadata.labels, o.metadata.annotations].some((m) => m?.['kustomize.toolkit.fluxcd.io/prune']?.toLowerCase() === 'disabled');
  return objects.filter(disabled);
}

/**
 * What tofu-controller's finalizer (tf_controller_finalizer.go, destroyResourcesOnDeletion) needs
 * before it can destroy and remove itself: the source's artifact (pinned: the platform's), the
 * fileMappings Secrets, the varsFrom Secrets that are not optional, and a runner service account.
 */
function finalizerBlockedBy(terraform: Obj, surviving: Obj[], platformSecrets: string[]): string[] {
  const secrets = new Set([...surviving.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name), ...platformSecrets]);
  const needed = [
    ...terraform.spec.fileMappings.map((m: Obj) => m.secretRef.name),
    ...(terraform.spec.varsFrom ?? []).filter((r: Obj) => !r.optional).map((r: Obj) => r.name),
  ];
  return needed.filter((name: string) => !secrets.has(name)).map((name: string) => `error creating runner file mappings: secrets "${name}" not found`);
}

describe('deleting a request destroys its resources', () => {
  test('the stack Secret outlives the prune, so the finalizer can destroy', async () => {
    const { stackSecret, terraform } = await objectsFor({ token: { name: 'creds', key: 'k' } });
    const surviving = prune([stackSecret, terraform]);
    expect(surviving.map((o) => o.kind)).toEqual(['Secret']);
    expect(finalizerBlockedBy(terraform, surviving, ['kratix-cdktf.team-a.creds'])).toEqual([]);
    expect(terraform.spec.destroyResourcesOnDeletion).toBe(true);
    // Before: the Secret went with the Terraform object and the finalizer requeued forever.
    const unprotected = { ...stackSecret, metadata: { ...stackSecret.metadata, annotations: {} } };
    expect(finalizerBlockedBy(terraform, prune([unprotected, terraform]), ['kratix-cdktf.team-a.creds'])).toHaveLength(1);
  });

  test('the stack Secret says which Terraform object it serves, for the clean-up after the destroy', async () => {
    const { stackSecret, terraform } = await objectsFor({});
    expect(stackSecret.metadata.labels).toMatchObject({ 'kratix-cdktf.io/part': 'stack', 'kratix-cdktf.io/terraform': terraform.metadata.name });
  });
});

describe('a new stack is planned at once, an unchanged one is not', () => {
  // tf_controller.go shouldReconcile: "terraform generation has changed" plans again with the same
  // source revision; the object's watch passes only generation changes (GenerationChangedPredicate),
  // and the apiserver bumps the generation only when the spec changes.
  test("the stack's digest is in the spec; the same stack gives the same spec", async () => {
    const a = await objectsFor({ message: 'one' });
    const b = await objectsFor({ message: 'two' });
    const again = await objectsFor({ message: 'one' });
    const digest = (o: Obj) => o.terraform.spec.runnerPodTemplate.metadata.annotations['kratix-cdktf.io/stack-sha256'];
    expect(digest(a)).toBe(createHash('sha256').update(a.stackSecret.stringData['main.tf.json']).digest('hex'));
    expect(a.terraform.spec).not.toEqual(b.terraform.spec);
    expect(again.terraform.spec).toEqual(a.terraform.spec);
  });

  // fluxcd/pkg ssa sort.go: Secrets come before custom resources in one apply pass, so when the
  // new generation is planned, the Secret it reads already holds the new stack.
  test('the Secret comes before the Terraform object, as Flux applies them', async () => {
    const { stackSecret, terraform } = await objectsFor({});
    expect([stackSecret.kind, terraform.kind]).toEqual(['Secret', 'Terraform']);
  });
});

describe('names', () => {
  // HashiCorp Terraform >= 1.11 (kubernetes backend, hasNumericSuffix) refuses a secret_suffix whose
  // last "-" segment parses as a Go int; test/delivery/backend.test.ts asks the real CLI the rule.
  // A slug's 20-hex-digit tail is all digits for about 1 slug in 11,000, and those that fit an
  // int64 (a leading zero, or a small first digit) are refused: about 1 in 130,000.
  test('a request whose slug ends in what the kubernetes backend takes for a number gets a state suffix it accepts', async () => {
    const name = 'app-45185';
    const slug = requestSlug('echo', { metadata: { name, namespace: 'team-a' } });
    expect(slug).toBe('echo-team-a-app-45185-03581102541224772931');
    expect(endsWithGoInt(slug)).toBe(true);
    const { terraform } = await objectsFor({}, name);
    expect(terraform.metadata.name).toBe(slug);
    expect(terraform.spec.backendConfig.secretSuffix).toBe(`${slug}-s`);
    expect(endsWithGoInt(terraform.spec.backendConfig.secretSuffix)).toBe(false);
    // Every other request keeps the suffix it always had: no state Secret moves.
    const { terraform: other } = await objectsFor({}, 'db');
    expect(other.spec.backendConfig.secretSuffix).toBe(other.metadata.name);
  });
});

describe('the source', () => {
  const check = (delivery: unknown) => checkDelivery(definePromise({ ...WIDGET, delivery } as typeof WIDGET));

  test('is required: the CRD needs one, and a missing source stalls every object', () => {
    expect(check(undefined)).toEqual([expect.objectContaining({ path: 'delivery', message: expect.stringMatching(/^is missing: /) })]);
    expect(check(tofuController({} as never))).toEqual([expect.objectContaining({ path: 'delivery.sourceRef' })]);
    expect(check(tofuController({ sourceRef: SOURCE_REF }))).toEqual([]);
  });

  // tofu-controller denies cross-namespace sourceRefs unless --allow-cross-namespace-refs, and a
  // denied object is stalled with a terminal error: it neither plans nor finalizes.
  test('lives in the Terraform objects’ namespace', () => {
    expect(check(tofuController({ sourceRef: { ...SOURCE_REF, namespace: 'kratix' } }))).toEqual([
      expect.objectContaining({ path: 'delivery.sourceRef.namespace', message: expect.stringContaining('cross-namespace') }),
    ]);
    expect(check(tofuController({ namespace: 'terraform', sourceRef: { kind: 'GitRepository', name: 'pinned' } }))).toEqual([]);
  });

  test('a clean-up schedule that is not cron is named', () => {
    expect(check(tofuController({ sourceRef: SOURCE_REF, cleanUp: { schedule: 'hourly' } })).map((i) => i.path)).toEqual(['delivery.cleanUp.schedule']);
    expect(check(tofuController({ sourceRef: SOURCE_REF, cleanUp: { schedule: '@daily' } }))).toEqual([]);
    expect(check(tofuController({ sourceRef: SOURCE_REF, cleanUp: { schedule: '*/30 * * * *' } }))).toEqual([]);
  });

  test('bad kinds and names are named', () => {
    const issues = check(tofuController({ sourceRef: { kind: 'HelmRepository', name: 'Not_A_Name' } as never }));
    expect(issues.map((i) => i.path)).toEqual(['delivery.sourceRef.kind', 'delivery.sourceRef.name']);
  });
});

test('outputs: every output goes to the Secret, none listed (a listed null output fails the reconcile: "output not found")', async () => {
  const { terraform } = await objectsFor({});
  expect(terraform.spec.writeOutputsToSecret).not.toHaveProperty('outputs');
  // With backendConfig set, in_cluster_config defaults to false (tf_controller_backend.go).
  expect(terraform.spec.backendConfig).toMatchObject({ inClusterConfig: true, secretSuffix: terraform.metadata.name });
});
