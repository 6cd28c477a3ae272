// The Software Template (scaffolder.backstage.io/v1beta3) of one Promise: a page for where the
// request goes (name, namespace, owner), a page for its spec from the same schema as the CRD,
// and the steps that create the request. Values reach the request only through the `dump`
// filter (JSON, which is YAML): a requester's string is data, never template or YAML syntax.
import type { ApiNames } from '../kratix/crd.js';
import { specField } from '../kratix/crd.js';
import type { StructuralSchema } from '../schema/structural.js';
import { type FormSchema, specForm } from './form.js';
import { type BackstageCreate, type BackstageProps, DEFAULT_OWNER } from './props.js';

/** Where the Template's files go, inside `generated/<promise>/`. */
export const TEMPLATE_FILE = 'backstage/template.yaml';
const SKELETON_DIR = 'backstage/skeleton';
/** The annotation a request's Backstage owner travels in, from the Template to the workflow. */
export const OWNER_ANNOTATION = 'kratix-cdktf.io/owner';

/** What a Template is made from. */
export interface TemplateProps {
  readonly promiseName: string;
  readonly description?: string;
  readonly names: ApiNames;
  readonly spec: StructuralSchema;
  readonly secretRefs: readonly string[];
  /** What the platform checks besides the schema: each business rule's name and description. */
  readonly rules: readonly { readonly name: string; readonly description?: string }[];
  readonly backstage: BackstageProps;
}

/** The Template and its skeleton, keyed by path inside `generated/<promise>/`. */
export function renderTemplate(props: TemplateProps): Map<string, unknown> {
  const { names, promiseName, backstage } = props;
  const create = backstage.create ?? { kind: 'kube-apply' };
  const form = specForm(props.spec, props.secretRefs);
  const checks = [...form.platformChecks, ...props.rules.map((r) => `${r.name}${r.description ? `: ${r.description}` : ''}`)];
  const spec = specField(props.spec);
  const specPage: FormSchema = {
    title: names.kind,
    description: [
      // The Template's own description says what the Promise is; this page says what to fill in.
      `The settings of the ${names.kind}; each field says what it does and what it takes.`,
      ...(checks.length ? ['', 'The platform also checks, after you submit:', ...checks.map((c) => `- ${c}`)] : []),
    ].join('\n'),
    ...(spec.required ? { required: ['spec'] } : {}),
    properties: { spec: { ...form.schema, title: `${names.kind} settings`, ...(spec.required ? {} : { default: {} }) } },
  };
  const files = new Map<string, unknown>();
  files.set(TEMPLATE_FILE, {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: promiseName,
      title: `New ${names.kind}`,
      description: props.description ?? `Creates a ${names.kind} request (${names.group}/${names.version}) on the Kratix platform.`,
      tags: ['kratix', ...(names.categories ?? []).filter((c) => /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/.test(c))],
      annotations: { 'kratix-cdktf.io/promise': promiseName },
    },
    spec: {
      owner: backstage.owner ?? DEFAULT_OWNER,
      type: 'kratix-resource',
      lifecycle: backstage.lifecycle ?? 'production',
      parameters: [wherePage(names, backstage.namespaces), specPage],
      steps: steps(create, names, promiseName),
      output: { links: links(create, names, promiseName, backstage.catalog !== undefined) },
    },
  });
  if (create.kind === 'pull-request') files.set(`${SKELETON_DIR}/\${{ values.name }}.yaml`, manifestText(names, 'values'));
  return files;
}

