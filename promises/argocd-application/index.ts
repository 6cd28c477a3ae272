import { definePromise, type Infer, manifestFile, physicalName, Type } from 'kratix-cdktf';
import { platformDecoration, platformBackstage } from '../platform.js';

// A port of the Kratix marketplace's `argocd-application` Promise (syntasso/kratix-marketplace,
// argocd-application/promise.yaml): the same API, field for field (upstream-api.yaml, checked by
// the test beside this file). Argo CD itself (argocd/install.yaml, see argocd/PROVENANCE.md) is a
// dependency of 534 KiB: too large to inline in promise.yaml, so the Promise's configure workflow
// writes it, as the original's promise pipeline did. Where it differs, on purpose:
// - spec.source.targetRevision is honoured: the original's pipeline read `.spec.source.revision`,
//   a field its API does not have, so every Application followed HEAD;
// - the Application is named after the request's namespace and name (physicalName), so two
//   namespaces' requests of one name no longer overwrite each other in the argocd namespace.

export const spec = Type.Object({
  source: Type.Object(
    {
      path: Type.String({ default: '.', description: 'Directory in the Git repository that holds the manifests; the root by default.' }),
      repoURL: Type.String({ description: 'URL of the public Git or Helm repository that holds the application.' }),
      targetRevision: Type.Optional(Type.String({ description: 'Commit, tag or branch to sync to (Git), or chart version (Helm); HEAD when unset.' })),
    },
    { description: 'Where the application’s manifests or chart come from.' },
  ),
});

export type ArgocdApplicationSpec = Infer<typeof spec>;

export default definePromise({
  name: 'argocd-application',
  decorate: [platformDecoration],
  backstage: platformBackstage,
  description: 'An Argo CD Application that deploys a public Git repository to the Destination, with Argo CD installed by the Promise.',
  api: { group: 'marketplace.kratix.io', version: 'v1alpha1', kind: 'argocd-application', plural: 'argocd-applications', singular: 'argocd-application' },
  spec,
  dependencies: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }, manifestFile('argocd/install.yaml')],
  manifests({ metadata, spec }) {
    return [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: physicalName({ metadata }),
          namespace: 'argocd',
          labels: { 'kratix.io/resource-namespace': metadata.namespace, 'kratix.io/resource-name': metadata.name },
        },
        spec: {
          project: 'default',
          source: { repoURL: spec.source.repoURL, targetRevision: spec.source.targetRevision ?? 'HEAD', path: spec.source.path },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'default' },
          syncPolicy: { automated: {} },
        },
      },
    ];
  },
});
