import { describe, expect, it } from 'vitest';
import {
  findClaim,
  firstFreeEntry,
  orphanedClaims,
  poolUsage,
  type SlotClaim,
  withClaim,
  withoutClaim,
} from '../../src/controllers/ip-slots.js';

const pool = [{ ip: '10.0.1.11' }, { ip: '10.0.1.12' }, { ip: '10.0.1.13' }];
const claim = (ip: string, uid: string): SlotClaim => ({ ip, dcsMachine: `m-${uid}`, dcsMachineUID: uid });

describe('IP slot claims', () => {
  it('gives each machine the first free entry in pool order, and its own entry again on a re-run', () => {
    let claims: SlotClaim[] = [];
    const first = firstFreeEntry(pool, claims);
    expect(first?.ip).toBe('10.0.1.11');
    claims = withClaim(claims, claim('10.0.1.11', 'a'));
    expect(firstFreeEntry(pool, claims)?.ip).toBe('10.0.1.12');
    expect(findClaim(claims, 'a')?.ip).toBe('10.0.1.11');
    expect(findClaim(claims, 'b')).toBeUndefined();
  });

  it('reports a full pool and frees an entry when its machine goes', () => {
    let claims = [claim('10.0.1.12', 'b'), claim('10.0.1.11', 'a'), claim('10.0.1.13', 'c')].reduce(
      (list: SlotClaim[], c) => withClaim(list, c),
      [],
    );
    expect(claims.map((c) => c.ip)).toEqual(['10.0.1.11', '10.0.1.12', '10.0.1.13']);
    expect(firstFreeEntry(pool, claims)).toBeUndefined();
    expect(poolUsage(pool, claims)).toEqual({ total: 3, used: 3, free: 0 });
    claims = withoutClaim(claims, 'b');
    expect(firstFreeEntry(pool, claims)?.ip).toBe('10.0.1.12');
    expect(poolUsage(pool, claims)).toEqual({ total: 3, used: 2, free: 1 });
  });

  it('finds claims whose entry was removed from the pool', () => {
    const claims = [claim('10.0.1.11', 'a'), claim('10.0.1.99', 'z')];
    expect(orphanedClaims(pool, claims)).toEqual([claim('10.0.1.99', 'z')]);
    expect(poolUsage(pool, claims).used).toBe(1);
  });
});
