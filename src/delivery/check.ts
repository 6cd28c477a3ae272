import type { Delivery } from '../promise/delivery.js';
import type { Issue } from '../schema/issue.js';
import { durationMs } from './terraform-script.js';

/**
 * The author's delivery options, checked at synth: a duration Terraform or Kratix cannot read
 * would otherwise fail only in the container, on a tenant's request.
 */
export function checkDelivery(delivery: Delivery | undefined): Issue[] {
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
