/**
 * What an operator has in the management cluster before opening the DCS
 * wizard (product docs, docs/en/create-cluster/huawei-dcs.mdx): the platform
 * credential, a release's version ConfigMap (one per VM template), the DCS
 * plugin's kubelet, PSA and audit files for its Kubernetes minor, IP pools,
 * machine templates, and the `global` Cluster whose annotations the wizard
 * reads; and, for upgrades, the next release's objects (docs/en/upgrade-cluster/
 * huawei-dcs.mdx). Names match the DCS simulator's default inventory (site
 * 3CD306E7, datastore cluster ssd-pool, folder kubernetes, DVS-Business /
 * business-vlan100, the two VM templates).
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

export const DEMO_NAMESPACE = 'cpaas-system';
const SHIPPED_RELEASE_DATA = createRequire(import.meta.url).resolve(
  '@immutable-infra/provider-dcs/release-data/kubernetes-releases.yaml',
);
export const CREDENTIAL_SECRET = 'dcs-auth';

/** Kubernetes releases the simulator's VM templates carry, one per template (the docs' version ConfigMaps). */
export const VM_TEMPLATE_VERSIONS = [
  { vmTemplate: 'ubuntu-2204-k8s-v1.34', kubernetesVersion: 'v1.34.3' },
  { vmTemplate: 'ubuntu-2204-k8s-v1.35', kubernetesVersion: 'v1.35.4' },
] as const;

type Release = (typeof VM_TEMPLATE_VERSIONS)[number];

/**
 * The release the demo starts with. The documented wizard creates only the
 * newest version the version ConfigMaps offer, so a cluster made in the
 * wizard could never be upgraded if both releases were offered from the start.
 */
export const CREATE_RELEASE: Release = VM_TEMPLATE_VERSIONS[0];
/**
 * The release a platform upgrade brings later (the documented order: a new VM
 * template's version ConfigMap arrives, then machine templates are made for
 * it, then clusters are upgraded), applied by the operator when they choose.
 */
export const UPGRADE_RELEASE: Release = VM_TEMPLATE_VERSIONS[1];

export interface SeedValues {
  /** DCS simulator URL, as the credential's endpoint. */
  dcsEndpoint: string;
  dcsUser: string;
  dcsPassword: string;
  /**
   * First three octets of a loopback /24 (e.g. `127.88.3`): the workload-cluster
   * simulator runs each control plane node's etcd and kubelet on the node's
   * address, so pool entries are loopback addresses.
   */
  subnet: string;
}

const minorOf = (version: string) => version.replace(/^v?(\d+\.\d+).*/, '$1');

function versionConfigMap(vmTemplate: string, kubernetesVersion: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `dcs-vm-template-${vmTemplate}`,
      namespace: DEMO_NAMESPACE,
      labels: {
        'cpaas.io/dcs-vm-template': vmTemplate,
        'cpaas.io/distribution-version': 'v4.4.0',
        'cpaas.io/kubernetes-version': `v${minorOf(kubernetesVersion)}`,
      },
    },
    data: {
      corednsTag: '1.12.4-v4.4.1',
      etcdTag: 'v3.5.21-260101',
      kubernetesVersion,
      vmImageVersion: 'alaudaos-44.m1.202601010000-0.x86_64',
    },
  };
}

/**
 * The DCS provider's `dcs-kubernetes-<minor>-files` Secret, as the package ships it
 * (release-data/kubernetes-releases.yaml, which its chart, clusterctl components and
 * `iinfra provider install` apply): the demo installs the provider in-process, so it applies this part
 * of the release data itself. The version ConfigMaps stay the demo's own, naming the simulator's VM templates.
 */
function kubernetesFilesSecret(kubernetesVersion: string) {
  const name = `dcs-kubernetes-${minorOf(kubernetesVersion)}-files`;
  const shipped = parseAllDocuments(readFileSync(SHIPPED_RELEASE_DATA, 'utf8'))
    .map((doc) => doc.toJS() as { kind: string; metadata: { name: string } })
    .find((object) => object.kind === 'Secret' && object.metadata.name === name);
  if (!shipped)
    throw new Error(`the DCS provider ships no ${name} Secret (release-data/kubernetes-releases.yaml)`);
  return { ...shipped, metadata: { ...shipped.metadata, namespace: DEMO_NAMESPACE } };
}

