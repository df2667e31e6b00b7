import type { KubeClient, ObjectMeta } from '@immutable-infra/core';
import { controlPlaneMachines } from './cluster-steps.js';

/**
 * The members of a platform load balancer in front of a cluster's API servers: the control plane
 * machines that should be behind it, and the sync that makes the platform's list exactly those,
 * with the platform's member calls passed in.
 */

/** A control plane machine the load balancer should send to, by infrastructure machine name. */
export interface WantedMember {
  machineName: string;
  address: string;
}

/** An infrastructure machine as far as membership goes: Cluster API's machine addresses. */
interface AddressedMachine {
  metadata: ObjectMeta;
  status?: { addresses?: readonly { type: string; address: string }[] | undefined } | undefined;
}

/**
 * The cluster's control plane machines of the provider's kind that should be members: not being
 * deleted, with an `InternalIP` address known.
 */
export async function wantedControlPlaneMembers(
  kube: KubeClient,
  machines: { apiVersion: string; kind: string },
  where: { namespace: string; cluster: string },
): Promise<WantedMember[]> {
  const listed = await controlPlaneMachines<AddressedMachine>(kube, machines, where);
  return listed.flatMap((machine) => {
    if (machine.metadata.deletionTimestamp) return [];
    const address = machine.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return address ? [{ machineName: machine.metadata.name, address }] : [];
  });
}

/** A member as the platform lists it: named after its machine. */
export interface PlatformMember {
  name: string;
  address: string;
}

/**
 * Makes the platform's members exactly `wanted`: first removes members whose machine is gone or
 * whose address changed, then adds the missing ones. `remove` and `add` are the platform's calls
 * and should tolerate a member already gone or already there (another writer was first).
 */
export async function syncMembers<Member extends PlatformMember>(input: {
  wanted: readonly WantedMember[];
  current: readonly Member[];
  add(member: WantedMember): Promise<unknown>;
  remove(member: Member): Promise<unknown>;
}): Promise<void> {
  const same = (member: Member, wanted: WantedMember) =>
    wanted.machineName === member.name && wanted.address === member.address;
  for (const member of input.current)
    if (!input.wanted.some((wanted) => same(member, wanted))) await input.remove(member);
  for (const wanted of input.wanted)
    if (!input.current.some((member) => same(member, wanted))) await input.add(wanted);
}
