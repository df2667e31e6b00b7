import { type PlatformMember, syncMembers, type WantedMember } from './load-balancer-members.js';

/** A member as an infrastructure cluster's status records it: its machine, address and, once known, its platform id. */
export interface RecordedMember extends WantedMember {
  memberId?: string | undefined;
}

const keyOf = (member: WantedMember) => `${member.machineName}@${member.address}`;

/**
 * Whether the recorded members are exactly the wanted ones (by machine and address, in any order):
 * while they are, and the platform's list was seen recently, a reconcile need not list it again.
 */
export function sameMembers(wanted: readonly WantedMember[], recorded: readonly WantedMember[]): boolean {
  const keys = (list: readonly WantedMember[]) => list.map(keyOf).sort().join(',');
  return keys(wanted) === keys(recorded);
}

/**
 * {@link syncMembers} over the platform's list, answering the members as they are now for status
 * (the ids of those kept and of those added) without listing again, and whether nothing had to
 * change (a list that needed changes is worth listing once more, to see them).
 */
export async function syncRecordedMembers<Member extends PlatformMember & { id: string }>(input: {
  wanted: readonly WantedMember[];
  current: readonly Member[];
  /** Adds one member; its platform id, or undefined when another writer was first. */
  add(member: WantedMember): Promise<{ id: string } | undefined>;
  remove(member: Member): Promise<unknown>;
}): Promise<{ members: RecordedMember[]; unchanged: boolean }> {
  const ids = new Map(input.current.map((m) => [keyOf({ machineName: m.name, address: m.address }), m.id]));
  let unchanged = true;
  await syncMembers({
    wanted: input.wanted,
    current: input.current,
    add: async (member) => {
      unchanged = false;
      const created = await input.add(member);
      if (created) ids.set(keyOf(member), created.id);
    },
    remove: (member) => {
      unchanged = false;
      return input.remove(member);
    },
  });
  const members = input.wanted.map((m) => {
    const memberId = ids.get(keyOf(m));
    return { machineName: m.machineName, address: m.address, ...(memberId ? { memberId } : {}) };
  });
  return { members, unchanged };
}
