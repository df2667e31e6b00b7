import { documentedCrdTest } from '@immutable-infra/testkit/vitest';
import { PatchStrategy } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';

const crds = documentedCrdTest('baremetal-crds', new URL('./fixtures/documented.yaml', import.meta.url));
const { fixtures, create } = crds;

describe('bare-metal CRDs in a real API server', () => {
  it('accept the documented registration, pool, cluster and template manifests unchanged', async () => {
    for (const object of fixtures.all())
      expect(await create(object), `${object.kind} ${object.metadata?.name}`).toBe('accepted');
  });

  it('refuse a template without machineInventoryPoolRef or with an unknown allocationPolicy, naming the field', async () => {
    const missing = fixtures.bad('BaremetalMachineTemplate');
    delete missing.spec.template.spec.machineInventoryPoolRef;
    expect(await create(missing)).toContain('spec.template.spec.machineInventoryPoolRef: Required value');

    const unknown = fixtures.bad('BaremetalMachineTemplate');
    unknown.spec.template.spec.allocationPolicy = 'Random';
    const message = await create(unknown);
    expect(message).toContain('spec.template.spec.allocationPolicy: Unsupported value: "Random"');
    expect(message).toContain('"Ordered"');

    const ordered = fixtures.bad('BaremetalMachineTemplate');
    ordered.spec.template.spec.allocationPolicy = 'Ordered';
    expect(await create(ordered)).toBe('accepted');
  });

  it('refuse an Internal load balancer without vrid, a vrid out of range and a cluster without an endpoint', async () => {
    const noVrid = fixtures.bad('BaremetalCluster');
    delete noVrid.spec.controlPlaneLoadBalancer.vrid;
    expect(await create(noVrid)).toContain(
      'spec.controlPlaneLoadBalancer.vrid: Required value: vrid is required when type is Internal',
    );

    // The type defaults to Internal, so a load balancer without type needs a vrid too.
    const defaulted = fixtures.bad('BaremetalCluster');
    delete defaulted.spec.controlPlaneLoadBalancer.type;
    delete defaulted.spec.controlPlaneLoadBalancer.vrid;
    expect(await create(defaulted)).toContain('vrid is required when type is Internal');

    const external = fixtures.bad('BaremetalCluster');
    external.spec.controlPlaneLoadBalancer.type = 'External';
    delete external.spec.controlPlaneLoadBalancer.vrid;
    expect(await create(external)).toBe('accepted');

    const badValues = fixtures.bad('BaremetalCluster');
    badValues.spec.controlPlaneLoadBalancer.vrid = 256;
    badValues.spec.controlPlaneLoadBalancer.type = 'Keepalived';
    const message = await create(badValues);
    expect(message).toContain('spec.controlPlaneLoadBalancer.vrid');
    expect(message).toContain('spec.controlPlaneLoadBalancer.type: Unsupported value: "Keepalived"');

    const nothing = fixtures.bad('BaremetalCluster');
    nothing.spec = { networkType: 'kube-ovn' };
    expect(await create(nothing)).toContain('set controlPlaneLoadBalancer (or controlPlaneEndpoint)');
  });

  it('refuse a pool without clusterName, with an inventory twice or with a hostname that is no node name', async () => {
    const pool = fixtures.bad('MachineInventoryPool');
    delete pool.spec.clusterName;
    pool.spec.machineInventories[1].name = pool.spec.machineInventories[0].name;
    pool.spec.machineInventories[2].hostname = 'CP_3';
    const message = await create(pool);
    expect(message).toContain('spec.clusterName: Required value');
    expect(message).toContain('spec.machineInventories[2].hostname');
    expect(message).toContain('spec.machineInventories[1]: Duplicate value');
  });

  it('refuse moving a machine to another pool: the host it holds belongs to its pool', async () => {
    const { namespace, objects } = crds;
    const name = `${namespace}-moving`;
    const machine = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'BaremetalMachine',
      metadata: { name, namespace },
      spec: { machineInventoryPoolRef: { name: 'demo-worker-pool' } },
    };
    expect(await create(machine)).toBe('accepted');
    const moved = objects.patch(
      { ...machine, spec: { machineInventoryPoolRef: { name: 'demo-control-plane-pool' } } },
      undefined,
      undefined,
      'crds-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await expect(moved).rejects.toThrow(/machineInventoryPoolRef cannot be changed/);
  });

  it('refuse an Internal VIP that is no IPv4 address, an endpoint beside it and a changed load balancer', async () => {
    for (const host of ['api.example.local', 'fd00::100']) {
      const named = fixtures.bad('BaremetalCluster');
      named.spec.controlPlaneLoadBalancer.host = host;
      expect(await create(named), host).toContain(
        'spec.controlPlaneLoadBalancer.host: Invalid value: host must be an IPv4 address when type is Internal',
      );
    }
    // An External load balancer may be a name: the user's device answers there.
    const external = fixtures.bad('BaremetalCluster');
    external.spec.controlPlaneLoadBalancer = { type: 'External', host: 'api.example.local', port: 6443 };
    expect(await create(external)).toBe('accepted');

    const elsewhere = fixtures.bad('BaremetalCluster');
    elsewhere.spec.controlPlaneEndpoint = { host: '192.168.254.101', port: 6443 };
    expect(await create(elsewhere)).toContain(
      'spec.controlPlaneEndpoint: Invalid value: controlPlaneEndpoint must name the same host and port as an Internal controlPlaneLoadBalancer',
    );
    const same = fixtures.bad('BaremetalCluster');
    same.spec.controlPlaneEndpoint = {
      host: same.spec.controlPlaneLoadBalancer.host,
      port: same.spec.controlPlaneLoadBalancer.port,
    };
    expect(await create(same)).toBe('accepted');

    const { namespace, objects } = crds;
    const cluster = fixtures.bad('BaremetalCluster');
    cluster.metadata.name = `${namespace}-vip`;
    cluster.metadata.namespace = namespace;
    expect(await create(cluster)).toBe('accepted');
    const moved = objects.patch(
      {
        apiVersion: cluster.apiVersion,
        kind: cluster.kind,
        metadata: { name: cluster.metadata.name, namespace },
        spec: { controlPlaneLoadBalancer: { vrid: 52 } },
      },
      undefined,
      undefined,
      'crds-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await expect(moved).rejects.toThrow(/controlPlaneLoadBalancer cannot be changed or removed once set/);
  });
});
