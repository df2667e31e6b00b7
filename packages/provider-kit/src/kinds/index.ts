// The `@immutable-infra/provider-kit/kinds` entry: what a provider's kinds share. It imports only
// core and zod, so a provider's browser bundle (its UI extension reads the kinds' schemas) can
// take it without pulling in the Node-only transport and credential pool.

export { ClaimedAddresses } from './claimed-addresses.js';
export {
  CLUSTER_RESOURCE_SET_API_VERSION,
  clusterResourceSet,
  type Manifest,
  RESOURCE_SET_SECRET_TYPE,
  resourceSetConfigMap,
  resourceSetDocuments,
  resourceSetSecret,
} from './cluster-resource-set.js';
export {
  AddressClaimRecord,
  AddressesFromPool,
  DhcpOverrides,
  NetworkRoute,
  PersistentDiskPhases,
  persistentDiskStatusFields,
  V1beta2Conditions,
} from './guest-network.js';
export {
  type CredentialDataParse,
  createRequestedAtField,
  machineTemplateKind,
  parseCredentialData,
  printerColumns,
  providerKindBase,
  uniqueItemsRule,
} from './kind-conventions.js';
export { LabelSelectorSchema } from './label-selector.js';
export {
  PLAIN_HTTP_CONSENT_KEY,
  PLAIN_HTTP_REFUSED,
  PLAIN_HTTP_WARNING,
  PlainHttpConsent,
  refusePlainHttpWithoutConsent,
  SECURE_CONNECTION_CONDITION,
  secureConnectionCondition,
} from './plain-http.js';
export { QUANTITY_PATTERN, quantityBytes } from './quantities.js';
export {
  AddressWithPrefix,
  DNS_NAME,
  DNS_NAME_PATTERN,
  DNS1123_SUBDOMAIN,
  DnsServers,
  dnsServerList,
  gatewayInNetwork,
  IPV4,
  Ipv4Address,
  Ipv4WithPrefix,
  Ipv6Address,
  int32,
  LOAD_BALANCER_HOST,
  parseGoDuration,
  SubnetMask,
} from './value-formats.js';
