import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { allowedInstanceClasses, applyInWorkflow, definePromise, type Infer, physicalName, promiseOutput, s3Backend, tofuController, Type } from 'kratix-cdktf';
import { platformDecoration, platformPolicies, platformBackstage } from '../platform.js';

// What the platform team promises per T-shirt size; consumers never pick instance classes.
const INSTANCE_CLASS = { small: 'db.t4g.micro', medium: 'db.t4g.large', large: 'db.r6g.xlarge' } as const;

// The majors the API accepts (engineVersion's pattern), each with the baseline parameter group
// the Promise's own stack creates once for all databases.
const MAJORS = ['14', '15', '16', '17'] as const;
const parameterGroupOutput = (major: (typeof MAJORS)[number]) => `parameterGroup${major}` as const;

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
  decorate: [platformDecoration],
  // In Backstage, each database links to its page in the AWS console and its admin secret.
  backstage: {
    ...platformBackstage,
    links: ({ request, outputs }) => [
      {
        title: 'RDS console',
        icon: 'dashboard',
        url: `https://eu-west-1.console.aws.amazon.com/rds/home?region=eu-west-1#database:id=${encodeURIComponent(identifierOf(request))}`,
      },
      ...(typeof outputs.masterSecretArn === 'string'
        ? [
            {
              title: 'Admin credentials (Secrets Manager)',
              url: `https://eu-west-1.console.aws.amazon.com/secretsmanager/secret?region=eu-west-1&name=${encodeURIComponent(outputs.masterSecretArn)}`,
            },
          ]
        : []),
    ],
  },
  // The sizes the platform sells, whatever the stack is changed to later.
  policies: [...platformPolicies, allowedInstanceClasses({ aws_db_instance: Object.values(INSTANCE_CLASS) })],
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
  // What the schema cannot know: the namespace's environment, which the platform team labels.
  rules: [
    {
      name: 'size-by-environment',
      description: 'Only namespaces labelled environment=production may ask for size large, and their databases keep deletionProtection on.',
      reads: { namespaceLabels: true },
      check({ request: { spec }, namespace }) {
        const environment = namespace.labels.environment;
        const production = environment === 'production';
        return [
          ...(spec.size === 'large' && !production
            ? [
                {
                  path: 'spec.size',
                  message: `large is for production namespaces, and ${namespace.name} is labelled environment=${environment ?? '(none)'}`,
                  fix: 'ask for medium, or ask the platform team to label the namespace environment=production',
                },
              ]
            : []),
          ...(production && !spec.deletionProtection
            ? [{ path: 'spec.deletionProtection', message: 'a production database keeps deletion protection on', fix: 'remove deletionProtection: false' }]
            : []),
        ];
      },
    },
  ],
  // Once per Promise, applied by its configure workflow on the platform (the requests' stacks go
  // through tofu-controller): the key every database is encrypted with, and a parameter group per
  // major version that enforces TLS and logs slow queries. Requests' stacks read them from this
  // stack's state in S3, with the AWS credentials their runners already have.
  promiseStack: {
    delivery: applyInWorkflow({
      backend: s3Backend({ bucket: 'acme-platform-terraform-state', region: 'eu-west-1' }),
      // Where Kratix runs the Promise's workflows when the Promise names no pipeline namespace.
      pipelineNamespace: 'kratix-platform-system',
    }),
    // Only this pipeline gets the credentials that create the shared resources.
    envFrom: [{ secretRef: { name: 'postgres-baseline-aws' } }],
    outputs: {
      kmsKeyArn: { description: 'The KMS key every database is encrypted with.' },
      ...Object.fromEntries(MAJORS.map((major) => [parameterGroupOutput(major), { description: `Baseline parameter group for PostgreSQL ${major}.` }])),
    },
    stack(scope) {
      new AwsProvider(scope, 'aws', { region: 'eu-west-1' });
      const key = new KmsKey(scope, 'storage', {
        description: 'Storage encryption of the databases of the postgres Promise',
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      });
      new KmsAlias(scope, 'storage-alias', { name: 'alias/kratix-postgres', targetKeyId: key.keyId });
      const groups = MAJORS.map((major) => {
        const group = new DbParameterGroup(scope, `postgres${major}`, {
          name: `kratix-postgres${major}-baseline`,
          family: `postgres${major}`,
          description: `Baseline for PostgreSQL ${major}: TLS only, slow queries logged`,
          parameter: [
            { name: 'rds.force_ssl', value: '1' },
            { name: 'log_min_duration_statement', value: '1000' },
          ],
        });
        return [parameterGroupOutput(major), group.name] as const;
      });
      return { kmsKeyArn: key.arn, ...Object.fromEntries(groups) };
    },
  },
  stack(scope, { metadata, spec }) {
    new AwsProvider(scope, 'aws', { region: 'eu-west-1' });
    const identifier = identifierOf({ metadata });
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
      kmsKeyId: promiseOutput(scope, 'kmsKeyArn'),
      parameterGroupName: promiseOutput(scope, parameterGroupOutput(majorOf(spec.engineVersion))),
      publiclyAccessible: false,
      copyTagsToSnapshot: true,
      finalSnapshotIdentifier: `${identifier}-final`,
      tags: spec.tags,
    });
    return { endpoint: db.address, port: db.port, masterSecretArn: db.masterUserSecret.get(0).secretArn };
  },
});

// The RDS instance identifier of a request: the stack names the instance, Backstage links to it.
function identifierOf(request: { readonly metadata: { readonly name: string; readonly namespace: string } }): string {
  return physicalName(request, { prefix: 'pg', maxLength: 63 });
}

// The major of an engineVersion the schema accepted ("16.4" → "16").
function majorOf(engineVersion: string): (typeof MAJORS)[number] {
  const major = MAJORS.find((m) => engineVersion.startsWith(`${m}.`));
  if (!major) throw new Error(`engineVersion ${engineVersion} has no supported major; the schema's pattern should have refused it`);
  return major;
}
