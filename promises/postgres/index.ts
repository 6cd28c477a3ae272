import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { definePromise, type Infer, physicalName, tofuController, Type } from 'kratix-cdktf';

// What the platform team promises per T-shirt size; consumers never pick instance classes.
const INSTANCE_CLASS = { small: 'db.t4g.micro', medium: 'db.t4g.large', large: 'db.r6g.xlarge' } as const;

export const spec = Type.Object(
  {
    size: Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large')], {
      default: 'small',
      description: 'Instance size: small (db.t4g.micro), medium (db.t4g.large) or large (db.r6g.xlarge).',
      printerColumn: 'Size',
    }),
    engineVersion: Type.String({
      default: '16.4',
      pattern: '^(14|15|16|17)\\.[0-9]+$',
      description: 'PostgreSQL major.minor version; majors 14 to 17 are supported.',
      printerColumn: 'Version',
    }),
    storageGiB: Type.Integer({ default: 20, minimum: 20, maximum: 16384, description: 'Allocated storage in GiB.' }),
    maxStorageGiB: Type.Optional(
      Type.Integer({ minimum: 20, maximum: 65536, description: 'Upper limit for storage autoscaling in GiB; unset disables autoscaling.' }),
    ),
    databaseName: Type.String({
      default: 'app',
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 63,
      description: 'Name of the database created in the instance.',
    }),
    highAvailability: Type.Boolean({ default: false, description: 'Run a standby in a second availability zone (Multi-AZ).' }),
    backup: Type.Object(
      {
        retentionDays: Type.Integer({ default: 7, minimum: 0, maximum: 35, description: 'Days automated backups are kept; 0 disables them.' }),
        window: Type.Optional(
          Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Daily backup window in UTC, hh:mm-hh:mm.' }),
        ),
      },
      { description: 'Automated backups.' },
    ),
    deletionProtection: Type.Boolean({ default: true, description: 'Refuse to delete the instance until this is turned off.' }),
    tags: Type.Record(Type.String(), Type.String({ maxLength: 256 }), {
      default: {},
      maxProperties: 40,
      description: 'Extra AWS tags; the platform adds owner tags itself.',
      'x-kubernetes-validations': [
        { rule: 'self.all(k, size(k) >= 1 && size(k) <= 128)', message: 'tag keys must be 1 to 128 characters' },
        { rule: "self.all(k, !k.startsWith('aws:') && !k.startsWith('kratix.io/'))", message: 'aws: and kratix.io/ tag keys are reserved' },
      ],
    }),
  },
  {
    'x-kubernetes-validations': [
      { rule: '!has(self.maxStorageGiB) || self.maxStorageGiB >= self.storageGiB', message: 'maxStorageGiB must not be below storageGiB' },
      { rule: "self.size != 'large' || self.highAvailability", message: 'large instances must run with highAvailability: true' },
    ],
  },
);

export type PostgresSpec = Infer<typeof spec>;

export default definePromise({
  name: 'postgres',
  description:
    'A managed PostgreSQL database on Amazon RDS. The admin password is generated and rotated by AWS Secrets Manager; it is never part of the request.',
  version: 'v0.1.0',
  api: { group: 'data.example.com', version: 'v1alpha1', kind: 'Postgres', shortNames: ['pg'], categories: ['databases'] },
  // The Flux source the platform created on each destination (README: Delivery: Flux tofu-controller).
  delivery: tofuController({ sourceRef: { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } }),
  spec,
  destinationSelectors: [{ matchLabels: { environment: 'aws' } }],
  outputs: {
    endpoint: { description: 'Hostname of the instance.', printerColumn: 'Endpoint' },
    port: { description: 'Port the instance listens on.' },
    masterSecretArn: { description: 'ARN of the Secrets Manager secret holding the admin credentials.' },
  },
  // What an application team pastes into its configuration, once Terraform has reported the endpoint.
  status: {
    fields: { connection: { description: 'Where to connect: postgresql://<endpoint>:<port>/<database>.' } },
    compute: ({ request, outputs }) => ({
      connection: outputs.endpoint && outputs.port ? `postgresql://${outputs.endpoint}:${outputs.port}/${request.spec.databaseName}` : undefined,
    }),
  },
  stack(scope, { metadata, spec }) {
    new AwsProvider(scope, 'aws', {
      region: 'eu-west-1',
      defaultTags: [{ tags: { 'kratix.io/namespace': metadata.namespace, 'kratix.io/resource-name': metadata.name, 'kratix.io/promise': 'postgres' } }],
    });
    const identifier = physicalName({ metadata }, { prefix: 'pg', maxLength: 63 });
    const db = new DbInstance(scope, 'db', {
      identifier,
      engine: 'postgres',
      engineVersion: spec.engineVersion,
      instanceClass: INSTANCE_CLASS[spec.size],
      allocatedStorage: spec.storageGiB,
      ...(spec.maxStorageGiB !== undefined ? { maxAllocatedStorage: spec.maxStorageGiB } : {}),
      dbName: spec.databaseName,
      username: 'platform_admin',
      manageMasterUserPassword: true,
      multiAz: spec.highAvailability,
      backupRetentionPeriod: spec.backup.retentionDays,
      ...(spec.backup.window ? { backupWindow: spec.backup.window } : {}),
      deletionProtection: spec.deletionProtection,
      storageEncrypted: true,
      publiclyAccessible: false,
      copyTagsToSnapshot: true,
      finalSnapshotIdentifier: `${identifier}-final`,
      tags: spec.tags,
    });
    return { endpoint: db.address, port: db.port, masterSecretArn: db.masterUserSecret.get(0).secretArn };
  },
});
