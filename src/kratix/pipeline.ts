import type { ContainerResources, NamedPipeline, PipelineContainer, WorkflowStepsProps } from '../promise/define-promise.js';
import type { PipelinePermission } from '../delivery/delivery.js';
import type { Issue } from '../schema/issue.js';
import * as errors from './errors.js';
import { dnsLabelProblem, dnsSubdomainProblem } from './names.js';

/** The fields Kratix's Pipeline parser accepts on a container; anything else fails the webhook. */
export const CONTAINER_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'volumeMounts',
  'imagePullPolicy',
  'securityContext',
  'resources',
] as const;

/** Name of the pipeline that runs the Terraform step, in both configure and delete. */
export const TERRAFORM_PIPELINE = 'terraform';
/** The resource pipeline of a Promise with manifests and no stack. */
export const MANIFESTS_PIPELINE = 'manifests';

/**
 * Name of the Promise configure pipeline that writes the dependencies. Short on purpose:
 * `<promise>-promise-configure-deps` is shorter than `<promise>-resource-configure-terraform`,
 * so it fits Kratix's 60 characters whenever the resource pipeline does.
 */
export const DEPENDENCIES_PIPELINE = 'deps';

/**
 * Writing the manifests is light work, but the container loads the same startup snapshot as the
 * Terraform step: measured 95 MiB resident and 1.2 s with tofu-controller's 774 KB CRD.
 */
export const DEPENDENCIES_RESOURCES: ContainerResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/**
 * Kratix's default pipeline container limits (200m/256Mi) are too small for Terraform with a large
 * provider such as AWS, whose plugin alone needs several hundred MiB while planning.
 */
export const DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};

/**
 * How many times Kubernetes restarts a failed container of one pipeline run before the Job fails
 * (`jobOptions.backoffLimit`). Kratix runs pipelines with restartPolicy OnFailure, so a container
 * that exits non-zero is started again in the same pod, after 10 s, 20 s, 40 s ... up to 5 min,
 * until the restarts reach the limit; Kubernetes' default of 6 runs a failing terraform apply
 * about seven times in ten minutes. The workflow reports the failures it expects (an invalid
 * request, a failed Terraform run) in status and leaves retrying them to Kratix, so an exit code
 * that is not 0 means a crash (a bug, a killed process): two quick restarts cover a passing cause,
 * then the Job fails and Kratix's own reconciliation takes over.
 */
export const DEFAULT_BACKOFF_LIMIT = 2;

// Kubernetes' Job backoffLimit is an int32 of at least 0.
const MAX_BACKOFF_LIMIT = 2_147_483_647;

// The workflow writes only to the Kratix volumes and its temp dir, so it needs no privileges.
export const SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** What every Pipeline of one Promise shares: its image and how its Jobs run. */
export interface PipelineJobProps {
  readonly image: string;
  /** `jobOptions.backoffLimit` of the Job. */
  readonly backoffLimit: number;
  /** Secrets, in the Job's namespace, that the kubelet pulls the images with. @default none */
  readonly imagePullSecrets?: readonly string[];
}

/** What a Pipeline needs to run the workflow container of one Promise. */
export interface PipelineProps extends PipelineJobProps {
  readonly promise: string;
  readonly action: 'configure' | 'delete';
  /** The Pipeline's name. @default 'terraform' */
  readonly name?: string;
  readonly resources?: ContainerResources;
  readonly env?: readonly Record<string, unknown>[];
  readonly envFrom?: readonly Record<string, unknown>[];
  readonly steps?: WorkflowStepsProps;
  /** Kubernetes API permissions the pipeline's service account needs. @default none */
  readonly permissions?: readonly PipelinePermission[];
}

/** The Pipeline object (not a CRD: Kratix parses it strictly) for one resource workflow action. */
export function renderPipeline(props: PipelineProps) {
  const terraform: PipelineContainer = {
    name: props.action === 'configure' ? 'synth' : 'destroy',
    image: props.image,
    // The image's V8 startup snapshot holds every module already loaded (see the Dockerfile).
    command: ['node', '--snapshot-blob', '/app/workflow.blob'],
    imagePullPolicy: 'IfNotPresent',
    securityContext: SECURITY_CONTEXT,
    resources: props.resources ?? DEFAULT_RESOURCES,
    ...(props.env?.length ? { env: props.env } : {}),
    ...(props.envFrom?.length ? { envFrom: props.envFrom } : {}),
  };
  const containers = [...(props.steps?.before ?? []), terraform, ...(props.steps?.after ?? [])];
  return {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Pipeline',
    metadata: { name: props.name ?? TERRAFORM_PIPELINE },
    spec: {
      containers: containers.map(pickContainerFields),
      ...jobSpec(props),
      ...(props.permissions?.length ? { rbac: { permissions: props.permissions } } : {}),
    },
  };
}

