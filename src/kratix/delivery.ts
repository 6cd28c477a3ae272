// What a Promise's delivery options mean for the Promise object, and what Kratix would reject or
// misread in them.
import type { PromiseDefinition } from '../promise/define-promise.js';
import { DEFAULT_APPLY_PIPELINE_NAMESPACE } from '../promise/delivery.js';
import type { Issue } from '../schema/issue.js';
import { durationMs } from '../delivery/terraform-script.js';
import * as errors from './errors.js';
import { dnsLabelProblem, labelKeyProblem, labelValueProblem } from './names.js';

/**
 * The namespace the Promise's workflow Jobs run in (`spec.workflows.config.pipelineNamespace`),
 * or undefined for Kratix's default, each request's own namespace. Apply mode always has one:
 * its pipelines carry the backend's credentials and may read Secrets in every namespace, which
 * must not sit where tenants can create pods.
 */
export function pipelineNamespace(def: PromiseDefinition): string | undefined {
  const delivery = def.delivery;
  if (delivery?.kind === 'apply') return delivery.pipelineNamespace ?? DEFAULT_APPLY_PIPELINE_NAMESPACE;
  return delivery?.pipelineNamespace;
}

/**
 * Every problem in the delivery options of a Promise that Kratix or Terraform would reject or
 * misread: checked at synth, where the author reads it, not first on a tenant's request.
 */
export function checkDelivery(def: PromiseDefinition): Issue[] {
  const issues: Issue[] = [...checkDurations(def)];
  const namespace = def.delivery?.pipelineNamespace;
  if (namespace !== undefined) {
    const problem = typeof namespace === 'string' ? dnsLabelProblem(namespace) : 'is not a namespace name, which is a string';
    if (problem) issues.push(errors.badPipelineNamespace(namespace, problem));
  }
  if (def.delivery?.kind === 'apply' && def.delivery.backend.kind === 'hcp-terraform') {
    // Typed as 'local', but a Promise written in JavaScript or with a cast can hold anything.
    const mode: unknown = def.delivery.backend.executionMode;
    if (mode !== 'local') issues.push(errors.hcpExecutionMode(mode));
  }
  if (def.delivery?.kind === 'tofu-controller' && def.delivery.destinationLabels !== undefined) {
    issues.push(...checkDestinationLabels(def.delivery.destinationLabels, def.destinationSelectors ?? []));
  }
  return issues;
}

/**
 * Checks the labels the workflow writes to destination-selectors.yaml for the controller
 * objects. Kratix's work-writer refuses an entry without labels (work-creator/lib/work_creator.go,
 * ParseDestinationSelectors), and its scheduler merges the entry with the Promise's
 * destinationSelectors, workflow labels first and the Promise's last, so the Promise's value wins
 * on a shared key (internal/controller/scheduler.go, resolveDestinationSelectorsForWorkloadGroup).
 */
function checkDestinationLabels(labels: unknown, selectors: NonNullable<PromiseDefinition['destinationSelectors']>): Issue[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return [errors.destinationLabelsNotAMap(labels)];
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length === 0) return [errors.destinationLabelsEmpty()];
  const issues: Issue[] = [];
  for (const [key, value] of entries) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) issues.push(errors.badDestinationLabel(key, 'key', key, keyProblem));
    const valueProblem = typeof value === 'string' ? labelValueProblem(value) : 'is not a string';
    if (valueProblem) issues.push(errors.badDestinationLabel(key, 'value', value, valueProblem));
    selectors.forEach((selector, i) => {
      const matchLabels: Readonly<Record<string, string>> = selector.matchLabels ?? {};
      if (Object.hasOwn(matchLabels, key)) issues.push(errors.destinationLabelOverlap(key, value, i, matchLabels[key]!));
    });
  }
  return issues;
}

// lockTimeout goes to Terraform's -lock-timeout, the retry waits to Kratix's retryAfter.
function checkDurations(def: PromiseDefinition): Issue[] {
  const delivery = def.delivery;
  if (delivery?.kind !== 'apply') return [];
  const issues: Issue[] = [];
  const duration = (path: string, value: unknown) => {
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' ? durationMs(value) : undefined;
    if (ms === undefined) issues.push({ path, message: `${JSON.stringify(value)} is not a duration`, fix: 'write a number with a unit: "30s", "5m", "1h30m"' });
    return ms;
  };
  duration('delivery.lockTimeout', delivery.lockTimeout);
  const first = duration('delivery.retry.first', delivery.retry?.first);
  const max = duration('delivery.retry.max', delivery.retry?.max);
  if (first === 0)
    issues.push({ path: 'delivery.retry.first', message: 'is 0: Kratix would run a failing pipeline again at once, without end', fix: 'wait at least "10s"' });
  if (first !== undefined && max !== undefined && max < first)
    issues.push({
      path: 'delivery.retry.max',
      message: `${delivery.retry!.max} is shorter than retry.first (${delivery.retry!.first})`,
      fix: 'make max at least first',
    });
  return issues;
}
