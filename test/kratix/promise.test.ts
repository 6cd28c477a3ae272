import { describe, expect, test } from 'vitest';
import { applyInWorkflow, definePromise, kubernetesBackend, manifestFile, pgBackend, secretRef, Type } from '../../src/index.js';
import { isManifestFile } from '../../src/promise/manifest-file.js';
import { renderPromise } from '../../src/kratix/promise.js';
import { pluralize } from '../../src/kratix/names.js';
import { pipelineProblems } from '../helpers/upstream.js';
import { renderWidget, WIDGET } from '../helpers/widget.js';

const render = renderWidget;
const issues = (overrides: Record<string, unknown>) => {
  const result = render(overrides);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('names', () => {
  test.each([
    [{ name: 'Widget' }, /^name: "Widget" must be lower-case/],
    [{ name: 'w'.repeat(64) }, /^name: .* at most 63 characters/],
    [{ api: { ...WIDGET.api, group: 'example' } }, /^api\.group: "example" must contain a dot/],
    [{ api: { ...WIDGET.api, version: 'v1.0' } }, /^api\.version: "v1\.0" must look like v1/],
    [{ api: { ...WIDGET.api, kind: 'wid_get' } }, /^api\.kind: "wid_get" may have mixed case, but otherwise must be lower-case letters/],
    [{ api: { ...WIDGET.api, plural: 'Widgets' } }, /^api\.plural: "Widgets" must be lower-case/],
    [{ api: { ...WIDGET.api, shortNames: ['w_1'] } }, /^api\.shortNames\[0\]: "w_1"/],
    [{ version: 'not a label' }, /^version: "not a label" is not a valid label value/],
    [{ outputs: { 'has space': {} } }, /^outputs\.has space: is not a valid Terraform output name/],
    [{ dependencies: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }] }, /^dependencies\[0\]: dependency has no metadata\.name/],
  ])('%j is rejected', (overrides, expected) => {
    expect(issues(overrides)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('plurals follow English rules', () => {
    expect(['Postgres', 'Bucket', 'Policy', 'Gateway', 'Box', 'Mesh'].map(pluralize)).toEqual([
      'postgreses',
      'buckets',
      'policies',
      'gateways',
      'boxes',
      'meshes',
    ]);
  });
});

describe('pipelines', () => {
  test('a Promise name that makes <promise>-resource-configure-<pipeline> longer than 60 is rejected', () => {
    const name = 'a'.repeat(33); // 33 + "-resource-configure-terraform" (29) = 62
    expect(issues({ name })).toEqual(expect.arrayContaining([expect.stringMatching(/^workflow\.configure: ".*" is 62 characters; Kratix .* at most 60/)]));
    expect(issues({ name: 'a'.repeat(31) })).toEqual([]);
  });

  test('extra containers run before and after the Terraform step, with only Kratix fields', () => {
    const result = render({
      workflow: {
        configure: { before: [{ name: 'policy', image: 'opa:1', args: ['check'] }], after: [{ name: 'notify', image: 'slack:1' }] },
        resources: { limits: { memory: '2Gi' } },
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const promise = result.value.promise as never as Parameters<typeof pipelineProblems>[0] & {
      spec: { workflows: { resource: { configure: { spec: { containers: { name: string; resources?: unknown }[] } }[] } } };
    };
    expect(pipelineProblems(promise)).toEqual([]);
    const containers = promise.spec.workflows.resource.configure[0]!.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['policy', 'synth', 'notify']);
    expect(containers[1]!.resources).toEqual({ limits: { memory: '2Gi' } });
  });

  test('an extra container with a field Kratix rejects is an error', () => {
    expect(issues({ workflow: { configure: { before: [{ name: 'x', image: 'y', ports: [] }] } } })).toEqual([
      expect.stringMatching(/^workflow\.configure\.before\[0\]: "ports" is not a container field Kratix accepts/),
    ]);
  });

  test('two containers with the same name in one pipeline are an error', () => {
    expect(issues({ workflow: { configure: { after: [{ name: 'synth', image: 'y' }] } } })).toEqual([
      expect.stringMatching(/container name "synth" is used twice/),
    ]);
  });
});

describe('Job options', () => {
  const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } };
  // Every Pipeline of the Promise, the deps one included: resource configure and delete, promise configure.
  const pipelinesOf = (overrides: Record<string, unknown>) => {
    const result = renderPromise(definePromise({ ...WIDGET, dependencies: [NAMESPACE], ...overrides } as typeof WIDGET), {
      image: 'img:1',
      dependencies: 'workflow',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const promise = result.value.promise as any;
    expect(pipelineProblems(promise)).toEqual([]);
    const { resource, promise: promiseWorkflow } = promise.spec.workflows;
    return [...resource.configure, ...resource.delete, ...promiseWorkflow.configure] as { metadata: { name: string }; spec: Record<string, any> }[];
  };

  test('every Pipeline, the deps one included, lets Kubernetes restart a crashed container twice, not 6 times', () => {
    const pipelines = pipelinesOf({});
    expect(pipelines.map((p) => p.metadata.name)).toEqual(['terraform', 'terraform', 'deps']);
    for (const p of pipelines) expect(p.spec.jobOptions).toEqual({ backoffLimit: 2 });
  });

  test('workflow.backoffLimit sets it for every Pipeline', () => {
    for (const p of pipelinesOf({ workflow: { backoffLimit: 0 } })) expect(p.spec.jobOptions).toEqual({ backoffLimit: 0 });
  });

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '3', null])(
    'workflow.backoffLimit %s is refused, naming the field and a fix',
    (backoffLimit) => {
      const result = render({ workflow: { backoffLimit } });
      expect(result.ok ? [] : result.issues).toEqual([
        {
          path: 'workflow.backoffLimit',
          message: expect.stringMatching(/ is not a number of restarts; Kubernetes takes a whole number from 0$/),
          fix: expect.stringContaining('leave it out for 2 restarts'),
        },
      ]);
    },
  );
});

describe('image pull Secrets', () => {
  const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } };
  const renderWith = (overrides: Record<string, unknown>, imagePullSecrets?: string[]) =>
    renderPromise(definePromise({ ...WIDGET, dependencies: [NAMESPACE], ...overrides } as typeof WIDGET), {
      image: 'img:1',
      dependencies: 'workflow',
      ...(imagePullSecrets ? { imagePullSecrets } : {}),
    });

  test('the project’s go on every Pipeline, the deps one included, followed by the Promise’s own, each once', () => {
    const result = renderWith({ workflow: { imagePullSecrets: ['policy-registry', 'regcred'] } }, ['regcred']);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const promise = result.value.promise as any;
    expect(pipelineProblems(promise)).toEqual([]);
    const { resource, promise: promiseWorkflow } = promise.spec.workflows;
    for (const p of [...resource.configure, ...resource.delete, ...promiseWorkflow.configure]) {
      expect(p.spec.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'policy-registry' }]);
    }
    // The deps workflow writes the objects a delivery adds (a CronJob of this image) from these.
    expect(promiseWorkflow.configure[0].spec.containers[0].env).toEqual([
      { name: 'KRATIX_CDKTF_IMAGE', value: 'img:1' },
      { name: 'KRATIX_CDKTF_IMAGE_PULL_SECRETS', value: 'regcred,policy-registry' },
    ]);
  });

  test('without any, the Pipelines have no imagePullSecrets field', () => {
    const result = renderWith({});
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect((result.value.promise as any).spec.workflows.resource.configure[0].spec).not.toHaveProperty('imagePullSecrets');
  });

  test.each([
    ['regcred', /^workflow\.imagePullSecrets: "regcred" is not a list of Secret names$/],
    [['Reg_Cred'], /^workflow\.imagePullSecrets\[0\]: "Reg_Cred" must be lower-case letters/],
    [['ok', ''], /^workflow\.imagePullSecrets\[1\]: "" must not be empty$/],
    [[{ name: 'regcred' }], /^workflow\.imagePullSecrets\[0\]: \{"name":"regcred"\} is not a Secret name, which is a string$/],
  ])('workflow.imagePullSecrets %j is refused, naming the entry', (imagePullSecrets, expected) => {
    const result = render({ workflow: { imagePullSecrets } });
    const found = result.ok ? [] : result.issues;
    expect(found.map((i) => `${i.path}: ${i.message}`)).toEqual([expect.stringMatching(expected)]);
    expect(found[0]!.fix).toMatch(/e\.g\. "regcred"|\["regcred"\]/);
  });
});

