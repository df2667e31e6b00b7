import type { KindDefinition, KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import {
  ELEMENTAL_VERSION,
  elementalKindBase,
  int64,
  MetaCondition,
  NetworkConfigurator,
  ObjectReference,
  opaque,
  TypedLocalObjectReference,
} from './common.js';

const DeviceSelector = z.object({
  key: z.enum(['Name', 'Size']),
  operator: z.enum(['In', 'NotIn', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
});

const Install = z.object({
  firmware: z.string().optional(),
  device: z.string().optional().describe('The disk the OS is installed on, e.g. /dev/sda.'),
  'device-selector': z
    .array(DeviceSelector)
    .optional()
    .describe('Picks the install disk by name or size when no device is given.'),
  'no-format': z.boolean().optional(),
  'config-urls': z.array(z.string()).optional(),
  iso: z.string().optional(),
  'system-uri': z.string().optional(),
  debug: z.boolean().optional(),
  tty: z.string().optional(),
  poweroff: z.boolean().optional(),
  reboot: z.boolean().optional(),
  'eject-cd': z.boolean().optional(),
  'disable-boot-entry': z.boolean().optional(),
  'config-dir': z.string().optional(),
  snapshotter: z
    .object({
      type: z.string().default('loopdevice'),
      maxSnaps: z.number().int().min(2).default(2),
    })
    .default({ type: 'loopdevice', maxSnaps: 2 })
    .optional(),
});

const Reset = z.object({
  enabled: z.boolean().optional(),
  'reset-persistent': z.boolean().default(true),
  'reset-oem': z.boolean().default(true),
  'config-urls': z.array(z.string()).optional(),
  'system-uri': z.string().optional(),
  debug: z.boolean().optional(),
  poweroff: z.boolean().optional(),
  reboot: z.boolean().default(true),
  'disable-boot-entry': z.boolean().optional(),
});

const Registration = z.object({
  url: z.string().optional(),
  'ca-cert': z.string().optional(),
  'emulate-tpm': z.boolean().optional(),
  'emulated-tpm-seed': int64().optional(),
  'no-smbios': z.boolean().optional(),
  auth: z.string().default('tpm'),
  'no-toolkit': z.boolean().optional(),
});

const SystemAgent = z.object({
  url: z.string().optional(),
  token: z.string().optional(),
  'secret-name': z.string().optional(),
  'secret-namespace': z.string().optional(),
  strictTLSMode: z.boolean().optional(),
});

export const MachineRegistrationSpec = z.object({
  machineName: z
    .string()
    .optional()
    .describe(
      'The name each registered MachineInventory gets; SMBIOS placeholders such as the system UUID are filled in.',
    ),
  machineInventoryLabels: z.record(z.string(), z.string()).optional(),
  machineInventoryAnnotations: z.record(z.string(), z.string()).optional(),
  config: z
    .object({
      'cloud-config': opaque().optional(),
      elemental: z
        .object({
          install: Install.optional(),
          reset: Reset.default({ 'reset-persistent': true, 'reset-oem': true, reboot: true }).optional(),
          registration: Registration.optional(),
          'system-agent': SystemAgent.optional(),
        })
        .optional(),
      network: z
        .object({
          configurator: NetworkConfigurator,
          ipAddresses: z.record(z.string(), TypedLocalObjectReference).optional(),
          config: opaque().optional(),
        })
        .optional(),
    })
    .optional(),
});

/** elemental-operator's MachineRegistration: the registration endpoint a SeedImage's hosts register at. */
export const MachineRegistration = {
  ...elementalKindBase,
  kind: 'MachineRegistration',
  plural: 'machineregistrations',
  versions: [
    {
      name: ELEMENTAL_VERSION,
      storage: true,
      spec: MachineRegistrationSpec.optional(),
      status: z.object({
        conditions: z.array(MetaCondition).optional(),
        registrationURL: z.string().optional(),
        registrationToken: z.string().optional(),
        serviceAccountRef: ObjectReference.optional(),
      }),
    },
  ],
} as const satisfies KindDefinition;
export type MachineRegistrationObject = KindObject<(typeof MachineRegistration)['versions'][number]>;
