import { describe, expect, it } from 'vitest';
import { sameMembers, syncRecordedMembers, type WantedMember } from '../src/index.js';

interface ListedMember {
  id: string;
  name: string;
  address: string;
}

/** A platform pool kept in memory, with the calls the sync made. */
function pool(listed: ListedMember[]) {
  const calls: string[] = [];
  let next = 100;
  return {
    calls,
    current: listed,
    add: async (member: WantedMember) => {
      calls.push(`add ${member.machineName}`);
      return member.machineName === 'raced' ? undefined : { id: `m-${next++}` };
    },
    remove: async (member: ListedMember) => void calls.push(`remove ${member.name}`),
  };
}

describe('sameMembers', () => {
  it('compares machines and addresses in any order, ignoring recorded ids', () => {
    const wanted = [
      { machineName: 'a', address: '10.0.0.1' },
      { machineName: 'b', address: '10.0.0.2' },
    ];
    expect(
      sameMembers(wanted, [{ ...wanted[1], memberId: 'x' } as WantedMember, wanted[0] as WantedMember]),
    ).toBe(true);
    expect(sameMembers(wanted, [wanted[0] as WantedMember])).toBe(false);
    expect(
      sameMembers(wanted, [
        { machineName: 'a', address: '10.0.0.1' },
        { machineName: 'b', address: '10.0.0.9' },
      ]),
    ).toBe(false);
  });
});

describe('syncRecordedMembers', () => {
  it('keeps listed members with their ids, removes the unwanted, adds the missing, and answers the members as they are now', async () => {
    const platform = pool([
      { id: 'm-1', name: 'a', address: '10.0.0.1' },
      { id: 'm-2', name: 'gone', address: '10.0.0.5' },
      { id: 'm-3', name: 'b', address: '10.0.0.9' },
    ]);
    const synced = await syncRecordedMembers({
      wanted: [
        { machineName: 'a', address: '10.0.0.1' },
        { machineName: 'b', address: '10.0.0.2' },
        { machineName: 'raced', address: '10.0.0.3' },
      ],
      ...platform,
    });
    expect(platform.calls).toEqual(['remove gone', 'remove b', 'add b', 'add raced']);
    expect(synced).toEqual({
      unchanged: false,
      members: [
        { machineName: 'a', address: '10.0.0.1', memberId: 'm-1' },
        { machineName: 'b', address: '10.0.0.2', memberId: 'm-100' },
        { machineName: 'raced', address: '10.0.0.3' },
      ],
    });
  });

  it('says unchanged when the platform already had exactly the wanted members', async () => {
    const platform = pool([{ id: 'm-1', name: 'a', address: '10.0.0.1' }]);
    const synced = await syncRecordedMembers({
      wanted: [{ machineName: 'a', address: '10.0.0.1' }],
      ...platform,
    });
    expect(platform.calls).toEqual([]);
    expect(synced).toEqual({
      unchanged: true,
      members: [{ machineName: 'a', address: '10.0.0.1', memberId: 'm-1' }],
    });
  });
});
