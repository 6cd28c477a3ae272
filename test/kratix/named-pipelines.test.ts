// Several named pipelines per action, as Kratix runs them: spec.workflows.resource.<action> is a
// list of Pipelines that Kratix runs in order, each as its own Job, and names each one's RBAC
// objects `<promise>-resource-<action>-<pipeline>` (at most 60 characters here, as Kratix allows).
import { describe, expect, test } from 'vitest';
import { crdValidator, pipelineProblems } from '../helpers/upstream.js';
import { renderWidget } from '../helpers/widget.js';

const policy = { name: 'policy', containers: [{ name: 'opa', image: 'openpolicyagent/opa:1', args: ['eval'] }] };
const notify = { name: 'notify', step: () => ({ status: { notified: true } }) };

const render = (workflow: Record<string, unknown>) => {
  const rendered = renderWidget({ workflow });
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
  return rendered.value.promise as { spec: { workflows: { resource: Record<string, any[]> } } };
};

describe('rendered', () => {
  const promise = render({ configure: { pipelines: { before: [policy], after: [notify] } }, delete: { pipelines: { after: [notify] } } });
  const configure = promise.spec.workflows.resource.configure!;

  test('in the order Kratix runs them: the author’s before, the Promise’s own, the author’s after', () => {
    expect(configure.map((p) => p.metadata.name)).toEqual(['policy', 'terraform', 'notify']);
    expect(promise.spec.workflows.resource.delete!.map((p) => p.metadata.name)).toEqual(['terraform', 'notify']);
  });

  test('a containers pipeline runs exactly the author’s containers; a step runs the Promise’s image with KRATIX_CDKTF_STEP', () => {
    expect(configure[0].spec.containers).toEqual(policy.containers);
    const [step] = configure[2].spec.containers;
    expect(step).toMatchObject({ name: 'step', image: configure[1].spec.containers[0].image, command: ['node', '--snapshot-blob', '/app/workflow.blob'] });
    expect(step.env).toContainEqual({ name: 'KRATIX_CDKTF_STEP', value: 'notify' });
    // No RBAC of the Promise's own pipeline: a step only reads the request and writes status.
    expect(configure[2].spec.rbac).toBeUndefined();
  });

  test('valid for the Kratix Promise CRD and Kratix’s strict Pipeline parsing', () => {
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(promise)).toEqual([]);
    expect(pipelineProblems(promise as never)).toEqual([]);
  });
});

describe('refused, with the field and a fix', () => {
  const issues = (workflow: Record<string, unknown>) => {
    const rendered = renderWidget({ workflow });
    expect(rendered.ok).toBe(false);
    return rendered.ok ? [] : rendered.issues;
  };

  test.each([
    ['a name that is no DNS label', { before: [{ ...policy, name: 'Policy_Check' }] }, 'workflow.configure.pipelines.before[0].name', /must be lower-case/],
    ['neither containers nor a step', { before: [{ name: 'empty' }] }, 'workflow.configure.pipelines.before[0]', /has neither containers nor a step/],
    ['both', { after: [{ ...policy, step: notify.step }] }, 'workflow.configure.pipelines.after[0]', /has both containers and a step/],
    ['a step that is no function', { after: [{ name: 'x', step: 'notify' }] }, 'workflow.configure.pipelines.after[0].step', /is not a function/],
    [
      'a container field Kratix does not accept',
      { before: [{ name: 'p', containers: [{ name: 'a', image: 'b', ports: [] }] }] },
      'workflow.configure.pipelines.before[0].containers[0]',
      /ports/,
    ],
    ['not a list', { before: policy }, 'workflow.configure.pipelines.before', /is not a list/],
  ])('%s', (_what, pipelines, path, reason) => {
    expect(issues({ configure: { pipelines } })).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(reason), fix: expect.any(String) }),
    );
  });

  test('a name the Promise’s own pipeline has, or another’s', () => {
    expect(issues({ configure: { pipelines: { before: [{ ...policy, name: 'terraform' }] } } })).toContainEqual(
      expect.objectContaining({ path: expect.stringMatching(/^workflow\.configure/), message: 'pipeline name "terraform" is used twice in the same workflow' }),
    );
    expect(issues({ configure: { pipelines: { before: [policy], after: [{ ...notify, name: 'policy' }] } } })).toContainEqual(
      expect.objectContaining({ path: 'workflow.configure.pipelines', message: 'pipeline name "policy" is used twice in the same workflow' }),
    );
  });

  test('a name too long for Kratix’s <promise>-resource-<action>-<pipeline>', () => {
    const name = 'p'.repeat(40);
    expect(issues({ delete: { pipelines: { before: [{ ...policy, name }] } } })).toContainEqual(
      expect.objectContaining({
        path: 'workflow.delete.pipelines',
        message: `"widget-resource-delete-${name}" is 63 characters; Kratix names RBAC objects after it and allows at most 60`,
      }),
    );
  });
});
