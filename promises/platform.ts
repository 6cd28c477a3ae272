// What the platform puts on everything its Promises build, whichever Promise builds it: every
// Promise imports this and lists it first in `decorate`. Owner and cost centre are the request's
// labels; the rest is the platform's to say, and wins over whatever a stack or a request set.
import {
  allowedRegions,
  type BackstageProps,
  backstagePullRequest,
  type Decoration,
  type DecorationContext,
  encryptionAtRest,
  noOpenIngress,
  noPublicBuckets,
  type PlanPolicy,
} from 'kratix-cdktf';

const OWNER = 'platform.example.com/owner';
const COST_CENTRE = 'platform.example.com/cost-centre';

export const platformDecoration: Decoration = {
  name: 'platform',
  tags: (ctx) => identity(ctx, 256),
  // A request's name may be 253 characters long, a label value 63.
  labels: (ctx) => identity(ctx, 63),
};

// Which Promise, version and request built it, and for whom (the owner and cost centre are the
// request's own labels: its claim, which a rule can hold to the namespace's); values up to `max` characters.
function identity({ promise, request }: DecorationContext<unknown>, max: number): Record<string, string> {
  return {
    'kratix.io/promise': promise.name,
    ...(promise.version ? { 'kratix.io/promise-version': promise.version } : {}),
    ...(request
      ? {
          'kratix.io/resource-namespace': request.metadata.namespace,
          ...(request.metadata.name.length <= max ? { 'kratix.io/resource-name': request.metadata.name } : {}),
          ...carried(request.labels),
        }
      : {}),
  };
}

// The request's owner and cost centre, when it says them (Kubernetes checked them as label values).
function carried(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries([OWNER, COST_CENTRE].filter((key) => labels[key] !== undefined).map((key) => [key, labels[key]!]));
}

// What no Promise of this platform may build, whatever a request asks: checked on every run
// before anything is delivered. A Promise adds its own after these.
export const platformPolicies: readonly PlanPolicy[] = [noPublicBuckets(), encryptionAtRest(), noOpenIngress(), allowedRegions(['eu-west-1'])];

// Where the platform's Promises show up in Backstage: owned by the platform team, requested by a
// pull request into the repository Flux applies to the platform cluster, and every request's
// catalog entity written to the Kratix Destination labelled environment=backstage, which
// Backstage reads (README: Backstage).
export const platformBackstage: BackstageProps = {
  owner: 'group:default/platform-team',
  system: 'system:default/platform',
  create: backstagePullRequest({ repoUrl: 'github.com?owner=acme&repo=platform-requests', targetPath: 'requests' }),
  catalog: { matchLabels: { environment: 'backstage' } },
};
