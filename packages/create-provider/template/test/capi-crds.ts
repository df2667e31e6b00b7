// The two Cluster API kinds the host reads (Cluster and Machine, in the v1beta2 contract), without
// their schemas: enough for tests against a bare kube-apiserver (KUBEBUILDER_ASSETS), where Cluster
// API's own CRDs are not at hand.
const crd = (kind: string, plural: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.cluster.x-k8s.io` },
  spec: {
    group: 'cluster.x-k8s.io',
    scope: 'Namespaced',
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [
      {
        name: 'v1beta2',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

export const clusterApiCrds = [crd('Cluster', 'clusters'), crd('Machine', 'machines')];
