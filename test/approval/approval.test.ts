// Approval (src/approval): which plans need a person, the digest an approver approves, the summary
// they read, the admission policy that keeps tenants from approving their own plans, and the
// `approve` command. There is no API server here: the admission policy's CEL is evaluated with
// the CEL library kratix-cdktf already uses, and `approve` talks to a stand-in kubectl (a shell
// script that serves one request and records what it was asked).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { celEnv, isCelError, parse, plan as celPlan } from '@bufbuild/cel';
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compilePromise } from '../../src/artifacts/compile.js';
import { applyInWorkflow, pgBackend } from '../../src/delivery/apply/index.js';
import { definePromise, Type } from '../../src/index.js';
import { APPROVED_PLAN_ANNOTATION, approvalPolicy, approvalReasons, checkApproval, planDigest, planSummary } from '../../src/approval/index.js';
import { approve, parseApproveArgs } from '../../src/cli/approve.js';
import type { PlannedResource, PlanView } from '../../src/policies/index.js';

const resource = (address: string, actions: string[], before: Record<string, unknown> | null, after: Record<string, unknown> | null): PlannedResource => ({
  address,
  type: address.split('.')[0]!,
  actions,
  before,
  after,
});
const view = (...resources: PlannedResource[]): PlanView => ({ source: 'plan', resources, providers: [] });
const approvers = { groups: ['platform-approvers'] };

describe('which plans need a person', () => {
  const update = resource(
    'aws_db_instance.db',
    ['update'],
    { instance_class: 'db.t4g.micro', password: '(sensitive)' },
    { instance_class: 'db.t4g.large', password: '(sensitive)' },
  );
  const replace = resource('aws_db_instance.db', ['delete', 'create'], { engine_version: '15.7' }, { engine_version: '16.4' });
  const destroy = resource('aws_s3_bucket.logs', ['delete'], { bucket: 'logs' }, null);
  const record = resource('terraform_data.kratix_cdktf_stack', ['update'], { input: 'a' }, { input: 'b' });

  test('replacements and destroys by default, every change only when asked, never kratix-cdktf’s own records', () => {
    expect(approvalReasons({ approvers }, view(update, record))).toEqual([]);
    expect(approvalReasons({ approvers }, view(replace))).toEqual(['it replaces aws_db_instance.db']);
    expect(approvalReasons({ approvers }, view(destroy))).toEqual(['it destroys aws_s3_bucket.logs']);
    expect(approvalReasons({ approvers, replace: false, destroy: false }, view(replace, destroy))).toEqual([]);
    expect(approvalReasons({ approvers, anyChange: true }, view(update))).toEqual(['every change needs approval']);
    expect(approvalReasons({ approvers, anyChange: true }, view(record))).toEqual([]);
    const large: typeof update = update;
    expect(
      approvalReasons(
        { approvers, when: (p) => (p.resources.some((r) => r.after?.instance_class === 'db.t4g.large') ? 'a large instance' : undefined) },
        view(large),
      ),
    ).toEqual(['a large instance']);
  });

  test('the summary: each change with the attributes that change, sensitive ones named only', () => {
    expect(planSummary(view(update, record, destroy))).toEqual([
      { address: 'aws_db_instance.db', action: 'update', attributes: ['instance_class'] },
      { address: 'aws_s3_bucket.logs', action: 'destroy' },
    ]);
  });

  test('the digest: the same plan gives the same one, whatever the order; any change to the plan gives another', () => {
    const d = planDigest(view(update, destroy));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(planDigest(view(destroy, update))).toBe(d);
    expect(planDigest(view(update))).not.toBe(d);
    const bigger = resource('aws_db_instance.db', ['update'], update.before, { ...update.after, instance_class: 'db.r6g.xlarge' });
    expect(planDigest(view(bigger, destroy))).not.toBe(d);
    // Bound to what was planned and for which spec: the same masked changes from another
    // configuration (a local the request set), or another generation, are another plan.
    const config = { locals: { suffix: 'a' } };
    expect(planDigest(view(update), { configuration: config })).not.toBe(planDigest(view(update), { configuration: { locals: { suffix: 'evil' } } }));
    expect(planDigest(view(update), { configuration: config, generation: 1 })).not.toBe(planDigest(view(update), { configuration: config, generation: 2 }));
    expect(planDigest(view(update), { configuration: config, generation: 1 })).toBe(planDigest(view(update), { configuration: config, generation: 1 }));
    // Masked values: the digest can tell nothing of a secret.
    expect(JSON.stringify(view(update))).not.toContain('hunter2');
  });

  test.each([
    [{}, 'approval.approvers.groups', /must list the Kubernetes groups/],
    [{ approvers: { groups: ['a"] || true || ["'] } }, 'approval.approvers.groups', /without quotes/],
    [{ approvers, replace: 'yes' }, 'approval.replace', /is not true or false/],
    [{ approvers, when: 'big' }, 'approval.when', /is not a function/],
  ])('synth refuses %j', (approval, path, message) => {
    expect(checkApproval(approval, true)).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });

  test('synth refuses approval beside a GitOps delivery, whose plan no run can show', () => {
    expect(checkApproval({ approvers }, false)).toEqual([
      expect.objectContaining({ path: 'approval', message: expect.stringMatching(/made on the Destination/) }),
    ]);
  });
});

