import { z } from 'zod';

/**
 * The addresses an IPAM provider gave a machine's claims (the kit's `claimAddresses`), recorded in
 * its status once every claim had one: later reconciles and the guest's network configuration read
 * them there, and no claim again.
 */
export const ClaimedAddresses = z
  .array(
    z.object({
      claim: z.string().describe('The IPAddressClaim.'),
      device: z.number().int().min(0).describe('Index of the NIC in network.devices.'),
      address: z.string(),
      prefix: z.number().int().min(0).max(128),
      gateway: z.string().optional(),
    }),
  )
  .optional()
  .describe(
    'Addresses the IPAM provider gave for network.devices[].addressesFromPools, recorded once every claim had one.',
  );
