import { cidrsOverlap, maskPrefix, parseCidr, parseIpv4 } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import { type PoolSpec, validatePoolSpec, withPrefixMasks } from '../../src/ui/ip-pool/pool-rules.js';

const entry = (ip: string, extra: Record<string, unknown> = {}) => ({
  ip,
  mask: '24',
  gateway: '10.0.1.1',
  ...extra,
});

function problems(spec: PoolSpec): Record<string, string> {
  return Object.fromEntries(validatePoolSpec(spec).map((p) => [p.field, p.message]));
}

describe('IPv4 arithmetic', () => {
  test('parsing, masks, CIDRs', () => {
    expect(parseIpv4('10.0.1.255')).toBe(10 * 2 ** 24 + 1 * 256 + 255);
    for (const bad of ['10.0.1', '10.0.1.256', '010.0.0.1', '1.2.3.4.5', 'a.b.c.d'])
      expect(parseIpv4(bad), bad).toBeUndefined();
    expect(maskPrefix('24')).toBe(24);
    expect(maskPrefix('255.255.254.0')).toBe(23);
    expect(maskPrefix('255.0.255.0')).toBeUndefined();
    expect(maskPrefix('33')).toBeUndefined();
    const a = parseCidr('10.0.0.0/8');
    const b = parseCidr('10.200.0.0/16');
    const c = parseCidr('11.0.0.0/8');
    if (!a.ok || !b.ok || !c.ok) throw new Error('CIDRs should parse');
    expect(cidrsOverlap(a.cidr, b.cidr)).toBe(true);
    expect(cidrsOverlap(a.cidr, c.cidr)).toBe(false);
    expect(parseCidr('0.0.0.0/0').ok).toBe(true);
  });
});

