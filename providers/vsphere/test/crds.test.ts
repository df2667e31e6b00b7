import { documentedCrdTest } from '@immutable-infra/testkit/vitest';
import { type ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';

const crds = documentedCrdTest('vsphere-crds', new URL('./fixtures/documented.yaml', import.meta.url));
const { fixtures, create } = crds;

const renamedCopy = <T extends { metadata: { name: string } }>(object: T, name: string): T => {
  const copy = structuredClone(object);
  copy.metadata.name = name;
  return copy;
};

describe('vSphere CRDs in a real API server', () => {
  it('accept the documented create-flow and extension manifests unchanged', async () => {
    for (const object of fixtures.all())
      expect(await create(object), `${object.kind} ${object.metadata?.name}`).toBe('accepted');
  });

  // The API server checks types, required fields and patterns first and runs the CEL rules only
  // on an object that passes them, so each case below breaks one of the two kinds at a time.
  it('refuse a NIC without a network, a slot IP without a prefix and a disk without a size, naming each field', async () => {
    const pool = fixtures.bad('VSphereMachineConfigPool');
    pool.spec.configs[0].network.additional[0].networkName = '';
    delete pool.spec.configs[1].network.primary.networkName;
    pool.spec.configs[2].network.primary.ip = '10.10.10.13';
    delete pool.spec.configs[2].persistentDisks[0].sizeGiB;
    const message = await create(pool);
    expect(message).toContain('spec.configs[0].network.additional[0].networkName');
    expect(message).toContain('spec.configs[1].network.primary.networkName: Required value');
    expect(message).toContain('spec.configs[2].network.primary.ip');
    expect(message).toContain('spec.configs[2].persistentDisks[0].sizeGiB: Required value');
  });

  it('refuse a gateway outside the network of its slot IP, and duplicate disks or the reserved SCSI unit', async () => {
    const pool = fixtures.bad('VSphereMachineConfigPool');
    pool.spec.configs[0].network.primary.gateway = '10.10.11.1';
    pool.spec.configs[0].network.additional[0].gateway = '10.10.10.1';
    pool.spec.configs[1].persistentDisks[1].name = 'var-cpaas';
    pool.spec.configs[1].persistentDisks[2].mountPath = '/var/cpaas';
    pool.spec.configs[2].persistentDisks[0].unitNumber = 7;
    const message = await create(pool);
    expect(message).toContain('spec.configs[0].network.primary.gateway');
    expect(message).toContain('spec.configs[0].network.additional[0].gateway');
    expect(message).toContain('gateway must be inside the network of ip');
    expect(message).toContain('persistentDisks[].name must be unique');
    expect(message).toContain('persistentDisks[].mountPath must be unique');
    expect(message).toContain('persistentDisks[].unitNumber 7 is reserved');
  });

  it('refuse duplicate and non-DNS-1123 hostnames', async () => {
    const pool = fixtures.bad('VSphereMachineConfigPool');
    pool.spec.configs[1].hostname = 'cp-01';
    expect(await create(pool)).toContain('configs[].hostname must be unique');
    const badName = fixtures.bad('VSphereMachineConfigPool');
    badName.spec.configs[2].hostname = 'CP_03';
    expect(await create(badName)).toContain('spec.configs[2].hostname');
  });

  it('refuse moving a bound pool to another cluster, and allow it while none is bound', async () => {
    const pool = fixtures.bad('VSphereMachineConfigPool');
    expect(await create(pool)).toBe('accepted');
    const { kubeConfig, namespace } = crds;
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const target = {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'vspheremachineconfigpools',
      name: pool.metadata.name,
    };
    const moveTo = (cluster: string) =>
      custom
        .patchNamespacedCustomObject({
          ...target,
          body: [{ op: 'replace', path: '/spec/clusterRef/name', value: cluster }],
        })
        .then(
          () => 'accepted',
          (error: ApiException<unknown>) => `${error.code} ${JSON.stringify(error.body)}`,
        );
    expect(await moveTo('other-cluster')).toBe('accepted');
    const current = (await custom.getNamespacedCustomObject(target)) as Record<string, unknown>;
    await custom.replaceNamespacedCustomObjectStatus({
      ...target,
      body: { ...current, status: { consumerRef: { kind: 'KubeadmControlPlane', name: 'demo-cluster' } } },
    });
    const refused = await moveTo('third-cluster');
    expect(refused).toContain('spec.clusterRef');
    expect(refused).toContain('spec.clusterRef cannot change while a consumer is bound');
  });

  it('refuse a VSphereCluster with a scheme in server, a bad thumbprint or an unknown identity kind', async () => {
    const cluster = fixtures.bad('VSphereCluster');
    cluster.spec.server = 'https://vc.example.local';
    cluster.spec.thumbprint = 'AA:BB';
    cluster.spec.identityRef.kind = 'ConfigMap';
    const message = await create(cluster);
    expect(message).toContain('spec.server');
    expect(message).toContain('spec.thumbprint');
    expect(message).toContain('spec.identityRef.kind');
  });

  // The documented Self-built VIP (demo-cluster-vip): the rules that depend on type are CEL rules,
  // so a vrid of 0 on an external one is still accepted (CAPV's own objects write it).
  const selfBuiltVip = () => {
    const cluster = fixtures.bad('VSphereCluster');
    const documented = fixtures.all().find((o) => o.metadata?.name === 'demo-cluster-vip') as unknown as {
      spec: Record<string, unknown>;
    };
    cluster.spec = structuredClone(documented.spec);
    return cluster;
  };

  it('refuse a Self-built VIP that is not IPv4, a VRID outside 1..255 and an endpoint naming another address', async () => {
    const upper = selfBuiltVip();
    upper.spec.controlPlaneLoadBalancer.type = 'Internal';
    expect(await create(upper)).toContain(
      'spec.controlPlaneLoadBalancer.type: Unsupported value: "Internal"',
    );
    for (const host of ['api.example.local', 'fd00::10']) {
      const named = selfBuiltVip();
      named.spec.controlPlaneLoadBalancer.host = host;
      named.spec.controlPlaneEndpoint.host = host;
      const message = await create(named);
      expect(message, host).toContain('spec.controlPlaneLoadBalancer.host');
      expect(message, host).toContain('host must be an IPv4 address when type is internal');
    }
    for (const vrid of [0, 256, undefined]) {
      const cluster = selfBuiltVip();
      cluster.spec.controlPlaneLoadBalancer.vrid = vrid;
      const message = await create(cluster);
      expect(message, String(vrid)).toContain('spec.controlPlaneLoadBalancer.vrid');
      expect(message, String(vrid)).toContain('vrid must be between 1 and 255 when type is internal');
    }
    const elsewhere = selfBuiltVip();
    elsewhere.spec.controlPlaneEndpoint.port = 8443;
    const message = await create(elsewhere);
    expect(message).toContain('spec.controlPlaneEndpoint');
    expect(message).toContain(
      'spec.controlPlaneEndpoint and spec.controlPlaneLoadBalancer must name the same host and port',
    );

    // external: only the endpoint rule; a name, vrid 0 and an empty endpoint are fine.
    const external = selfBuiltVip();
    external.spec.controlPlaneLoadBalancer = {
      type: 'external',
      host: 'lb.example.local',
      port: 6443,
      vrid: 0,
    };
    delete external.spec.controlPlaneEndpoint;
    expect(await create(external)).toBe('accepted');
  });

  it('take controlPlaneLoadBalancer when the VSphereCluster is created or never: not added, changed or removed', async () => {
    const { kubeConfig, namespace } = crds;
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const patch = (name: string, body: unknown) =>
      custom
        .patchNamespacedCustomObject({
          group: 'infrastructure.cluster.x-k8s.io',
          version: 'v1beta1',
          namespace,
          plural: 'vsphereclusters',
          name,
          body,
        })
        .then(
          () => 'accepted',
          (error: ApiException<unknown>) => `${error.code} ${JSON.stringify(error.body)}`,
        );
    const immutable = 'spec.controlPlaneLoadBalancer is set when the VSphereCluster is created or never';

    const plain = fixtures.bad('VSphereCluster');
    expect(await create(plain)).toBe('accepted');
    const added = await patch(plain.metadata.name, [
      {
        op: 'add',
        path: '/spec/controlPlaneLoadBalancer',
        value: { type: 'external', host: '10.10.10.10', port: 6443 },
      },
    ]);
    expect(added).toContain(immutable);

    const vip = selfBuiltVip();
    expect(await create(vip)).toBe('accepted');
    for (const [field, value] of [
      ['type', 'external'],
      ['host', '10.10.10.9'],
      ['port', 7443],
      ['vrid', 43],
      ['interface', 'eth1'],
    ] as const) {
      const refused = await patch(vip.metadata.name, [
        { op: 'replace', path: `/spec/controlPlaneLoadBalancer/${field}`, value },
      ]);
      expect(refused, field).toContain(immutable);
    }
    expect(
      await patch(vip.metadata.name, [{ op: 'remove', path: '/spec/controlPlaneLoadBalancer' }]),
    ).toContain(immutable);
    // Everything else stays editable.
    expect(
      await patch(vip.metadata.name, [{ op: 'add', path: '/spec/disableClusterModule', value: true }]),
    ).toBe('accepted');
  });

  it('refuse a machine template whose NICs, addresses, gateway or CPU layout are wrong', async () => {
    const template = fixtures.bad('VSphereMachineTemplate');
    const spec = template.spec.template.spec;
    spec.network.devices[0] = {
      networkName: 'pg-business',
      ipAddrs: ['10.10.10.31/24'],
      gateway4: '10.10.20.1',
    };
    spec.network.devices[1] = {
      networkName: 'pg-storage',
      ipAddrs: ['10.20.10.31'],
      nameservers: ['dns.example'],
    };
    spec.numCPUs = 6;
    spec.numCoresPerSocket = 4;
    spec.machineConfigPoolRef.kind = 'DCSIpHostnamePool';
    const message = await create(template);
    expect(message).toContain('spec.template.spec.network.devices[0].gateway4');
    expect(message).toContain('gateway4 must be inside the network of an IPv4 entry of ipAddrs');
    expect(message).toContain('machineConfigPoolRef must name a VSphereMachineConfigPool');
    expect(message).toContain('every ipAddrs[] entry must be an address with its prefix length');
    expect(message).toContain('every nameservers[] entry must be an IP address');
    expect(message).toContain('numCPUs must be a multiple of numCoresPerSocket');
    const noNetwork = fixtures.bad('VSphereMachineTemplate');
    noNetwork.spec.template.spec.network.devices.push({ dhcp4: true });
    delete noNetwork.spec.template.spec.template;
    const missing = await create(noNetwork);
    expect(missing).toContain('spec.template.spec.network.devices[2].networkName: Required value');
    expect(missing).toContain('spec.template.spec.template: Required value');
  });

  it('refuse a failure domain whose zone type lacks its topology', async () => {
    const domain = fixtures.bad('VSphereFailureDomain');
    delete domain.spec.topology.computeCluster;
    domain.spec.topology.networkConfigurations = [{ networkName: 'pg-business', dhcp4: true }];
    const message = await create(domain);
    expect(message).toContain('a ComputeCluster or HostGroup zone needs topology.computeCluster');
    expect(message).toContain('set topology.networks or topology.networkConfigurations, not both');
  });

  it('accept a VSphereVM, a VSphereClusterIdentity and a VSphereClusterTemplate as CAPV writes them, and refuse their bad values', async () => {
    const { namespace } = crds;
    const machine = fixtures.bad('VSphereMachineTemplate').spec.template.spec;
    delete machine.machineConfigPoolRef;
    const vm = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereVM',
      metadata: { name: `${namespace}-vm`, namespace },
      spec: {
        ...machine,
        network: {
          devices: [{ networkName: 'pg-business', ipAddrs: ['10.10.10.11/24'], gateway4: '10.10.10.1' }],
        },
        bootstrapRef: { apiVersion: 'v1', kind: 'Secret', name: 'cp-01-bootstrap', namespace },
        biosUUID: '4209a6c3-43ae-66cf-55a5-b1a2c3d4e5f6',
      },
    };
    expect(await create(vm)).toBe('accepted');
    const badVm = renamedCopy(vm, `${namespace}-bad-vm`);
    badVm.spec.numCoresPerSocket = 3;
    badVm.spec.powerOffMode = 'hard';
    badVm.spec.guestSoftPowerOffTimeout = '5m';
    const vmMessage = await create(badVm);
    expect(vmMessage).toContain('numCPUs must be a multiple of numCoresPerSocket');
    expect(vmMessage).toContain('guestSoftPowerOffTimeout applies only with powerOffMode trySoft');

    const identity = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereClusterIdentity',
      metadata: { name: `${namespace}-identity` },
      spec: { secretName: 'vc-credentials', allowedNamespaces: { selector: { matchLabels: { team: 'a' } } } },
    };
    expect(await create(identity)).toBe('accepted');
    const badIdentity = renamedCopy(identity, `${namespace}-bad-identity`);
    badIdentity.spec.secretName = '';
    expect(await create(badIdentity)).toContain('spec.secretName');

    const clusterTemplate = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereClusterTemplate',
      metadata: { name: `${namespace}-template`, namespace },
      spec: { template: { spec: { ...fixtures.bad('VSphereCluster').spec } } },
    };
    delete (clusterTemplate.spec.template.spec as Record<string, unknown>).controlPlaneEndpoint;
    expect(await create(clusterTemplate)).toBe('accepted');
    const badTemplate = renamedCopy(clusterTemplate, `${namespace}-bad-template`);
    (badTemplate.spec.template.spec as Record<string, unknown>).identityRef = { kind: 'Secret', name: '' };
    expect(await create(badTemplate)).toContain('spec.template.spec.identityRef.name');
  });
});
