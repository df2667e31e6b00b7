import type { ClusterV1Beta2 } from '../capi/cluster.js';
import type { Condition, ConditionInput } from '../capi/conditions.js';
import type { CapiContractVersion } from '../capi/contract.js';
import type { BootstrapData } from '../capi/kubeadm.js';
import type { MachineV1Beta2 } from '../capi/machine.js';
import type { MachineAddress } from '../capi/meta.js';
import type { KindDefinition, KindObject } from '../crd/define-kind.js';
import type { HostContext } from './context.js';
import type { StepResult } from './reconcile-result.js';
import type { StepPlan } from './step-plan.js';

/** Facts about a provider package, checked by the host before it loads the provider. */
export interface ProviderManifest {
  /** npm package name, e.g. `@immutable-infra/provider-dcs`. */
  name: string;
  version: string;
  /** Platform identifier, e.g. `huawei-dcs`. */
  platform: string;
  displayName?: string;
  /** Semver range of `@immutable-infra/core` this provider works with. */
  coreRange: string;
  capiContracts: readonly CapiContractVersion[];
  /** Kubernetes minor versions, e.g. `1.34`. */
  kubernetesVersions: readonly string[];
}

type AnyKind = KindDefinition;
type StorageObject<K extends AnyKind> = KindObject<K['versions'][number]>;
type StatusOf<K extends AnyKind> = NonNullable<
  StorageObject<K> extends { status?: infer S } ? S : Record<string, unknown>
>;

/** The mutable parts a hook may change; the host writes them in one status update at the end. */
export interface ReconcileDraft<K extends AnyKind> {
  /** Provider-specific status fields (task ids, platform ids). */
  status: Partial<StatusOf<K>>;
  setCondition(condition: ConditionInput): void;
  getCondition(type: string): Condition | undefined;
  /**
   * Writes the status as it stands now instead of only at the end. Only for what must survive a
   * crash in the next call: the record of having asked the platform to create something, written
   * before a request the platform may act on without its answer arriving (see the provider kit's
   * `createOnce`). Throws when the write fails, so the request is not sent unrecorded.
   */
  saveStatus(): Promise<void>;
}

export interface ObjectContext<K extends AnyKind> extends HostContext, ReconcileDraft<K> {
  /** The object as read at the start of this reconcile. */
  object: StorageObject<K>;
}

export interface InfraClusterContext<K extends AnyKind> extends ObjectContext<K> {
  /** The owning Cluster API Cluster (v1beta2 shape). */
  cluster: ClusterV1Beta2;
}

export interface InfraMachineContext<K extends AnyKind> extends ObjectContext<K> {
  /**
   * The owning Cluster API Machine (v1beta2 shape). In a `delete` hook the Machine and the Cluster
   * may be gone already (a deleted namespace takes every object at once): read them there only
   * with optional chaining.
   */
  machine: MachineV1Beta2;
  cluster: ClusterV1Beta2;
  /** The cluster's infrastructure object, when the Cluster references one. */
  infraCluster: Record<string, unknown> | undefined;
  /** The Machine's bootstrap data; the host calls the hook only once the data secret exists. */
  bootstrapData(): Promise<BootstrapData>;
  /** Whether this machine belongs to the control plane. */
  isControlPlane: boolean;
}

/** The InfraCluster hook finished: the cluster's endpoint is known. */
export interface ClusterProvisioned {
  type: 'provisioned';
  controlPlaneEndpoint: { host: string; port: number };
  failureDomains?: Record<string, { controlPlane?: boolean; attributes?: Record<string, string> }>;
  /** Come back after this long even without an event, e.g. to keep a placement rule in line with the machines. */
  recheckAfterMs?: number;
}

/** The InfraMachine hook finished: the machine exists and is running. */
export interface MachineProvisioned {
  type: 'provisioned';
  providerID: string;
  addresses?: MachineAddress[];
  failureDomain?: string;
  /** Come back after this long even without an event. */
  recheckAfterMs?: number;
}

export const clusterProvisioned = (result: Omit<ClusterProvisioned, 'type'>): ClusterProvisioned => ({
  type: 'provisioned',
  ...result,
});

export const machineProvisioned = (result: Omit<MachineProvisioned, 'type'>): MachineProvisioned => ({
  type: 'provisioned',
  ...result,
});

