/**
 * What an operator has in the management cluster before opening the DCS
 * wizard (docs/en/create-cluster/huawei-dcs.mdx, Prerequisites): the
 * credential Secret, a version ConfigMap and the DCS plugin's kubelet/PSA/audit
 * files Secret for the Kubernetes release the VM template carries, the IP pools
 * (persistent disks are YAML only in the docs, so the pools are written here),
 * one machine template per node type, and the `global` Cluster whose
 * annotations the wizard reads. The cluster's own objects come from the wizard.
 *
 * Names match the DCS simulator's default inventory (VM templates
 * ubuntu-2204-k8s-v1.34 / -v1.35, datastore cluster ssd-pool, folder
 * kubernetes, DVS-Business / business-vlan100). Pool entries are loopback
 * addresses (127.x.y.z) because the workload-cluster simulator runs each
 * control plane node's etcd and kubelet on its node address.
 */

import { plainHttpConsent } from '@immutable-infra/testkit';
import { kubernetesFilesSecret as filesSecretName } from '../../src/ui/catalog/labels.js';
import { versionConfigMap } from '../ui/wizard-scenario.js';

export interface PrerequisiteValues {
  namespace: string;
  /** The cluster the pools are set aside for (their entries' machine names, their cluster label). */
  clusterName: string;
  /** The first three octets of the loopback /24 the pools draw from, e.g. `127.123.45`. */
  subnet: string;
  simUrl: string;
  authKey: string;
  workerPoolSize: number;
  /** The pools' names; {@link POOLS} unless given (several clusters in one namespace need their own). */
  pools?: Record<Role, string>;
}

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
export const KUBERNETES_FROM = 'v1.34.3';
export const KUBERNETES_TO = 'v1.35.4';
export const CREDENTIAL = 'dcs-auth';
export const POOLS = { cp: 'cp-pool', worker: 'worker-pool' } as const;

export type Role = keyof typeof POOLS;

const minorOf = (version: string) => version.replace(/^v?(\d+\.\d+).*/, 'v$1');
export const vmTemplateFor = (kubernetes: string) => `ubuntu-2204-k8s-${minorOf(kubernetes)}`;

/** The files Secret's contents (kubelet patches differ per node type so the test can tell them apart). */
export const KUBERNETES_FILES = {
  'psa-config.yaml': 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n',
  'control-plane-kubelet-patch.json': '{"maxPods":110}',
  'worker-kubelet-patch.json': '{"maxPods":250}',
  'audit-policy.yaml': 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n',
};

/** The Secret the DCS plugin ships per Kubernetes minor; the wizard's KubeadmConfigs read their files from it. */
export function kubernetesFilesSecret(namespace: string, kubernetes: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: filesSecretName(kubernetes), namespace },
    type: 'Opaque',
    stringData: KUBERNETES_FILES,
  };
}

function poolEntry(v: PrerequisiteValues, role: Role, n: number) {
  const base = role === 'cp' ? 10 : 20;
  return {
    ip: `${v.subnet}.${base + n}`,
    mask: '255.255.255.0',
    gateway: `${v.subnet}.254`,
    dns: '10.0.0.2',
    hostname: `${v.clusterName}-${role}-${n}`,
    machineName: `${v.namespace}-${v.clusterName}-${role}-${n}`,
    persistentDisk: [
      {
        slot: 0,
        quantityGB: 40,
        datastoreClusterName: 'ssd-pool',
        path: '/var/cpaas',
        format: 'xfs',
        mountOptions: ['defaults'],
      },
    ],
  };
}

/** A pool of `size` entries for the cluster's `role` machines. */
export function ipPool(v: PrerequisiteValues, role: Role, size: number) {
  return {
    apiVersion: INFRA,
    kind: 'DCSIpHostnamePool',
    metadata: {
      name: (v.pools ?? POOLS)[role],
      namespace: v.namespace,
      // The pool controller finds the credential for its persistent disk status through the cluster.
      labels: { 'cluster.x-k8s.io/cluster-name': v.clusterName },
    },
    spec: { pool: Array.from({ length: size }, (_, i) => poolEntry(v, role, i + 1)) },
  };
}

/**
 * A machine template as the machine template form writes it: one per node type and VM template,
 * drawing from `pool` (the `POOLS` one of its role unless given) and named with `prefix` before it.
 */
export function machineTemplate(
  namespace: string,
  role: Role,
  kubernetes: string,
  pool: string = POOLS[role],
  prefix = '',
) {
  return {
    apiVersion: INFRA,
    kind: 'DCSMachineTemplate',
    metadata: {
      name: `${prefix}${role}-${minorOf(kubernetes).replace('.', '-')}`,
      namespace,
      labels: {
        'infrastructure.cluster.x-k8s.io/dcs-machine-type': role === 'cp' ? 'control-plane' : 'worker',
      },
    },
    spec: {
      template: {
        spec: {
          vmTemplateName: vmTemplateFor(kubernetes),
          location:
            role === 'cp'
              ? { type: 'folder', name: 'kubernetes' }
              : { type: 'cluster', name: 'ComputeCluster' },
          vmConfig: {
            dvSwitchName: 'DVS-Business',
            portGroupName: 'business-vlan100',
            dcsMachineCpuSpec: { quantity: role === 'cp' ? 4 : 8 },
            dcsMachineMemorySpec: { quantity: role === 'cp' ? 8192 : 16384 },
            dcsMachineDiskSpec: [
              { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet', format: 'xfs' },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
              ...(role === 'cp'
                ? [{ quantity: 10, datastoreClusterName: 'ssd-pool', path: '/var/lib/etcd', format: 'xfs' }]
                : []),
            ],
          },
          ipHostPoolRef: { name: pool },
        },
      },
    },
  };
}

/**
 * What a new Kubernetes release brings: its version ConfigMap and files
 * Secret (shipped with the OS image and the plugin) and a machine template per
 * node type on its VM template.
 */
export function releaseObjects(namespace: string, kubernetes: string): Record<string, unknown>[] {
  return [
    versionConfigMap(namespace, vmTemplateFor(kubernetes), kubernetes),
    kubernetesFilesSecret(namespace, kubernetes),
    machineTemplate(namespace, 'cp', kubernetes),
    machineTemplate(namespace, 'worker', kubernetes),
  ];
}

/** The objects, in creation order, for a platform that offers {@link KUBERNETES_FROM}. */
export function operatorPrerequisites(v: PrerequisiteValues): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CREDENTIAL, namespace: v.namespace },
      type: 'Opaque',
      stringData: {
        authUser: 'cluster-api',
        authKey: v.authKey,
        endpoint: v.simUrl,
        ...plainHttpConsent(v.simUrl),
      },
    },
    ipPool(v, 'cp', 3),
    ipPool(v, 'worker', v.workerPoolSize),
    ...releaseObjects(v.namespace, KUBERNETES_FROM),
    {
      // The management cluster itself, as the platform records it. Paused, so Cluster API leaves it alone.
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: {
        name: 'global',
        namespace: v.namespace,
        annotations: {
          'cpaas.io/kube-ovn-version': 'v1.14.2',
          'cpaas.io/registry-address': 'registry.example.internal:11443',
        },
      },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.1.0.0/16'] } },
        paused: true,
        infrastructureRef: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: 'ManagementCluster',
          name: 'global',
        },
      },
    },
  ];
}
