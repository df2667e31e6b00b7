/**
 * The parts of a create-cluster draft every provider keeps the same way. The
 * host keeps the draft as plain JSON between steps and replaces top-level
 * keys on update, so each reader falls back to a default where a key is
 * missing or mistyped.
 */
import type { NetworkingDraft, WorkerPoolDraft } from './cluster-rules.js';

/** The documented control plane size of the web UI workflows (fixed, for HA). */
export const CONTROL_PLANE_REPLICAS = 3;

/** The step ids of the documented workflows; the host's review follows the last. */
export const CLUSTER_STEP = {
  basic: 'basic-info',
  controlPlane: 'control-plane',
  workers: 'worker-pools',
  networking: 'networking',
} as const;

export interface ControlPlaneDraft {
  machineTemplate: string;
  replicas: number;
  sshAuthorizedKeys: string[];
}

/** The typed readers of draft values, each with its fallback. */
export const draftValue = {
  text: (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback),
  count: (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback),
  keys: (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [],
  record: (v: unknown): Record<string, unknown> =>
    v && typeof v === 'object' ? (v as Record<string, unknown>) : {},
};

/** A new worker pool, named after the documented `<cluster>-worker-<n>` convention. */
export function newWorkerPool(clusterName: string, index: number): WorkerPoolDraft {
  return {
    name: clusterName ? `${clusterName}-worker-${index + 1}` : '',
    machineTemplate: '',
    replicas: 3,
    maxSurge: 0,
    maxUnavailable: 1,
    sshAuthorizedKeys: [],
  };
}

export function initialControlPlane(): ControlPlaneDraft {
  return { machineTemplate: '', replicas: CONTROL_PLANE_REPLICAS, sshAuthorizedKeys: [] };
}

export function initialNetworking(): NetworkingDraft {
  return { podsCidr: '', servicesCidr: '', joinCidr: '' };
}

export function readControlPlane(value: unknown): ControlPlaneDraft {
  const cp = draftValue.record(value);
  return {
    machineTemplate: draftValue.text(cp.machineTemplate, ''),
    replicas: draftValue.count(cp.replicas, CONTROL_PLANE_REPLICAS),
    sshAuthorizedKeys: draftValue.keys(cp.sshAuthorizedKeys),
  };
}

/** The draft's worker pools; a replica count that is not a number reads as NaN, so the rules report it. */
export function readWorkerPools(value: unknown): WorkerPoolDraft[] {
  if (!Array.isArray(value)) return [newWorkerPool('', 0)];
  return value.map((w) => {
    const pool = draftValue.record(w);
    return {
      name: draftValue.text(pool.name, ''),
      machineTemplate: draftValue.text(pool.machineTemplate, ''),
      replicas: draftValue.count(pool.replicas, Number.NaN),
      maxSurge: draftValue.count(pool.maxSurge, 0),
      maxUnavailable: draftValue.count(pool.maxUnavailable, 1),
      sshAuthorizedKeys: draftValue.keys(pool.sshAuthorizedKeys),
    };
  });
}

export function readNetworking(value: unknown): NetworkingDraft {
  const net = draftValue.record(value);
  return {
    podsCidr: draftValue.text(net.podsCidr, ''),
    servicesCidr: draftValue.text(net.servicesCidr, ''),
    joinCidr: draftValue.text(net.joinCidr, ''),
  };
}

/** The suffixes a provider gives the objects a cluster's node pools own. */
export interface ObjectNameSuffixes {
  controlPlaneTemplate: string;
  workerTemplate: string;
  bootstrapTemplate: string;
}

/**
 * The names of the objects a workflow creates: the Cluster and the provider's
 * cluster object take the cluster's name, the rest carry the documented
 * `<cluster>-` prefix (the control plane is `<cluster>-kcp`) or the pool's name.
 */
export function clusterObjectNames(
  draft: { name: string; workers: readonly { name: string }[] },
  suffixes: ObjectNameSuffixes,
) {
  return {
    cluster: draft.name,
    controlPlane: `${draft.name}-kcp`,
    controlPlaneTemplate: `${draft.name}${suffixes.controlPlaneTemplate}`,
    workers: draft.workers.map((pool) => ({
      machineDeployment: pool.name,
      machineTemplate: `${pool.name}${suffixes.workerTemplate}`,
      bootstrapTemplate: `${pool.name}${suffixes.bootstrapTemplate}`,
    })),
  };
}

/** The draft keys every provider's workflow has; a provider's draft extends it. */
export interface ClusterDraftBase {
  /** Name of the credential Secret. */
  credential: string;
  name: string;
  displayName: string;
  kubernetesVersion: string;
  /** `https://<load-balancer>:6443`. */
  apiServerAddress: string;
  controlPlane: ControlPlaneDraft;
  workers: WorkerPoolDraft[];
  networking: NetworkingDraft;
}

export function initialClusterDraft(): ClusterDraftBase {
  return {
    credential: '',
    name: '',
    displayName: '',
    kubernetesVersion: '',
    apiServerAddress: '',
    controlPlane: initialControlPlane(),
    workers: [newWorkerPool('', 0)],
    networking: initialNetworking(),
  };
}

/** The shared keys of the host's draft; missing or mistyped ones fall back to the defaults. */
export function readClusterDraft(value: Record<string, unknown>): ClusterDraftBase {
  const text = (v: unknown) => draftValue.text(v, '');
  return {
    credential: text(value.credential),
    name: text(value.name),
    displayName: text(value.displayName),
    kubernetesVersion: text(value.kubernetesVersion),
    apiServerAddress: text(value.apiServerAddress),
    controlPlane: readControlPlane(value.controlPlane),
    workers: readWorkerPools(value.workers),
    networking: readNetworking(value.networking),
  };
}

/** How a workflow makes its first draft and reads the host's. */
export interface ClusterDraftReader<D> {
  initialDraft(): D;
  readDraft(value: Record<string, unknown>): D;
}

/** The kit's draft keys plus a platform's text keys `T` and text-list keys `L`. */
export type PlatformClusterDraft<T extends string, L extends string = never> = ClusterDraftBase &
  Record<T, string> &
  Record<L, string[]>;

/**
 * The draft of a platform whose own fields are text (the vCenter server, a
 * VPC) or lists of text (subnets): each empty at first, and empty where the
 * host's draft lacks the key or holds something else.
 */
export function platformClusterDraft<T extends string, L extends string = never>(
  textKeys: readonly T[],
  listKeys: readonly L[] = [],
): ClusterDraftReader<PlatformClusterDraft<T, L>> {
  const platformFields = (text: (key: T) => string, list: (key: L) => string[]) =>
    ({
      ...Object.fromEntries(listKeys.map((key) => [key, list(key)])),
      ...Object.fromEntries(textKeys.map((key) => [key, text(key)])),
    }) as Record<T, string> & Record<L, string[]>;
  return {
    initialDraft: () => ({
      ...initialClusterDraft(),
      ...platformFields(
        () => '',
        () => [],
      ),
    }),
    readDraft: (value) => ({
      ...readClusterDraft(value),
      ...platformFields(
        (key) => draftValue.text(value[key], ''),
        (key) => draftValue.keys(value[key]),
      ),
    }),
  };
}
