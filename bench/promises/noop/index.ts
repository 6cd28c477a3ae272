// The Promise of the no-op reconcile benchmark (bench/noop.ts): apply mode on a pg backend, a
// stack of a few built-in terraform_data resources, so real Terraform runs it with no provider
// to install.
import { DataResource } from 'cdktf';
import { applyInWorkflow, definePromise, pgBackend, Type } from 'kratix-cdktf';

export default definePromise({
  name: 'noop',
  api: { group: 'bench.example.com', version: 'v1alpha1', kind: 'Noop' },
  spec: Type.Object({ message: Type.String({ default: 'hello', maxLength: 200 }) }),
  outputs: {
    id: { description: 'Identifier of the first resource.' },
    message: { description: 'The message, as given.' },
  },
  delivery: applyInWorkflow({ backend: pgBackend({ schemaName: 'kratix_bench_noop' }) }),
  stack(scope, { spec }) {
    const resources = ['a', 'b', 'c', 'd'].map((name) => new DataResource(scope, name, { input: { message: spec.message, name } }));
    return { id: resources[0]!.id, message: spec.message };
  },
});
