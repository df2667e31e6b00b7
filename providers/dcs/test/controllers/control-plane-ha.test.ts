import { describe, expect, it } from 'vitest';
import { pendingRecheckMs, sharedHosts } from '../../src/controllers/control-plane-ha.js';

describe('where the control plane VMs run', () => {
  it('finds the hosts that run more than one of them, and the VMs not placed yet', () => {
    const vm = (vmName: string, host: string) => ({
      vmName,
      hostUrn: host ? `urn:sites:S:hosts:${host}` : '',
      hostName: host ? `CNA${host}` : '',
    });
    expect(sharedHosts([vm('cp-1', '02'), vm('cp-2', '03'), vm('cp-3', '04')])).toEqual([]);
    expect(sharedHosts([vm('cp-1', '02'), vm('cp-2', '02'), vm('cp-3', '03'), vm('cp-4', '')])).toEqual([
      { host: 'CNA02', vmNames: ['cp-1', 'cp-2'] },
      { host: '', vmNames: ['cp-4'] },
    ]);
  });
});

describe('a DRS rule that stays pending', () => {
  it('is looked at again after 15 s, 30 s, 60 s, then every 2 minutes while nothing changes', () => {
    expect([1, 2, 3, 4, 5, 50].map(pendingRecheckMs)).toEqual([
      15_000, 30_000, 60_000, 120_000, 120_000, 120_000,
    ]);
  });
});