describe('the admission policy', () => {
  const [policy, binding] = approvalPolicy(
    'postgres',
    { group: 'data.example.com', plural: 'postgreses' },
    { approvers: { groups: ['platform-approvers', 'dba'] } },
  ) as [any, any];

  test('is a valid ValidatingAdmissionPolicy and binding (the Kubernetes OpenAPI schema in kubernetes-models)', () => {
    expect(() => new ValidatingAdmissionPolicy(policy).validate()).not.toThrow();
    expect(() => new ValidatingAdmissionPolicyBinding(binding).validate()).not.toThrow();
    expect(binding.spec).toEqual({ policyName: 'kratix-cdktf-approval-postgres', validationActions: ['Deny'] });
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['data.example.com'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['postgreses'] },
    ]);
  });

  // The API server evaluates the variables, then the validation with them.
  const env = celEnv();
  const evaluate = (expression: string, input: Record<string, unknown>) => {
    const result = celPlan(env, parse(expression))(input as never);
    if (isCelError(result)) throw new Error(result.message);
    return result;
  };
  const admits = (object: unknown, oldObject: unknown, groups: string[]) => {
    const input: Record<string, unknown> = { object, oldObject, request: { userInfo: { groups } } };
    const variables = Object.fromEntries(policy.spec.variables.map((v: { name: string; expression: string }) => [v.name, evaluate(v.expression, input)]));
    return evaluate(policy.spec.validations[0].expression, { ...input, variables });
  };
  const request = (annotations?: Record<string, string>) => ({
    metadata: { name: 'orders', ...(annotations ? { annotations } : {}) },
    spec: { size: 'large' },
  });
  const approved = (plan: string) => request({ [APPROVED_PLAN_ANNOTATION]: plan, team: 'a' });

  test('a tenant may create and change requests, and drop the approval, but not set or change it', () => {
    expect(admits(request(), null, ['tenants'])).toBe(true);
    expect(admits(request({ team: 'a' }), request(), ['tenants'])).toBe(true);
    expect(admits(approved('0123456789abcdef'.repeat(4)), null, ['tenants'])).toBe(false);
    expect(admits(approved('0123456789abcdef'.repeat(4)), request({ team: 'a' }), ['tenants'])).toBe(false);
    expect(admits(approved('fedcba9876543210'.repeat(4)), approved('0123456789abcdef'.repeat(4)), ['tenants'])).toBe(false);
    // Dropping it approves nothing.
    expect(admits(request({ team: 'a' }), approved('0123456789abcdef'.repeat(4)), ['tenants'])).toBe(true);
    // Other changes of an approved request stay the tenant's (the approval then no longer matches the plan).
    expect(admits({ ...approved('0123456789abcdef'.repeat(4)), spec: { size: 'small' } }, approved('0123456789abcdef'.repeat(4)), ['tenants'])).toBe(true);
  });

  test('a member of an approvers’ group may set it', () => {
    expect(admits(approved('0123456789abcdef'.repeat(4)), request(), ['system:authenticated', 'dba'])).toBe(true);
    expect(admits(approved('0123456789abcdef'.repeat(4)), null, ['platform-approvers'])).toBe(true);
  });
});

