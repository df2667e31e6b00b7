import type { KubernetesManifest } from '@immutable-infra/core';
import { newWorkerPool } from '@immutable-infra/ui-kit';
import { describe, expect, it } from 'vitest';
import { type HcsClusterDraft, initialDraft } from '../../src/ui/cluster-create/draft.js';
import type { HcsClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { draftWarnings, HCS_NETWORK_STEP, validateDraft } from '../../src/ui/cluster-create/rules.js';
import { createClusterWorkflow } from '../../src/ui/cluster-create/steps.js';

// The create-cluster workflow's data half as pure functions: every problem on its step and field,
// and the objects in the documented shape (HCSCluster, KubeadmControlPlane named after the
// cluster with the documented kubeadm configuration, the Cluster's annotations and label).

const subnet = (name: string, cidr: string) => ({
  id: `id-${name}`,
  name,
  cidr,
  gatewayIp: '',
  vpc: 'vpc-demo',
});

function facts(overrides: Partial<HcsClusterFacts> = {}): HcsClusterFacts {
  return {
    namespace: 'cpaas-system',
    credentials: { 'hcs-auth': ['accessKey'] },
    machineTemplates: ['cp', 'worker'].map((role) => ({
      name: `lab-${role}`,
      labels: {},
      machineSpec: {
        imageName: 'microos-4.2.1',
        flavorName: 'c3.xlarge.2',
        rootVolume: { type: 'SSD', size: 100 },
        configPoolRef: { name: `lab-${role}-pool` },
      },
      configPool: `lab-${role}-pool`,
    })),
    configPools: [
      { name: 'lab-cp-pool', free: 3, total: 3, subnets: ['subnet-a'], hasPersistentDisks: false },
      { name: 'lab-worker-pool', free: 2, total: 2, subnets: ['subnet-a'], hasPersistentDisks: false },
    ],
    existing: [],
    globalCluster: {
      'cpaas.io/registry-address': 'registry.example:60080',
      'cpaas.io/kube-ovn-version': 'v4.2.0',
    },
    capiVersion: 'v1beta1',
    platform: {
      vpcs: [
        {
          id: 'vpc',
          name: 'vpc-demo',
          cidr: '192.168.0.0/16',
          subnets: [subnet('subnet-a', '192.168.1.0/24'), subnet('subnet-b', '192.168.2.0/24')],
          securityGroups: [{ id: 'sg', name: 'sg-demo' }],
        },
      ],
    },
    ...overrides,
  };
}

function draft(overrides: Partial<HcsClusterDraft> = {}): HcsClusterDraft {
  const base = initialDraft();
  return {
    ...base,
    credential: 'hcs-auth',
    name: 'lab',
    kubernetesVersion: 'v1.34.3',
    vpc: 'vpc-demo',
    subnets: ['subnet-a'],
    securityGroup: 'sg-demo',
    vipSubnetName: 'subnet-a',
    vipAddress: '192.168.1.100',
    controlPlane: { ...base.controlPlane, machineTemplate: 'lab-cp' },
    workers: [{ ...newWorkerPool('lab', 0), machineTemplate: 'lab-worker', replicas: 2 }],
    networking: { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' },
    ...overrides,
  };
}

/** The parts of the KubeadmControlPlane's spec the test reads. */
interface Kcp {
  rolloutStrategy: unknown;
  machineTemplate: unknown;
  kubeadmConfigSpec: {
    files: { path: string }[];
    users?: unknown;
    postKubeadmCommands: string[];
    clusterConfiguration: { imageRepository?: string; apiServer: { extraArgs: Record<string, string> } };
    initConfiguration: { nodeRegistration: { kubeletExtraArgs: Record<string, string> } };
  };
}

const byKind = (manifests: KubernetesManifest[], kind: string) => manifests.find((m) => m.kind === kind);

describe('create-cluster rules', () => {
  it('a complete draft has no problem', () => {
    expect(validateDraft(draft(), facts())).toEqual([]);
  });

  it('names what the project lacks and every ELB address problem on the network step', () => {
    const problems = validateDraft(
      draft({
        subnets: ['subnet-a', 'subnet-z'],
        securityGroup: 'sg-other',
        vipAddress: '192.168.2.5',
        l4Ips: '192.168.1.101',
        l7Ips: '192.168.1.103, 10.0.0.1',
      }),
      facts(),
    );
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['subnets', 'VPC vpc-demo has no subnet subnet-z'],
      ['securityGroup', 'VPC vpc-demo has no security group sg-other'],
      ['vipAddress', '192.168.2.5 is not in subnet subnet-a (192.168.1.0/24)'],
      ['l4Ips', 'two IP addresses, or none to let HCS allocate them'],
      ['l7Ips', '10.0.0.1 is not in subnet subnet-a (192.168.1.0/24)'],
    ]);
    expect(new Set(problems.map((p) => p.step))).toEqual(new Set([HCS_NETWORK_STEP]));
  });

  it('the workflow has the documented steps in order; each problem names the step its field is on', () => {
    // The host adds its review as the sixth step.
    expect(createClusterWorkflow.steps.map((s) => [s.id, s.title])).toEqual([
      ['basic-info', 'Basic Info'],
      [HCS_NETWORK_STEP, 'Network and Load Balancer'],
      ['control-plane', 'Control Plane Node Pool'],
      ['worker-pools', 'Worker Node Pools'],
      ['networking', 'Networking'],
    ]);
    const problems = validateDraft(
      draft({ name: 'global', vpc: '', subnets: [], securityGroup: '', vipSubnetName: '', vipAddress: '' }),
      facts(),
    );
    expect(problems.map((p) => [p.step, p.field])).toEqual([
      ['basic-info', 'name'],
      [HCS_NETWORK_STEP, 'vpc'],
      [HCS_NETWORK_STEP, 'subnets'],
      [HCS_NETWORK_STEP, 'securityGroup'],
      [HCS_NETWORK_STEP, 'vipSubnetName'],
      [HCS_NETWORK_STEP, 'vipAddress'],
    ]);
  });

  it('HCS unreachable with the credential is a problem of the credential field', () => {
    const problems = validateDraft(draft(), facts({ platform: { error: 'wrong user or key for HCS' } }));
    expect(problems.map((p) => [p.field, p.message])).toContainEqual([
      'credential',
      'HCS could not be reached with this credential: wrong user or key for HCS',
    ]);
  });

  it('one config pool serves one node pool', () => {
    const d = draft();
    const problems = validateDraft(
      { ...d, workers: [{ ...newWorkerPool('lab', 0), machineTemplate: 'lab-cp', replicas: 2 }] },
      facts(),
    );
    expect(problems.map((p) => p.message)).toContain(
      'config pool lab-cp-pool is already used by the control plane',
    );
  });
});

