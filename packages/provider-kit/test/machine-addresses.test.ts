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
});
