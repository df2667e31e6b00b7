import { z } from 'zod';

// Fragments the Cluster API contracts and the guest network configuration give every provider's
// kinds the same shape (CAPV's field names), so manifests move between providers unchanged.

/** An IPAM pool a NIC takes addresses from (Cluster API's IPAM contract). */
export const AddressesFromPool = z
  .object({
    apiGroup: z.string().optional().describe('API group of the pool kind.'),
    kind: z.string().min(1).describe('Kind of the pool, e.g. InClusterIPPool.'),
    name: z.string().min(1).describe('Name of the pool, in the machine namespace.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/**
 * One IPAddressClaim a machine makes, written to its status before the claim is created: the delete
 * releases what is recorded even when the failure domain (whose pools named the claim) is gone.
 */
export const AddressClaimRecord = z.object({
  claim: z.string().min(1).describe('Name of the IPAddressClaim, in the machine namespace.'),
  device: z.number().int().min(0).describe('Index of the NIC in network.devices.'),
  poolRef: AddressesFromPool.describe('The pool the claim asks for an address.'),
});

/** How the guest uses what a DHCP server offers. */
export const DhcpOverrides = z.object({
  hostname: z.string().optional(),
  routeMetric: z.number().int().optional(),
  sendHostname: z.boolean().optional(),
  useDNS: z.boolean().optional(),
  useDomains: z.string().optional(),
  useHostname: z.boolean().optional(),
  useMTU: z.boolean().optional(),
  useNTP: z.boolean().optional(),
  useRoutes: z.string().optional(),
});

/** A static route in the guest. */
export const NetworkRoute = z.object({
  metric: z.number().int().min(0).max(2147483647).meta({ format: 'int32' }),
  to: z.string().min(1).describe('Destination network, e.g. 10.20.0.0/16.'),
  via: z.string().min(1).describe('Next hop address.'),
});

/** The Cluster API v1beta2 conditions a v1beta1 object carries under status.v1beta2. */
export const V1beta2Conditions = z
  .object({
    conditions: z
      .array(
        z.object({
          type: z.string().min(1).max(316),
          status: z.enum(['True', 'False', 'Unknown']),
          reason: z.string().min(1).max(1024),
          message: z.string().max(32768),
          lastTransitionTime: z.iso.datetime(),
          observedGeneration: z.number().int().min(0).optional(),
        }),
      )
      .max(32)
      .optional(),
  })
  .optional()
  .describe('Conditions as Cluster API v1beta2 has them.');

/** The phases a pool reports for a persistent disk of one of its entries (the kit's PersistentDiskPhase). */
export const PersistentDiskPhases = z.enum([
  'Creating',
  'Available',
  'Attaching',
  'Attached',
  'Detaching',
  'Deleting',
  'Error',
]);

/**
 * The fields of a pool's `status.persistentDiskStatus` record that every provider names the same
 * way (what `persistentDiskStatusOf` fills in); the provider adds its entry key and platform fields.
 */
export const persistentDiskStatusFields = {
  slot: z.number().int(),
  name: z.string().optional(),
  phase: PersistentDiskPhases.optional(),
  ownerMachineName: z.string().optional(),
  ownerMachineUID: z.string().optional(),
  lastError: z.string().optional(),
  lastTransitionTime: z.iso.datetime().optional(),
};
