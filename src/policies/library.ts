// The plan policies platform teams expect first, for AWS. Each reads the plan's after-values (a
// resource being created or changed); only noDestroyOfProtected reads before-values, which a
// configuration does not have. Attribute names are the AWS provider's (v5 and v6).
import type { PlanPolicy, PolicyViolation } from './index.js';
import type { PlannedResource } from './plan.js';

// Resources that will exist after the run: created, updated or replaced.
function kept(resources: readonly PlannedResource[]): (PlannedResource & { after: Record<string, unknown> })[] {
  return resources.filter((r) => r.after !== null && !r.actions.every((a) => a === 'delete' || a === 'no-op' || a === 'read')) as never;
}

const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];
const BLOCK_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

/** No S3 bucket readable by anyone: no public canned ACL, and every public access block flag on. */
export function noPublicBuckets(): PlanPolicy {
  return {
    name: 'no-public-buckets',
    description: 'S3 buckets are never public: no public canned ACL, and all four public access block settings on.',
    check: (plan) => {
      const found: PolicyViolation[] = [];
      for (const r of kept(plan.resources)) {
        if ((r.type === 'aws_s3_bucket_acl' || r.type === 'aws_s3_bucket') && PUBLIC_ACLS.includes(String(r.after.acl)))
          found.push({
            address: r.address,
            attribute: 'acl',
            message: `${r.after.acl} makes the bucket's objects public`,
            fix: 'use private, and share through IAM or presigned URLs',
          });
        if (r.type === 'aws_s3_bucket_public_access_block')
          // Each defaults to false when left out.
          for (const flag of BLOCK_FLAGS)
            if (r.after[flag] !== true)
              found.push({ address: r.address, attribute: flag, message: 'must be true: without it the bucket can be made public', fix: `set ${flag}: true` });
      }
      return found;
    },
  };
}

// Storage resources and the argument that encrypts them at rest.
const ENCRYPTION: Readonly<Record<string, string>> = {
  aws_db_instance: 'storage_encrypted',
  aws_rds_cluster: 'storage_encrypted',
  aws_ebs_volume: 'encrypted',
  aws_efs_file_system: 'encrypted',
  aws_elasticache_replication_group: 'at_rest_encryption_enabled',
  aws_redshift_cluster: 'encrypted',
};

/** Databases, volumes, file systems and caches encrypted at rest. */
export function encryptionAtRest(): PlanPolicy {
  return {
    name: 'encryption-at-rest',
    description: 'Databases, volumes, file systems and caches are encrypted at rest.',
    check: (plan) =>
      kept(plan.resources)
        .filter((r) => ENCRYPTION[r.type] !== undefined && r.after[ENCRYPTION[r.type]!] !== true)
        .map((r) => ({
          address: r.address,
          attribute: ENCRYPTION[r.type]!,
          message: 'must be true: the data would be stored unencrypted',
          fix: `set ${ENCRYPTION[r.type]}: true`,
        })),
  };
}

const OPEN = ['0.0.0.0/0', '::/0'];

/** No security group open to the whole internet on any port. */
export function noOpenIngress(): PlanPolicy {
  return {
    name: 'no-open-ingress',
    description: 'No security group accepts traffic from 0.0.0.0/0 or ::/0.',
    check: (plan) => {
      const found: PolicyViolation[] = [];
      const open = (address: string, attribute: string, value: unknown) => {
        const cidrs = Array.isArray(value) ? value : [value];
        for (const cidr of cidrs)
          if (OPEN.includes(String(cidr)))
            found.push({ address, attribute, message: `${cidr} lets the whole internet in`, fix: 'name the networks that need access' });
      };
      for (const r of kept(plan.resources)) {
        if (r.type === 'aws_security_group' && Array.isArray(r.after.ingress))
          r.after.ingress.forEach((rule: Record<string, unknown>, i: number) => {
            open(r.address, `ingress[${i}].cidr_blocks`, rule?.cidr_blocks);
            open(r.address, `ingress[${i}].ipv6_cidr_blocks`, rule?.ipv6_cidr_blocks);
          });
        if (r.type === 'aws_security_group_rule' && r.after.type === 'ingress') {
          open(r.address, 'cidr_blocks', r.after.cidr_blocks);
          open(r.address, 'ipv6_cidr_blocks', r.after.ipv6_cidr_blocks);
        }
        if (r.type === 'aws_vpc_security_group_ingress_rule') {
          open(r.address, 'cidr_ipv4', r.after.cidr_ipv4);
          open(r.address, 'cidr_ipv6', r.after.cidr_ipv6);
        }
      }
      return found;
    },
  };
}

