/**
 * Addresses from Cluster API's IPAM contract, as CAPV takes them: one IPAddressClaim per pool a
 * NIC names, which an IPAM provider (the in-cluster one, Infoblox, ...) answers with an IPAddress.
 *
 * Crash safety comes from the names: a claim is `<machine>-<device>-<pool index>`, so a reconcile
 * that died after the create finds its claim instead of asking for a second address. The claim is
 * owned by the infrastructure machine and held by a finalizer until the machine's delete released
 * it, so the address is not handed to another machine while this machine's VM may still use it.
 *
 * Nothing is left behind on delete, by two independent records: the claim names are written to the
 * machine's status before any claim is created (`recordAddressClaims`), and every claim carries the
 * machine's uid as its controller, in the same create that makes it. The delete releases the union
 * of both (`releaseAddressClaims`), so neither a failure domain deleted before the machine (its pools
 * named the claims) nor a status lost in a restore or written by an older release leaves an orphan.
 */
import type { IPAddress, IPAddressClaim, KubeClient } from '@immutable-infra/core';
import { isKubeConflict } from '../kube/kube-errors.js';

export const IPAM_API_VERSION = 'ipam.cluster.x-k8s.io/v1beta2';
/** The group of the in-cluster IPAM provider's pools, for a pool reference that names none (v1beta2 needs one). */
export const DEFAULT_IPAM_POOL_GROUP = 'ipam.cluster.x-k8s.io';

/** A NIC's `addressesFromPools[]` entry: a TypedLocalObjectReference to a pool in the machine's namespace. */
export interface AddressPoolReference {
  apiGroup?: string | undefined;
  kind: string;
  name: string;
}

/** One address a machine asks for: the claim's name, the NIC it is for, and the pool. */
export interface AddressClaimRequest {
  claim: string;
  device: number;
  poolRef: AddressPoolReference;
}

/** An address an IPAM provider gave, for one NIC. */
export interface ClaimedAddress {
  claim: string;
  device: number;
  address: string;
  prefix: number;
  gateway?: string | undefined;
}

/** The infrastructure machine the claims belong to. */
export interface AddressClaimOwner {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  clusterName: string;
}

export type AddressClaimProgress =
  | { type: 'bound'; addresses: ClaimedAddress[] }
  | {
      type: 'waiting';
      /** CAPV's reasons: claims were made in this call, or the IPAM provider has not answered. */
      reason: 'IPAddressClaimsBeingCreated' | 'WaitingForIPAddress';
      message: string;
      /** The first claim without an address, for the condition's "waiting for". */
      claim: string;
    };

/**
 * The claims a machine makes: one per pool of each NIC, named as CAPV names them. A NIC naming no
 * pool of its own takes `fallbackPools` at its place, when given: the pools of the network
 * configuration of the machine's failure domain, which CAPV merges into the machine's devices.
 */
export function addressClaimRequests(
  machineName: string,
  devices: readonly { addressesFromPools?: readonly AddressPoolReference[] | undefined }[],
  fallbackPools: readonly (readonly AddressPoolReference[] | undefined)[] = [],
): AddressClaimRequest[] {
  return devices.flatMap((device, deviceIndex) =>
    (device.addressesFromPools?.length ? device.addressesFromPools : (fallbackPools[deviceIndex] ?? [])).map(
      (poolRef, poolIndex) => ({
        claim: `${machineName}-${deviceIndex}-${poolIndex}`,
        device: deviceIndex,
        poolRef,
      }),
    ),
  );
}

/**
 * The claim records with each request not yet among them added, in order; undefined when every
 * request is recorded already, so a caller writes its status (before creating) only when it grew.
 * Records are only ever added while the machine lives: a claim once asked for stays to be released.
 */
export function recordAddressClaims<R extends AddressClaimRequest>(
  recorded: readonly R[] | undefined,
  requests: readonly R[],
): R[] | undefined {
  const known = new Set((recorded ?? []).map((r) => r.claim));
  const added = requests.filter((r) => !known.has(r.claim));
  return added.length === 0 ? undefined : [...(recorded ?? []), ...added];
}

const claimRef = (namespace: string, name: string) => ({
  apiVersion: IPAM_API_VERSION,
  kind: 'IPAddressClaim',
  namespace,
  name,
});

const controllerOf = (claim: IPAddressClaim) =>
  claim.metadata.ownerReferences?.find((o) => o.controller)?.uid;

/** What a Ready=False condition of the claim says (the in-cluster provider says why, e.g. a full pool). */
function claimTrouble(claim: IPAddressClaim): string | undefined {
  const ready = claim.status?.conditions?.find((c) => c.type === 'Ready');
  return ready && ready.status === 'False' && ready.message ? ready.message : undefined;
}

/**
 * Makes the machine's claims that do not exist yet and reads the addresses of those that do.
 * `bound` once every claim has its address; otherwise `waiting`, with the first claim still open.
 * A claim of an earlier machine of the same name (still held while that one is deleted) is waited
 * for, never taken over.
 */