/** What an InfraCluster reconcile returns: a result, or a plan whose `finish` gives one. */
export type ClusterReconcileResult =
  | ClusterProvisioned
  | StepResult
  | StepPlan<ClusterProvisioned | StepResult>;

/** What an InfraMachine reconcile returns: a result, or a plan whose `finish` gives one. */
export type MachineReconcileResult =
  | MachineProvisioned
  | StepResult
  | StepPlan<MachineProvisioned | StepResult>;

/** What a delete, or an extra kind's reconcile, returns: a result, or a plan (usually ending in `done()`). */
export type StepOutcome = StepResult | StepPlan<StepResult>;

export interface InfraClusterHooks<K extends AnyKind> {
  kind: K;
  reconcile(context: InfraClusterContext<K>): Promise<ClusterReconcileResult>;
  /** Cleans up platform resources; `done` lets the host remove the finalizer. */
  delete(context: InfraClusterContext<K>): Promise<StepOutcome>;
}

export interface InfraMachineHooks<K extends AnyKind> {
  kind: K;
  reconcile(context: InfraMachineContext<K>): Promise<MachineReconcileResult>;
  delete(context: InfraMachineContext<K>): Promise<StepOutcome>;
}

/** A provider kind that is not part of the Cluster API contract, e.g. an IP pool. */
export interface ExtraKindHooks<K extends AnyKind> {
  kind: K;
  reconcile(context: ObjectContext<K>): Promise<StepOutcome>;
  delete?(context: ObjectContext<K>): Promise<StepOutcome>;
}

/** An object of a kind the provider watches without owning it, as the host's cache holds it. */
export interface WatchedObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string | Date;
  };
  spec?: unknown;
  status?: unknown;
}

/** One of the provider's own objects, by kind (e.g. `MachineInventoryPool`) and place. */
export interface OwnObjectKey {
  kind: string;
  namespace: string;
  name: string;
}

/** The provider's own objects as the host's caches hold them, for mapping a watched object to them without an API call. */
export interface CachedOwnObjects {
  /** The objects of one of the provider's kinds in a namespace. */
  list(kind: string, namespace: string): readonly WatchedObject[];
}

/**
 * A kind the provider does not own whose changes concern some of its objects (a host inventory
 * a pool counts and a machine waits on): the host watches it (every object of the kind, whatever
 * `--watch-filter` says, since the filter's label is on the provider's own objects) and wakes the
 * objects `concerns` names, so they need not poll it. Called with the object before and after a
 * change (an annotation removed must still wake what it named), and when it is deleted.
 */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  concerns(object: WatchedObject, cached: CachedOwnObjects): readonly OwnObjectKey[];
}

export interface ProviderDefinition<
  C extends AnyKind = AnyKind,
  M extends AnyKind = AnyKind,
  T extends AnyKind = AnyKind,
> {
  manifest: ProviderManifest;
  infraCluster: InfraClusterHooks<C>;
  infraMachine: InfraMachineHooks<M>;
  /** Templates are not reconciled; the host only installs their CRD. */
  infraMachineTemplate: T;
  extraKinds?: readonly ExtraKindHooks<AnyKind>[];
  /** Kinds the provider reads and the host watches for it; see `WatchedKind`. */
  watches?: readonly WatchedKind[];
}

/** Marks objects made by defineProvider, so the host can tell a provider from any other default export. */
export const PROVIDER_MARKER = 'immutable-infra.provider/v1';

export type Provider<
  C extends AnyKind = AnyKind,
  M extends AnyKind = AnyKind,
  T extends AnyKind = AnyKind,
> = ProviderDefinition<C, M, T> & { readonly [PROVIDER_MARKER]: true };

/** A provider package's default export. */
export function defineProvider<C extends AnyKind, M extends AnyKind, T extends AnyKind>(
  definition: ProviderDefinition<C, M, T>,
): Provider<C, M, T> {
  return { ...definition, [PROVIDER_MARKER]: true } as Provider<C, M, T>;
}

export function isProvider(value: unknown): value is Provider {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[PROVIDER_MARKER] === true
  );
}

/** Every kind a provider owns, in install order. */
export function providerKinds(provider: ProviderDefinition): AnyKind[] {
  return [
    provider.infraCluster.kind,
    provider.infraMachine.kind,
    provider.infraMachineTemplate,
    ...(provider.extraKinds ?? []).map((k) => k.kind),
  ];
}
