import { describe, expect, it } from 'vitest';
import { machineAddresses } from '../src/index.js';

describe('machineAddresses', () => {
  it('lists every internal IP in order, then the hostname', () => {
    expect(machineAddresses(['10.0.0.2', '10.0.1.2'], 'master-1')).toEqual([
      { type: 'InternalIP', address: '10.0.0.2' },
      { type: 'InternalIP', address: '10.0.1.2' },
      { type: 'Hostname', address: 'master-1' },
    ]);
  });

  it('leaves out a hostname that is not known', () => {
    expect(machineAddresses(['10.0.0.2'])).toEqual([{ type: 'InternalIP', address: '10.0.0.2' }]);
    expect(machineAddresses([], '')).toEqual([]);
  });

  it('puts the hostname first when asked, the IPs still in order', () => {
    expect(machineAddresses(['10.0.0.2', '10.0.1.2'], 'node-1', { hostnameFirst: true })).toEqual([
      { type: 'Hostname', address: 'node-1' },
      { type: 'InternalIP', address: '10.0.0.2' },
      { type: 'InternalIP', address: '10.0.1.2' },
    ]);
    expect(machineAddresses([], 'node-1', { hostnameFirst: true })).toEqual([
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(machineAddresses(['10.0.0.2'], undefined, { hostnameFirst: true })).toEqual([
      { type: 'InternalIP', address: '10.0.0.2' },
    ]);
  });
});
