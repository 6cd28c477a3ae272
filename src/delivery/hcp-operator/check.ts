// What synth refuses in hcpTerraformOperator()'s options: anything the operator, HCP Terraform
// or Kratix would reject or misread, said where the author reads it rather than on a request.
import { badDestinationLabel, badPipelineNamespace, destinationLabelOverlap, destinationLabelsEmpty } from '../../kratix/errors.js';
import { dnsLabelProblem, dnsSubdomainProblem, labelKeyProblem, labelValueProblem } from '../../kratix/names.js';
import type { PromiseDefinition } from '../../promise/define-promise.js';
import type { Issue } from '../../schema/issue.js';
import { durationMs } from '../terraform-script.js';
import { MAX_SLUG, MAX_WORKSPACE_NAME, type HcpTerraformOperatorProps } from './props.js';

const OPTIONS = [
  'organization',
  'project',
  'tokenSecretRef',
  'namespace',
  'hostname',
  'workspacePrefix',
  'terraformVersion',
  'destinationLabels',
  'pipelineNamespace',
  'retry',
];

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const isText = (value: unknown): value is string => typeof value === 'string';

/** Every problem in the options, as issues with `delivery.` paths. */
export function checkOptions(props: HcpTerraformOperatorProps, def: PromiseDefinition): Issue[] {
  // Typed, but a Promise written in JavaScript or with a cast can hold anything.
  const p = props as unknown as Record<string, unknown>;
  const issues: Issue[] = [];
  const add = (path: string, message: string, fix: string) => issues.push({ path: `delivery.${path}`, message, fix });
  for (const key of Object.keys(p)) if (!OPTIONS.includes(key)) add(key, 'is not an option of hcpTerraformOperator()', `use one of ${OPTIONS.join(', ')}`);

  if (!isText(p.organization) || !/^[A-Za-z0-9_-]+$/.test(p.organization))
    add(
      'organization',
      `${p.organization === undefined ? 'is missing' : `${show(p.organization)} is not an organization name`}: HCP Terraform's are letters, digits, "-" and "_"`,
      'write the organization as it appears in app.terraform.io/app/<organization>',
    );
  if (p.project !== undefined && !(isText(p.project) && p.project.trim()))
    add('project', `${show(p.project)} is not a project name`, "name an existing project, or leave it out for the organization's default project");

  const ref = p.tokenSecretRef as Record<string, unknown> | undefined;
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref))
    add(
      'tokenSecretRef',
      `${ref === undefined ? 'is missing' : `${show(ref)} is not a Secret key reference`}: the operator reads its HCP Terraform token from a Secret`,
      "write { name: 'hcp-terraform-token', key: 'token' } for a Secret the platform creates in the Workspace objects' namespace",
    );
  else {
    const nameProblem = isText(ref.name) ? dnsSubdomainProblem(ref.name) : 'is not a Secret name, which is a string';
    if (nameProblem) add('tokenSecretRef.name', `${show(ref.name)} ${nameProblem}`, 'name the Secret that holds the token');
    if (!isText(ref.key) || !/^[-._a-zA-Z0-9]{1,253}$/.test(ref.key))
      add('tokenSecretRef.key', `${show(ref.key)} is not a Secret key: letters, digits, "-", "_" and "."`, 'name the key of the Secret that holds the token');
  }

  for (const field of ['namespace', 'pipelineNamespace'] as const) {
    const value = p[field];
    if (value === undefined) continue;
    const problem = isText(value) ? dnsLabelProblem(value) : 'is not a namespace name, which is a string';
    if (problem && field === 'pipelineNamespace') issues.push(badPipelineNamespace(value, problem));
    else if (problem) add(field, `${show(value)} ${problem}`, 'name the namespace on the destination where the token Secret is, e.g. "hcp-terraform"');
  }

  if (p.hostname !== undefined) {
    const problem = isText(p.hostname) ? dnsSubdomainProblem(p.hostname) : 'is not a host name';
    if (problem) add('hostname', `${show(p.hostname)} ${problem}`, 'write the host alone, without scheme, port or path: "app.terraform.io", "tfe.example.com"');
  }

  const room = MAX_WORKSPACE_NAME - MAX_SLUG;
  if (p.workspacePrefix !== undefined && !(isText(p.workspacePrefix) && /^[A-Za-z0-9_-]*$/.test(p.workspacePrefix) && p.workspacePrefix.length <= room))
    add(
      'workspacePrefix',
      `${show(p.workspacePrefix)} must be at most ${room} letters, digits, "-" and "_": workspace names are at most ${MAX_WORKSPACE_NAME} characters, and the request's part takes up to ${MAX_SLUG}`,
      'use a short prefix such as "kratix-prod-"',
    );

  if (p.terraformVersion !== undefined && !(isText(p.terraformVersion) && /^\d\.\d{1,2}\.\d{1,2}$/.test(p.terraformVersion)))
    add(
      'terraformVersion',
      `${show(p.terraformVersion)} is not a Terraform version the operator takes (like 1.9.8)`,
      'write an exact version, or leave it out for the newest',
    );

  if (p.destinationLabels !== undefined) issues.push(...checkDestinationLabels(p.destinationLabels, def.destinationSelectors ?? []));
  issues.push(...checkRetry(p.retry));
  return issues;
}

