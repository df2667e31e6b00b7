import { z } from 'zod';

export const ObjectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z
    .array(
      z.looseObject({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        uid: z.string(),
        controller: z.boolean().optional(),
      }),
    )
    .optional(),
});

/** v1beta1 object reference: full apiVersion. */
export const ObjectReferenceV1Beta1Schema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

/** A reference to an object in the same namespace (Kubernetes LocalObjectReference), as providers' specs use it. */
export const LocalObjectReferenceSchema = z
  .object({ name: z.string().default('').describe('Name of the referenced object.') })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/** Kubernetes' corev1.ObjectReference, the shape controller-gen emits for `*corev1.ObjectReference` fields. */
export const KubernetesObjectReferenceSchema = z
  .object({
    apiVersion: z.string().optional().describe('API version of the referent.'),
    fieldPath: z.string().optional().describe('A piece of the referent, when it is not the whole object.'),
    kind: z.string().optional().describe('Kind of the referent.'),
    name: z.string().optional().describe('Name of the referent.'),
    namespace: z.string().optional().describe('Namespace of the referent.'),
    resourceVersion: z.string().optional().describe('Specific resourceVersion this reference is made to.'),
    uid: z.string().optional().describe('UID of the referent.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/** v1beta2 contract reference: API group only, same namespace. */
export const ContractReferenceSchema = z.looseObject({
  apiGroup: z.string(),
  kind: z.string(),
  name: z.string(),
});

export const ApiEndpointSchema = z.object({
  host: z.string(),
  port: z.number().int(),
});

export const MachineAddressSchema = z.object({
  type: z.enum(['Hostname', 'ExternalIP', 'InternalIP', 'ExternalDNS', 'InternalDNS']),
  address: z.string(),
});
export type MachineAddress = z.infer<typeof MachineAddressSchema>;

/** A loose Kubernetes object of the given kind: unknown fields pass through untouched. */
export function kubernetesObject<Spec extends z.ZodType, Status extends z.ZodType>(
  kind: string,
  spec: Spec,
  status: Status,
) {
  return z.looseObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: ObjectMetaSchema,
    spec,
    status: status.optional(),
  });
}
