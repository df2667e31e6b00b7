import { INFRASTRUCTURE_GROUP } from '@immutable-infra/core';
import { providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/** Every HCS kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const hcsKindBase = providerKindBase('hcs');

export const HCS_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

const ipv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/;

/**
 * A host name as DNS-1123 has it: dot-separated labels of lowercase letters,
 * digits and hyphens, each 1-63 long and starting and ending alphanumeric.
 * The first label becomes the node's short hostname and its node name, which
 * Kubernetes refuses in any other form.
 */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** A DNS name in any case (DNS compares names case-insensitively): no scheme, no port, no spaces. */
export const DNS_NAME =
  /^[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/** An IPv4 address. */
export const Ipv4Address = z.string().regex(ipv4).describe('IPv4 address, e.g. 192.168.1.11.');

/** A disk the provider creates with a server: system disk or temporary data disk. */
export const VolumeSpec = z.object({
  type: z.string().min(1).describe('EVS disk type available in the availability zone, e.g. SSD or SATA.'),
  size: z.number().int().min(1).describe('Size in GB.'),
  mountPath: z.string().max(255).optional().describe('Where the guest mounts the disk (data volumes).'),
  format: z.string().optional().describe('File system for a new disk: xfs (default) or ext4.'),
});
