import { ConditionSchema, defineKind, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { base, LocalNameRef } from './common.js';

/**
 * A BMC address as Metal3's BareMetalHost writes it: `redfish://` and `redfish+https://` are HTTPS,
 * `redfish+http://` plain HTTP (refused unless the credential Secret accepts it), then host, optional
 * port and the path of one ComputerSystem.
 */
export const REDFISH_ADDRESS = /^redfish(\+https?)?:\/\/[^/?#\s]+\/redfish\/v1\/Systems\/[^/?#\s]+$/;

export const BmcDetails = z.object({
  address: z
    .string()
    .max(2048)
    .regex(REDFISH_ADDRESS)
    .describe(
      'The Redfish address of the host: redfish+https://host:port/redfish/v1/Systems/<id> (redfish:// is HTTPS too; redfish+http:// needs allowPlainHTTP: "true" in the credentials Secret).',
    ),
  credentialsName: z
    .string()
    .min(1)
    .max(253)
    .describe('The Secret (same namespace) with the BMC `username` and `password`.'),
  disableCertificateVerification: z
    .boolean()
    .optional()
    .describe("Accept any certificate of the BMC (a BMC's factory self-signed one). Off by default."),
});
export type BmcDetails = z.infer<typeof BmcDetails>;

/** What the host is, as its BMC describes it. */
export const HardwareDetails = z.object({
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  serialNumber: z.string().optional(),
  systemUUID: z.string().optional().describe('The SMBIOS UUID: what the host registers with elemental.'),
  biosVersion: z.string().optional(),
  cpu: z
    .object({
      count: z.number().int().min(0).optional(),
      model: z.string().optional(),
    })
    .optional(),
  memoryGiB: z.number().min(0).optional(),
  nics: z
    .array(z.object({ name: z.string().optional(), mac: z.string() }))
    .optional()
    .describe('The network interfaces with their MAC addresses.'),
});
export type HardwareDetails = z.infer<typeof HardwareDetails>;

/** The steps of booting the SeedImage, in order; each is recorded before its request is sent. */
export const ProvisioningState = z.enum(['MediaInserted', 'BootOverrideSet', 'PowerOnRequested', 'Booted']);
export type ProvisioningState = z.infer<typeof ProvisioningState>;

export const BaremetalHost = defineKind({
  ...base,
  kind: 'BaremetalHost',
  plural: 'baremetalhosts',
  shortNames: ['bmhost'],
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({
        bmc: BmcDetails.describe("How to reach the host's baseboard management controller over Redfish."),
        seedImageRef: LocalNameRef.describe(
          'The elemental SeedImage (same namespace) whose ISO the host boots once from virtual media to register.',
        ),
        machineInventoryName: z
          .string()
          .min(1)
          .max(253)
          .optional()
          .describe(
            'The MachineInventory this host registered as; found by the SMBIOS UUID (annotation elemental.cattle.io/machine-uuid or label machineUUID) when empty.',
          ),
      }),
      status: z.object({
        powerState: z
          .string()
          .optional()
          .describe('The power state the BMC reported last: On, Off, PoweringOn, PoweringOff.'),
        hardware: HardwareDetails.optional(),
        provisioning: z
          .object({
            state: ProvisioningState.optional(),
            seedImage: z.string().optional().describe('The SeedImage whose ISO was inserted.'),
            imageSha256: z
              .string()
              .optional()
              .describe(
                "The sha256 of the ISO's URL inserted (the URL itself holds the SeedImage's download token).",
              ),
          })
          .optional()
          .describe('How far booting the SeedImage got; once Booted it is not done again.'),
        lastOperation: z
          .object({
            name: z.string().describe('InsertMedia, SetBootOverride or PowerOn.'),
            result: z.enum(['Succeeded', 'Failed']),
            time: z.string().describe('RFC 3339.'),
            message: z.string().optional(),
          })
          .optional()
          .describe('The last action sent to the BMC and how it ended.'),
        machineInventoryRef: LocalNameRef.optional().describe(
          'The MachineInventory this host registered as, once it has.',
        ),
        lastUpdated: z.string().optional().describe('When the BMC was last read (RFC 3339).'),
        conditions: z.array(ConditionSchema).optional(),
      }),
      printerColumns: [
        { name: 'Power', type: 'string', jsonPath: '.status.powerState' },
        { name: 'Provisioning', type: 'string', jsonPath: '.status.provisioning.state' },
        { name: 'Inventory', type: 'string', jsonPath: '.status.machineInventoryRef.name' },
        { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
        printerColumns.age,
      ],
    },
  ],
});
export type BaremetalHostObject = KindObject<(typeof BaremetalHost)['versions'][number]>;