/** Set in a named pipeline's container that runs the author's TypeScript `step` of that name. */
export const STEP_ENV = 'KRATIX_CDKTF_STEP';

/**
 * One of the author's named pipelines: its containers, or the Promise's own image running its
 * `step` (selected by KRATIX_CDKTF_STEP), with the workflow's environment and no RBAC.
 */
export function renderNamedPipeline(props: PipelineProps, pipeline: NamedPipeline) {
  const step: PipelineContainer = {
    name: 'step',
    image: props.image,
    command: ['node', '--snapshot-blob', '/app/workflow.blob'],
    imagePullPolicy: 'IfNotPresent',
    securityContext: SECURITY_CONTEXT,
    resources: props.resources ?? DEFAULT_RESOURCES,
    env: [...(props.env ?? []), { name: STEP_ENV, value: pipeline.name }],
    ...(props.envFrom?.length ? { envFrom: props.envFrom } : {}),
  };
  return {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Pipeline',
    metadata: { name: pipeline.name },
    spec: { containers: (pipeline.step ? [step] : (pipeline.containers ?? [])).map(pickContainerFields), ...jobSpec(props) },
  };
}

/** Checks one list of named pipelines (`workflow.<action>.pipelines.<where>`). */
export function checkNamedPipelines(path: string, pipelines: unknown): Issue[] {
  if (pipelines === undefined) return [];
  if (!Array.isArray(pipelines)) return [{ path, message: 'is not a list', fix: "write [{ name: 'notify', containers: [...] }]" }];
  return pipelines.flatMap((pipeline: Partial<NamedPipeline> | null, i): Issue[] => {
    const at = `${path}[${i}]`;
    const issues: Issue[] = [];
    const name = pipeline?.name;
    const problem = typeof name === 'string' ? dnsLabelProblem(name) : 'must be a string';
    if (problem)
      issues.push({ path: `${at}.name`, message: `${JSON.stringify(name)} ${problem}`, fix: 'name the pipeline like a DNS label: "policy", "notify"' });
    const hasStep = typeof pipeline?.step === 'function';
    const hasContainers = Array.isArray(pipeline?.containers) && pipeline.containers.length > 0;
    if (hasStep === hasContainers)
      issues.push({
        path: at,
        message: hasStep ? 'has both containers and a step' : 'has neither containers nor a step',
        fix: 'give it containers: [...] of its own, or a step(request) run in the Promise’s image',
      });
    if (pipeline?.step !== undefined && !hasStep)
      issues.push({ path: `${at}.step`, message: 'is not a function', fix: 'write step(request) { return { status: { ... } } }' });
    if (hasContainers) issues.push(...checkContainers(`${at}.containers`, pipeline!.containers));
    return issues;
  });
}

/** Environment variables that tell the Promise workflow its own image and pull Secrets. */
export const DEPENDENCIES_IMAGE_ENV = 'KRATIX_CDKTF_IMAGE';
export const DEPENDENCIES_PULL_SECRETS_ENV = 'KRATIX_CDKTF_IMAGE_PULL_SECRETS';
/** Set to "true" when the author's dependencies are in spec.dependencies: the workflow writes only the delivery's. */
export const AUTHORS_INLINE_ENV = 'KRATIX_CDKTF_AUTHORS_DEPENDENCIES_INLINE';

/**
 * The Promise configure Pipeline that writes the Promise's dependencies to `/kratix/output`:
 * the same workflow image, which carries the manifests. No credentials and no RBAC: it only
 * writes files.
 */
export function renderDependenciesPipeline(props: PipelineJobProps & { readonly authorsInline?: boolean }) {
  const pullSecrets = [...new Set(props.imagePullSecrets ?? [])];
  const container: PipelineContainer = {
    name: 'write-dependencies',
    image: props.image,
    command: ['node', '--snapshot-blob', '/app/workflow.blob'],
    // Objects the delivery adds (a CronJob) run this same image, which no container knows of itself.
    env: [
      { name: DEPENDENCIES_IMAGE_ENV, value: props.image },
      ...(pullSecrets.length ? [{ name: DEPENDENCIES_PULL_SECRETS_ENV, value: pullSecrets.join(',') }] : []),
      ...(props.authorsInline ? [{ name: AUTHORS_INLINE_ENV, value: 'true' }] : []),
    ],
    imagePullPolicy: 'IfNotPresent',
    securityContext: SECURITY_CONTEXT,
    resources: DEPENDENCIES_RESOURCES,
  };
  return {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Pipeline',
    metadata: { name: DEPENDENCIES_PIPELINE },
    spec: { containers: [container], ...jobSpec(props) },
  };
}

