// The checks of a Promise's delivery options (src/kratix/delivery.ts), through renderPromise as
// synth runs them: where the pipelines run, where GitOps objects go, and HCP Terraform's mode.
import { describe, expect, test } from 'vitest';
import { applyInWorkflow, hcpTerraform, kubernetesBackend, pgBackend, secretRef, tofuController, Type } from '../../src/index.js';
import { crdValidator, pipelineProblems } from '../helpers/upstream.js';
import { renderWidget, SOURCE_REF } from '../helpers/widget.js';

const render = renderWidget;

describe('pipeline namespace', () => {
  const validatePromise = crdValidator('kratix/platform.kratix.io_promises.yaml');
  const promiseOf = (overrides: Record<string, unknown>) => {
    const result = render(overrides);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const promise = result.value.promise as any;
    expect(validatePromise(promise)).toEqual([]);
    expect(pipelineProblems(promise)).toEqual([]);
    return promise;
  };
  const withSecret = Type.Object({ size: Type.Integer({ default: 1 }), password: secretRef() });

  test('apply mode runs its pipelines in a platform namespace, "kratix-cdktf" unless applyInWorkflow names another', () => {
    expect(promiseOf({ delivery: applyInWorkflow({ backend: pgBackend() }) }).spec.workflows.config).toEqual({ pipelineNamespace: 'kratix-cdktf' });
    expect(promiseOf({ delivery: applyInWorkflow({ backend: pgBackend(), pipelineNamespace: 'platform-tf' }) }).spec.workflows.config).toEqual({
      pipelineNamespace: 'platform-tf',
    });
  });

  test('a Pipeline that may read Secrets in every namespace never runs in a tenant’s namespace', () => {
    // Its service account would sit where the tenant can start pods with it.
    const promise = promiseOf({ spec: withSecret, delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'tfstate' }) }) });
    const permissions = promise.spec.workflows.resource.configure[0].spec.rbac.permissions;
    expect(permissions).toEqual(expect.arrayContaining([expect.objectContaining({ resourceNamespace: '*', resources: ['secrets'] })]));
    expect(promise.spec.workflows.config.pipelineNamespace).toBe('kratix-cdktf');
  });

  test('GitOps delivery keeps Kratix’s default, each request’s namespace, unless tofuController names one', () => {
    expect(promiseOf({}).spec.workflows).not.toHaveProperty('config');
    expect(promiseOf({ delivery: tofuController({ sourceRef: SOURCE_REF, pipelineNamespace: 'platform-gitops' }) }).spec.workflows.config).toEqual({
      pipelineNamespace: 'platform-gitops',
    });
  });

  test.each([
    ['Platform_TF', /"Platform_TF" must be lower-case letters/],
    ['a'.repeat(64), /must be at most 63 characters, is 64/],
    ['', /"" must not be empty/],
    [5, /5 is not a namespace name, which is a string/],
  ])('pipelineNamespace %j is refused, naming the field and a fix', (pipelineNamespace, expected) => {
    const namespace = pipelineNamespace as string; // as an author without types could write it
    for (const delivery of [
      applyInWorkflow({ backend: pgBackend(), pipelineNamespace: namespace }),
      tofuController({ sourceRef: SOURCE_REF, pipelineNamespace: namespace }),
    ]) {
      const result = render({ delivery });
      expect(result.ok ? [] : result.issues).toEqual([
        { path: 'delivery.pipelineNamespace', message: expect.stringMatching(expected), fix: expect.stringContaining('existing namespace') },
      ]);
    }
  });
});

describe('destination labels', () => {
  const routed = (destinationLabels: unknown, destinationSelectors: unknown = [{ matchLabels: { environment: 'aws' } }]) =>
    render({ destinationSelectors, delivery: tofuController({ sourceRef: SOURCE_REF, destinationLabels: destinationLabels as Record<string, string> }) });
  const found = (result: ReturnType<typeof render>) => (result.ok ? [] : result.issues);

  test('labels with keys of their own narrow the Promise’s destinations and are accepted', () => {
    expect(found(routed({ 'tofu.example.com/controller': 'enabled', tier: '' }))).toEqual([]);
  });

  test('a key the Promise’s destinationSelectors also use is refused, naming both fields, the value that would win and the fix', () => {
    expect(found(routed({ environment: 'gcp' }, [{ matchLabels: { team: 'data' } }, { matchLabels: { environment: 'aws' } }]))).toEqual([
      {
        path: 'delivery.destinationLabels.environment',
        message:
          'is also in destinationSelectors[1].matchLabels; Kratix merges the two and keeps the Promise\'s value "aws", so the objects would never be sent where "environment" is "gcp"',
        fix: 'remove "environment" from one of the two: destinationLabels only narrow where the Promise\'s destinationSelectors send requests',
      },
    ]);
  });

  test('a shared key with the same value is refused as doing nothing', () => {
    expect(found(routed({ environment: 'aws' })).map((i) => i.message)).toEqual([
      expect.stringMatching(/destinationSelectors\[0\]\.matchLabels with the same value, so it changes nothing$/),
    ]);
  });

  test.each([
    [{}, 'delivery.destinationLabels', /^is empty; Kratix's work-writer fails every run/],
    ['tofu', 'delivery.destinationLabels', /^"tofu" is not a map of label keys to values$/],
    [{ 'has space': 'x' }, 'delivery.destinationLabels.has space', /^label key "has space" must be letters/],
    [{ 'Bad_Prefix/x': 'y' }, 'delivery.destinationLabels.Bad_Prefix/x', /^label key "Bad_Prefix\/x" has a prefix that must be lower-case/],
    [{ tofu: 'not ok' }, 'delivery.destinationLabels.tofu', /^label value "not ok" must be letters/],
    [{ tofu: 'x'.repeat(64) }, 'delivery.destinationLabels.tofu', /^label value "x+" must be at most 63 characters, is 64$/],
    [{ tofu: true }, 'delivery.destinationLabels.tofu', /^label value true is not a string$/],
  ])('destinationLabels %j is refused', (labels, path, expected) => {
    const issues = found(routed(labels));
    expect(issues).toEqual([{ path, message: expect.stringMatching(expected), fix: expect.any(String) }]);
  });
});

describe('HCP Terraform', () => {
  const withMode = (executionMode: unknown) =>
    render({ delivery: applyInWorkflow({ backend: hcpTerraform({ organization: 'acme', project: 'kratix', executionMode: executionMode as 'local' }) }) });

  test("executionMode: 'local' is accepted", () => {
    expect(withMode('local').ok).toBe(true);
  });

  test.each([
    [undefined, /^is missing: HCP Terraform runs a workspace's plans and applies on its own workers unless its execution mode is Local/],
    [
      'remote',
      /^is "remote": .*cloud credentials nor its provider mirror, and the CLI sends it the TF_VAR_\* values, secretRef\(\) fields included, as run variables$/,
    ],
    ['agent', /^is "agent": /],
  ])('executionMode %j is refused, saying what a remote run does and how to set Local', (mode, expected) => {
    const result = withMode(mode);
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: 'delivery.backend.executionMode',
        message: expect.stringMatching(expected),
        fix: expect.stringMatching(/Default Execution Mode .* to Local.*executionMode: 'local'/),
      },
    ]);
  });
});
