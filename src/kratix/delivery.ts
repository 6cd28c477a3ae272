// What a Promise's delivery options mean for the Promise object, and what Kratix would reject or
// misread in them.
import type { PromiseDefinition } from '../promise/define-promise.js';
import { deliveryOf } from '../delivery/index.js';
import type { Issue } from '../schema/issue.js';
import * as errors from './errors.js';
import { dnsLabelProblem, labelKeyProblem, labelValueProblem } from './names.js';

/**
 * Every problem in the delivery options of a Promise that Kratix or Terraform would reject or
 * misread: checked at synth, where the author reads it, not first on a tenant's request.
 */
export function checkDelivery(def: PromiseDefinition): Issue[] {
  const delivery = deliveryOf(def);
  const issues: Issue[] = [...delivery.check(def)];
  const namespace = delivery.pipeline(def, { secretRefs: false }).namespace;
  if (namespace !== undefined) {
    const problem = typeof namespace === 'string' ? dnsLabelProblem(namespace) : 'is not a namespace name, which is a string';
    if (problem) issues.push(errors.badPipelineNamespace(namespace, problem));
  }
  if (delivery.destinationLabels !== undefined) issues.push(...checkDestinationLabels(delivery.destinationLabels, def.destinationSelectors ?? []));
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