// The Pipeline spec fields that shape the Job rather than a container.
function jobSpec(props: PipelineJobProps) {
  const pullSecrets = [...new Set(props.imagePullSecrets ?? [])];
  return {
    ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
    jobOptions: { backoffLimit: props.backoffLimit },
  };
}

/**
 * Checks a list of image pull Secret names, from package.json or a Promise (`path` says which):
 * a Kubernetes Secret name is a DNS subdomain, and the Pod refuses anything else.
 */
export function checkImagePullSecrets(path: string, value: unknown): Issue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [errors.pullSecretsNotAList(path, value)];
  const issues: Issue[] = [];
  value.forEach((name: unknown, i) => {
    const problem = typeof name === 'string' ? dnsSubdomainProblem(name) : 'is not a Secret name, which is a string';
    if (problem) issues.push(errors.badPullSecret(`${path}[${i}]`, name, problem));
  });
  return issues;
}

/** Checks the Job options an author may set on the workflow. */
export function checkJobOptions(backoffLimit: unknown): Issue[] {
  if (backoffLimit === undefined) return [];
  if (typeof backoffLimit === 'number' && Number.isInteger(backoffLimit) && backoffLimit >= 0 && backoffLimit <= MAX_BACKOFF_LIMIT) return [];
  return [errors.badBackoffLimit(backoffLimit, DEFAULT_BACKOFF_LIMIT)];
}

/**
 * Checks `workflow.env`: each entry an object with a name, no name twice (the container would
 * get only one of them, and which one is not the author's choice), and none the delivery sets
 * for its own needs (the cluster's CA, a token), which the workflow would otherwise lose.
 */
export function checkEnv(env: unknown, delivered: readonly { readonly name: string }[], delivery: string): Issue[] {
  if (env === undefined) return [];
  if (!Array.isArray(env)) return [errors.envNotAList(env)];
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  const theirs = new Set(delivered.map((e) => e.name));
  env.forEach((entry: unknown, i) => {
    const name = entry !== null && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '') return issues.push(errors.envWithoutName(i, entry));
    const first = seen.get(name);
    if (first !== undefined) issues.push(errors.envTwice(i, name, first));
    else seen.set(name, i);
    if (theirs.has(name)) issues.push(errors.envSetByDelivery(i, name, delivery));
  });
  return issues;
}

/** Checks what Kratix's webhook checks for one resource workflow: names, lengths and fields. */
export function checkPipelines(promise: string, action: 'configure' | 'delete', pipelines: readonly ReturnType<typeof renderPipeline>[]): Issue[] {
  const issues: Issue[] = [];
  const seenPipelines = new Set<string>();
  for (const pipeline of pipelines) {
    const path =
      pipeline.metadata.name === TERRAFORM_PIPELINE || pipeline.metadata.name === MANIFESTS_PIPELINE ? `workflow.${action}` : `workflow.${action}.pipelines`;
    const full = `${promise}-resource-${action}-${pipeline.metadata.name}`;
    if (full.length > 60) issues.push(errors.pipelineNameTooLong(path, full));
    if (seenPipelines.has(pipeline.metadata.name)) issues.push(errors.duplicatePipeline(path, pipeline.metadata.name));
    seenPipelines.add(pipeline.metadata.name);
    const seenContainers = new Set<string>();
    pipeline.spec.containers.forEach((container, i) => {
      if (seenContainers.has(container.name)) issues.push(errors.duplicateContainer(`${path}.containers[${i}]`, container.name));
      seenContainers.add(container.name);
    });
  }
  return issues;
}

/** Checks that author-supplied containers carry only fields Kratix accepts. */
export function checkContainers(path: string, containers: readonly PipelineContainer[] | undefined): Issue[] {
  const issues: Issue[] = [];
  (containers ?? []).forEach((container, i) => {
    for (const field of Object.keys(container)) {
      if (!(CONTAINER_FIELDS as readonly string[]).includes(field)) issues.push(errors.unknownContainerField(`${path}[${i}]`, field));
    }
  });
  return issues;
}

function pickContainerFields(container: PipelineContainer): PipelineContainer {
  const out: Record<string, unknown> = {};
  for (const field of CONTAINER_FIELDS) if (container[field] !== undefined) out[field] = container[field];
  return out as unknown as PipelineContainer;
}
