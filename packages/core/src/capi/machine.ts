import { z } from 'zod';
import {
  ContractReferenceSchema,
  kubernetesObject,
  MachineAddressSchema,
  ObjectReferenceV1Beta1Schema,
} from './meta.js';

export const MachineSpecV1Beta1Schema = z.looseObject({
  clusterName: z.string(),
  bootstrap: z.looseObject({
    configRef: ObjectReferenceV1Beta1Schema.optional(),
    dataSecretName: z.string().optional(),
  }),
  infrastructureRef: ObjectReferenceV1Beta1Schema,
  version: z.string().optional(),
  providerID: z.string().optional(),
  failureDomain: z.string().optional(),
});

export const MachineV1Beta1Schema = kubernetesObject(
  'Machine',
  MachineSpecV1Beta1Schema,
  z.looseObject({
    phase: z.string().optional(),
    bootstrapReady: z.boolean().optional(),
    infrastructureReady: z.boolean().optional(),
    nodeRef: z.looseObject({ name: z.string() }).optional(),
    addresses: z.array(MachineAddressSchema).optional(),
  }),
);
export type MachineV1Beta1 = z.infer<typeof MachineV1Beta1Schema>;

export const MachineSpecV1Beta2Schema = z.looseObject({
  clusterName: z.string(),
  bootstrap: z.looseObject({
    configRef: ContractReferenceSchema.optional(),
    dataSecretName: z.string().optional(),
  }),
  infrastructureRef: ContractReferenceSchema,
  version: z.string().optional(),
  providerID: z.string().optional(),
  failureDomain: z.string().optional(),
});

export const MachineV1Beta2Schema = kubernetesObject(
  'Machine',
  MachineSpecV1Beta2Schema,
  z.looseObject({
    phase: z.string().optional(),
    initialization: z
      .looseObject({
        bootstrapDataSecretCreated: z.boolean().optional(),
        infrastructureProvisioned: z.boolean().optional(),
      })
      .optional(),
    nodeRef: z.looseObject({ name: z.string() }).optional(),
    addresses: z.array(MachineAddressSchema).optional(),
  }),
);
export type MachineV1Beta2 = z.infer<typeof MachineV1Beta2Schema>;

const MachineTemplate = <S extends z.ZodType>(spec: S) =>
  z.looseObject({
    metadata: z
      .looseObject({
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    spec,
  });

const ReplicaStatus = z.looseObject({
  replicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  availableReplicas: z.number().int().optional(),
  upToDateReplicas: z.number().int().optional(),
  phase: z.string().optional(),
});

const Selector = z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() });

/** MachineDeployment and MachineSet share a shape: replicas of a Machine template. */
const replicatedMachines = <K extends string, S extends z.ZodType>(kind: K, machineSpec: S) =>
  kubernetesObject(
    kind,
    z.looseObject({
      clusterName: z.string(),
      replicas: z.number().int().optional(),
      selector: Selector,
      template: MachineTemplate(machineSpec),
    }),
    ReplicaStatus,
  );

export const MachineDeploymentV1Beta2Schema = replicatedMachines(
  'MachineDeployment',
  MachineSpecV1Beta2Schema,
);
export type MachineDeploymentV1Beta2 = z.infer<typeof MachineDeploymentV1Beta2Schema>;

export const MachineDeploymentV1Beta1Schema = replicatedMachines(
  'MachineDeployment',
  MachineSpecV1Beta1Schema,
);
export type MachineDeploymentV1Beta1 = z.infer<typeof MachineDeploymentV1Beta1Schema>;

export const MachineSetV1Beta2Schema = replicatedMachines('MachineSet', MachineSpecV1Beta2Schema);
export type MachineSetV1Beta2 = z.infer<typeof MachineSetV1Beta2Schema>;

export const MachineSetV1Beta1Schema = replicatedMachines('MachineSet', MachineSpecV1Beta1Schema);
export type MachineSetV1Beta1 = z.infer<typeof MachineSetV1Beta1Schema>;
