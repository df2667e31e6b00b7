// vsphere.conf and the CPI account Secret name a vCenter by its host: the section name and the
// Secret keys (where `:` is not allowed) never carry the port a server may be written with.
import { describe, expect, it } from 'vitest';
import { cpiVirtualCenter, vsphereConf } from '../src/api/vsphere-cpi.js';

describe('the CPI configuration of a vCenter server', () => {
  it('splits a port, a scheme or IPv6 brackets off the host', () => {
    expect(cpiVirtualCenter('vcenter.example.com')).toEqual({ host: 'vcenter.example.com' });
    expect(cpiVirtualCenter('vcenter.example.com:8443')).toEqual({
      host: 'vcenter.example.com',
      port: '8443',
    });
    expect(cpiVirtualCenter('https://10.0.0.5:443/sdk')).toEqual({ host: '10.0.0.5', port: '443' });
    expect(cpiVirtualCenter('[fd00::5]:8443')).toEqual({ host: 'fd00::5', port: '8443' });
  });

  it('names the section by host and keeps a port in it', () => {
    const conf = vsphereConf({ server: 'vcenter.example.com:8443', datacenters: ['dc-a', 'dc-b'] });
    expect(conf).toContain('[VirtualCenter "vcenter.example.com"]\nport = "8443"');
    expect(conf).toContain('datacenters = "dc-a,dc-b"');
    expect(vsphereConf({ server: 'vcenter.example.com', datacenters: ['dc-a'] })).toMatch(
      /\[VirtualCenter "vcenter\.example\.com"\]\n$/,
    );
  });
});
