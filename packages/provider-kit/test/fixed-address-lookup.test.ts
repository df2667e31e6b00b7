import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fixedAddressLookup, gatewayAddressLookup } from '../src/index.js';

/** What a lookup answers for `hostname`, as node's connect asks it (one address, or all). */
function resolve(lookup: LookupFunction, hostname: string, all = false) {
  return new Promise<unknown>((settle) =>
    lookup(hostname, { all }, (error: unknown, address: unknown, family?: unknown) =>
      settle(error ? { error: (error as { code?: string }).code } : all ? address : { address, family }),
    ),
  );
}

describe('fixedAddressLookup', () => {
  it('answers the address for every host under the domain, in any case, and ignores a port on the domain', async () => {
    const lookup = fixedAddressLookup('Site.Example:8443', '10.0.0.7');
    expect(await resolve(lookup, 'ecs.region-1.site.example')).toEqual({ address: '10.0.0.7', family: 4 });
    expect(await resolve(lookup, 'OBS.SITE.EXAMPLE', true)).toEqual([{ address: '10.0.0.7', family: 4 }]);
  });

  it('fails every other name, the bare domain included, as DNS would', async () => {
    const lookup = fixedAddressLookup('site.example', '10.0.0.7');
    expect(await resolve(lookup, 'ecs.other.example')).toEqual({ error: 'ENOTFOUND' });
    expect(await resolve(lookup, 'notsite.example')).toEqual({ error: 'ENOTFOUND' });
  });

  it('answers an IPv6 address as family 6', async () => {
    expect(await resolve(fixedAddressLookup('site.example', '::1'), 'a.site.example')).toEqual({
      address: '::1',
      family: 6,
    });
  });
});

describe('gatewayAddressLookup', () => {
  it('leaves names to DNS while the setting is unset, empty or not an address', () => {
    expect(gatewayAddressLookup(undefined, 'site.example')).toBeUndefined();
    expect(gatewayAddressLookup('  ', 'site.example')).toBeUndefined();
    expect(gatewayAddressLookup('gateway.site.example', 'site.example')).toBeUndefined();
  });

  it('sends every name under the domain to the address it holds', async () => {
    const lookup = gatewayAddressLookup(' 192.0.2.1 ', 'site.example') as LookupFunction;
    expect(await resolve(lookup, 'iam.r.site.example')).toEqual({ address: '192.0.2.1', family: 4 });
  });
});