// Kratix caps request names at 63 characters (src/kratix/request.ts); namespaces are DNS labels.
function wherePage(names: ApiNames, namespaces: readonly string[] | undefined): FormSchema {
  return {
    title: 'Where',
    description: `Where the ${names.kind} goes and who owns it.`,
    required: ['name', 'namespace', 'owner'],
    properties: {
      name: {
        title: 'Name',
        type: 'string',
        description: `Name of the ${names.kind}: lower-case letters, digits, "-" and ".", at most 63 characters.`,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        maxLength: 63,
        'ui:autofocus': true,
      },
      namespace: {
        title: 'Namespace',
        type: 'string',
        description: 'Your team’s namespace on the platform.',
        ...(namespaces ? { enum: namespaces } : { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
      },
      owner: {
        title: 'Owner',
        type: 'string',
        description: 'The group or person that owns it in the catalog.',
        // What the workflow takes as an owner (src/backstage/props.ts, entityRefProblem).
        pattern: '^((group|user|Group|User):)?([a-z0-9]+(-+[a-z0-9]+)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
        'ui:field': 'OwnerPicker',
        'ui:options': { catalogFilter: { kind: ['Group', 'User'] } },
      },
    },
  };
}

// The request as YAML, its values from `from` (`parameters` in a step, `values` in a skeleton).
function manifestText(names: ApiNames, from: 'parameters' | 'values'): string {
  return [
    `apiVersion: ${names.group}/${names.version}`,
    `kind: ${names.kind}`,
    'metadata:',
    `  name: \${{ ${from}.name | dump }}`,
    `  namespace: \${{ ${from}.namespace | dump }}`,
    '  annotations:',
    `    ${OWNER_ANNOTATION}: \${{ ${from}.owner | dump }}`,
    `spec: \${{ ${from}.spec | dump }}`,
    '',
  ].join('\n');
}

function steps(create: BackstageCreate, names: ApiNames, promise: string): unknown[] {
  if (create.kind === 'kube-apply')
    return [
      {
        id: 'apply',
        name: `Create the ${names.kind} on the platform`,
        action: 'kube:apply',
        input: { namespaced: true, ...(create.clusterName ? { clusterName: create.clusterName } : {}), manifest: manifestText(names, 'parameters') },
      },
    ];
  const where = `${create.targetPath}/\${{ parameters.namespace }}/${promise}`;
  return [
    {
      id: 'write',
      name: `Write the ${names.kind} request`,
      action: 'fetch:template',
      input: {
        url: './skeleton',
        targetPath: './request',
        values: { name: '${{ parameters.name }}', namespace: '${{ parameters.namespace }}', owner: '${{ parameters.owner }}', spec: '${{ parameters.spec }}' },
      },
    },
    {
      id: 'publish',
      name: create.provider === 'github' ? 'Open a pull request' : 'Open a merge request',
      action: create.provider === 'github' ? 'publish:github:pull-request' : 'publish:gitlab:merge-request',
      input: {
        repoUrl: create.repoUrl,
        branchName: `request/${promise}/\${{ parameters.namespace }}/\${{ parameters.name }}`,
        title: `Request ${names.kind} \${{ parameters.namespace }}/\${{ parameters.name }}`,
        description: `Created from Backstage for \${{ parameters.owner }}: a ${names.kind} (${names.group}/${names.version}) in namespace \${{ parameters.namespace }}.`,
        sourcePath: './request',
        targetPath: where,
      },
    },
  ];
}

function links(create: BackstageCreate, names: ApiNames, promise: string, requestEntities: boolean): unknown[] {
  const out: unknown[] = [];
  if (create.kind === 'pull-request')
    out.push({
      title: create.provider === 'github' ? 'Pull request' : 'Merge request',
      ...(create.provider === 'github' ? { icon: 'github' } : {}),
      url: create.provider === 'github' ? '${{ steps.publish.output.remoteUrl }}' : '${{ steps.publish.output.mergeRequestUrl }}',
    });
  // The entity the workflow writes is named <promise>.<name> while that fits Backstage's 63 characters.
  if (requestEntities)
    out.push({
      title: `The ${names.kind} in the catalog`,
      icon: 'catalog',
      if: `\${{ (parameters.name | length) <= ${63 - promise.length - 1} }}`,
      entityRef: `resource:\${{ parameters.namespace }}/${promise}.\${{ parameters.name }}`,
    });
  out.push({ title: `${names.kind} API and docs`, icon: 'docs', entityRef: `api:default/${promise}` });
  return out;
}
