import { readFileSync } from 'node:fs';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  type BaremetalClusterDraft,
  initialDraft,
  KUBERNETES_MINORS,
  readDraft,
} from '../../src/ui/cluster-create/draft.js';
import type { BaremetalClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { draftWarnings, validateDraft } from '../../src/ui/cluster-create/rules.js';
import { versionChoices } from '../../src/ui/cluster-create/steps.js';

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl lab';

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of the manifests.
type Loose = Record<string, any>;

/** The documented bare-metal objects (test/fixtures/documented.yaml) by `Kind/name`. */
const documented = new Map<string, Loose>(
  parseAllDocuments(readFileSync(new URL('../fixtures/documented.yaml', import.meta.url), 'utf8')).map(
    (doc) => {
      const object = doc.toJS() as Loose;
      return [`${object.kind}/${object.metadata.name}`, object] as const;
    },
  ),
);

const pool = (name: string, free: number, total = 3, cluster = 'demo') => ({
  name,
  cluster,
  members: Array.from({ length: total }, (_, i) => `${name}-${i}`),
  total,
  free,
  allocated: total - free,
  preparing: 0,
  reprovisioning: 0,
  unavailable: 0,
  counted: true,
});

function facts(change: (f: BaremetalClusterFacts) => void = () => {}): BaremetalClusterFacts {
  const f: BaremetalClusterFacts = {
    namespace: 'cpaas-system',
    machineTemplates: [
      {
        name: 'demo-cp',
        labels: {},
        machineSpec: { machineInventoryPoolRef: { name: 'demo-control-plane-pool' } },
        configPool: 'demo-control-plane-pool',
      },
      {
        name: 'demo-worker',
        labels: {},
        machineSpec: { machineInventoryPoolRef: { name: 'demo-worker-pool' } },
        configPool: 'demo-worker-pool',
      },
    ],
    configPools: [pool('demo-control-plane-pool', 3), pool('demo-worker-pool', 3)],
    imageCatalog: {
      'v1.33.7-2': 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2',
      'v1.34.3-1': 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.34.3-1',
    },
    releases: [{ kubernetesVersion: 'v1.33.7-2', corednsTag: '1.12.1-v4.1.0', etcdTag: 'v3.5.21-250601' }],
    loadBalancers: [{ cluster: 'other', host: '192.168.254.200', port: 6443, vrid: 52 }],
    existing: [],
    globalCluster: {
      'cpaas.io/registry-address': 'registry.lab:5000',
      'cpaas.io/kube-ovn-version': 'v1.14.2',
    },
    capiVersion: 'v1beta1',
  };
  change(f);
  return f;
}

function draft(change: (d: BaremetalClusterDraft) => void = () => {}): BaremetalClusterDraft {
  const d = initialDraft();
  d.name = 'demo';
  d.kubernetesVersion = 'v1.33.7-2';
  d.loadBalancer = { type: 'Internal', host: '192.168.254.100', port: '6443', vrid: '51' };
  d.controlPlane = { machineTemplate: 'demo-cp', replicas: 3, sshAuthorizedKeys: [SSH_KEY] };
  d.workers = [
    {
      name: 'demo-worker',
      machineTemplate: 'demo-worker',
      replicas: 3,
      maxSurge: 0,
      maxUnavailable: 1,
      sshAuthorizedKeys: [SSH_KEY],
    },
  ];
  d.networking = { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' };
  change(d);
  return d;
}

const byKey = (manifests: readonly Loose[]) =>
  new Map(manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));

describe('bare-metal create-cluster rules', () => {
  test('a complete draft has no problems', () => {
    expect(validateDraft(draft(), facts())).toEqual([]);
  });

  test('the supported minors are package.json immutableInfra.kubernetesVersions', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect([...KUBERNETES_MINORS]).toEqual(pkg.immutableInfra.kubernetesVersions);
  });

  test('every problem is reported at once, each at its field and step', () => {
    const problems = validateDraft(
      draft((d) => {
        d.kubernetesVersion = 'v1.35.1-1';
        d.loadBalancer = { type: 'Internal', host: '192.168.254', port: '70000', vrid: '300' };
        d.workers[0] = { ...(d.workers[0] as BaremetalClusterDraft['workers'][number]), replicas: 5 };
      }),
      facts(),
    );
    expect(problems).toEqual([
      {
        step: 'basic-info',
        field: 'kubernetesVersion',
        message: 'v1.35.1-1 is not a key of elemental-image-catalog, so no host could be provisioned with it',
      },
      {
        step: 'basic-info',
        field: 'loadBalancer.host',
        message: '192.168.254 is not an IPv4 address (a self-built VIP is never a name or IPv6)',
      },
      {
        step: 'basic-info',
        field: 'loadBalancer.port',
        message: 'the port must be a whole number of 1-65535 (usually 6443)',
      },
      { step: 'basic-info', field: 'loadBalancer.vrid', message: 'the vrid must be a whole number of 0-255' },
      {
        step: 'worker-pools',
        field: 'workers.0.replicas',
        message: 'machine inventory pool demo-worker-pool has 3 free of 3 entries; 5 needed',
      },
    ]);
  });

  test('a pool with fewer available hosts than replicas, of another cluster, or shared is refused', () => {
    const short = validateDraft(
      draft(),
      facts((f) => (f.configPools[0] = pool('demo-control-plane-pool', 2))),
    );
    expect(short).toEqual([
      {
        step: 'control-plane',
        field: 'controlPlane.replicas',
        message: 'machine inventory pool demo-control-plane-pool has 2 free of 3 entries; 3 needed',
      },
    ]);
    const foreign = validateDraft(
      draft(),
      facts((f) => (f.configPools[1] = pool('demo-worker-pool', 3, 3, 'prod'))),
    );
    expect(foreign.map((p) => p.message)).toEqual([
      'machine inventory pool demo-worker-pool serves cluster prod, not demo',
    ]);
    const shared = validateDraft(
      draft((d) => ((d.workers[0] as { machineTemplate: string }).machineTemplate = 'demo-cp')),
      facts(),
    );
    expect(shared.map((p) => p.message)).toContain(
      'machine inventory pool demo-control-plane-pool is already used by the control plane',
    );
  });

  test('the version must be a catalog key of a supported minor; a missing catalog says so', () => {
    const problemOf = (version: string, f = facts()) =>
      validateDraft(
        draft((d) => (d.kubernetesVersion = version)),
        f,
      ).find((p) => p.field === 'kubernetesVersion')?.message;
    expect(problemOf('')).toBe('choose a Kubernetes version from the image catalog');
    expect(problemOf('1.33.7')).toBe('1.33.7 is not a version such as v1.33.7-2 (v kept)');
    expect(problemOf('v1.30.2-1')).toBe(
      'Kubernetes 1.30 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
    );
    expect(
      problemOf(
        'v1.33.7-2',
        facts((f) => (f.imageCatalog = undefined)),
      ),
    ).toBe('ConfigMap cpaas-system/elemental-image-catalog was not found, so no version has an OS image');
  });

  test('a vrid or VIP another cluster uses is refused; External needs no vrid and takes a DNS name', () => {
    const taken = validateDraft(
      draft(
        (d) => (d.loadBalancer = { type: 'Internal', host: '192.168.254.200', port: '6443', vrid: '52' }),
      ),
      facts(),
    );
    expect(taken.map((p) => [p.field, p.message])).toEqual([
      ['loadBalancer.host', '192.168.254.200 is already the control plane address of cluster other'],
      [
        'loadBalancer.vrid',
        "vrid 52 is used by cluster other; it must be unique in the control plane's Layer-2 domain",
      ],
    ]);
    const missing = validateDraft(
      draft((d) => (d.loadBalancer.vrid = '')),
      facts(),
    );
    expect(missing.map((p) => p.message)).toEqual(['the vrid is required for an Internal VIP']);
    const external = draft(
      (d) => (d.loadBalancer = { type: 'External', host: 'api.demo.example.com', port: '443', vrid: '' }),
    );
    expect(validateDraft(external, facts())).toEqual([]);
    expect((byKey(buildManifests(external, facts())).get('BaremetalCluster/demo') as Loose).spec).toEqual({
      controlPlaneLoadBalancer: { type: 'External', host: 'api.demo.example.com', port: 443 },
      networkType: 'kube-ovn',
    });
  });

  test('a name that is taken or reserved is refused on the first step', () => {
    expect(
      validateDraft(
        draft(),
        facts((f) => (f.existing = ['BaremetalCluster/demo'])),
      ),
    ).toEqual([
      { step: 'basic-info', field: 'name', message: 'a cluster named demo already exists in cpaas-system' },
    ]);
    expect(
      validateDraft(
        draft((d) => (d.name = 'global')),
        facts(),
      )[0]?.field,
    ).toBe('name');
  });

  test('the draft reads back from the host with defaults for what is missing', () => {
    expect(readDraft({})).toEqual(initialDraft());
    expect(readDraft({ loadBalancer: { type: 'External', host: 'lb', port: 443 } }).loadBalancer).toEqual({
      type: 'External',
      host: 'lb',
      port: '6443',
      vrid: '',
    });
  });
});

