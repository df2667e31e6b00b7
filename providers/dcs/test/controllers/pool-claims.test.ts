import type { KubeClient } from '@immutable-infra/core';
import { ClaimablePool } from '@immutable-infra/provider-kit';
import { describe, expect, it } from 'vitest';
import type { DCSIpHostnamePoolObject } from '../../src/api/dcs-ip-hostname-pool.js';
import { ipHostnamePoolKind, type SlotClaim } from '../../src/controllers/pool-claims.js';

const claim = (ip: string, uid: string): SlotClaim => ({ ip, dcsMachine: `m-${uid}`, dcsMachineUID: uid });
const pool = (slots: SlotClaim[]) =>
  ({
    metadata: { name: 'ips' },
    spec: { pool: [{ ip: '10.0.1.11' }, { ip: '10.0.1.12' }, { ip: '10.0.1.13' }] },
    status: { slots },
  }) as unknown as DCSIpHostnamePoolObject;

// Claiming, releasing and racing are the kit's ClaimablePool (tested there); these are the DCS pool's own rules.
describe('DCSIpHostnamePool claims', () => {
  it('are written in IP order, whichever machine claimed first', () => {
    const written = ipHostnamePoolKind.statusWithClaims([
      claim('10.0.1.12', 'b'),
      claim('10.0.1.9', 'z'),
      claim('10.0.1.11', 'a'),
    ]);
    expect((written.slots as SlotClaim[]).map((c) => c.ip)).toEqual(['10.0.1.9', '10.0.1.11', '10.0.1.12']);
  });

  it('record the holder by UID and the entry by IP, with its machine name', () => {
    const made = ipHostnamePoolKind.newClaim(
      { ip: '10.0.1.11', machineName: 'vm-a' },
      { name: 'm-a', uid: 'a' },
    );
    expect(made).toEqual({ ip: '10.0.1.11', dcsMachine: 'm-a', dcsMachineUID: 'a', machineName: 'vm-a' });
    expect(ipHostnamePoolKind.claimantUid(claim('10.0.1.11', ''))).toBeUndefined();
  });

  it('count a full pool, a freed entry and a claim whose entry was removed', () => {
    const pools = new ClaimablePool({} as KubeClient, ipHostnamePoolKind);
    const full = [claim('10.0.1.11', 'a'), claim('10.0.1.12', 'b'), claim('10.0.1.13', 'c')];
    expect(pools.usage(pool(full))).toEqual({ total: 3, used: 3, free: 0, orphaned: 0 });
    expect(pools.usage(pool(full.filter((c) => c.dcsMachineUID !== 'b')))).toMatchObject({
      used: 2,
      free: 1,
    });
    expect(pools.usage(pool([claim('10.0.1.11', 'a'), claim('10.0.1.99', 'z')]))).toMatchObject({
      used: 1,
      orphaned: 1,
    });
  });
});