// The same rules as tofuController()'s labels (kratix/delivery.ts): Kratix's work-writer refuses
// an entry without labels, and its scheduler keeps the Promise's value on a shared key.
function checkDestinationLabels(labels: unknown, selectors: NonNullable<PromiseDefinition['destinationSelectors']>): Issue[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels))
    return [
      {
        path: 'delivery.destinationLabels',
        message: `${show(labels)} is not a map of label keys to values`,
        fix: "write the labels that pick the destination running the HCP Terraform Operator, e.g. { 'hcp-terraform-operator': 'enabled' }",
      },
    ];
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length === 0) return [destinationLabelsEmpty()];
  const issues: Issue[] = [];
  for (const [key, value] of entries) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) issues.push(badDestinationLabel(key, 'key', key, keyProblem));
    const valueProblem = isText(value) ? labelValueProblem(value) : 'is not a string';
    if (valueProblem) issues.push(badDestinationLabel(key, 'value', value, valueProblem));
    selectors.forEach((selector, i) => {
      const matchLabels: Readonly<Record<string, string>> = selector.matchLabels ?? {};
      if (Object.hasOwn(matchLabels, key)) issues.push(destinationLabelOverlap(key, value, i, matchLabels[key]!));
    });
  }
  return issues;
}

function checkRetry(retry: unknown): Issue[] {
  if (retry === undefined) return [];
  if (typeof retry !== 'object' || retry === null)
    return [{ path: 'delivery.retry', message: `${show(retry)} is not { first, max }`, fix: 'write { first: "30s", max: "30m" }, or leave it out' }];
  const issues: Issue[] = [];
  const duration = (field: 'first' | 'max') => {
    const value = (retry as Record<string, unknown>)[field];
    if (value === undefined) return undefined;
    const ms = isText(value) ? durationMs(value) : undefined;
    if (ms === undefined)
      issues.push({ path: `delivery.retry.${field}`, message: `${show(value)} is not a duration`, fix: 'write a number with a unit: "30s", "5m", "1h30m"' });
    return ms;
  };
  const first = duration('first');
  const max = duration('max');
  if (first === 0)
    issues.push({ path: 'delivery.retry.first', message: 'is 0: Kratix would run a failing pipeline again at once, without end', fix: 'wait at least "10s"' });
  if (first !== undefined && max !== undefined && max < first)
    issues.push({ path: 'delivery.retry.max', message: 'is shorter than retry.first', fix: 'make max at least first' });
  return issues;
}
