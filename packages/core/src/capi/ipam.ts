import { z } from 'zod';
import { ConditionSchema } from './conditions.js';
import { ContractReferenceSchema, kubernetesObject } from './meta.js';

/** ipam.cluster.x-k8s.io IPAddressClaim (v1beta2 shape; v1beta1 differs only in poolRef's apiGroup being optional). */
export const IPAddressClaimSchema = kubernetesObject(
  'IPAddressClaim',
  z.looseObject({
    poolRef: z.looseObject({ apiGroup: z.string().optional(), kind: z.string(), name: z.string() }),
    clusterName: z.string().optional(),
  }),
  z.looseObject({
    addressRef: z.looseObject({ name: z.string() }).optional(),
    conditions: z.array(z.looseObject(ConditionSchema.shape)).optional(),
  }),
);
export type IPAddressClaim = z.infer<typeof IPAddressClaimSchema>;

export const IPAddressSchema = kubernetesObject(
  'IPAddress',
  z.looseObject({
    claimRef: z.looseObject({ name: z.string() }),
    poolRef: ContractReferenceSchema.partial({ apiGroup: true }),
    address: z.string(),
    prefix: z.number().int().min(0).max(128),
    gateway: z.string().optional(),
  }),
  z.looseObject({}),
);
export type IPAddress = z.infer<typeof IPAddressSchema>;
