import type { IPAddress, IPAddressClaim } from '@immutable-infra/core';
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pollingLoop } from './polling-loop.js';

const GROUP = 'ipam.cluster.x-k8s.io';
const VERSION = 'v1beta2';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** One pool the stand-in IPAM provider serves: consecutive IPv4 addresses from `first`. */
export interface TestIpPool {
  /** The pool kind claims name in `poolRef.kind`, e.g. InClusterIPPool. */
  kind: string;
  first: string;
  count: number;
  prefix: number;
  gateway?: string;
}

export interface TestIpamProviderOptions {
  namespace: string;
  /** Pools by name (the claims' `poolRef.name`). */
  pools: Record<string, TestIpPool>;
  pollMs?: number;
}

export interface TestIpamProvider {
  /** Claims it answered, by name, in the order it answered them. */
  readonly answered: string[];
  stop(): Promise<void>;
}

const toNumber = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * A stand-in for Cluster API's in-cluster IPAM provider, on the IPAM contract: an IPAddressClaim
 * naming one of its pools gets the pool's lowest free address as an IPAddress (owned by the claim)
 * and `status.addressRef`; a pool with none left says so in the claim's Ready condition. An
 * IPAddress whose claim is gone is deleted (the API servers of controller tests run no garbage
 * collector). What is taken is read from the IPAddresses each time, so a restart loses nothing.
 */
export function startTestIpamProvider(
  kubeConfig: KubeConfig,
  options: TestIpamProviderOptions,
): TestIpamProvider {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace } = options;
  const resource = (plural: string) => ({ group: GROUP, version: VERSION, namespace, plural });
  const answered: string[] = [];

  const tick = async () => {
    const claims = (
      (await api.listNamespacedCustomObject(resource('ipaddressclaims'))) as { items: IPAddressClaim[] }
    ).items;
    const addresses = (
      (await api.listNamespacedCustomObject(resource('ipaddresses'))) as { items: IPAddress[] }
    ).items;
    const claimNames = new Set(claims.map((c) => c.metadata.name));
    for (const address of addresses) {
      if (!claimNames.has(address.spec.claimRef.name))
        await api.deleteNamespacedCustomObject({ ...resource('ipaddresses'), name: address.metadata.name });
    }
    for (const claim of claims) {
      const pool = options.pools[claim.spec.poolRef.name];
      if (claim.status?.addressRef?.name || claim.metadata.deletionTimestamp) continue;
      if (!pool || pool.kind !== claim.spec.poolRef.kind) continue;
      const name = claim.metadata.name;
      let address = addresses.find((a) => a.spec.claimRef.name === name);
      if (!address) {
        const taken = new Set(
          addresses.filter((a) => a.spec.poolRef.name === claim.spec.poolRef.name).map((a) => a.spec.address),
        );
        const start = toNumber(pool.first);
        const free = Array.from({ length: pool.count }, (_, i) => toIp(start + i)).find(
          (ip) => !taken.has(ip),
        );
        if (!free) {
          await setReady(
            name,
            'False',
            'PoolExhausted',
            `pool ${claim.spec.poolRef.name} has no free address`,
          );
          continue;
        }
        address = (await api.createNamespacedCustomObject({
          ...resource('ipaddresses'),
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'IPAddress',
            metadata: {
              name,
              namespace,
              ownerReferences: [
                {
                  apiVersion: `${GROUP}/${VERSION}`,
                  kind: 'IPAddressClaim',
                  name,
                  uid: claim.metadata.uid,
                  controller: true,
                },
              ],
            },
            spec: {
              claimRef: { name },
              poolRef: claim.spec.poolRef,
              address: free,
              prefix: pool.prefix,
              ...(pool.gateway ? { gateway: pool.gateway } : {}),
            },
          },
        })) as IPAddress;
        addresses.push(address);
      }
      await api.patchNamespacedCustomObjectStatus(
        {
          ...resource('ipaddressclaims'),
          name,
          body: {
            status: {
              addressRef: { name: address.metadata.name },
              conditions: [readyCondition('True', 'Allocated', '')],
            },
          },
        },
        MERGE,
      );
      answered.push(name);
    }
  };

  const readyCondition = (status: string, reason: string, message: string) => ({
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  const setReady = (name: string, status: string, reason: string, message: string) =>
    api.patchNamespacedCustomObjectStatus(
      {
        ...resource('ipaddressclaims'),
        name,
        body: { status: { conditions: [readyCondition(status, reason, message)] } },
      },
      MERGE,
    );

  const loop = pollingLoop(tick, options.pollMs ?? 250);
  return { answered, stop: () => loop.stop() };
}
