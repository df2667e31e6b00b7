import { readFileSync } from 'node:fs';
import { ENCRYPTION_CONFIG_KEY, ENCRYPTION_CONFIG_PATH } from '@immutable-infra/provider-kit';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import {
  initialDraft,
  KUBERNETES_MINORS,
  readDraft,
  type VsphereClusterDraft,
} from '../../src/ui/cluster-create/draft.js';
import type { VsphereClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { draftWarnings, validateDraft } from '../../src/ui/cluster-create/rules.js';

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl lab';
const THUMBPRINT = Array.from({ length: 20 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of the manifests.
type Loose = Record<string, any>;

function machineSpec(pool: string) {
  return {
    server: 'vcenter.example.com',
    datacenter: 'DC0',
    template: 'ubuntu-2204-kube-v1.35.1',
    numCPUs: 4,
    memoryMiB: 8192,
    network: { devices: [{ networkName: 'VM Network' }] },
    machineConfigPoolRef: { name: pool },
  } as VsphereClusterFacts['machineTemplates'][number]['machineSpec'];
}

function facts(change: (f: VsphereClusterFacts) => void = () => {}): VsphereClusterFacts {
  const f: VsphereClusterFacts = {
    namespace: 'cpaas-system',
    credentials: { 'vcenter-lab': ['server', 'username', 'password'] },
    machineTemplates: [
      {
        name: 'lab-cp',
        labels: { tier: 'cp' },
        machineSpec: machineSpec('lab-cp-pool'),
        configPool: 'lab-cp-pool',
      },
      {
        name: 'lab-worker',
        labels: {},
        machineSpec: machineSpec('lab-worker-pool'),
        configPool: 'lab-worker-pool',
      },
    ],
    configPools: [
      {
        name: 'lab-cp-pool',
        cluster: 'lab',
        datacenter: 'DC0',
        free: 3,
        total: 3,
        dns: ['10.0.0.2', '10.0.0.3'],
        hasPersistentDisks: false,
      },
      {
        name: 'lab-worker-pool',
        cluster: 'lab',
        datacenter: 'DC0',
        free: 2,
        total: 2,
        dns: ['10.0.0.2'],
        hasPersistentDisks: true,
      },
    ],
    existing: [],
    globalCluster: {
      'cpaas.io/registry-address': 'registry.lab:5000',
      'cpaas.io/kube-ovn-version': 'v1.14.2',
    },
    capiVersion: 'v1beta2',
    vcenter: { datacenters: ['DC0', 'DC1'] },
  };
  change(f);
  return f;
}

function draft(change: (d: VsphereClusterDraft) => void = () => {}): VsphereClusterDraft {
  const d: VsphereClusterDraft = {
    credential: 'vcenter-lab',
    name: 'lab',
    displayName: 'Lab cluster',
    kubernetesVersion: 'v1.35.1',
    apiServerAddress: 'https://10.0.9.100:6443',
    server: 'vcenter.example.com',
    thumbprint: THUMBPRINT,
    datacenter: 'DC0',
    controlPlane: { machineTemplate: 'lab-cp', replicas: 3, sshAuthorizedKeys: [SSH_KEY] },
    workers: [
      {
        name: 'lab-worker-1',
        machineTemplate: 'lab-worker',
        replicas: 2,
        maxSurge: 0,
        maxUnavailable: 1,
        sshAuthorizedKeys: [SSH_KEY],
      },
    ],
    networking: { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' },
  };
  change(d);
  return d;
}

const problemsOf = (d: VsphereClusterDraft, f = facts()) =>
  Object.fromEntries(validateDraft(d, f).map((p) => [p.field, `${p.step}: ${p.message}`]));

describe('vSphere create-cluster validation', () => {
  test('the documented draft has no problem', () => {
    expect(validateDraft(draft(), facts())).toEqual([]);
  });

  test('the initial draft reports every required field, each on its step, in step order', () => {
    expect(validateDraft(initialDraft(), facts()).map((p) => `${p.step} ${p.field}`)).toEqual([
      'basic-info credential',
      'basic-info name',
      'basic-info apiServerAddress',
      'basic-info server',
      'basic-info kubernetesVersion',
      'basic-info datacenter',
      'control-plane controlPlane.machineTemplate',
      'worker-pools workers.0.name',
      'worker-pools workers.0.machineTemplate',
      'networking networking.podsCidr',
      'networking networking.servicesCidr',
      'networking networking.joinCidr',
    ]);
    // The words of vSphere's own fields (the shared ones are the kit's, tested with DCS's wizard).
    expect(problemsOf(initialDraft())).toMatchObject({
      credential: 'basic-info: choose a vCenter credential',
      server: 'basic-info: the vCenter server is required',
      datacenter: 'basic-info: choose a datacenter',
      kubernetesVersion: 'basic-info: the Kubernetes version is required',
    });
  });

  test('basic info: vCenter unreachable, reserved and taken names, server, thumbprint, version, datacenter', () => {
    expect(
      problemsOf(
        draft(),
        facts((f) => (f.vcenter = { error: 'wrong user or key for vCenter' })),
      ),
    ).toEqual({
      credential:
        'basic-info: vCenter could not be reached with this credential: wrong user or key for vCenter',
    });
    expect(problemsOf(draft((d) => (d.name = 'global-dr')))).toMatchObject({
      name: 'basic-info: the global- prefix is reserved for the global cluster’s disaster recovery',
    });
    expect(
      problemsOf(
        draft(),
        facts((f) => f.existing.push('VSphereCluster/lab')),
      ),
    ).toEqual({
      name: 'basic-info: a cluster named lab already exists in cpaas-system',
    });
    expect(
      problemsOf(
        draft((d) => {
          d.server = 'https://vcenter.example.com/sdk';
          d.thumbprint = 'AB:CD';
          d.kubernetesVersion = 'v1.30.4';
          d.datacenter = 'DC9';
          d.apiServerAddress = '10.0.9.100:6443';
        }),
      ),
    ).toEqual({
      server:
        'basic-info: a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path',
      thumbprint:
        'basic-info: the SHA-1 or SHA-256 certificate fingerprint as colon-separated hex pairs, e.g. AB:CD:...:EF',
      kubernetesVersion: 'basic-info: Kubernetes 1.30 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
      datacenter: 'basic-info: vCenter has no datacenter DC9',
      apiServerAddress: 'basic-info: must look like https://<load-balancer-address>:6443',
      // The templates' datacenter is not the one chosen either.
      'controlPlane.machineTemplate': 'control-plane: lab-cp places machines in datacenter DC0, not DC9',
      'workers.0.machineTemplate': 'worker-pools: lab-worker places machines in datacenter DC0, not DC9',
    });
    expect(problemsOf(draft((d) => (d.kubernetesVersion = '1.35')))).toEqual({
      kubernetesVersion: 'basic-info: a release such as v1.35.1 (v, major, minor and patch)',
    });
  });

  test('the supported minors are the package’s', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect([...KUBERNETES_MINORS]).toEqual(pkg.immutableInfra.kubernetesVersions);
  });

  test('machine templates: config pool of another cluster, another datacenter, shared by two node pools, too few slots', () => {
    expect(
      problemsOf(
        draft(),
        facts((f) => ((f.configPools[0] as { cluster: string }).cluster = 'other')),
      ),
    ).toEqual({
      'controlPlane.machineTemplate':
        'control-plane: machine config pool lab-cp-pool serves cluster other, not lab',
    });
    expect(problemsOf(draft((d) => (d.datacenter = 'DC1')))).toEqual({
      'controlPlane.machineTemplate': 'control-plane: lab-cp places machines in datacenter DC0, not DC1',
      'workers.0.machineTemplate': 'worker-pools: lab-worker places machines in datacenter DC0, not DC1',
    });
    expect(
      problemsOf(draft((d) => ((d.workers[0] as { machineTemplate: string }).machineTemplate = 'lab-cp'))),
    ).toEqual({
      'workers.0.machineTemplate':
        'worker-pools: machine config pool lab-cp-pool is already used by the control plane',
      'workers.0.replicas':
        'worker-pools: machine config pool lab-cp-pool has 3 free of 3 entries; 5 needed (shared by 2 node pools)',
    });
    expect(problemsOf(draft((d) => ((d.workers[0] as { replicas: number }).replicas = 3)))).toEqual({
      'workers.0.replicas':
        'worker-pools: machine config pool lab-worker-pool has 2 free of 2 entries; 3 needed',
    });
    expect(
      problemsOf(
        draft(),
        facts((f) => ((f.machineTemplates[0] as { configPool: string | undefined }).configPool = undefined)),
      ),
    ).toEqual({
      'controlPlane.machineTemplate':
        'control-plane: lab-cp names no machine config pool, so its machines get no slot',
    });
  });

  test('worker pools and networks: the kit’s rules on the same fields', () => {
    expect(
      problemsOf(
        draft((d) => {
          d.workers.push({ ...(d.workers[0] as VsphereClusterDraft['workers'][number]), maxSurge: -1 });
          d.networking.servicesCidr = '10.3.128.0/20';
        }),
      ),
    ).toEqual({
      'workers.1.name': 'worker-pools: pool name lab-worker-1 is already used by pool 1',
      'workers.1.machineTemplate':
        'worker-pools: machine config pool lab-worker-pool is already used by worker pool 1',
      'workers.1.maxSurge': 'worker-pools: max surge must be a whole number of at least 0',
      'workers.0.replicas':
        'worker-pools: machine config pool lab-worker-pool has 2 free of 2 entries; 4 needed (shared by 2 node pools)',
      'workers.1.replicas':
        'worker-pools: machine config pool lab-worker-pool has 2 free of 2 entries; 4 needed (shared by 2 node pools)',
      'networking.servicesCidr': 'networking: Services CIDR overlaps Pods CIDR 10.3.0.0/16',
    });
  });

  test('the draft survives the host’s JSON round trip and holds no encryption key', () => {
    expect(readDraft(JSON.parse(JSON.stringify(draft())))).toEqual(draft());
    expect(Object.keys(initialDraft())).not.toContain('encryptionKey');
  });
});

describe('vSphere create-cluster manifests', () => {
  const manifests = buildManifests(draft(), facts());
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const spec = (kind: string) => (byKind(kind)[0]?.spec ?? {}) as Loose;

  test('in creation order, with the documented names', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'VSphereCluster/lab',
      'VSphereMachineTemplate/lab-control-plane',
      'KubeadmControlPlane/lab-kcp',
      'VSphereMachineTemplate/lab-worker-1-template',
      'MachineDeployment/lab-worker-1',
      'KubeadmConfigTemplate/lab-worker-1-bootstrap',
      'ConfigMap/lab-vsphere-cpi-config',
      'ConfigMap/lab-vsphere-cpi-manifests',
      'ClusterResourceSet/lab-vsphere-cpi',
      'Cluster/lab',
    ]);
    expect(new Set(manifests.map((m) => m.metadata.namespace))).toEqual(new Set(['cpaas-system']));
  });

  test('VSphereCluster: server, thumbprint, the credential Secret as identityRef, the endpoint', () => {
    expect(spec('VSphereCluster')).toEqual({
      controlPlaneEndpoint: { host: '10.0.9.100', port: 6443 },
      identityRef: { kind: 'Secret', name: 'vcenter-lab' },
      server: 'vcenter.example.com',
      thumbprint: THUMBPRINT,
    });
    const noThumbprint = buildManifests(
      draft((d) => (d.thumbprint = '')),
      facts(),
    )[0]?.spec;
    expect(noThumbprint).not.toHaveProperty('thumbprint');
  });

  test('machine templates are the chosen ones, copied with their config pool and labelled with the cluster', () => {
    const [cp, worker] = byKind('VSphereMachineTemplate');
    expect(cp?.spec).toEqual({ template: { spec: machineSpec('lab-cp-pool') } });
    expect(cp?.metadata.labels).toEqual({ tier: 'cp', 'cluster.x-k8s.io/cluster-name': 'lab' });
    expect((worker as Loose).spec.template.spec.machineConfigPoolRef).toEqual({ name: 'lab-worker-pool' });
  });

  test('KubeadmControlPlane: the documented rollout, version, node role and kubeadm files', () => {
    const kcp = spec('KubeadmControlPlane');
    expect(kcp.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } });
    expect([kcp.version, kcp.replicas]).toEqual(['v1.35.1', 3]);
    expect(kcp.machineTemplate).toEqual({
      nodeDrainTimeout: '1m',
      nodeDeletionTimeout: '5m',
      metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } },
      infrastructureRef: {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'VSphereMachineTemplate',
        name: 'lab-control-plane',
      },
    });
    const config = kcp.kubeadmConfigSpec;
    expect(config.users).toEqual([
      { name: 'boot', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: [SSH_KEY] },
    ]);
    expect(config.files.map((f: { path: string }) => f.path)).toEqual([
      '/etc/resolv.conf',
      '/etc/kubernetes/admission/psa-config.yaml',
      '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
      '/etc/kubernetes/encryption-provider.conf',
      '/etc/kubernetes/audit/policy.yaml',
      '/usr/local/bin/capv-load-local-images.sh',
    ]);
    expect(config.files[0].content).toBe('nameserver 10.0.0.2\nnameserver 10.0.0.3\n');
    // The encryption configuration by reference to the Secret the provider makes: no key in any object written.
    expect(config.files[3]).toEqual({
      path: ENCRYPTION_CONFIG_PATH,
      owner: 'root:root',
      permissions: '0600',
      contentFrom: { secret: { name: 'lab-vsphere-encryption-provider', key: ENCRYPTION_CONFIG_KEY } },
    });
    expect(JSON.stringify(manifests)).not.toMatch(/aescbc|EncryptionConfiguration/);
    expect(JSON.parse(config.files[1].content).plugins[0].configuration.exemptions.namespaces).toEqual([
      'kube-system',
      'cpaas-system',
    ]);
    expect(JSON.parse(config.files[2].content).imagePullCredentialsVerificationPolicy).toBe('NeverVerify');
    expect(config.clusterConfiguration.imageRepository).toBe('registry.lab:5000/tkestack');
    expect(config.initConfiguration.nodeRegistration.kubeletExtraArgs).toEqual({
      'cloud-provider': 'external',
      'node-labels': 'kube-ovn/role=master',
      'volume-plugin-dir': '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/',
    });
  });

  test('before Kubernetes 1.35 the kubelet patch has no imagePullCredentialsVerificationPolicy', () => {
    const older = buildManifests(
      draft((d) => (d.kubernetesVersion = 'v1.34.3')),
      facts(),
    );
    const files = (older[2] as Loose).spec.kubeadmConfigSpec.files;
    expect(JSON.parse(files[2].content)).not.toHaveProperty('imagePullCredentialsVerificationPolicy');
  });

  test('worker pool: MachineDeployment and KubeadmConfigTemplate as documented', () => {
    const md = spec('MachineDeployment');
    expect(md.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect([md.clusterName, md.replicas, md.template.spec.version]).toEqual(['lab', 2, 'v1.35.1']);
    expect(md.template.spec.bootstrap.configRef.name).toBe('lab-worker-1-bootstrap');
    expect(md.template.spec.infrastructureRef.name).toBe('lab-worker-1-template');
    const kct = spec('KubeadmConfigTemplate').template.spec;
    expect(kct.joinConfiguration.nodeRegistration.kubeletExtraArgs).toEqual({
      'cloud-provider': 'external',
      'volume-plugin-dir': '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/',
    });
    expect(JSON.parse(kct.files[1].content).staticPodPath).toBeNull();
    expect(kct.files[0].content).toBe('nameserver 10.0.0.2\n');
  });

  test('Cluster: networks, references, the documented labels and annotations', () => {
    const cluster = byKind('Cluster')[0];
    expect(cluster?.metadata.labels).toEqual({
      'cluster.x-k8s.io/cluster-name': 'lab',
      'cluster-type': 'VSphere',
      'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled',
    });
    expect(cluster?.metadata.annotations).toEqual({
      'capi.cpaas.io/resource-group-version': 'infrastructure.cluster.x-k8s.io/v1beta1',
      'capi.cpaas.io/resource-kind': 'VSphereCluster',
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
      'cpaas.io/network-type': 'kube-ovn',
      'cpaas.io/kube-ovn-join-cidr': '100.64.0.0/16',
      'cpaas.io/kube-ovn-version': 'v1.14.2',
      'cpaas.io/registry-address': 'registry.lab:5000',
      'cpaas.io/display-name': 'Lab cluster',
    });
    expect(spec('Cluster')).toEqual({
      clusterNetwork: { pods: { cidrBlocks: ['10.3.0.0/16'] }, services: { cidrBlocks: ['10.4.0.0/16'] } },
      controlPlaneRef: {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
        kind: 'KubeadmControlPlane',
        name: 'lab-kcp',
      },
      infrastructureRef: {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'VSphereCluster',
        name: 'lab',
      },
    });
    expect((toV1Beta2(cluster as never).spec as Loose).infrastructureRef).toEqual({
      apiGroup: 'infrastructure.cluster.x-k8s.io',
      kind: 'VSphereCluster',
      name: 'lab',
    });
  });

  test('the documented CPI delivery: vsphere.conf, the CPI objects, and a ClusterResourceSet selecting this cluster; no password', () => {
    const [config, objects] = byKind('ConfigMap') as Loose[];
    expect(config?.data.data).toContain('"vsphere.conf": "[Global]');
    const cloudConfig = JSON.parse(config?.data.data) as Loose;
    expect(cloudConfig).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'cloud-config', namespace: 'kube-system' },
    });
    expect(cloudConfig.data['vsphere.conf']).toBe(
      [
        '[Global]',
        'secret-name = "vsphere-cloud-secret"',
        'secret-namespace = "kube-system"',
        'service-account = "cloud-controller-manager"',
        'port = "443"',
        'insecure-flag = "1"',
        'datacenters = "DC0"',
        '',
        '[VirtualCenter "vcenter.example.com"]',
        '',
      ].join('\n'),
    );
    const workload = String(objects?.data.data ?? '')
      .split('\n---\n')
      .map((d) => JSON.parse(d) as Loose);
    expect(workload.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/cloud-controller-manager',
      'ClusterRole/system:cloud-controller-manager',
      'RoleBinding/servicecatalog.k8s.io:apiserver-authentication-reader',
      'ClusterRoleBinding/system:cloud-controller-manager',
      'DaemonSet/vsphere-cloud-controller-manager',
      'Service/vsphere-cloud-controller-manager',
    ]);
    // The platform registry and the CPI release of the cluster's Kubernetes minor.
    expect(workload[4]?.spec.template.spec.containers[0].image).toBe(
      'registry.lab:5000/ait/cloud-provider-vsphere:v1.35.0',
    );
    expect(spec('ClusterResourceSet')).toEqual({
      strategy: 'Reconcile',
      clusterSelector: {
        matchLabels: {
          'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled',
          'cluster.x-k8s.io/cluster-name': 'lab',
        },
      },
      resources: [
        { name: 'lab-vsphere-cpi-config', kind: 'ConfigMap' },
        { name: 'lab-vsphere-cpi-secret', kind: 'Secret' },
        { name: 'lab-vsphere-cpi-manifests', kind: 'ConfigMap' },
      ],
    });
    // The Secret with the vCenter account is the provider's to make from the credential.
    expect(byKind('Secret')).toEqual([]);
    expect(byKind('Cluster')[0]?.metadata.labels).toMatchObject({
      'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled',
      'cluster.x-k8s.io/cluster-name': 'lab',
    });
  });

  test('warnings: persistent disks with surge, no thumbprint, no global Cluster, the CPI', () => {
    expect(draftWarnings(draft(), facts())).toEqual([
      'the vSphere CPI is delivered by a ClusterResourceSet: Cluster API needs its ClusterResourceSet feature (ClusterResourceSet=true) on the management cluster',
    ]);
    const risky = draftWarnings(
      draft((d) => {
        d.thumbprint = '';
        (d.workers[0] as { maxSurge: number }).maxSurge = 1;
      }),
      facts((f) => (f.globalCluster = undefined)),
    );
    expect(risky).toEqual([
      'worker pool lab-worker-1: machine config pool lab-worker-pool has persistent disks, which move to the replacement one node at a time; keep max surge 0',
      'machine config pool lab-worker-pool has 2 free entries; a rolling upgrade of worker pool lab-worker-1 with max surge 1 needs 3, so it will stall until entries are added',
      'no thumbprint: the controllers trust vCenter through the credential’s CA bundle, or the system’s CAs',
      'the global Cluster could not be read, so the registry and kube-ovn version annotations are left out and kubeadm pulls from its default registry',
      'the vSphere CPI is delivered by a ClusterResourceSet: Cluster API needs its ClusterResourceSet feature (ClusterResourceSet=true) on the management cluster',
    ]);
  });
});
