// What a Promise's delivery options mean for the Promise object, and what Kratix would reject or
// misread in them.
import type { PromiseDefinition } from '../promise/define-promise.js';
import { DEFAULT_APPLY_PIPELINE_NAMESPACE } from '../promise/delivery.js';
import type { Issue } from '../schema/issue.js';
import * as errors from './errors.js';
import { dnsLabelProblem } from './names.js';

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
 * Every problem in the delivery options of a Promise that Kratix would reject or misread (the
 * durations Terraform reads are checked by `checkDelivery` in src/delivery/check.ts).
 */
export function checkDeliveryForPromise(def: PromiseDefinition): Issue[] {
  const issues: Issue[] = [];
  const namespace = def.delivery?.pipelineNamespace;
  if (namespace !== undefined) {
    const problem = typeof namespace === 'string' ? dnsLabelProblem(namespace) : 'is not a namespace name, which is a string';
    if (problem) issues.push(errors.badPipelineNamespace(namespace, problem));
  }
  return issues;
}
