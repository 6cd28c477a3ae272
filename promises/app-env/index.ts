import { definePromise, type Infer, Type } from 'kratix-cdktf';
import type { Bucket } from '../../generated/bucket/types.js';
import type { Postgres } from '../../generated/postgres/types.js';
import { platformDecoration, platformBackstage } from '../platform.js';

// A composed offering: one request for an application's environment becomes a Postgres and a
// Bucket request, typed by those Promises' generated types, which Kratix applies on the platform
// cluster (the Destination labelled environment: platform, by Kratix's convention), where the
// postgres and bucket Promises take them from there.

export const spec = Type.Object({
  app: Type.String({
    pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
    maxLength: 40,
    description: 'Name of the application; its database and bucket are named after it.',
    printerColumn: 'App',
  }),
  database: Type.Object(
    {
      size: Type.Union([Type.Literal('small'), Type.Literal('medium')], { default: 'small', description: 'Instance size of the database.' }),
      storageGiB: Type.Integer({ default: 20, minimum: 20, maximum: 1000, description: 'Allocated storage in GiB.' }),
    },
    { description: 'The application’s PostgreSQL database.' },
  ),
  files: Type.Object(
    {
      keepVersions: Type.Boolean({ default: true, description: 'Keep every version of every object.' }),
      expireAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'Delete objects this many days after they were written.' })),
    },
    { description: 'The application’s S3 bucket for files.' },
  ),
});

export type AppEnvironmentSpec = Infer<typeof spec>;

export default definePromise({
  name: 'app-env',
  decorate: [platformDecoration],
  backstage: platformBackstage,
  description: 'An application environment: a PostgreSQL database and an S3 bucket, requested from the postgres and bucket Promises.',
  version: 'v0.1.0',
  api: { group: 'platform.example.com', version: 'v1alpha1', kind: 'AppEnvironment', shortNames: ['appenv'] },
  spec,
  // Kratix holds this Promise's requests until both are installed.
  requiredPromises: [
    { name: 'postgres', version: 'v0.1.0' },
    { name: 'bucket', version: 'v0.1.0' },
  ],
  destinationSelectors: [{ matchLabels: { environment: 'platform' } }],
  // Their status, read back on every run into status.components; Ready waits for both. Kratix
  // applies the requests after the first run, so reconcile often enough to see them come up.
  components: [
    { apiVersion: 'data.example.com/v1alpha1', plural: 'postgreses' },
    { apiVersion: 'storage.example.com/v1alpha1', plural: 'buckets' },
  ],
  workflow: { reconciliationInterval: '5m' },
  manifests({ metadata, spec }) {
    // In the requester's namespace, so its team owns and sees them; labelled with where they came from.
    const meta = (name: string) => ({
      name,
      namespace: metadata.namespace,
      labels: { 'platform.example.com/app-environment': metadata.name },
    });
    const database: Postgres = {
      apiVersion: 'data.example.com/v1alpha1',
      kind: 'Postgres',
      metadata: meta(`${spec.app}-db`),
      spec: { size: spec.database.size, storageGiB: spec.database.storageGiB, databaseName: spec.app.replaceAll('-', '_') },
    };
    const files: Bucket = {
      apiVersion: 'storage.example.com/v1alpha1',
      kind: 'Bucket',
      metadata: meta(`${spec.app}-files`),
      spec: {
        versioning: spec.files.keepVersions,
        ...(spec.files.expireAfterDays ? { lifecycleRules: [{ id: 'expire', expirationDays: spec.files.expireAfterDays }] } : {}),
      },
    };
    return [database, files];
  },
});
