import type { KubeClient, ObjectMeta } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  changedFields,
  controllerReference,
  IPAM_API_VERSION,
  ownedBy,
  readOrCreate,
  releaseOwnedObject,
} from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';

// Any namespaced kind will do: the IPAM claim's CRD is installed for the address claim tests.
const KIND = 'IPAddressClaim';
const FINALIZER = 'kit.test/record-protection';
type Claim = { apiVersion: string; kind: string; metadata: ObjectMeta; spec: Record<string, unknown> };

describe('objects kept for an owner, on the real API server', () => {
  let kube: KubeClient;
  let namespace: string;
  const owner = (uid: string) => ({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'KitMachine',
    metadata: { name: 'm1', uid },
  });
  const wanted = (name: string, uid: string): Claim => ({
    apiVersion: IPAM_API_VERSION,
    kind: KIND,
    metadata: {
      name,
      namespace,
      ownerReferences: [controllerReference(owner(uid))],
      finalizers: [FINALIZER],
    },
    spec: { poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'p' } },
  });
  const ref = (name: string) => ({ apiVersion: IPAM_API_VERSION, kind: KIND, namespace, name });

  beforeAll(async () => {
    kube = customObjectClient(testKubeConfig(), 'ipaddressclaims');
    namespace = await createTestNamespace(testKubeConfig(), 'owned-objects');
  });

  it('makes the object once: a second ask, even racing, reads the one made', async () => {
    const [a, b] = await Promise.all([
      readOrCreate(kube, wanted('r1', 'uid-1')),
      readOrCreate(kube, wanted('r1', 'uid-1')),
    ]);
    expect(a.metadata.uid).toBeDefined();
    expect(b.metadata.uid).toBe(a.metadata.uid);
    expect(a.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'KitMachine',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      }),
    ]);
    // An earlier owner's leftover of the same name is read, and told apart by its owner.
    const leftover = await readOrCreate(kube, wanted('r1', 'uid-2'));
    expect(ownedBy(leftover, owner('uid-2'))).toBe(false);
    expect(ownedBy(leftover, owner('uid-1'))).toBe(true);
  });

  it("lets go of its owner's object only: finalizer off, deleted", async () => {
    await readOrCreate(kube, wanted('r2', 'uid-1'));
    await releaseOwnedObject(kube, ref('r2'), owner('uid-other'), FINALIZER);
    expect(await kube.get(ref('r2'))).toBeDefined();
    await releaseOwnedObject(kube, ref('r2'), owner('uid-1'), FINALIZER);
    expect(await kube.get(ref('r2'))).toBeUndefined();
    // Nothing left: nothing to do.
    await releaseOwnedObject(kube, ref('r2'), owner('uid-1'), FINALIZER);
  });

  it('patches only the fields that changed, absent and empty lists being the same', () => {
    const condition = {
      type: 'Ready',
      status: 'False' as const,
      reason: 'Cloning',
      lastTransitionTime: 't1',
    };
    const current: {
      ready: boolean;
      addresses?: string[] | undefined;
      conditions: { status: string; lastTransitionTime: string }[];
      vmRef?: string | undefined;
    } = {
      ready: false,
      addresses: [],
      conditions: [condition],
      vmRef: 'vm-1',
    };
    const fields = ['ready', 'addresses', 'conditions', 'vmRef'] as const;
    // A condition whose transition time alone differs is unchanged.
    expect(
      changedFields(
        current,
        { ...current, addresses: undefined, conditions: [{ ...condition, lastTransitionTime: 't2' }] },
        fields,
      ),
    ).toBeUndefined();
    expect(
      changedFields(current, { ...current, ready: true, vmRef: undefined, addresses: ['10.0.0.5'] }, fields),
    ).toEqual({ ready: true, vmRef: null, addresses: ['10.0.0.5'] });
    expect(
      changedFields(current, { ...current, conditions: [{ ...condition, status: 'True' }] }, fields),
    ).toEqual({
      conditions: [{ ...condition, status: 'True' }],
    });
  });
});
