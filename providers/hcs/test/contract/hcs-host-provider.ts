// The provider a host process runs (the conformance suite's machine.kills, and the end-to-end
// suite's manager as the Helm chart runs it): the published package, with the host names of
// HCS_LOOKUP_DOMAIN (the credential Secret's externalGlobalDomain) pointed at the simulator on
// loopback, as the in-process tests do. Node loads it with type stripping in the child process, so
// it imports the package only (no relative .js files, no TypeScript-only syntax).
import { createHcsProvider, fixedAddressLookup } from '@immutable-infra/provider-hcs';

const domain = process.env.HCS_LOOKUP_DOMAIN;
if (!domain)
  throw new Error('hcs-host-provider: set HCS_LOOKUP_DOMAIN to the domain that reaches the simulator');

export default createHcsProvider({ http: { lookup: fixedAddressLookup(domain, '127.0.0.1') } });