describe('kratix-cdktf approve', () => {
  test.each([
    [['postgres/orders'], /--plan must be/],
    [['postgres/orders', '--plan', 'nope'], /--plan must be/],
    [['orders', '--plan', '0123456789abcdef'.repeat(4)], /<resource>\/<name>/],
    [['postgres/orders', '--plan', '0123456789abcdef'.repeat(4), '--force'], /Unknown option '--force'/],
  ])('%j is refused with the reason', (args, message) => {
    const parsed = parseApproveArgs(args);
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  // The stand-in kubectl: `get` prints the request; every call is recorded.
  function standIn(status: unknown, metadata: Record<string, unknown> = { generation: 3, labels: { 'kratix.io/workflow-suspended': 'true' } }) {
    const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-kubectl-'));
    writeFileSync(join(dir, 'request.json'), JSON.stringify({ metadata: { name: 'orders', ...metadata }, status }));
    writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\necho "$*" >> "${dir}/calls"\nif [ "$1" = get ]; then cat "${dir}/request.json"; fi\n`);
    chmodSync(join(dir, 'kubectl'), 0o755);
    const lines: string[] = [];
    const run = (args: string[]) => {
      const parsed = parseApproveArgs(args);
      if (!parsed.ok) throw new Error(parsed.message);
      return approve(parsed.value, { ...process.env, KUBECTL: join(dir, 'kubectl') }, { info: (l) => lines.push(l), error: (l) => lines.push(`ERROR ${l}`) });
    };
    const calls = () => {
      try {
        return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    return { run, calls, lines };
  }
  const PLAN = '0123456789abcdef'.repeat(4);
  const OTHER = 'fedcba9876543210'.repeat(4);
  const waiting = {
    approval: {
      needed: true,
      plan: PLAN,
      generation: 3,
      approved: false,
      reasons: ['it replaces aws_db_instance.db'],
      summary: [{ address: 'aws_db_instance.db', action: 'replace', attributes: ['engine_version'] }],
    },
  };

  test('shows the plan, then annotates the request and asks Kratix to run its suspended workflow again', () => {
    const k = standIn(waiting);
    expect(k.run(['postgres/orders', '-n', 'team-a', '--plan', PLAN])).toBe(0);
    expect(k.calls()).toEqual([
      'get postgres/orders -o json -n team-a',
      `annotate postgres/orders ${APPROVED_PLAN_ANNOTATION}=${PLAN} --overwrite -n team-a`,
      'label postgres/orders kratix.io/manual-reconciliation=true --overwrite -n team-a',
    ]);
    expect(k.lines.join('\n')).toMatch(
      new RegExp(`plan ${PLAN} needs approval: it replaces aws_db_instance.db\n {2}replace aws_db_instance.db \\(engine_version\\)`),
    );
  });

  test('a workflow that is not suspended gets the annotation only: the label would stop a running Job', () => {
    const k = standIn(waiting, { generation: 3 });
    expect(k.run(['postgres/orders', '--plan', PLAN])).toBe(0);
    expect(k.calls().map((c) => c.split(' ')[0])).toEqual(['get', 'annotate']);
    expect(k.lines.join('\n')).toMatch(/not suspended; its next run picks the approval up/);
  });

  test('a digest that is not the one waiting, a request changed since its plan, or one that waits for none, is refused and nothing is changed', () => {
    const k = standIn(waiting);
    expect(k.run(['postgres/orders', '--plan', OTHER])).toBe(1);
    expect(k.lines.join('\n')).toMatch(new RegExp(`waits for plan ${PLAN}, not ${OTHER}`));
    const changed = standIn(waiting, { generation: 4, labels: { 'kratix.io/workflow-suspended': 'true' } });
    expect(changed.run(['postgres/orders', '--plan', PLAN])).toBe(1);
    expect(changed.lines.join('\n')).toMatch(/changed since plan .* was made \(generation 4, not 3\): wait for its next plan/);
    const none = standIn({ approval: { needed: false } });
    expect(none.run(['postgres/orders', '--plan', PLAN])).toBe(1);
    expect(none.lines.join('\n')).toMatch(/waits for no approval/);
    for (const { calls } of [k, changed, none]) expect(calls().filter((c) => !c.startsWith('get '))).toEqual([]);
  });

  test('no kubectl: said so, with the fix', () => {
    const lines: string[] = [];
    const code = approve(
      { target: 'postgres/orders', plan: '0123456789abcdef'.repeat(4) },
      { ...process.env, KUBECTL: '/nonexistent/kubectl' },
      { info: () => {}, error: (l) => lines.push(l) },
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/could not run \/nonexistent\/kubectl: ENOENT; install kubectl or set KUBECTL/);
  });
});

describe('synth', () => {
  const def = (approval?: object) =>
    definePromise({
      name: 'cache',
      api: { group: 'fixtures.example.com', version: 'v1alpha1', kind: 'Cache' },
      spec: Type.Object({ size: Type.Integer({ default: 1 }) }),
      delivery: applyInWorkflow({ backend: pgBackend() }),
      ...(approval ? { approval: approval as never } : {}),
      stack: () => ({}),
    });
  const compile = (d: ReturnType<typeof def>) =>
    compilePromise(d, {
      image: 'example.com/w:1',
      exampleRequest: { apiVersion: 'fixtures.example.com/v1alpha1', kind: 'Cache', metadata: { name: 'c', namespace: 'a' } },
    });

  test('writes approval-policy.yaml beside the Promise when it has approval, and only then', async () => {
    const withIt = await compile(def({ approvers: { groups: ['platform-approvers'] } }));
    if (!withIt.ok) throw new Error(JSON.stringify(withIt.issues));
    const docs = parseAllDocuments(withIt.value.get('approval-policy.yaml')!).map((d) => d.toJSON());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/kratix-cdktf-approval-cache',
      'ValidatingAdmissionPolicyBinding/kratix-cdktf-approval-cache',
    ]);
    expect(docs[0].spec.matchConstraints.resourceRules[0].resources).toEqual(['caches']);
    const without = await compile(def());
    expect(without.ok && [...without.value.keys()]).not.toContain('approval-policy.yaml');
  });

  test('an approval without approvers is refused, naming the field', async () => {
    const refused = await compile(def({ anyChange: true }));
    expect(refused.ok ? [] : refused.issues.map((i) => i.path)).toEqual(['approval.approvers.groups']);
  });
});
