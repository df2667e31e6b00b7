import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ClaimablePoolKind } from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';
import { TEST_POOL_API_VERSION, TEST_POOL_GROUP, type TestPoolObject } from './test-pool-kind.js';

export type TestPoolEntry = TestPoolObject['spec']['entries'][number];
export type TestPoolClaim = NonNullable<NonNullable<TestPoolObject['status']>['claims']>[number];

/** The test pool as a provider describes its pool kind to the kit: entries keyed by address, claims by holder UID. */
export const testPoolClaims: ClaimablePoolKind<TestPoolObject, TestPoolEntry, TestPoolClaim> = {
  apiVersion: TEST_POOL_API_VERSION,
  kind: 'TestPool',
  entries: (pool) => pool.spec.entries,
  entryKey: (entry) => entry.address,
  claims: (pool) => pool.status?.claims ?? [],
  claimedEntryKey: (claim) => claim.address,
  claimantUid: (claim) => claim.holderUID,
  newClaim: (entry, claimant) => ({ address: entry.address, holderUID: claimant.uid, holder: claimant.name }),
  statusWithClaims: (claims) => ({ claims }),
};

/**
 * A test's own namespace on the real kube-apiserver, where TestPools are made and edited as a user
 * makes them (through the API, not through the client under test) and read and written through
 * core's KubeClient, as the host hands it to the kit's code.
 */
export interface TestPoolBed {
  namespace: string;
  /** The client the kit's code gets. */
  kube: KubeClient;
  /** Another client on the same API server, as a second manager or reconcile has. */
  secondClient(): KubeClient;
  ref(name: string): ObjectReference;
  /** The pool as stored (its spec and status may be any shape the test gave it). */
  read<T = TestPoolObject>(name: string): Promise<T>;
  /** A new pool with this spec (and annotations). */
  createPool(
    name: string,
    spec: Record<string, unknown>,
    annotations?: Record<string, string> | undefined,
  ): Promise<void>;
  /** The pool's entries replaced, as a user editing the pool does. */
  replaceEntries(name: string, entries: readonly TestPoolEntry[]): Promise<void>;
}

/** A namespace named after `prefix` with what a test of TestPools needs; call it in `beforeAll`. */
export async function testPoolBed(prefix: string): Promise<TestPoolBed> {
  const kubeConfig = testKubeConfig();
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = await createTestNamespace(kubeConfig, prefix);
  const kube = customObjectClient(kubeConfig, 'testpools');
  const at = { group: TEST_POOL_GROUP, version: 'v1', namespace, plural: 'testpools' };
  const ref = (name: string) => ({ apiVersion: TEST_POOL_API_VERSION, kind: 'TestPool', namespace, name });
  return {
    namespace,
    kube,
    secondClient: () => customObjectClient(kubeConfig, 'testpools'),
    ref,
    read: async <T>(name: string) => (await kube.get<T>(ref(name))) as T,
    async createPool(name, spec, annotations) {
      await objects.createNamespacedCustomObject({
        ...at,
        body: {
          apiVersion: TEST_POOL_API_VERSION,
          kind: 'TestPool',
          metadata: { name, ...(annotations ? { annotations } : {}) },
          spec,
        },
      });
    },
    async replaceEntries(name, entries) {
      await objects.patchNamespacedCustomObject({
        ...at,
        name,
        body: [{ op: 'replace', path: '/spec/entries', value: entries }],
      });
    },
  };
}
