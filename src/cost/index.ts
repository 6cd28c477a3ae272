// Cost: an estimate of what a request's stack costs a month, from the plan (apply mode) or the
// configuration (every delivery, before anything is delivered), priced by a table the platform
// provides, and a budget that refuses the request or asks for approval above it. The table
// prices a resource from its planned values; what it cannot price is listed as unpriced, with
// the reason, never guessed, and types it does not know are named in `notInTable`. A
// configuration shows one resource per block: count, for_each and modules only a plan expands.
import { isInternal, type PlannedResource, type PlanView } from '../policies/plan.js';
import type { Issue } from '../schema/issue.js';

/** A resource's monthly price, or why the table has none. */
export type PriceQuote = { readonly monthly: number } | { readonly unpriced: string };

/** Where the resource is, as far as the plan says. */
export interface PriceContext {
  /** The AWS provider's region, when the plan names it as a constant. */
  readonly region?: string;
}

/** The platform's prices: per resource type, a function of the planned values. */
export interface PriceTable {
  /** `USD`. */
  readonly currency: string;
  /** Where the figures come from: a URL, a price list export. */
  readonly source: string;
  /** The date the figures were read there. */
  readonly asOf: string;
  readonly resources: Readonly<Record<string, (values: Readonly<Record<string, unknown>>, where: PriceContext) => PriceQuote>>;
}

/** What a Promise says about cost. */
export interface CostProps {
  readonly prices: PriceTable;
  /**
   * Above `monthly` (in the table's currency), `refuse` the request, or ask for `approval` of its
   * plan (apply mode, with the Promise's `approval`). @default no budget
   */
  readonly budget?: { readonly monthly: number; readonly over: 'refuse' | 'approval' };
}

/** `status.cost`. */
export interface CostEstimate {
  readonly currency: string;
  /** The sum of the priced resources, rounded to cents. */
  readonly monthly: number;
  readonly resources: readonly ({ readonly address: string; readonly monthly: number } | { readonly address: string; readonly unpriced: string })[];
  /** Resource types in the plan that the table does not know (free, or not priced by this table): not in the figure. */
  readonly notInTable?: readonly string[];
  /** `plan` (Terraform's, apply mode) or `configuration` (the synthesized stack). */
  readonly from: PlanView['source'];
  readonly source: string;
  readonly asOf: string;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Prices every resource the plan keeps or creates whose type the table knows. */
export function estimateCost(props: CostProps, plan: PlanView): CostEstimate {
  const region = plan.providers.find((p) => p.name === 'aws')?.config.region;
  const where: PriceContext = typeof region === 'string' ? { region } : {};
  const resources: CostEstimate['resources'][number][] = [];
  const others = new Set<string>();
  for (const r of plan.resources) {
    if (r.after === null || r.actions.includes('read') || isInternal(r)) continue;
    const price = props.prices.resources[r.type];
    if (!price) {
      others.add(r.type);
      continue;
    }
    resources.push({ address: r.address, ...quote(price, r, where) });
  }
  resources.sort((a, b) => a.address.localeCompare(b.address));
  const monthly = cents(resources.reduce((sum, r) => sum + ('monthly' in r ? r.monthly : 0), 0));
  return {
    currency: props.prices.currency,
    monthly,
    resources,
    ...(others.size ? { notInTable: [...others].sort() } : {}),
    from: plan.source,
    source: props.prices.source,
    asOf: props.prices.asOf,
  };
}

function quote(price: PriceTable['resources'][string], r: PlannedResource, where: PriceContext): { monthly: number } | { unpriced: string } {
  let q: PriceQuote;
  try {
    q = price(r.after ?? {}, where);
  } catch (e) {
    return { unpriced: `the price table threw: ${(e as Error).message}` };
  }
  if ('monthly' in q && Number.isFinite(q.monthly) && q.monthly >= 0) return { monthly: cents(q.monthly) };
  return { unpriced: 'unpriced' in q && typeof q.unpriced === 'string' ? q.unpriced : 'the price table gave no price' };
}

/** Why the estimate is over the budget, or nothing. Unpriced resources count for nothing, and say so. */
export function overBudget(props: CostProps, estimate: CostEstimate): string | undefined {
  const budget = props.budget;
  if (!budget || estimate.monthly <= budget.monthly) return undefined;
  const unpriced = estimate.resources.filter((r) => 'unpriced' in r).length;
  return `it is estimated at ${estimate.monthly} ${estimate.currency} a month, over the budget of ${budget.monthly}${unpriced ? ` (and ${unpriced} resource(s) the table cannot price)` : ''}`;
}

/** Problems of `cost`, for synth. */
export function checkCost(cost: unknown, hasApproval: boolean): Issue[] {
  if (cost === undefined) return [];
  const c = cost as Partial<CostProps> | null;
  if (!c || typeof c !== 'object' || !c.prices || typeof c.prices !== 'object' || typeof c.prices.resources !== 'object')
    return [{ path: 'cost.prices', message: 'is missing: a price table prices the plan', fix: 'write cost: { prices: awsPrices } or your own table' }];
  const issues: Issue[] = [];
  for (const [type, price] of Object.entries(c.prices.resources))
    if (typeof price !== 'function')
      issues.push({
        path: `cost.prices.resources.${type}`,
        message: 'is not a function of the planned values',
        fix: 'write (values, where) => ({ monthly: 12.5 })',
      });
  const budget = c.budget as { monthly?: unknown; over?: unknown } | undefined;
  if (budget !== undefined) {
    if (typeof budget.monthly !== 'number' || !(budget.monthly >= 0))
      issues.push({
        path: 'cost.budget.monthly',
        message: 'is not a number of the currency a month, 0 or more',
        fix: 'write budget: { monthly: 500, over: "refuse" }',
      });
    if (budget.over !== 'refuse' && budget.over !== 'approval')
      issues.push({
        path: 'cost.budget.over',
        message: `is ${JSON.stringify(budget.over)}, not "refuse" or "approval"`,
        fix: 'write over: "refuse", or "approval" with the Promise’s approval',
      });
    if (budget.over === 'approval' && !hasApproval)
      issues.push({
        path: 'cost.budget.over',
        message: 'is "approval", and the Promise has no approval: nobody could approve',
        fix: 'add approval: { approvers: { groups: [...] } }, or write over: "refuse"',
      });
  }
  return issues;
}
