import { describe, expect, it } from 'vitest';
import { type NetplanNic, netplanEthernets } from '../src/index.js';

const nic = (overrides: Partial<NetplanNic> = {}): NetplanNic => ({
  macAddress: '00:50:56:00:00:01',
  name: 'eth0',
  dhcp4: false,
  dhcp6: false,
  addresses: [],
  routes: [],
  nameservers: [],
  searchDomains: [],
  ...overrides,
});

describe('netplanEthernets', () => {
  it('matches each NIC by its MAC, and writes its gateways as default routes before its own routes', () => {
    const ethernets = netplanEthernets([
      nic({
        addresses: ['10.0.0.5/24', 'fd00::5/64'],
        gateway4: '10.0.0.1',
        gateway6: 'fd00::1',
        routes: [{ to: '192.168.0.0/16', via: '10.0.0.254', metric: 100 }],
        nameservers: ['10.0.0.2'],
        searchDomains: ['example.local'],
        mtu: 9000,
      }),
      nic({ macAddress: '00:50:56:00:00:02', name: 'eth1', dhcp4: true }),
    ]);
    expect(ethernets).toStrictEqual({
      id0: {
        match: { macaddress: '00:50:56:00:00:01' },
        'set-name': 'eth0',
        dhcp4: false,
        dhcp6: false,
        addresses: ['10.0.0.5/24', 'fd00::5/64'],
        mtu: 9000,
        routes: [
          { to: '0.0.0.0/0', via: '10.0.0.1' },
          { to: '::/0', via: 'fd00::1' },
          { to: '192.168.0.0/16', via: '10.0.0.254', metric: 100 },
        ],
        nameservers: { addresses: ['10.0.0.2'], search: ['example.local'] },
      },
      // Nothing static: no addresses, routes or nameservers keys at all.
      id1: { match: { macaddress: '00:50:56:00:00:02' }, 'set-name': 'eth1', dhcp4: true, dhcp6: false },
    });
  });

  it('asks for wake-on-LAN only when told', () => {
    expect(netplanEthernets([nic()], { wakeOnLan: true }).id0).toMatchObject({ wakeonlan: true });
    expect(netplanEthernets([nic()]).id0).not.toHaveProperty('wakeonlan');
  });
});
