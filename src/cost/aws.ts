// A small AWS price table, only what could be sourced from here, each figure with where it was
// read. Everything else is unpriced with the reason: a platform prices its own regions and
// contract from its price list (AWS Price List API, `aws pricing get-products`) into a table of
// the same shape.
import type { PriceQuote, PriceTable } from './index.js';

/** AWS's own monthly convention (its pricing calculator): 730 hours. */
export const HOURS_PER_MONTH = 730;

// RDS for PostgreSQL, Single-AZ, on-demand, USD per hour, us-east-1: infratally.com, "AWS RDS
// pricing explained (2026)", https://infratally.com/articles/aws-rds-pricing-explained-2026.html,
// which also states Multi-AZ at exactly twice the rate.
const POSTGRES_HOURLY_US_EAST_1: Readonly<Record<string, number>> = {
  'db.t4g.micro': 0.016,
  'db.t4g.small': 0.032,
  'db.t4g.medium': 0.065,
};
// gp3 storage, USD per GB-month, us-east-1: usage.ai, "RDS pricing calculator" (rates of June
// 2026), https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/. A Multi-AZ
// instance's standby has its own copy (AWS RDS User Guide, "On-Demand DB instances for Amazon
// RDS", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html).
// Both instance and storage rates come from third parties quoting AWS's list prices.
const GP3_GB_MONTH_US_EAST_1 = 0.115;

// A value the plan does not know yet, or the configuration holds as an expression.
const unknown = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.includes('${'));

function dbInstance(values: Readonly<Record<string, unknown>>, where: { readonly region?: string }): PriceQuote {
  const cls = String(values.instance_class ?? '');
  const engine = String(values.engine ?? '');
  // AWS provider 6 takes a region per resource; it wins over the provider's.
  const region = typeof values.region === 'string' && !unknown(values.region) ? values.region : where.region;
  if (region !== 'us-east-1') return { unpriced: `no sourced price for ${region ?? 'an unnamed region'} in this table` };
  for (const key of ['instance_class', 'allocated_storage'] as const) if (unknown(values[key])) return { unpriced: `${key} is not known before the apply` };
  if (values.multi_az !== undefined && typeof values.multi_az !== 'boolean') return { unpriced: 'multi_az is not known before the apply' };
  if (engine !== 'postgres') return { unpriced: `no sourced price for engine ${engine || '(unknown)'}` };
  const hourly = POSTGRES_HOURLY_US_EAST_1[cls];
  if (hourly === undefined) return { unpriced: `no sourced price for ${cls || 'an unknown class'}` };
  // The provider's default: gp2 (io1 with iops).
  const storageType = String(values.storage_type ?? (values.iops ? 'io1' : 'gp2'));
  if (storageType !== 'gp3') return { unpriced: `no sourced price for ${storageType} storage` };
  const copies = values.multi_az === true ? 2 : 1;
  const gb = Number(values.allocated_storage);
  if (!Number.isFinite(gb)) return { unpriced: 'allocated_storage is not a number' };
  return { monthly: copies * (hourly * HOURS_PER_MONTH + gb * GP3_GB_MONTH_US_EAST_1) };
}

// A KMS key, in any region: USD 1 a month (https://aws.amazon.com/kms/pricing/, "Key storage",
// read 2026-12); rotations add to it later. The estimate is the first month's.
const kmsKey = (): PriceQuote => ({ monthly: 1 });

// S3 bills storage, requests and transfer, not buckets: nothing to price from a plan.
const s3Bucket = (): PriceQuote => ({ unpriced: 'billed by use (storage, requests, transfer), not per bucket' });

/**
 * RDS for PostgreSQL instances in us-east-1 (db.t4g.micro, small, medium; gp3; Single- and
 * Multi-AZ) and KMS keys. Sources and dates in src/cost/aws.ts.
 */
export const awsPrices: PriceTable = {
  currency: 'USD',
  source: 'infratally.com (RDS PostgreSQL t4g, us-east-1, 2026); usage.ai (gp3 storage, us-east-1, June 2026); aws.amazon.com/kms/pricing (KMS keys)',
  asOf: '2026-06',
  resources: { aws_db_instance: dbInstance, aws_kms_key: kmsKey, aws_s3_bucket: s3Bucket },
};
