import { INFRASTRUCTURE_GROUP, LocalObjectReferenceSchema } from '@immutable-infra/core';
import { providerKindBase } from '@immutable-infra/provider-kit/kinds';

// The value formats DCS kinds use, from the kit (they are the same on every platform).
export {
  DNS1123_SUBDOMAIN,
  DnsServers,
  IPV4,
  LOAD_BALANCER_HOST,
  SubnetMask,
} from '@immutable-infra/provider-kit/kinds';

/** Every DCS kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const dcsKindBase = providerKindBase('dcs');

export const DCS_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

/** A reference to an object in the same namespace (Kubernetes LocalObjectReference). */
export const LocalObjectReference = LocalObjectReferenceSchema;
