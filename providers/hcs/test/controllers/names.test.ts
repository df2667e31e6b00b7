import { describe, expect, it } from 'vitest';
import { loadBalancerName, persistentVolumeName, serverName } from '../../src/controllers/names.js';

describe('deterministic names', () => {
  it('are the same on every call, so a restart finds what an earlier run created', () => {
    expect(loadBalancerName('cpaas-system', 'demo')).toBe('iinfra-cpaas-system-demo-apiserver');
    expect(persistentVolumeName('demo', 'master-1', 0)).toBe('demo-master-1-pd0');
    expect(serverName('master-1')).toBe('master-1');
  });

  it('stay within the 64 characters ECS and EVS take, keeping a hash of the whole name', () => {
    const long = `${'a'.repeat(60)}.example.org`;
    const name = serverName(long);
    expect(name).toHaveLength(64);
    expect(name).toBe(serverName(long));
    expect(name).not.toBe(serverName(`${'a'.repeat(60)}.example.com`));
    expect(persistentVolumeName('p'.repeat(40), 'h'.repeat(40), 3)).toHaveLength(64);
  });
});
