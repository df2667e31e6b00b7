import { z } from 'zod';
import { ConditionSchema } from './conditions.js';
import { ApiEndpointSchema, MachineAddressSchema } from './meta.js';

/** Failure domains by name, as v1beta1 InfraCluster and InfraMachine status carry them. */
export const FailureDomainsSchema = z.record(
  z.string(),
  z.object({
    controlPlane: z.boolean().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
);

/**
 * Status fields the host writes on every InfraMachine, for readers of either
 * Cluster API contract: `ready` (v1beta1) and `initialization.provisioned`
 * (v1beta2). A provider spreads these into its own status schema.
 */
export const infraMachineStatusFields = {
  ready: z.boolean().optional().describe('v1beta1 contract: the machine infrastructure is provisioned.'),
  initialization: z
    .object({ provisioned: z.boolean().optional() })
    .optional()
    .describe('v1beta2 contract: provisioning has completed.'),
  addresses: z.array(MachineAddressSchema).optional(),
  conditions: z.array(ConditionSchema).optional(),
  failureReason: z.string().optional(),
  failureMessage: z.string().optional(),
};

/** Spec fields of an InfraMachine that Cluster API reads. */
export const infraMachineSpecFields = {
  providerID: z.string().optional().describe('Set by the provider once the machine exists.'),
  failureDomain: z.string().optional(),
};

/** Status fields the host writes on every InfraCluster. */
export const infraClusterStatusFields = {
  ready: z.boolean().optional().describe('v1beta1 contract: the cluster infrastructure is provisioned.'),
  initialization: z.object({ provisioned: z.boolean().optional() }).optional(),
  failureDomains: FailureDomainsSchema.optional(),
  conditions: z.array(ConditionSchema).optional(),
  failureReason: z.string().optional(),
  failureMessage: z.string().optional(),
};

/** Spec fields of an InfraCluster that Cluster API reads. */
export const infraClusterSpecFields = {
  controlPlaneEndpoint: ApiEndpointSchema.optional(),
};

/** Status fields the host writes on a provider's other kinds. */
export const extraKindStatusFields = {
  conditions: z.array(ConditionSchema).optional(),
};