test('schema problems and name problems are reported together', () => {
  const found = issues({ name: 'Bad', spec: Type.Object({ x: Type.Any() }) });
  expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^name:/), expect.stringMatching(/^spec\.x: has no type/)]));
});

describe('apply mode', () => {
  const withSecret = Type.Object({ size: Type.Integer({ default: 1 }), password: secretRef() });
  const containerOf = (result: ReturnType<typeof render>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return (result.value.promise as any).spec.workflows.resource.configure[0].spec;
  };

  test('a Promise with secret references may read Secrets; a GitOps one gets no RBAC at all', () => {
    const applied = containerOf(render({ spec: withSecret, delivery: applyInWorkflow({ backend: pgBackend() }) }));
    expect(applied.rbac).toEqual({ permissions: [{ resourceNamespace: '*', apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
    expect(applied.containers[0].env).toEqual([{ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' }]);
    expect(containerOf(render({ spec: withSecret })).rbac).toBeUndefined();
    expect(containerOf(render({ delivery: applyInWorkflow({ backend: pgBackend() }) })).rbac).toBeUndefined();
  });

  test('workflow.env: the author’s variables come first; one set twice, or one the delivery sets, is refused', () => {
    const region = { name: 'AWS_REGION', value: 'eu-west-1' };
    const delivery = applyInWorkflow({ backend: pgBackend() });
    expect(containerOf(render({ spec: withSecret, delivery, workflow: { env: [region] } })).containers[0].env).toEqual([
      region,
      { name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
    ]);
    const refused = (env: unknown) => {
      const result = render({ spec: withSecret, delivery, workflow: { env } });
      return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message} / ${i.fix}`);
    };
    expect(refused([region, { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/corp-ca.pem' }, region])).toEqual([
      'workflow.env[1].name: "NODE_EXTRA_CA_CERTS" is set by the apply delivery for its own calls (the cluster\'s CA, a token); the container would get only one of the two values / remove workflow.env[1]',
      'workflow.env[2].name: "AWS_REGION" is already set by workflow.env[0]; the container would get only one of them / keep one of the two',
    ]);
    expect(refused({ AWS_REGION: 'eu-west-1' })).toEqual([expect.stringMatching(/^workflow\.env: .* is not a list of environment variables/)]);
    expect(refused([{ value: 'x' }])).toEqual([expect.stringMatching(/^workflow\.env\[0\]: \{"value":"x"\} has no name/)]);
    // Without secret references the delivery sets nothing, and the author may.
    expect(render({ delivery, workflow: { env: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/corp-ca.pem' }] } }).ok).toBe(true);
  });

  test('the Kubernetes backend gets Secrets and Leases in its namespace', () => {
    const spec = containerOf(render({ delivery: applyInWorkflow({ backend: kubernetesBackend({ namespace: 'tfstate' }) }) }));
    expect(spec.rbac.permissions.map((p: { resourceNamespace: string; resources: string[] }) => `${p.resourceNamespace}:${p.resources}`)).toEqual([
      'tfstate:secrets',
      'tfstate:leases',
    ]);
    expect(
      pipelineProblems({
        metadata: { name: 'widget' },
        spec: {
          workflows: { resource: { configure: [{ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Pipeline', metadata: { name: 'terraform' }, spec }] } },
        },
      }),
    ).toEqual([]);
  });

  test('credentials reach the Terraform container through env and envFrom', () => {
    const spec = containerOf(render({ workflow: { envFrom: [{ secretRef: { name: 'pg-credentials' } }], env: [{ name: 'AWS_REGION', value: 'eu-west-1' }] } }));
    expect(spec.containers[0]).toMatchObject({ envFrom: [{ secretRef: { name: 'pg-credentials' } }], env: [{ name: 'AWS_REGION', value: 'eu-west-1' }] });
  });
});

describe('dependencies', () => {
  const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } };
  const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.ops.example.com' }, spec: {} };
  const manifests = new Map([['crds/things.yaml', { ok: true as const, value: [CRD] }]]);
  const promiseOf = (result: ReturnType<typeof render>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.value.promise as any;
  };
  const renderWith = (dependencies: 'inline' | 'workflow', name = WIDGET.name) =>
    renderPromise(definePromise({ ...WIDGET, name, dependencies: [NAMESPACE, manifestFile('crds/things.yaml')] }), { image: 'img:1', manifests, dependencies });

  test('inline, manifest files are expanded in place, in order', () => {
    const promise = promiseOf(renderWith('inline'));
    expect(promise.spec.dependencies).toEqual([NAMESPACE, CRD]);
    expect(promise.spec.workflows.promise).toBeUndefined();
  });

  test('by workflow, a Promise configure pipeline replaces spec.dependencies and passes the webhook’s rules', () => {
    const promise = promiseOf(renderWith('workflow'));
    expect(promise.spec.dependencies).toBeUndefined();
    expect(Object.keys(promise.spec.workflows)).toEqual(['promise', 'resource']);
    expect(promise.spec.workflows.promise.configure[0].spec.containers[0]).toMatchObject({ name: 'write-dependencies', image: 'img:1' });
    expect(pipelineProblems(promise)).toEqual([]);
  });

  test('the deps pipeline fits Kratix’s 60 characters whenever the resource pipeline does', () => {
    const name = 'a'.repeat(31);
    expect(pipelineProblems(promiseOf(renderWith('workflow', name)))).toEqual([]);
  });

  test.each([
    [[manifestFile('../x.yaml')], /^dependencies\[0\]: manifestFile\("\.\.\/x\.yaml"\) leaves the Promise folder/],
    [[NAMESPACE, manifestFile('/abs.yaml')], /^dependencies\[1\]: manifestFile\("\/abs\.yaml"\) is absolute/],
    [[manifestFile('crds/other.yaml')], /^dependencies\[0\]: manifestFile\("crds\/other\.yaml"\) was not read/],
    [['Namespace'], /^dependencies\[0\]: dependency is a string, not a Kubernetes object/],
    [[{ apiVersion: 'v1', metadata: { name: 'x' } }], /^dependencies\[0\]: dependency has no kind/],
    [[{ ...NAMESPACE, spec: { ratio: Number.NaN } }], /^dependencies\[0\]: dependency holds a value JSON cannot represent at spec\.ratio/],
  ])('%j is refused without reading any disk', (dependencies, expected) => {
    const result = renderPromise(definePromise({ ...WIDGET, dependencies: dependencies as never }), { image: 'img:1', manifests });
    expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([expect.stringMatching(expected)]);
  });

  test('a manifest file marker is never taken for an object, nor an object for a marker', () => {
    const marker = manifestFile('crds/things.yaml');
    expect(isManifestFile(marker)).toBe(true);
    expect(isManifestFile({ path: 'crds/things.yaml' })).toBe(false);
    expect(isManifestFile({ ...CRD, path: 'crds/things.yaml' })).toBe(false);
    expect(marker).not.toHaveProperty('apiVersion');
    expect(marker).not.toHaveProperty('kind');
  });
});
