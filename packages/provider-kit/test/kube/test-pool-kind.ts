/**
 * A tiny pool kind for the claimable pool's tests: entries in spec, claims in status, as the
 * providers' IP/hostname and machine config pools keep them.
 */
export const TEST_POOL_GROUP = 'kit.test.immutable-infra.io';
export const TEST_POOL_API_VERSION = `${TEST_POOL_GROUP}/v1`;

export interface TestPoolObject {
  apiVersion: string;
  kind: 'TestPool';
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { entries: { address: string; hostname?: string }[] };
  status?: { claims?: { address: string; holderUID: string; holder: string }[] };
}

export const testPoolCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `testpools.${TEST_POOL_GROUP}` },
  spec: {
    group: TEST_POOL_GROUP,
    scope: 'Namespaced',
    names: { plural: 'testpools', singular: 'testpool', kind: 'TestPool', listKind: 'TestPoolList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

/**
 * Cluster API's IPAddressClaim and IPAddress (ipam.cluster.x-k8s.io/v1beta2) with open schemas:
 * the claims' tests need the kinds and a status subresource, not the whole of Cluster API.
 */
export const ipamCrds = [
  ['IPAddressClaim', 'ipaddressclaims'],
  ['IPAddress', 'ipaddresses'],
].map(([kind, plural]) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.ipam.cluster.x-k8s.io` },
  spec: {
    group: 'ipam.cluster.x-k8s.io',
    scope: 'Namespaced',
    names: { plural, singular: kind?.toLowerCase(), kind, listKind: `${kind}List` },
    versions: [
      {
        name: 'v1beta2',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
}));
