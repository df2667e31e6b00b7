import { INFRASTRUCTURE_GROUP } from '@immutable-infra/core';
import { providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/** Every HCS kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const hcsKindBase = providerKindBase('hcs');

export const HCS_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

// The value formats HCS kinds use, from the kit (they are the same on every platform).
export { DNS_NAME, DNS1123_SUBDOMAIN, Ipv4Address } from '@immutable-infra/provider-kit/kinds';

/** A disk the provider creates with a server: system disk or temporary data disk. */
export const VolumeSpec = z.object({
  type: z.string().min(1).describe('EVS disk type available in the availability zone, e.g. SSD or SATA.'),
  size: z.number().int().min(1).describe('Size in GB.'),
  mountPath: z.string().max(255).optional().describe('Where the guest mounts the disk (data volumes).'),
  format: z.string().optional().describe('File system for a new disk: xfs (default) or ext4.'),
});
