import type { KubernetesManifest } from '@immutable-infra/core';
import { plainHttpConsent } from '@immutable-infra/testkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { toMachineTemplateRecord, toPoolRecord, toVersionRecord } from '../../src/ui/catalog/resources.js';
import type { DcsClusterDraft } from '../../src/ui/wizard/draft.js';
import type { ClusterFacts } from '../../src/ui/wizard/facts.js';
import { kubernetesRequest } from './host-api.js';

export const INFRA = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';
export const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example';

export function disks(controlPlane: boolean) {
  return [
    { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
    { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet', format: 'xfs' },
    { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
    ...(controlPlane
      ? [{ quantity: 10, datastoreClusterName: 'ssd-pool', path: '/var/lib/etcd', format: 'xfs' }]
      : []),
  ];
}

export function machineTemplate(
  namespace: string,
  name: string,
  type: 'control-plane' | 'worker',
  pool: string,
  vmTemplateName: string,
) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSMachineTemplate',
    metadata: { name, namespace, labels: { 'infrastructure.cluster.x-k8s.io/dcs-machine-type': type } },
    spec: {
      template: {
        spec: {
          vmTemplateName,
          location: { type: 'folder', name: 'kubernetes' },
          vmConfig: {
            dcsMachineCpuSpec: { quantity: type === 'control-plane' ? 4 : 8 },
            dcsMachineMemorySpec: { quantity: 8192 },
            dcsMachineDiskSpec: disks(type === 'control-plane'),
          },
          ipHostPoolRef: { name: pool },
        },
      },
    },
  };
}

export function ipPool(namespace: string, name: string, firstHost: number, size: number) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSIpHostnamePool',
    metadata: { name, namespace },
    spec: {
      pool: Array.from({ length: size }, (_, i) => ({
        ip: `10.0.1.${firstHost + i}`,
        mask: '24',
        gateway: '10.0.1.1',
        dns: '10.0.0.2',
        hostname: `${name}-${i + 1}`,
        machineName: `${name}-${i + 1}`,
      })),
    },
  };
}

