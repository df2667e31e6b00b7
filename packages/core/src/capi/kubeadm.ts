import { z } from 'zod';
import { ContractReferenceSchema, kubernetesObject, ObjectReferenceV1Beta1Schema } from './meta.js';

/** The bootstrap formats Cluster API's kubeadm bootstrap provider writes into the data secret. */
export const BootstrapFormatSchema = z.enum(['cloud-config', 'ignition']);
export type BootstrapFormat = z.infer<typeof BootstrapFormatSchema>;

export const KubeadmConfigSpecSchema = z.looseObject({
  format: BootstrapFormatSchema.optional(),
  files: z.array(z.looseObject({ path: z.string(), content: z.string().optional() })).optional(),
  preKubeadmCommands: z.array(z.string()).optional(),
  postKubeadmCommands: z.array(z.string()).optional(),
  users: z.array(z.looseObject({ name: z.string() })).optional(),
});

export const KubeadmConfigSchema = kubernetesObject(
  'KubeadmConfig',
  KubeadmConfigSpecSchema,
  z.looseObject({
    ready: z.boolean().optional(),
    dataSecretName: z.string().optional(),
    initialization: z.looseObject({ dataSecretCreated: z.boolean().optional() }).optional(),
  }),
);
export type KubeadmConfig = z.infer<typeof KubeadmConfigSchema>;

export const KubeadmConfigTemplateSchema = kubernetesObject(
  'KubeadmConfigTemplate',
  z.looseObject({ template: z.looseObject({ spec: KubeadmConfigSpecSchema }) }),
  z.looseObject({}),
);
export type KubeadmConfigTemplate = z.infer<typeof KubeadmConfigTemplateSchema>;

export const KubeadmControlPlaneV1Beta2Schema = kubernetesObject(
  'KubeadmControlPlane',
  z.looseObject({
    replicas: z.number().int().optional(),
    version: z.string(),
    machineTemplate: z.looseObject({
      spec: z.looseObject({ infrastructureRef: ContractReferenceSchema }),
    }),
    kubeadmConfigSpec: KubeadmConfigSpecSchema,
  }),
  z.looseObject({
    replicas: z.number().int().optional(),
    readyReplicas: z.number().int().optional(),
    upToDateReplicas: z.number().int().optional(),
    initialization: z.looseObject({ controlPlaneInitialized: z.boolean().optional() }).optional(),
    version: z.string().optional(),
  }),
);
export type KubeadmControlPlaneV1Beta2 = z.infer<typeof KubeadmControlPlaneV1Beta2Schema>;

export const KubeadmControlPlaneV1Beta1Schema = kubernetesObject(
  'KubeadmControlPlane',
  z.looseObject({
    replicas: z.number().int().optional(),
    version: z.string(),
    machineTemplate: z.looseObject({ infrastructureRef: ObjectReferenceV1Beta1Schema }),
    kubeadmConfigSpec: KubeadmConfigSpecSchema,
  }),
  z.looseObject({
    replicas: z.number().int().optional(),
    readyReplicas: z.number().int().optional(),
    updatedReplicas: z.number().int().optional(),
    initialized: z.boolean().optional(),
    ready: z.boolean().optional(),
    version: z.string().optional(),
  }),
);
export type KubeadmControlPlaneV1Beta1 = z.infer<typeof KubeadmControlPlaneV1Beta1Schema>;

/** What the host hands a machine hook: the decoded bootstrap data and its format. */
export interface BootstrapData {
  value: string;
  format: BootstrapFormat;
}