function ipPool(name: string, subnet: string, firstHost: number, size: number) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSIpHostnamePool',
    metadata: { name, namespace: DEMO_NAMESPACE },
    spec: {
      pool: Array.from({ length: size }, (_, i) => ({
        ip: `${subnet}.${firstHost + i}`,
        mask: '255.255.255.0',
        gateway: `${subnet}.254`,
        dns: '10.0.0.2',
        hostname: `${name}-${i + 1}`,
        machineName: `${name}-${i + 1}`,
      })),
    },
  };
}

/** Name of the seeded machine template of a role and release, e.g. `cp-1-35`. */
export function machineTemplateName(role: 'control-plane' | 'worker', kubernetesVersion: string): string {
  return `${role === 'control-plane' ? 'cp' : 'worker'}-${minorOf(kubernetesVersion).replace('.', '-')}`;
}

function machineTemplate(role: 'control-plane' | 'worker', vmTemplate: string, kubernetesVersion: string) {
  const controlPlane = role === 'control-plane';
  const disk = (quantity: number, path: string) => ({
    quantity,
    datastoreClusterName: 'ssd-pool',
    path,
    format: 'xfs',
  });
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSMachineTemplate',
    metadata: {
      name: machineTemplateName(role, kubernetesVersion),
      namespace: DEMO_NAMESPACE,
      labels: { 'infrastructure.cluster.x-k8s.io/dcs-machine-type': role },
    },
    spec: {
      template: {
        spec: {
          vmTemplateName: vmTemplate,
          location: controlPlane
            ? { type: 'folder', name: 'kubernetes' }
            : { type: 'cluster', name: 'ComputeCluster' },
          vmConfig: {
            dvSwitchName: 'DVS-Business',
            portGroupName: 'business-vlan100',
            dcsMachineCpuSpec: { quantity: controlPlane ? 4 : 8 },
            dcsMachineMemorySpec: { quantity: controlPlane ? 8192 : 16384 },
            dcsMachineDiskSpec: [
              { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
              disk(100, '/var/lib/kubelet'),
              disk(100, '/var/lib/containerd'),
              ...(controlPlane ? [disk(10, '/var/lib/etcd')] : []),
            ],
          },
          ipHostPoolRef: { name: controlPlane ? 'cp-pool' : 'worker-pool' },
        },
      },
    },
  };
}

/** What one release needs in the namespace: its version ConfigMap, the plugin's files, a machine template per role. */
export function releaseObjects(release: Release): Record<string, unknown>[] {
  return [
    versionConfigMap(release.vmTemplate, release.kubernetesVersion),
    kubernetesFilesSecret(release.kubernetesVersion),
    machineTemplate('control-plane', release.vmTemplate, release.kubernetesVersion),
    machineTemplate('worker', release.vmTemplate, release.kubernetesVersion),
  ];
}

/**
 * The objects seeded at start, in creation order; each carries its own
 * apiVersion, kind and namespace. Only CREATE_RELEASE is offered: the
 * UPGRADE_RELEASE objects (`releaseObjects(UPGRADE_RELEASE)`) are the
 * operator's to apply.
 */
export function seedObjects(values: SeedValues): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CREDENTIAL_SECRET, namespace: DEMO_NAMESPACE },
      type: 'Opaque',
      stringData: {
        authUser: values.dcsUser,
        authKey: values.dcsPassword,
        endpoint: values.dcsEndpoint,
        // The demo's DCS simulator speaks plain HTTP on loopback; a credential must accept that in so many words.
        ...(values.dcsEndpoint.startsWith('http:') ? { allowPlainHTTP: 'true' } : {}),
      },
    },
    ipPool('cp-pool', values.subnet, 10, 3),
    ipPool('worker-pool', values.subnet, 20, 6),
    ...releaseObjects(CREATE_RELEASE),
    {
      // The management cluster itself, as the platform records it; the wizard reads its annotations.
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: {
        name: 'global',
        namespace: DEMO_NAMESPACE,
        annotations: {
          'cpaas.io/kube-ovn-version': 'v1.14.2',
          'cpaas.io/registry-address': 'registry.demo.internal:11443',
        },
      },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.1.0.0/16'] } },
        // Cluster API's webhook wants a reference; nothing here manages the management cluster, so it is
        // paused and Cluster API leaves it alone.
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
