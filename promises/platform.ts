// What the platform puts on everything its Promises build, whichever Promise builds it: every
// Promise imports this and lists it first in `decorate`. Owner and cost centre are the request's
// labels; the rest is the platform's to say, and wins over whatever a stack or a request set.
import { allowedRegions, type Decoration, encryptionAtRest, noOpenIngress, noPublicBuckets, type PlanPolicy } from 'kratix-cdktf';

const OWNER = 'platform.example.com/owner';
const COST_CENTRE = 'platform.example.com/cost-centre';

export const platformDecoration: Decoration = {
  name: 'platform',
  tags: ({ promise, request }) => ({
    'kratix.io/promise': promise.name,
    ...(promise.version ? { 'kratix.io/promise-version': promise.version } : {}),
    ...(request
      ? {
          'kratix.io/resource-namespace': request.metadata.namespace,
          'kratix.io/resource-name': request.metadata.name,
          ...carried(request.labels),
        }
      : {}),
  }),
  labels: ({ promise, request }) => ({
    'kratix.io/promise': promise.name,
    ...(promise.version ? { 'kratix.io/promise-version': promise.version } : {}),
    ...(request
      ? {
          'kratix.io/resource-namespace': request.metadata.namespace,
          // A request's name may be 253 characters long, a label value 63.
          ...(request.metadata.name.length <= 63 ? { 'kratix.io/resource-name': request.metadata.name } : {}),
          ...carried(request.labels),
        }
      : {}),
  }),
};

// The request's owner and cost centre, when it says them (Kubernetes checked them as label values).
function carried(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries([OWNER, COST_CENTRE].filter((key) => labels[key] !== undefined).map((key) => [key, labels[key]!]));
}

// What no Promise of this platform may build, whatever a request asks: checked on every run
// before anything is delivered. A Promise adds its own after these.
export const platformPolicies: readonly PlanPolicy[] = [noPublicBuckets(), encryptionAtRest(), noOpenIngress(), allowedRegions(['eu-west-1'])];
