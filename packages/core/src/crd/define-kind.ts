import type { z } from 'zod';
import type { ContractVersionMap } from '../capi/contract.js';
import type { CelRule } from './structural-schema.js';

/** A column `kubectl get` prints for the kind. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  format?: string;
  /** 0 shows in `kubectl get`, higher only with `-o wide`. */
  priority?: number;
}

export interface KindVersion<Spec extends z.ZodType = z.ZodType, Status extends z.ZodType = z.ZodType> {
  /** API version name, e.g. `v1beta1`. */
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  spec: Spec;
  /** Present means a status subresource. */
  status?: Status;
  printerColumns?: readonly PrinterColumn[];
  /** CEL rules evaluated on the whole object (`self` is the object). */
  validations?: readonly CelRule[];
}

/** The role a kind plays in the Cluster API contract. */
export type ContractRole =
  | 'InfraCluster'
  | 'InfraClusterTemplate'
  | 'InfraMachine'
  | 'InfraMachineTemplate'
  | 'InfraMachinePool'
  | 'Other';

export interface KindDefinition<Versions extends readonly KindVersion[] = readonly KindVersion[]> {
  group: string;
  kind: string;
  plural: string;
  singular?: string;
  listKind?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
  scope: 'Namespaced' | 'Cluster';
  role: ContractRole;
  /** Which API versions implement which Cluster API contract; becomes the CRD's contract labels. */
  contract?: ContractVersionMap;
  versions: Versions;
}

/** Declares a kind; the identity function that keeps literal types for inference. */
export function defineKind<const Versions extends readonly KindVersion[]>(
  definition: KindDefinition<Versions>,
): KindDefinition<Versions> {
  return definition;
}

/** Standard object metadata as the host sees it. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The object type of one version of a kind, inferred from its schemas. */
export type KindObject<V extends KindVersion> = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: z.output<V['spec']>;
} & (V['status'] extends z.ZodType ? { status?: z.output<V['status']> } : unknown);

/** `group/version` of the kind's storage version. */
export function storageApiVersion(definition: KindDefinition): string {
  const storage = definition.versions.find((v) => v.storage) ?? definition.versions[0];
  if (storage === undefined) throw new Error(`${definition.kind} declares no version`);
  return `${definition.group}/${storage.name}`;
}
