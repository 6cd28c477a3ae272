import { expect, test } from 'vitest';
import { exampleRequest, renderRequest, validateRequest } from 'kratix-cdktf/testing';
import bucket from './index.js';

const example = exampleRequest(import.meta.dirname);

test('the example request gives a private, KMS-encrypted, versioned bucket with two lifecycle rules', () => {
  const tf = renderRequest(bucket, example);
  expect(tf.resource.aws_s3_bucket_public_access_block['public-access']).toMatchObject({
    block_public_acls: true,
    block_public_policy: true,
    ignore_public_acls: true,
    restrict_public_buckets: true,
  });
  expect(tf.resource.aws_s3_bucket_versioning.versioning.versioning_configuration.status).toBe('Enabled');
  expect(tf.resource.aws_s3_bucket_server_side_encryption_configuration.encryption.rule[0]).toMatchObject({
    apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' },
    bucket_key_enabled: true,
  });
  const rules = tf.resource.aws_s3_bucket_lifecycle_configuration.lifecycle.rule;
  expect(rules).toHaveLength(2);
  expect(rules[0]).toMatchObject({
    id: 'archive-old-invoices',
    status: 'Enabled',
    filter: [{ prefix: 'invoices/' }],
    transition: [{ days: 90, storage_class: 'GLACIER_IR' }],
    expiration: [{ days: 2555 }],
  });
  expect(rules[1]).toMatchObject({ id: 'clean-old-versions', filter: [{ prefix: '' }], noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
});

test('without lifecycle rules there is no lifecycle configuration, and versioning is on by default', () => {
  const tf = renderRequest(bucket, {});
  expect(tf.resource.aws_s3_bucket_lifecycle_configuration).toBeUndefined();
  expect(tf.resource.aws_s3_bucket_versioning.versioning.versioning_configuration.status).toBe('Enabled');
  expect(tf.resource.aws_s3_bucket.bucket.force_destroy).toBe(false);
});

test('the bucket name is valid for S3 (no dots, at most 63) and unique per namespace', () => {
  const name = (ns: string) => renderRequest(bucket, { metadata: { name: 'logs.archive', namespace: ns } }).resource.aws_s3_bucket.bucket.bucket;
  expect(name('a')).toMatch(/^[a-z][a-z0-9-]{2,62}$/);
  expect(name('a')).not.toBe(name('b'));
});

test.each([
  [{ lifecycleRules: [{ id: 'x', transitionDays: 30 }] }, /spec\.lifecycleRules\[0\]: transitionDays and transitionStorageClass go together/],
  [{ lifecycleRules: [{ id: 'x' }] }, /spec\.lifecycleRules\[0\]: a rule needs at least one action/],
  [
    {
      lifecycleRules: [
        { id: 'x', expirationDays: 5 },
        { id: 'x', expirationDays: 6 },
      ],
    },
    /spec\.lifecycleRules: lifecycle rule ids must be unique/,
  ],
  [{ lifecycleRules: [{ id: 'x', transitionDays: 30, transitionStorageClass: 'GLACIER', expirationDays: 10 }] }, /expirationDays must be after transitionDays/],
  [
    { lifecycleRules: [{ id: 'x', transitionDays: 30, transitionStorageClass: 'TAPE' }] },
    /spec\.lifecycleRules\[0\]\.transitionStorageClass: "TAPE" is not one of/,
  ],
  [{ encryption: 'none' }, /spec\.encryption: "none" is not one of "AES256", "aws:kms"/],
])('%j is refused', (bad, message) => {
  const result = validateRequest(bucket, { spec: bad });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(message);
});
