/**
 * The create-cluster wizard's draft: plain JSON the host keeps between steps.
 * Each step owns top-level keys (the host replaces top-level keys on update).
 */

export const STEP = {
  basic: 'basic-info',
  controlPlane: 'control-plane',
  workers: 'worker-pools',
  networking: 'networking',
} as const;

/** The documented control plane size for the web UI (fixed, for HA). */
export const CONTROL_PLANE_REPLICAS = 3;

export interface WorkerPoolDraft {
  name: string;
  machineTemplate: string;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  sshAuthorizedKeys: string[];
}

export interface DcsClusterDraft {
  /** Name of the credential Secret. */
  credential: string;
  name: string;
  displayName: string;
  /** Filled from the version ConfigMaps: the newest Kubernetes version the platform offers. */
  kubernetesVersion: string;
  distributionVersion: string;
  /** `https://<load-balancer>:6443`. */
  apiServerAddress: string;
  /** DRS mutual exclusion for control plane VMs (only where the DCS cluster has DRS). */
  controlPlaneHA: boolean;
  controlPlane: { machineTemplate: string; replicas: number; sshAuthorizedKeys: string[] };
  workers: WorkerPoolDraft[];
  networking: { podsCidr: string; servicesCidr: string; joinCidr: string };
}

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

export function initialDraft(): DcsClusterDraft {
  return {
    credential: '',
    name: '',
    displayName: '',
    kubernetesVersion: '',
    distributionVersion: '',
    apiServerAddress: '',
    controlPlaneHA: false,
    controlPlane: { machineTemplate: '', replicas: CONTROL_PLANE_REPLICAS, sshAuthorizedKeys: [] },
    workers: [newWorkerPool('', 0)],
    networking: { podsCidr: '', servicesCidr: '', joinCidr: '' },
  };
}

/** The host's draft as this workflow's shape; missing or mistyped keys fall back to the defaults. */
export function readDraft(value: Record<string, unknown>): DcsClusterDraft {
  const base = initialDraft();
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const count = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  const keys = (v: unknown) => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
  const record = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const cp = record(value.controlPlane);
  const net = record(value.networking);
  return {
    credential: text(value.credential, base.credential),
    name: text(value.name, base.name),
    displayName: text(value.displayName, base.displayName),
    kubernetesVersion: text(value.kubernetesVersion, base.kubernetesVersion),
    distributionVersion: text(value.distributionVersion, base.distributionVersion),
    apiServerAddress: text(value.apiServerAddress, base.apiServerAddress),
    controlPlaneHA: value.controlPlaneHA === true,
    controlPlane: {
      machineTemplate: text(cp.machineTemplate, ''),
      replicas: count(cp.replicas, CONTROL_PLANE_REPLICAS),
      sshAuthorizedKeys: keys(cp.sshAuthorizedKeys),
    },
    workers: Array.isArray(value.workers)
      ? value.workers.map((w) => {
          const pool = record(w);
          return {
            name: text(pool.name, ''),
            machineTemplate: text(pool.machineTemplate, ''),
            replicas: count(pool.replicas, Number.NaN),
            maxSurge: count(pool.maxSurge, 0),
            maxUnavailable: count(pool.maxUnavailable, 1),
            sshAuthorizedKeys: keys(pool.sshAuthorizedKeys),
          };
        })
      : base.workers,
    networking: {
      podsCidr: text(net.podsCidr, ''),
      servicesCidr: text(net.servicesCidr, ''),
      joinCidr: text(net.joinCidr, ''),
    },
  };
}

/** The names the wizard gives the objects it creates (the documented `<cluster>-` prefixes). */
export function objectNames(draft: Pick<DcsClusterDraft, 'name' | 'workers'>) {
  return {
    cluster: draft.name,
    controlPlane: `${draft.name}-kcp`,
    controlPlaneTemplate: `${draft.name}-cp-template`,
    workers: draft.workers.map((pool) => ({
      machineDeployment: pool.name,
      machineTemplate: `${pool.name}-template`,
      bootstrapTemplate: `${pool.name}-kct`,
    })),
  };
}
