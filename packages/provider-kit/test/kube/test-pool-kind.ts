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

/**
 * A CRD with an open schema (any spec and status): the kit's tests need a kind to be served, not a
 * provider's or Cluster API's whole schema. `status` adds the status subresource, for tests that play
 * a controller writing status through it.
 */
export function openCrd(options: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope?: 'Namespaced' | 'Cluster';
  status?: boolean;
}) {
  const { group, version, kind, plural, scope = 'Namespaced', status = false } = options;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          ...(status ? { subresources: { status: {} } } : {}),
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
}

export const testPoolCrd = openCrd({
  group: TEST_POOL_GROUP,
  version: 'v1',
  kind: 'TestPool',
  plural: 'testpools',
  status: true,
});

/**
 * Cluster API's IPAddressClaim and IPAddress (ipam.cluster.x-k8s.io/v1beta2) with open schemas:
 * the claims' tests need the kinds and a status subresource, not the whole of Cluster API.
 */
export const ipamCrds = [
  ['IPAddressClaim', 'ipaddressclaims'],
  ['IPAddress', 'ipaddresses'],
].map(([kind, plural]) =>
  openCrd({
    group: 'ipam.cluster.x-k8s.io',
    version: 'v1beta2',
    kind: kind as string,
    plural: plural as string,
    status: true,
  }),
);
