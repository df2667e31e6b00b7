// The provider the conformance suite's host process runs for machine.kills: the published package,
// with the host names of HCS_LOOKUP_DOMAIN (the credential Secret's externalGlobalDomain) pointed at
// the simulator on loopback, as the in-process tests do. Node loads it with type stripping in the
// child process, so it imports the package only (no relative .js files, no TypeScript-only syntax).
import { createHcsProvider, fixedAddressLookup } from '@immutable-infra/provider-hcs';

export default function hcsHostProvider() {
  const domain = process.env.HCS_LOOKUP_DOMAIN;
  if (!domain)
    throw new Error('hcs-host-provider: set HCS_LOOKUP_DOMAIN to the domain that reaches the simulator');
  return createHcsProvider({ http: { lookup: fixedAddressLookup(domain, '127.0.0.1') } });
}
