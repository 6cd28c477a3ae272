// spec.workflows.config and the reconciliation-interval annotation: where the Promise's workflow
// Jobs run and how often Kratix runs them again. Facts from Kratix (syntasso/kratix ae170e22):
// api/v1alpha1/promise_types.go (WorkflowConfig) and promiserevision_types.go
// (ReconciliationInterval: the annotation, when it parses as a Go duration of at least a minute,
// wins over spec.workflows.config.reconciliationInterval, which wins over the platform-wide
// default, 10h; the Promise controller copies the annotation to the current PromiseRevision).
import type { PipelineNeeds } from '../delivery/delivery.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { Issue } from '../schema/issue.js';
import { durationMs } from '../workflow/control.js';
import { dnsLabelProblem, labelKeyProblem } from './names.js';

/** The annotation Kratix reads on a Promise to override its reconciliation interval. */
export const RECONCILIATION_INTERVAL_ANNOTATION = 'kratix.io/reconciliation-interval';

const MIN_INTERVAL_MS = 60_000;

/** What goes into spec.workflows.config, from the author's `workflow` and the delivery's needs. */
export function workflowConfig(def: PromiseDefinition, needs: Pick<PipelineNeeds, 'namespace' | 'reconciliationInterval'>) {
  const namespace = def.workflow?.pipelineNamespace ?? needs.namespace;
  // The author's interval wins over a delivery's default (HCP: 10m).
  const interval = def.workflow?.reconciliationInterval ?? needs.reconciliationInterval;
  if (!namespace && !interval) return undefined;
  return { ...(namespace ? { pipelineNamespace: namespace } : {}), ...(interval ? { reconciliationInterval: interval } : {}) };
}

/** Problems in `workflow.pipelineNamespace`, `workflow.reconciliationInterval` and `annotations`. */
export function checkWorkflowConfig(def: PromiseDefinition, needs: Pick<PipelineNeeds, 'namespace'>, kind: string): Issue[] {
  const issues: Issue[] = [];
  const own: unknown = def.workflow?.pipelineNamespace;
  const problem = own === undefined ? undefined : typeof own === 'string' ? dnsLabelProblem(own) : 'is not a namespace name, which is a string';
  if (problem)
    issues.push({
      path: 'workflow.pipelineNamespace',
      message: `${JSON.stringify(own)} ${problem}`,
      fix: 'name an existing namespace of the platform cluster',
    });
  if (own !== undefined && needs.namespace !== undefined && own !== needs.namespace)
    issues.push({
      path: 'workflow.pipelineNamespace',
      message: `is ${JSON.stringify(own)}, but the ${kind} delivery runs the pipelines in ${JSON.stringify(needs.namespace)} (the RBAC it grants is for that namespace)`,
      fix: `set the namespace on the delivery (${kind}: pipelineNamespace) and leave workflow.pipelineNamespace out`,
    });
  const interval = def.workflow?.reconciliationInterval;
  if (interval !== undefined) issues.push(...intervalIssues('workflow.reconciliationInterval', interval));
  const annotations: unknown = def.annotations;
  if (annotations === undefined) return issues;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations))
    return [...issues, { path: 'annotations', message: `${JSON.stringify(annotations)} is not a map of strings`, fix: "write { 'key': 'value' }" }];
  for (const [key, value] of Object.entries(annotations)) {
    const problem = labelKeyProblem(key);
    if (problem) issues.push({ path: `annotations.${key}`, message: `the key ${problem}`, fix: 'use a key like "example.com/owner"' });
    if (typeof value !== 'string') issues.push({ path: `annotations.${key}`, message: `${JSON.stringify(value)} is not a string`, fix: 'quote it' });
    else if (key === RECONCILIATION_INTERVAL_ANNOTATION) issues.push(...intervalIssues(`annotations.${key}`, value));
  }
  return issues;
}

// Kratix ignores an annotation it cannot parse or under a minute, silently: refuse it here.
function intervalIssues(path: string, value: unknown): Issue[] {
  const ms = typeof value === 'string' ? durationMs(value) : undefined;
  if (ms === undefined) return [{ path, message: `${JSON.stringify(value)} is not a duration`, fix: 'write a Go duration: "10m", "1h", "6h30m"' }];
  if (ms < MIN_INTERVAL_MS)
    return [
      {
        path,
        message: `${JSON.stringify(value)} is under a minute: Kratix ignores a shorter interval and falls back to the next setting`,
        fix: 'use 1m or more',
      },
    ];
  return [];
}
