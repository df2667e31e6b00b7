import { z } from 'zod';

/** elemental-operator's API group and the one version it serves. */
export const ELEMENTAL_GROUP = 'elemental.cattle.io';
export const ELEMENTAL_VERSION = 'v1beta1';
export const ELEMENTAL_API_VERSION = `${ELEMENTAL_GROUP}/${ELEMENTAL_VERSION}`;

/** What every elemental kind shares: its group and scope (they are all namespaced, not Cluster API kinds). */
export const elementalKindBase = { group: ELEMENTAL_GROUP, scope: 'Namespaced', role: 'Other' } as const;

/** Integers elemental's Go types hold as int32 / int64; the format says so to a reader of the CRD. */
export const int32 = () => z.number().int().meta({ format: 'int32' });
export const int64 = () => z.number().int().meta({ format: 'int64' });

/** A Kubernetes quantity ("20Gi" or a byte count). */
export const quantity = () => z.union([z.number().int(), z.string()]);

const CONDITION_TYPE =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';

/** A condition as Kubernetes' own types carry it (metav1.Condition), with the API server's limits. */
export const MetaCondition = z.object({
  type: z
    .string()
    .max(316)
    // The pattern as metadata: a zod regex writes the slash as \/ (RegExp.source) into the CRD.
    .meta({ pattern: CONDITION_TYPE }),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: int64().min(0).optional(),
  lastTransitionTime: z.string().meta({ format: 'date-time' }),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32768),
});

/** A full object reference (corev1.ObjectReference): elemental points at Secrets, ServiceAccounts, registrations. */
export const ObjectReference = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    fieldPath: z.string().optional(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/** A reference to an object of a kind in an API group (corev1.TypedLocalObjectReference), e.g. an IP pool. */
export const TypedLocalObjectReference = z
  .object({
    apiGroup: z.string().optional(),
    kind: z.string(),
    name: z.string(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/** How a host's network is configured at registration: the tool and its (tool-specific) configuration. */
export const NetworkConfigurator = z
  .enum(['none', 'nmc', 'nmstate', 'nmconnections'])
  .default('none')
  .describe('The tool that applies `config` on the host; none leaves the network alone.');

/** Free-form configuration elemental passes through unread (cloud-config, network tool input). */
export const opaque = () => z.unknown();