export async function claimAddresses(
  kube: KubeClient,
  owner: AddressClaimOwner,
  requests: readonly AddressClaimRequest[],
  finalizer: string,
): Promise<AddressClaimProgress> {
  const addresses: ClaimedAddress[] = [];
  const open: { claim: string; why: string }[] = [];
  let created = 0;
  for (const request of requests) {
    const ref = claimRef(owner.namespace, request.claim);
    const claim = await kube.get<IPAddressClaim>(ref);
    if (!claim) {
      try {
        await kube.create({
          ...ref,
          metadata: {
            name: request.claim,
            namespace: owner.namespace,
            labels: { 'cluster.x-k8s.io/cluster-name': owner.clusterName },
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.name,
                uid: owner.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
            finalizers: [finalizer],
          },
          spec: {
            poolRef: {
              apiGroup: request.poolRef.apiGroup ?? DEFAULT_IPAM_POOL_GROUP,
              kind: request.poolRef.kind,
              name: request.poolRef.name,
            },
            clusterName: owner.clusterName,
          },
        });
        created++;
      } catch (error) {
        // Made by a reconcile that died after its create: read on the next call.
        if (!isKubeConflict(error)) throw error;
      }
      open.push({ claim: request.claim, why: 'just made' });
      continue;
    }
    const ownedBy = controllerOf(claim);
    if (ownedBy && ownedBy !== owner.uid) {
      open.push({ claim: request.claim, why: 'still held by an earlier machine of the same name' });
      continue;
    }
    if (!claim.metadata.finalizers?.includes(finalizer)) {
      // Someone took our finalizer off: put it back before the address is used.
      await kube.patch(ref, {
        metadata: {
          resourceVersion: claim.metadata.resourceVersion,
          finalizers: [...(claim.metadata.finalizers ?? []), finalizer],
        },
      });
    }
    const addressName = claim.status?.addressRef?.name;
    const address =
      addressName &&
      (await kube.get<IPAddress>({
        apiVersion: IPAM_API_VERSION,
        kind: 'IPAddress',
        namespace: owner.namespace,
        name: addressName,
      }));
    if (!address) {
      open.push({ claim: request.claim, why: claimTrouble(claim) ?? 'no address yet' });
      continue;
    }
    addresses.push({
      claim: request.claim,
      device: request.device,
      address: address.spec.address,
      prefix: address.spec.prefix,
      // No key at all without one: a status the host saves must read back as it was written.
      ...(address.spec.gateway ? { gateway: address.spec.gateway } : {}),
    });
  }
  const first = open[0];
  if (!first) return { type: 'bound', addresses };
  const total = requests.length;
  return created > 0
    ? {
        type: 'waiting',
        reason: 'IPAddressClaimsBeingCreated',
        message: `${created}/${total} IPAddressClaims being created`,
        claim: first.claim,
      }
    : {
        type: 'waiting',
        reason: 'WaitingForIPAddress',
        message: `${open.length}/${total} IPAddressClaims waiting for an address (${open
          .map((o) => `${o.claim}: ${o.why}`)
          .join('; ')})`,
        claim: first.claim,
      };
}

/** The claims in the owner's namespace whose controller is the owner: found without any record of their names. */
export async function ownedAddressClaims(
  kube: KubeClient,
  owner: Pick<AddressClaimOwner, 'namespace' | 'uid'>,
): Promise<string[]> {
  const claims = await kube.list<IPAddressClaim>(IPAM_API_VERSION, 'IPAddressClaim', {
    namespace: owner.namespace,
  });
  return claims.filter((c) => controllerOf(c) === owner.uid).map((c) => c.metadata.name);
}

/**
 * Lets the IPAM provider have the addresses back: takes the finalizer off each claim (which the
 * owner's deletion then collects) and deletes it. A claim already gone counts as released. Besides
 * the names given (the recorded ones), every claim the owner controls is released too: the safety
 * net for a claim whose name never reached the record.
 */
export async function releaseAddressClaims(
  kube: KubeClient,
  owner: Pick<AddressClaimOwner, 'namespace' | 'uid'>,
  claims: readonly string[],
  finalizer: string,
): Promise<void> {
  const names = new Set([...claims, ...(await ownedAddressClaims(kube, owner))]);
  for (const name of names) {
    const ref = claimRef(owner.namespace, name);
    const claim = await kube.get<IPAddressClaim>(ref);
    // Another machine's claim of the same name is that machine's to release.
    if (!claim || controllerOf(claim) !== owner.uid) continue;
    const finalizers = claim.metadata.finalizers ?? [];
    if (finalizers.includes(finalizer)) {
      await kube.patch(ref, {
        metadata: {
          resourceVersion: claim.metadata.resourceVersion,
          finalizers: finalizers.filter((f) => f !== finalizer),
        },
      });
    }
    await kube.delete(ref);
  }
}
