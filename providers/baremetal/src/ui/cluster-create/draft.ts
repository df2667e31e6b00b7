/**
 * The bare-metal create-cluster draft: the kit's node pools and networks, and
 * what bare metal adds: the control plane's load balancer (an Internal VIP
 * that alive keeps with VRRP, or an External load balancer) instead of a
 * credential and an API server address. Plain JSON the host keeps between
 * steps; port and vrid stay as typed, so the rules can name what is wrong.
 */
import {
  type ControlPlaneDraft,
  draftValue,
  initialControlPlane,
  initialNetworking,
  type NetworkingDraft,
  newWorkerPool,
  readControlPlane,
  readNetworking,
  readWorkerPools,
  type WorkerPoolDraft,
} from '@immutable-infra/ui-kit';

/** The Kubernetes minors the provider supports (package.json `immutableInfra.kubernetesVersions`; a test holds them equal). */
export const KUBERNETES_MINORS = ['1.31', '1.32', '1.33', '1.34', '1.35'] as const;

export type LoadBalancerType = 'Internal' | 'External';

/** BaremetalCluster spec.controlPlaneLoadBalancer as typed. */
export interface LoadBalancerDraft {
  type: LoadBalancerType;
  host: string;
  port: string;
  /** The VRRP virtual_router_id; Internal only. */
  vrid: string;
}

export interface BaremetalClusterDraft {
  name: string;
  displayName: string;
  /** A key of the elemental-image-catalog ConfigMap, e.g. v1.33.7-2. */
  kubernetesVersion: string;
  loadBalancer: LoadBalancerDraft;
  controlPlane: ControlPlaneDraft;
  workers: WorkerPoolDraft[];
  networking: NetworkingDraft;
}

export function initialDraft(): BaremetalClusterDraft {
  return {
    name: '',
    displayName: '',
    kubernetesVersion: '',
    loadBalancer: { type: 'Internal', host: '', port: '6443', vrid: '' },
    controlPlane: initialControlPlane(),
    workers: [newWorkerPool('', 0)],
    networking: initialNetworking(),
  };
}

/** The host's draft as this workflow's shape; missing or mistyped keys read as empty. */
export function readDraft(value: Record<string, unknown>): BaremetalClusterDraft {
  const text = (v: unknown, fallback = '') => draftValue.text(v, fallback);
  const lb = draftValue.record(value.loadBalancer);
  return {
    name: text(value.name),
    displayName: text(value.displayName),
    kubernetesVersion: text(value.kubernetesVersion),
    loadBalancer: {
      type: lb.type === 'External' ? 'External' : 'Internal',
      host: text(lb.host),
      port: text(lb.port, '6443'),
      vrid: text(lb.vrid),
    },
    controlPlane: readControlPlane(value.controlPlane),
    workers: readWorkerPools(value.workers),
    networking: readNetworking(value.networking),
  };
}