describe('IP pool rules from the documentation', () => {
  test('a documented pool is valid', () => {
    expect(
      validatePoolSpec({
        pool: [
          entry('10.0.1.11', { dns: '10.0.0.2,10.0.0.3', hostname: 'cp-1', machineName: 'demo-cp-1' }),
          entry('10.0.1.12', {
            additionNic: [
              {
                ip: '10.0.2.12',
                mask: '24',
                gateway: '10.0.2.1',
                dvSwitchName: 'DVS-Storage',
                portGroupName: 'storage',
              },
            ],
          }),
        ],
      }),
    ).toEqual([]);
  });

  test('at least one node entry', () => {
    expect(problems({ pool: [] })).toEqual({ pool: 'add at least one node entry' });
  });

  test('IP, mask and gateway are required and valid', () => {
    expect(problems({ pool: [{ ip: '', mask: '', gateway: '' }] })).toEqual({
      'pool.0.ip': 'IP is required',
      'pool.0.mask': 'subnet mask is required',
      'pool.0.gateway': 'gateway is required',
    });
    expect(problems({ pool: [{ ip: '10.0.1.300', mask: '24', gateway: 'gw' }] })).toEqual({
      'pool.0.ip': '10.0.1.300 is not an IPv4 address',
      'pool.0.gateway': 'gw is not an IPv4 address',
    });
  });

  test('IPs are unique in the pool, node and additional NIC IPs alike', () => {
    const result = problems({
      pool: [
        entry('10.0.1.11'),
        entry('10.0.1.11'),
        entry('10.0.1.13', {
          additionNic: [
            { ip: '10.0.1.13', mask: '24', gateway: '10.0.1.1', dvSwitchName: 'd', portGroupName: 'p' },
          ],
        }),
      ],
    });
    expect(result).toEqual({
      'pool.1.ip': '10.0.1.11 is already used by pool.0.ip; IPs must be unique in the pool',
      'pool.2.additionNic.0.ip': '10.0.1.13 is already used by pool.2.ip; IPs must be unique in the pool',
    });
  });

  test('the mask is a prefix length or a contiguous dotted mask', () => {
    expect(problems({ pool: [entry('10.0.1.11', { mask: '/24' })] })).toEqual({
      'pool.0.mask': 'give the mask as a prefix length without the slash, e.g. 24',
    });
    expect(problems({ pool: [entry('10.0.1.11', { mask: '255.255.255.0' })] })).toEqual({});
    expect(problems({ pool: [entry('10.0.1.11', { mask: '255.0.255.0' })] })).toEqual({
      'pool.0.mask': '255.0.255.0 is not a contiguous mask; the 1 bits must come first, as in 255.255.255.0',
    });
    expect(problems({ pool: [entry('10.0.1.11', { mask: '0.0.0.0' })] })).toEqual({
      'pool.0.mask': 'the mask must keep at least one network bit',
    });
    expect(problems({ pool: [entry('10.0.1.11', { mask: 'abc' })] })).toEqual({
      'pool.0.mask':
        'abc is not a subnet mask; give a prefix length such as 24 or a mask such as 255.255.255.0',
    });
    expect(problems({ pool: [entry('10.0.1.11', { mask: '40' })] })['pool.0.mask']).toBe(
      'the prefix length must be 1 to 32',
    );
    // Stored dotted masks are shown as prefix lengths when a pool is edited.
    expect(withPrefixMasks({ pool: [entry('10.0.1.11', { mask: '255.255.255.0' })] }).pool[0]?.mask).toBe(
      '24',
    );
  });

  test('IP and gateway are in one subnet; not the network, broadcast or gateway address', () => {
    expect(problems({ pool: [entry('10.0.2.11')] })).toEqual({
      'pool.0.gateway': 'gateway 10.0.1.1 is outside the subnet of 10.0.2.11/24',
    });
    expect(problems({ pool: [entry('10.0.2.11', { mask: '16' })] })).toEqual({});
    expect(problems({ pool: [entry('10.0.1.0')] })['pool.0.ip']).toBe(
      '10.0.1.0 is the network address of /24',
    );
    expect(problems({ pool: [entry('10.0.1.255')] })['pool.0.ip']).toBe(
      '10.0.1.255 is the broadcast address of /24',
    );
    expect(problems({ pool: [entry('10.0.1.1')] })['pool.0.ip']).toBe('the IP is the gateway itself');
  });

  test('DNS servers are IPv4 addresses separated by commas or semicolons', () => {
    expect(problems({ pool: [entry('10.0.1.11', { dns: '10.0.0.2;10.0.0.3, 10.0.0.4' })] })).toEqual({});
    expect(problems({ pool: [entry('10.0.1.11', { dns: '10.0.0.2 10.0.0.3' })] })['pool.0.dns']).toBe(
      '10.0.0.2 10.0.0.3 is not an IPv4 address; separate servers with commas or semicolons',
    );
  });

  test('additional NICs need their own IP, mask, gateway, DV switch and port group', () => {
    expect(problems({ pool: [entry('10.0.1.11', { additionNic: [{ ip: '10.0.2.11' }] })] })).toEqual({
      'pool.0.additionNic.0.mask': 'subnet mask is required',
      'pool.0.additionNic.0.gateway': 'gateway is required',
      'pool.0.additionNic.0.dvSwitchName': 'an additional NIC needs its DV switch',
      'pool.0.additionNic.0.portGroupName': 'an additional NIC needs its port group',
    });
  });

  test('hostname is DNS-1123 (dotted names too); the schema’s own limits still apply', () => {
    expect(problems({ pool: [entry('10.0.1.11', { hostname: 'cp-1.example.org' })] })).toEqual({});
    expect(problems({ pool: [entry('10.0.1.11', { hostname: 'CP_1' })] })['pool.0.hostname']).toMatch(
      /lowercase/,
    );
    expect(
      problems({ pool: [entry('10.0.1.11', { machineName: 'x'.repeat(254) })] })['pool.0.machineName'],
    ).toMatch(/253/);
  });
});
