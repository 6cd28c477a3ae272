// The reference stack of the benchmark anchors (DESIGN.md §6): an S3 backend, the AWS provider
// and one RDS instance, synthesized with plain cdktf. BENCH_IMPORT=root imports the provider from
// its package root instead of its submodules; under `cdktf synth` the CLI runs this as its app.
import { App, S3Backend, TerraformStack } from 'cdktf';

// The condition is written inline so that a bundler given BENCH_IMPORT drops the other branch.
const { AwsProvider, DbInstance } =
  process.env.BENCH_IMPORT === 'root'
    ? await import('@cdktf/provider-aws').then((aws) => ({ AwsProvider: aws.provider.AwsProvider, DbInstance: aws.dbInstance.DbInstance }))
    : {
        AwsProvider: (await import('@cdktf/provider-aws/lib/provider/index.js')).AwsProvider,
        DbInstance: (await import('@cdktf/provider-aws/lib/db-instance/index.js')).DbInstance,
      };

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? process.env.BENCH_OUTDIR ?? 'cdktf.out', stackTraces: false, skipValidation: true });
const stack = new TerraformStack(app, 'rds');
new S3Backend(stack, { bucket: 'tfstate', key: 'rds.tfstate', region: 'eu-west-1' });
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new DbInstance(stack, 'db', {
  identifier: 'pg-team-orders-orders-db',
  engine: 'postgres',
  engineVersion: '16.4',
  instanceClass: 'db.t4g.large',
  allocatedStorage: 100,
  manageMasterUserPassword: true,
  username: 'platform_admin',
});
app.synth();
