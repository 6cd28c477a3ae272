import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { definePromise, type Infer, physicalName, tofuController, Type } from 'kratix-cdktf';
import { platformDecoration, platformPolicies, platformBackstage } from '../platform.js';

const storageClass = Type.Union(
  [
    Type.Literal('STANDARD_IA'),
    Type.Literal('ONEZONE_IA'),
    Type.Literal('INTELLIGENT_TIERING'),
    Type.Literal('GLACIER_IR'),
    Type.Literal('GLACIER'),
    Type.Literal('DEEP_ARCHIVE'),
  ],
  { description: 'Storage class objects move to.' },
);

const lifecycleRule = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 255, description: 'Unique name of the rule.' }),
    prefix: Type.String({ default: '', maxLength: 1024, description: 'Only objects whose key starts with this prefix; empty means all objects.' }),
    enabled: Type.Boolean({ default: true, description: 'Whether the rule is applied.' }),
    transitionDays: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 36500, description: 'Days after creation when objects move to transitionStorageClass.' }),
    ),
    transitionStorageClass: Type.Optional(storageClass),
    expirationDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500, description: 'Days after creation when objects are deleted.' })),
    noncurrentExpirationDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 36500, description: 'Days after which old versions are deleted (versioned buckets).' }),
    ),
  },
  {
    'x-kubernetes-validations': [
      { rule: 'has(self.transitionDays) == has(self.transitionStorageClass)', message: 'transitionDays and transitionStorageClass go together' },
      {
        rule: '!has(self.expirationDays) || !has(self.transitionDays) || self.expirationDays > self.transitionDays',
        message: 'expirationDays must be after transitionDays',
      },
      {
        rule: 'has(self.transitionDays) || has(self.expirationDays) || has(self.noncurrentExpirationDays)',
        message: 'a rule needs at least one action: transition, expiration or noncurrentExpiration',
      },
    ],
  },
);

export const spec = Type.Object({
  versioning: Type.Boolean({ default: true, description: 'Keep every version of every object.', printerColumn: 'Versioning' }),
  encryption: Type.Union([Type.Literal('AES256'), Type.Literal('aws:kms')], {
    default: 'AES256',
    description: "Server-side encryption: S3-managed keys (AES256) or the account's AWS KMS key (aws:kms).",
  }),
  lifecycleRules: Type.Array(lifecycleRule, {
    default: [],
    maxItems: 50,
    description: 'Lifecycle rules, applied in order.',
    'x-kubernetes-validations': [{ rule: 'self.all(r, self.exists_one(o, o.id == r.id))', message: 'lifecycle rule ids must be unique' }],
  }),
  forceDestroy: Type.Boolean({ default: false, description: 'Delete all objects when the bucket is deleted; otherwise deleting a non-empty bucket fails.' }),
});

export type BucketSpec = Infer<typeof spec>;

export default definePromise({
  name: 'bucket',
  decorate: [platformDecoration],
  backstage: platformBackstage,
  policies: platformPolicies,
  description: 'A private, encrypted Amazon S3 bucket with optional versioning and lifecycle rules.',
  version: 'v0.1.0',
  api: { group: 'storage.example.com', version: 'v1alpha1', kind: 'Bucket', categories: ['storage'] },
  // The Flux source the platform created on each destination (README: Delivery: Flux tofu-controller).
  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
  spec,
  destinationSelectors: [{ matchLabels: { environment: 'aws' } }],
  outputs: {
    bucketName: { description: 'Name of the bucket.', printerColumn: 'Bucket' },
    arn: { description: 'ARN of the bucket.' },
    regionalDomainName: { description: 'Regional domain name for clients.' },
  },
  stack(scope, { metadata, spec }) {
    new AwsProvider(scope, 'aws', { region: 'eu-west-1' });
    // S3 names are global across all AWS accounts: 3-63 characters, no dots (TLS wildcard certificates).
    const bucket = new S3Bucket(scope, 'bucket', { bucket: physicalName({ metadata }, { maxLength: 63 }), forceDestroy: spec.forceDestroy });
    new S3BucketPublicAccessBlock(scope, 'public-access', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(scope, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: spec.versioning ? 'Enabled' : 'Suspended' },
    });
    new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: spec.encryption }, bucketKeyEnabled: spec.encryption === 'aws:kms' }],
    });
    if (spec.lifecycleRules.length > 0) {
      new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
        bucket: bucket.id,
        rule: spec.lifecycleRules.map((rule) => ({
          id: rule.id,
          status: rule.enabled ? 'Enabled' : 'Disabled',
          filter: [{ prefix: rule.prefix }],
          ...(rule.transitionDays !== undefined && rule.transitionStorageClass
            ? { transition: [{ days: rule.transitionDays, storageClass: rule.transitionStorageClass }] }
            : {}),
          ...(rule.expirationDays !== undefined ? { expiration: [{ days: rule.expirationDays }] } : {}),
          ...(rule.noncurrentExpirationDays !== undefined ? { noncurrentVersionExpiration: [{ noncurrentDays: rule.noncurrentExpirationDays }] } : {}),
        })),
      });
    }
    return { bucketName: bucket.bucket, arn: bucket.arn, regionalDomainName: bucket.bucketRegionalDomainName };
  },
});
