import { Namespace } from 'kubernetes-models/v1/Namespace';
import { backstageKubeApply, definePromise, type Infer, Type } from 'kratix-cdktf';
import { platformDecoration, platformBackstage } from '../platform.js';

// A port of the Kratix marketplace's `namespace` Promise (syntasso/kratix-marketplace,
// namespace/promise.yaml): the same API, field for field (upstream-api.yaml, checked by the test
// beside this file), and a Namespace written for Kratix to schedule. Where it differs, on purpose:
// the original's pipeline reads clusterName but, through a typo in its script, never routes by
// it; here a clusterName sends the Namespace only to the Destinations labelled with it.

export const spec = Type.Object({
  namespaceName: Type.String({ description: 'Name of the namespace to create on the Destination.' }),
  clusterName: Type.Optional(
    Type.String({ description: 'Only the Destinations labelled clusterName=<this> get the namespace; all the Promise selects when unset.' }),
  ),
});

export type NamespaceSpec = Infer<typeof spec>;

export default definePromise({
  name: 'namespace',
  decorate: [platformDecoration],
  // A namespace is needed before anything else a team asks for: created at once, not after a review.
  backstage: { ...platformBackstage, create: backstageKubeApply() },
  description: 'A namespace on a Destination cluster, from the Kratix marketplace.',
  version: 'v1.0.0',
  api: { group: 'marketplace.kratix.io', version: 'v1alpha1', kind: 'namespace', plural: 'namespaces', singular: 'namespace' },
  spec,
  manifests({ spec }) {
    const namespace = new Namespace({ metadata: { name: spec.namespaceName, labels: { 'app.kubernetes.io/managed-by': 'kratix' } } });
    return spec.clusterName ? [{ directory: 'namespace', matchLabels: { clusterName: spec.clusterName }, objects: [namespace] }] : [namespace];
  },
});