describe('bare-metal create-cluster manifests', () => {
  const manifests = buildManifests(draft(), facts()) as Loose[];
  const objects = byKey(manifests);

  test('the documented objects in creation order, the Cluster last', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'BaremetalCluster/demo',
      'BaremetalMachineTemplate/demo-control-plane-template',
      'KubeadmControlPlane/demo-control-plane',
      'BaremetalMachineTemplate/demo-worker-template',
      'MachineDeployment/demo-worker',
      'KubeadmConfigTemplate/demo-worker-bootstrap',
      'Cluster/demo',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('cpaas-system');
  });

  test('BaremetalCluster and the machine templates are the documented ones', () => {
    for (const key of [
      'BaremetalCluster/demo',
      'BaremetalMachineTemplate/demo-control-plane-template',
      'BaremetalMachineTemplate/demo-worker-template',
    ])
      expect((objects.get(key) as Loose).spec, key).toEqual((documented.get(key) as Loose).spec);
  });

  test('the KubeadmControlPlane: 3 replicas one at a time, 5 minute timeouts, the documented kubeadm configuration', () => {
    const kcp = objects.get('KubeadmControlPlane/demo-control-plane') as Loose;
    expect(kcp.spec.replicas).toBe(3);
    expect(kcp.spec.version).toBe('v1.33.7-2');
    expect(kcp.spec.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } });
    expect(kcp.spec.machineTemplate).toEqual({
      nodeDrainTimeout: '5m',
      nodeVolumeDetachTimeout: '5m',
      infrastructureRef: {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'BaremetalMachineTemplate',
        name: 'demo-control-plane-template',
      },
    });
    const hardened = { profiling: 'false', 'tls-min-version': 'VersionTLS12' };
    const master = { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master' } } };
    expect(kcp.spec.kubeadmConfigSpec).toEqual({
      users: [
        { name: 'boot', sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash', sshAuthorizedKeys: [SSH_KEY] },
      ],
      clusterConfiguration: {
        imageRepository: 'registry.lab:5000/tkestack',
        dns: { imageTag: '1.12.1-v4.1.0' },
        etcd: { local: { imageTag: 'v3.5.21-250601' } },
        apiServer: { extraArgs: hardened },
        controllerManager: { extraArgs: hardened },
        scheduler: { extraArgs: hardened },
      },
      initConfiguration: master,
      joinConfiguration: master,
    });
  });

  test('the worker pool: delete before add (maxSurge 0), its bootstrap template', () => {
    const md = objects.get('MachineDeployment/demo-worker') as Loose;
    expect(md.spec.replicas).toBe(3);
    expect(md.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(md.spec.template.spec.nodeDrainTimeout).toBe('5m');
    expect(md.spec.template.spec.nodeVolumeDetachTimeout).toBe('5m');
    expect(md.spec.template.spec.nodeDeletionTimeout).toBeUndefined();
    expect(md.spec.template.spec.infrastructureRef.name).toBe('demo-worker-template');
    const bootstrap = (objects.get('KubeadmConfigTemplate/demo-worker-bootstrap') as Loose).spec.template
      .spec;
    expect(bootstrap.joinConfiguration.patches).toEqual({ directory: '/etc/kubernetes/patches' });
    expect(bootstrap.files[0].path).toBe('/etc/kubernetes/patches/kubeletconfiguration0+strategic.json');
  });

  test('the Cluster carries the documented annotations and label', () => {
    const cluster = objects.get('Cluster/demo') as Loose;
    expect(cluster.metadata.annotations).toMatchObject({
      'capi.cpaas.io/resource-group-version': 'infrastructure.cluster.x-k8s.io/v1beta1',
      'capi.cpaas.io/resource-kind': 'BaremetalCluster',
      'cpaas.io/kube-ovn-join-cidr': '100.64.0.0/16',
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
    });
    expect(cluster.metadata.labels['cluster-type']).toBe('ProviderBaremetal');
    expect(cluster.spec.clusterNetwork).toEqual({
      pods: { cidrBlocks: ['10.3.0.0/16'] },
      services: { cidrBlocks: ['10.4.0.0/16'] },
    });
  });

  test('as v1beta2 the timeouts become seconds', () => {
    const kcp = toV1Beta2(objects.get('KubeadmControlPlane/demo-control-plane') as never) as Loose;
    expect(kcp.spec.machineTemplate.spec.deletion).toEqual({
      nodeDrainTimeoutSeconds: 300,
      nodeVolumeDetachTimeoutSeconds: 300,
    });
  });

  test('the review warns when the tags or the registry are unknown', () => {
    expect(draftWarnings(draft(), facts())).toEqual([]);
    const warnings = draftWarnings(
      draft((d) => (d.kubernetesVersion = 'v1.34.3-1')),
      facts((f) => (f.globalCluster = undefined)),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('no release of this provider lists v1.34.3-1');
    const kcp = byKey(
      buildManifests(
        draft((d) => (d.kubernetesVersion = 'v1.34.3-1')),
        facts((f) => (f.globalCluster = undefined)),
      ),
    ).get('KubeadmControlPlane/demo-control-plane') as Loose;
    expect(Object.keys(kcp.spec.kubeadmConfigSpec.clusterConfiguration)).toEqual([
      'apiServer',
      'controllerManager',
      'scheduler',
    ]);
  });

  test('the version choices are the catalog keys, newest first, with their OS image', () => {
    expect(versionChoices(facts().imageCatalog).map((c) => c.value)).toEqual(['v1.34.3-1', 'v1.33.7-2']);
  });
});
