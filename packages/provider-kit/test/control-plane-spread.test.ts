import { describe, expect, it } from 'vitest';
import { sharedHosts, spreadNotConvergedMessage } from '../src/index.js';

const vm = (vmName: string, host: string) => ({ vmName, hostId: host ? `host-${host}` : '', hostName: host });

describe('where the control plane VMs run', () => {
  it('is spread when every VM runs on a host of its own', () => {
    expect(sharedHosts([vm('cp-1', 'a'), vm('cp-2', 'b'), vm('cp-3', 'c')])).toEqual([]);
  });

  it('names the hosts that run more than one of them, then the VMs not placed yet', () => {
    const shared = sharedHosts([vm('cp-1', 'a'), vm('cp-2', 'a'), vm('cp-3', 'b'), vm('cp-4', '')]);
    expect(shared).toEqual([
      { host: 'a', vmNames: ['cp-1', 'cp-2'] },
      { host: '', vmNames: ['cp-4'] },
    ]);
    expect(spreadNotConvergedMessage({ rule: 'DRS rule r', platform: 'DCS', shared })).toBe(
      'DRS rule r is in place but the placement has not converged: cp-1, cp-2 run on the same host a; cp-4 is not placed on a host yet; waiting for DCS to place them apart (check host capacity and DRS)',
    );
  });

  it('names a host by its id when the platform gives no name', () => {
    expect(
      sharedHosts([
        { vmName: 'cp-1', hostId: 'h1', hostName: '' },
        { vmName: 'cp-2', hostId: 'h1', hostName: '' },
      ]),
    ).toEqual([{ host: 'h1', vmNames: ['cp-1', 'cp-2'] }]);
  });
});