export function versionConfigMap(namespace: string, vmTemplate: string, kubernetesVersion: string) {
  const minor = kubernetesVersion.replace(/^v(\d+\.\d+).*/, 'v$1');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `dcs-vm-template-${vmTemplate}`,
      namespace,
      labels: {
        'cpaas.io/dcs-vm-template': vmTemplate,
        'cpaas.io/distribution-version': 'v4.4.0',
        'cpaas.io/kubernetes-version': minor,
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

/** What an operator has set up before opening the wizard: credential, versions, pools, templates, plugin files, global Cluster. */
export async function seedScenario(
  kubeConfig: KubeConfig,
  namespace: string,
  dcsEndpoint: string,
  authKey: string,
) {
  const create = (path: string, body: unknown) => kubernetesRequest(kubeConfig, 'POST', path, body);
  const ns = `/namespaces/${namespace}`;
  await create(`/api/v1${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-auth', namespace },
    type: 'Opaque',
    stringData: { authUser: 'cluster-api', authKey, endpoint: dcsEndpoint, ...plainHttpConsent(dcsEndpoint) },
  });
  await create(`/api/v1${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-kubernetes-1.35-files', namespace },
    stringData: {
      'psa-config.yaml': 'kind: AdmissionConfiguration',
      'control-plane-kubelet-patch.json': '{}',
      'audit-policy.yaml': 'kind: Policy',
      'worker-kubelet-patch.json': '{}',
    },
  });
  await create(`/api/v1${ns}/configmaps`, versionConfigMap(namespace, 'ubuntu-2204-k8s-v1.34', 'v1.34.3'));
  await create(`/api/v1${ns}/configmaps`, versionConfigMap(namespace, 'ubuntu-2204-k8s-v1.35', 'v1.35.1'));
  await create(`${INFRA}${ns}/dcsiphostnamepools`, ipPool(namespace, 'cp-pool', 11, 3));
  await create(`${INFRA}${ns}/dcsiphostnamepools`, ipPool(namespace, 'worker-pool', 21, 4));
  await create(
    `${INFRA}${ns}/dcsmachinetemplates`,
    machineTemplate(namespace, 'cp-135', 'control-plane', 'cp-pool', 'ubuntu-2204-k8s-v1.35'),
  );
  await create(
    `${INFRA}${ns}/dcsmachinetemplates`,
    machineTemplate(namespace, 'worker-135', 'worker', 'worker-pool', 'ubuntu-2204-k8s-v1.35'),
  );
  await create(`/apis/cluster.x-k8s.io/v1beta2${ns}/clusters`, {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: {
      name: 'global',
      namespace,
      annotations: {
        'cpaas.io/kube-ovn-version': 'v1.14.2',
        'cpaas.io/registry-address': 'registry.example:11443',
      },
    },
    spec: { clusterNetwork: { pods: { cidrBlocks: ['10.1.0.0/16'] } } },
  });
}

/** The objects the wizard makes of the scenario draft, in creation order. */
export const SCENARIO_OBJECTS = [
  'DCSCluster/demo',
  'DCSMachineTemplate/demo-cp-template',
  'KubeadmControlPlane/demo-kcp',
  'DCSMachineTemplate/demo-worker-1-template',
  'MachineDeployment/demo-worker-1',
  'KubeadmConfigTemplate/demo-worker-1-kct',
  'Cluster/demo',
];

/** The resource (plural) of each kind the wizard creates. */
export const MANIFEST_PLURALS: Record<string, string> = {
  DCSCluster: 'dcsclusters',
  DCSMachineTemplate: 'dcsmachinetemplates',
  KubeadmControlPlane: 'kubeadmcontrolplanes',
  MachineDeployment: 'machinedeployments',
  KubeadmConfigTemplate: 'kubeadmconfigtemplates',
  Cluster: 'clusters',
};

/** The API path of the collection a wizard manifest is created in. */
export function collectionOf(manifest: KubernetesManifest): string {
  return `/apis/${manifest.apiVersion}/namespaces/${manifest.metadata.namespace}/${MANIFEST_PLURALS[manifest.kind]}`;
}

export function scenarioDraft(): DcsClusterDraft {
  return {
    credential: 'dcs-auth',
    name: 'demo',
    displayName: 'Demo cluster',
    kubernetesVersion: 'v1.35.1',
    distributionVersion: 'v4.4.0',
    apiServerAddress: 'https://192.0.2.100:6443',
    controlPlaneHA: true,
    controlPlane: { machineTemplate: 'cp-135', replicas: 3, sshAuthorizedKeys: [SSH_KEY] },
    workers: [
      {
        name: 'demo-worker-1',
        machineTemplate: 'worker-135',
        replicas: 3,
        maxSurge: 0,
        maxUnavailable: 1,
        sshAuthorizedKeys: [SSH_KEY],
      },
    ],
    networking: { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' },
  };
}

const NS = 'cpaas-system';

/** The scenario's facts without a server: what loadFacts would find after seedScenario, and more templates and pools. */
export function scenarioFacts(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  const pool = (name: string, first: number, size: number, held = 0) => {
    const object = ipPool(NS, name, first, size) as Parameters<typeof toPoolRecord>[0];
    object.status = {
      slots: object.spec?.pool
        ? (object.spec.pool as { ip: string }[]).slice(0, held).map((e) => ({ ip: e.ip }))
        : [],
    };
    return toPoolRecord(object);
  };
  return {
    namespace: NS,
    credentials: { 'dcs-auth': ['authKey', 'authUser', 'endpoint'] },
    machineTemplates: [
      machineTemplate(NS, 'cp-135', 'control-plane', 'cp-pool', 'ubuntu-2204-k8s-v1.35'),
      machineTemplate(NS, 'worker-135', 'worker', 'worker-pool', 'ubuntu-2204-k8s-v1.35'),
      machineTemplate(NS, 'worker-134', 'worker', 'worker-pool', 'ubuntu-2204-k8s-v1.34'),
      machineTemplate(NS, 'worker-small', 'worker', 'small-pool', 'ubuntu-2204-k8s-v1.35'),
    ].map((t) => toMachineTemplateRecord(t)),
    pools: [pool('cp-pool', 11, 3), pool('worker-pool', 21, 4), pool('small-pool', 41, 3, 1)],
    versions: [
      versionConfigMap(NS, 'ubuntu-2204-k8s-v1.34', 'v1.34.3'),
      versionConfigMap(NS, 'ubuntu-2204-k8s-v1.35', 'v1.35.1'),
    ].flatMap((cm) => toVersionRecord(cm) ?? []),
    existing: [],
    globalCluster: {
      'cpaas.io/kube-ovn-version': 'v1.14.2',
      'cpaas.io/registry-address': 'registry.example:11443',
    },
    filesSecretPresent: true,
    site: { source: 'only-site', id: '3CD306E7' },
    platformTemplates: ['ubuntu-2204-k8s-v1.34', 'ubuntu-2204-k8s-v1.35'],
    capiVersion: 'v1beta2',
    ...overrides,
  };
}
