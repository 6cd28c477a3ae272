// What synth refuses in hcpTerraformOperator()'s options: anything the operator, HCP Terraform
// or Kratix would reject or misread, said where the author reads it rather than on a request.
import { dnsLabelProblem, dnsSubdomainProblem } from '../../kratix/names.js';
import type { Issue } from '../../schema/issue.js';
import { durationMs, retryIssues } from '../../workflow/control.js';
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
  'workflowTokenSecretRef',
  'reconciliationInterval',
];

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const isText = (value: unknown): value is string => typeof value === 'string';

/** Every problem in the options, as issues with `delivery.` paths. */
export function checkOptions(props: HcpTerraformOperatorProps): Issue[] {
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

  // pipelineNamespace, like destinationLabels, is checked for every delivery (kratix/delivery.ts).
  if (p.namespace !== undefined) {
    const problem = isText(p.namespace) ? dnsLabelProblem(p.namespace) : 'is not a namespace name, which is a string';
    if (problem) add('namespace', `${show(p.namespace)} ${problem}`, 'name the namespace on the destination where the token Secret is, e.g. "hcp-terraform"');
  }

  if (p.hostname !== undefined) {
    const problem = isText(p.hostname) ? dnsSubdomainProblem(p.hostname) : 'is not a host name';
    if (problem) add('hostname', `${show(p.hostname)} ${problem}`, 'write the host alone, without scheme, port or path: "app.terraform.io", "tfe.example.com"');
  }

  const wref = p.workflowTokenSecretRef as Record<string, unknown> | undefined;
  if (wref !== undefined) {
    const bad =
      typeof wref !== 'object' ||
      wref === null ||
      !isText(wref.name) ||
      dnsSubdomainProblem(wref.name) ||
      !isText(wref.key) ||
      !/^[-._a-zA-Z0-9]{1,253}$/.test(wref.key);
    if (bad)
      add(
        'workflowTokenSecretRef',
        `${show(wref)} is not a Secret key reference`,
        "write { name: 'hcp-terraform', key: 'token' } for a Secret in the pipeline namespace",
      );
  }
  if (p.reconciliationInterval !== undefined) {
    const ms = isText(p.reconciliationInterval) ? durationMs(p.reconciliationInterval) : undefined;
    if (ms === undefined || ms < 60_000)
      add('reconciliationInterval', `${show(p.reconciliationInterval)} is not a duration of at least 1m, which Kratix requires`, 'write "10m", "1h"...');
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

  // destinationLabels are checked for every delivery (kratix/delivery.ts).
  issues.push(...retryIssues(p.retry));
  return issues;
}