/** Every AWS provider configuration pins one of these regions. */
export function allowedRegions(regions: readonly string[]): PlanPolicy {
  return {
    name: 'allowed-regions',
    description: `AWS resources are created only in ${regions.join(', ')}.`,
    check: (plan) =>
      plan.providers
        .filter((p) => p.name === 'aws' || p.name.startsWith('aws.'))
        .filter((p) => !regions.includes(String(p.config.region)))
        .map((p) => ({
          address: `provider.${p.name}`,
          attribute: 'region',
          message:
            p.config.region === undefined
              ? 'is not set to a constant, so the region cannot be checked'
              : `${p.config.region} is not one of ${regions.join(', ')}`,
          fix: `set region to one of ${regions.join(', ')}`,
        })),
  };
}

// The argument that sizes each resource type.
const SIZE_ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_db_instance: 'instance_class',
  aws_rds_cluster_instance: 'instance_class',
  aws_instance: 'instance_type',
  aws_launch_template: 'instance_type',
  aws_elasticache_cluster: 'node_type',
  aws_elasticache_replication_group: 'node_type',
  aws_opensearch_domain: 'cluster_config.instance_type',
};

/**
 * Instance classes the platform runs, per resource type (`{ aws_db_instance: ['db.t4g.micro', ...] }`);
 * types not named are not checked.
 */
export function allowedInstanceClasses(allowed: Readonly<Record<string, readonly string[]>>): PlanPolicy {
  return {
    name: 'allowed-instance-classes',
    description: `Only these sizes: ${Object.entries(allowed)
      .map(([type, classes]) => `${type} ${classes.join('/')}`)
      .join('; ')}.`,
    check: (plan) =>
      kept(plan.resources).flatMap((r) => {
        const classes = allowed[r.type];
        const attribute = SIZE_ATTRIBUTE[r.type];
        if (!classes || !attribute) return [];
        const value = attribute.split('.').reduce<unknown>((v, key) => (Array.isArray(v) ? v[0] : v)?.[key as never], r.after);
        return classes.includes(String(value))
          ? []
          : [
              {
                address: r.address,
                attribute,
                message: `${String(value)} is not one of ${classes.join(', ')}`,
                fix: 'ask for one of the sizes the platform offers',
              },
            ];
      }),
  };
}

/**
 * Nothing tagged protected (`tag`, value "true") is destroyed or replaced. Reads the state's values,
 * so it acts on a plan only; a configuration has nothing to destroy.
 */
export function noDestroyOfProtected(props: { readonly tag?: string } = {}): PlanPolicy {
  const tag = props.tag ?? 'kratix.io/protected';
  return {
    name: 'no-destroy-of-protected',
    description: `Nothing tagged ${tag}=true is destroyed or replaced.`,
    check: (plan) =>
      plan.resources
        .filter((r) => r.actions.includes('delete') && r.before !== null)
        .filter((r) => {
          const tags = { ...((r.before!.tags_all as Record<string, unknown>) ?? {}), ...((r.before!.tags as Record<string, unknown>) ?? {}) };
          return tags[tag] === 'true';
        })
        .map((r) => ({
          address: r.address,
          message: `is tagged ${tag}=true and this run would ${r.actions.includes('create') ? 'replace' : 'destroy'} it`,
          fix: `remove the tag first if it really must go, or change the request back`,
        })),
  };
}