describe('create-cluster manifests', () => {
  const manifests = buildManifests(draft({ l4Ips: '192.168.1.101, 192.168.1.102' }), facts());

  it('the HCSCluster as documented: ELB, kube-ovn, network, identityRef, no controlPlaneEndpoint', () => {
    expect(byKind(manifests, 'HCSCluster')?.spec).toEqual({
      controlPlaneLoadBalancer: {
        vipAddress: '192.168.1.100',
        vipSubnetName: 'subnet-a',
        elbVirsubnetL4Ips: [{ subnetName: 'subnet-a', ips: ['192.168.1.101', '192.168.1.102'] }],
      },
      networkType: 'kube-ovn',
      network: {
        vpc: { name: 'vpc-demo' },
        subnets: [{ name: 'subnet-a' }],
        securityGroup: { name: 'sg-demo' },
      },
      identityRef: { name: 'hcs-auth' },
    });
  });

  it('the KubeadmControlPlane named after the cluster, maxSurge 0, the documented kubeadm configuration', () => {
    const kcp = byKind(manifests, 'KubeadmControlPlane') as KubernetesManifest & {
      spec: Kcp;
    };
    expect(kcp.metadata.name).toBe('lab');
    expect(kcp.spec.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } });
    expect(kcp.spec.machineTemplate).toMatchObject({
      nodeDrainTimeout: '1m',
      nodeDeletionTimeout: '5m',
      infrastructureRef: { kind: 'HCSMachineTemplate', name: 'lab-control-plane' },
    });
    const config = kcp.spec.kubeadmConfigSpec;
    expect(config.files.map((f) => f.path)).toEqual([
      '/etc/kubernetes/admission/psa-config.yaml',
      '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
      '/etc/kubernetes/encryption-provider.conf',
      '/etc/kubernetes/audit/policy.yaml',
    ]);
    expect(config.clusterConfiguration.imageRepository).toBe('registry.example:60080/tkestack');
    expect(config.clusterConfiguration.apiServer.extraArgs).toEqual({
      'audit-log-format': 'json',
      'audit-log-mode': 'batch',
      'audit-log-path': '/etc/kubernetes/audit/audit.log',
      'audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
      'admission-control-config-file': '/etc/kubernetes/admission/psa-config.yaml',
      'encryption-provider-config': '/etc/kubernetes/encryption-provider.conf',
      'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
      profiling: 'false',
      'tls-min-version': 'VersionTLS12',
    });
    expect(config.postKubeadmCommands).toEqual(['chmod 600 /var/lib/kubelet/config.yaml']);
    expect(config.initConfiguration.nodeRegistration.kubeletExtraArgs['node-labels']).toBe(
      'kube-ovn/role=master',
    );
    expect(config.users).toBeUndefined();
  });

  it('the Cluster with the documented annotations and label, last', () => {
    const cluster = manifests.at(-1);
    expect(cluster?.kind).toBe('Cluster');
    expect(cluster?.metadata.annotations).toEqual({
      'capi.cpaas.io/resource-group-version': 'infrastructure.cluster.x-k8s.io/v1beta1',
      'capi.cpaas.io/resource-kind': 'HCSCluster',
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
      'cpaas.io/kube-ovn-join-cidr': '100.64.0.0/16',
      'cpaas.io/kube-ovn-version': 'v4.2.0',
      'cpaas.io/registry-address': 'registry.example:60080',
    });
    expect(cluster?.metadata.labels).toEqual({
      'cluster.x-k8s.io/cluster-name': 'lab',
      'cluster-type': 'HCS',
    });
  });

  it('sets the CoreDNS and etcd tags of the release ConfigMap that ships the version, or warns of kubeadm defaults', () => {
    const release = {
      configMap: 'hcs-kubernetes-release-4.2.1',
      kubernetesVersion: 'v1.34.3',
      corednsTag: '1.12.1-v4.2.5',
      etcdTag: 'v3.5.21-250601',
      machineImage: 'microos-4.2.1',
    };
    type Config = { spec: { kubeadmConfigSpec: { clusterConfiguration: Record<string, unknown> } } };
    const configOf = (r: (typeof release)[]) =>
      (
        byKind(buildManifests(draft(), facts({ releases: r })), 'KubeadmControlPlane') as KubernetesManifest &
          Config
      ).spec.kubeadmConfigSpec.clusterConfiguration;
    expect(configOf([release])).toMatchObject({
      dns: { imageTag: '1.12.1-v4.2.5' },
      etcd: { local: { imageTag: 'v3.5.21-250601' } },
    });
    expect(draftWarnings(draft(), facts({ releases: [release] })).join('\n')).not.toContain(
      'release ConfigMap',
    );
    const other = { ...release, kubernetesVersion: 'v1.33.4' };
    expect(draftWarnings(draft(), facts({ releases: [other] }))).toContain(
      "no release ConfigMap in cpaas-system ships v1.34.3, so its CoreDNS and etcd image tags are left to kubeadm's defaults (shipped: v1.33.4)",
    );
    expect(configOf([other]).dns).toBeUndefined();
  });

  it('warns of L7 IPs left to HCS', () => {
    expect(draftWarnings(draft({ l4Ips: '192.168.1.101, 192.168.1.102' }), facts())).toContain(
      'the ELB’s L4 or L7 virtual subnet IPs are left to HCS, which allocates them at random',
    );
  });
});
