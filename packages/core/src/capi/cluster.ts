import { z } from 'zod';
import { ConditionSchema } from './conditions.js';
import {
  ApiEndpointSchema,
  ContractReferenceSchema,
  kubernetesObject,
  ObjectReferenceV1Beta1Schema,
} from './meta.js';

const FailureDomainsV1Beta1 = z.record(
  z.string(),
  z.looseObject({
    controlPlane: z.boolean().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
);

export const ClusterV1Beta1Schema = kubernetesObject(
  'Cluster',
  z.looseObject({
    paused: z.boolean().optional(),
    controlPlaneEndpoint: ApiEndpointSchema.optional(),
    controlPlaneRef: ObjectReferenceV1Beta1Schema.optional(),
    infrastructureRef: ObjectReferenceV1Beta1Schema.optional(),
  }),
  z.looseObject({
    phase: z.string().optional(),
    infrastructureReady: z.boolean().optional(),
    controlPlaneReady: z.boolean().optional(),
    failureDomains: FailureDomainsV1Beta1.optional(),
    conditions: z.array(z.looseObject(ConditionSchema.shape)).optional(),
  }),
);
export type ClusterV1Beta1 = z.infer<typeof ClusterV1Beta1Schema>;

export const ClusterV1Beta2Schema = kubernetesObject(
  'Cluster',
  z.looseObject({
    paused: z.boolean().optional(),
    controlPlaneEndpoint: ApiEndpointSchema.optional(),
    controlPlaneRef: ContractReferenceSchema.optional(),
    infrastructureRef: ContractReferenceSchema.optional(),
  }),
  z.looseObject({
    phase: z.string().optional(),
    initialization: z
      .looseObject({
        infrastructureProvisioned: z.boolean().optional(),
        controlPlaneInitialized: z.boolean().optional(),
      })
      .optional(),
    failureDomains: z
      .array(z.looseObject({ name: z.string(), controlPlane: z.boolean().optional() }))
      .optional(),
    conditions: z.array(z.looseObject(ConditionSchema.shape)).optional(),
  }),
);
export type ClusterV1Beta2 = z.infer<typeof ClusterV1Beta2Schema>;

interface Pausable {
  spec?: { paused?: boolean | undefined };
  metadata?: { annotations?: Record<string, string> | undefined };
}

/** Whether reconciliation of a cluster's objects is paused (`spec.paused` or the paused annotation on either). */
export function isPaused(cluster: Pausable | undefined, object?: Pausable): boolean {
  const annotated = (o?: Pausable) => o?.metadata?.annotations?.[PAUSED_ANNOTATION] !== undefined;
  return cluster?.spec?.paused === true || annotated(cluster) || annotated(object);
}

export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
