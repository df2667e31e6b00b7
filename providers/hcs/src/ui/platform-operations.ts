/**
 * The HCS platform operations as the browser and the host see them: each
 * one's params and result as zod schemas. platform-proxy.ts attaches the
 * server side to each; the browser's calls are typed from
 * `HcsPlatformOperations` through the ui-kit's `platformClient`, importing
 * this module for its types only.
 */
import { ConnectionVerdictSchema } from '@immutable-infra/provider-kit';
import { z } from 'zod';

export const FlavorFactSchema = z.object({ name: z.string(), vcpus: z.number(), ramMiB: z.number() });
export type FlavorFact = z.infer<typeof FlavorFactSchema>;

export const ImageFactSchema = z.object({ name: z.string(), minDiskGiB: z.number() });
export type ImageFact = z.infer<typeof ImageFactSchema>;

/** What a machine template's dropdowns offer: the project's catalog in the credential's region. */
export const MachineCatalogSchema = z.object({
  availabilityZones: z.array(z.string()),
  flavors: z.array(FlavorFactSchema),
  images: z.array(ImageFactSchema),
  volumeTypes: z.array(z.string()),
  keyPairs: z.array(z.string()),
});
export type MachineCatalog = z.infer<typeof MachineCatalogSchema>;

export const SubnetFactSchema = z.object({
  id: z.string(),
  name: z.string(),
  cidr: z.string(),
  gatewayIp: z.string(),
  vpc: z.string(),
});
export type SubnetFact = z.infer<typeof SubnetFactSchema>;

/** A VPC with its subnets and security groups (a config pool's subnets, a cluster's network). */
export const VpcFactSchema = z.object({
  id: z.string(),
  name: z.string(),
  cidr: z.string(),
  subnets: z.array(SubnetFactSchema),
  securityGroups: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type VpcFact = z.infer<typeof VpcFactSchema>;

export const hcsPlatformOperations = {
  /**
   * The credential form's "Test connection": signs a request with the access
   * key and checks that it may use the Secret's project, or says why not
   * (unreachable, certificate, key refused, project not visible).
   */
  testConnection: {
    params: z.object({}),
    result: ConnectionVerdictSchema,
  },
  /** Availability zones, flavors, images, disk types and key pairs of the project. */
  machineCatalog: { params: z.object({}), result: MachineCatalogSchema },
  /** The project's VPCs, each with its subnets and security groups. */
  networks: { params: z.object({}), result: z.array(VpcFactSchema) },
} as const;

export type HcsPlatformOperations = typeof hcsPlatformOperations;
