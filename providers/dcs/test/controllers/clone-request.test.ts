import { describe, expect, it } from 'vitest';
import { dottedMask, nicDns } from '../../src/controllers/clone-request.js';

describe('the clone request', () => {
  it('sends a pool entry DNS servers one per field, as DCS takes them, whatever the separator', () => {
    expect(nicDns('10.0.0.2')).toEqual({ setdns: '10.0.0.2' });
    // The documentation writes ',' and ';'; DCS has a preferred and an alternate server per NIC.
    expect(nicDns('10.0.0.2,10.0.0.3')).toEqual({ setdns: '10.0.0.2', adddns: '10.0.0.3' });
    expect(nicDns('10.0.0.2 ; 10.0.0.3;10.0.0.4')).toEqual({ setdns: '10.0.0.2', adddns: '10.0.0.3' });
    expect(nicDns(undefined)).toEqual({});
  });

  it('sends masks dotted', () => {
    expect(dottedMask('24')).toBe('255.255.255.0');
    expect(dottedMask('255.255.254.0')).toBe('255.255.254.0');
    expect(dottedMask(undefined)).toBe('255.255.255.0');
  });
});
