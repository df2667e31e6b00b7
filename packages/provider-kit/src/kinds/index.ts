// The `@immutable-infra/provider-kit/kinds` entry: what a provider's kinds share. It imports only
// core and zod, so a provider's browser bundle (its UI extension reads the kinds' schemas) can
// take it without pulling in the Node-only transport and credential pool.
export {
  type CredentialDataParse,
  createRequestedAtField,
  machineTemplateKind,
  parseCredentialData,
  printerColumns,
  providerKindBase,
  uniqueItemsRule,
} from './kind-conventions.js';
export {
  PLAIN_HTTP_CONSENT_KEY,
  PLAIN_HTTP_REFUSED,
  PLAIN_HTTP_WARNING,
  PlainHttpConsent,
  refusePlainHttpWithoutConsent,
  SECURE_CONNECTION_CONDITION,
  secureConnectionCondition,
} from './plain-http.js';
export {
  DNS_NAME,
  DNS1123_SUBDOMAIN,
  DnsServers,
  dnsServerList,
  IPV4,
  Ipv4Address,
  LOAD_BALANCER_HOST,
  parseGoDuration,
  SubnetMask,
} from './value-formats.js';
