import type { KindDefinition, KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import {
  ELEMENTAL_VERSION,
  elementalKindBase,
  int32,
  MetaCondition,
  ObjectReference,
  opaque,
  quantity,
} from './common.js';

export const SeedImageSpec = z.object({
  baseImage: z.string().optional().describe('The base ISO or raw image the registration is built into.'),
  registrationRef: ObjectReference.describe('The MachineRegistration whose hosts boot this image.'),
  buildContainer: z
    .object({
      name: z.string().optional(),
      image: z.string().optional(),
      command: z.array(z.string()).optional(),
      args: z.array(z.string()).optional(),
      imagePullPolicy: z.string().optional(),
    })
    .optional(),
  cleanupAfterMinutes: int32().default(60),
  retriggerBuild: z.boolean().optional(),
  size: quantity().default(6442450944),
  // Required with a default, as elemental has it: the API server fills it in before validating,
  // so a manifest may leave it out (zod's .default() would make it optional instead).
  type: z.enum(['iso', 'raw']).meta({ default: 'iso' }),
  targetPlatform: z
    .string()
    .regex(/^$|^\S+\/\S+$/)
    .optional()
    .describe('os/architecture of the image, e.g. linux/amd64.'),
  'cloud-config': opaque().optional(),
});

/** elemental-operator's SeedImage: the bootable image that registers hosts with a MachineRegistration. */
export const SeedImage = {
  ...elementalKindBase,
  kind: 'SeedImage',
  plural: 'seedimages',
  versions: [
    {
      name: ELEMENTAL_VERSION,
      storage: true,
      spec: SeedImageSpec.optional(),
      status: z.object({
        conditions: z.array(MetaCondition).optional(),
        downloadToken: z.string().optional(),
        downloadURL: z.string().optional(),
        checksumURL: z.string().optional(),
        state: z.enum(['Initialized', 'Started', 'Completed', 'Failed', 'NotStarted']).optional(),
      }),
    },
  ],
} as const satisfies KindDefinition;
export type SeedImageObject = KindObject<(typeof SeedImage)['versions'][number]>;
