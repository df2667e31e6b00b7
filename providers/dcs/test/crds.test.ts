import { documentedCrdTest } from '@immutable-infra/testkit/vitest';
import { type ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';

const crds = documentedCrdTest('dcs-crds', new URL('./fixtures/documented.yaml', import.meta.url));
const { fixtures, create } = crds;

const pool = (entry: Record<string, unknown>, name = 'bad-pool') => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'DCSIpHostnamePool',
  metadata: { name, namespace: crds.namespace },
  spec: { pool: [{ ip: '10.0.9.10', mask: '255.255.255.0', gateway: '10.0.9.1', ...entry }] },
});

describe('DCS CRDs generated from our schemas', () => {
  it('accept the manifests the product documentation shows', async () => {
    for (const object of fixtures.all()) {
      expect(`${object.kind}/${object.metadata?.name}: ${await create(object)}`).toBe(
        `${object.kind}/${object.metadata?.name}: accepted`,
      );
    }
  });

  it('reject a bad IP, naming the field', async () => {
    const message = await create(pool({ ip: '10.0.9.300' }));
    expect(message).toContain('422');
    expect(message).toContain('spec.pool[0].ip');
  });

  it('reject a mask written with a slash, naming the field', async () => {
    const message = await create(pool({ mask: '/24' }));
    expect(message).toContain('spec.pool[0].mask');
    expect(await create(pool({ mask: '255.255.255.0/24' }, 'bad-pool-2'))).toContain('spec.pool[0].mask');
  });

  it('reject a machine template without vmTemplateName, naming the field', async () => {
    const message = await create({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'DCSMachineTemplate',
      metadata: { name: 'no-vm-template', namespace: crds.namespace },
      spec: { template: { spec: { ipHostPoolRef: { name: 'demo-cp-pool' } } } },
    });
    expect(message).toContain('spec.template.spec.vmTemplateName: Required value');
  });

  it('reject a persistent disk with both a datastore and a datastore cluster', async () => {
    const message = await create(
      pool({ persistentDisk: [{ slot: 0, quantityGB: 10, datastoreName: 'a', datastoreClusterName: 'b' }] }),
    );
    expect(message).toContain('exactly one of datastoreClusterName or datastoreName is required');
  });

  it('reject a persistent disk on a bus DCS does not have, naming the field; accept the three it has', async () => {
    const disk = (pciType: string) => ({ slot: 0, quantityGB: 10, datastoreName: 'a', pciType });
    const message = await create(pool({ persistentDisk: [disk('NVME')] }, 'bad-bus'));
    expect(message).toContain('spec.pool[0].persistentDisk[0].pciType');
    expect(message).toContain('pciType must be VIRTIO, SCSI or IDE');
    for (const bus of ['VIRTIO', 'SCSI', 'IDE'])
      expect(await create(pool({ persistentDisk: [disk(bus)] }, `bus-${bus.toLowerCase()}`))).toBe(
        'accepted',
      );
  });

  it('reject two pool entries with the same IP', async () => {
    const object = pool({});
    object.spec.pool.push({ ip: '10.0.9.10', mask: '24', gateway: '10.0.9.1' });
    const message = await create(object);
    expect(message).toContain('spec.pool[1]: Duplicate value');
    expect(message).toContain('10.0.9.10');
  });

  it('reject an internal load balancer without a vrid', async () => {
    const message = await create({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'DCSCluster',
      metadata: { name: 'no-vrid', namespace: crds.namespace },
      spec: {
        controlPlaneLoadBalancer: { host: '10.0.1.5', port: 6443, type: 'internal' },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
      },
    });
    expect(message).toContain('vrid is required when type is internal');
  });

  it('refuse to drop a pool entry that a machine holds, while other entries can go', async () => {
    const name = 'held-pool';
    await create({
      ...pool({}, name),
      spec: {
        pool: [
          { ip: '10.0.9.21', mask: '24', gateway: '10.0.9.1' },
          { ip: '10.0.9.22', mask: '24', gateway: '10.0.9.1' },
        ],
      },
    });
    const custom = crds.kubeConfig.makeApiClient(CustomObjectsApi);
    const target = {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: crds.namespace,
      plural: 'dcsiphostnamepools',
      name,
    };
    const current = (await custom.getNamespacedCustomObject(target)) as Record<string, unknown>;
    await custom.replaceNamespacedCustomObjectStatus({
      ...target,
      body: {
        ...current,
        status: { slots: [{ ip: '10.0.9.22', dcsMachine: 'm-2', dcsMachineUID: 'uid-2' }] },
      },
    });
    const edit = (ips: string[]) =>
      custom
        .patchNamespacedCustomObject({
          ...target,
          body: [
            {
              op: 'replace',
              path: '/spec/pool',
              value: ips.map((ip) => ({ ip, mask: '24', gateway: '10.0.9.1' })),
            },
          ],
        })
        .then(
          () => 'accepted',
          (error: ApiException<unknown>) => `${error.code} ${JSON.stringify(error.body)}`,
        );
    const refused = await edit(['10.0.9.21']);
    expect(refused).toContain('422');
    expect(refused).toContain('spec.pool');
    expect(refused).toContain('an entry held by a DCSMachine cannot be removed from the pool');
    expect(await edit(['10.0.9.22'])).toBe('accepted');
  });

  it("refuse to change a declared disk's format, mkfs options or bus, or to drop it, naming the field", async () => {
    const name = 'disk-pool';
    const disk = {
      slot: 0,
      quantityGB: 40,
      datastoreClusterName: 'ds-cluster',
      path: '/var/cpaas',
      format: 'xfs',
      mountOptions: ['defaults'],
    };
    expect(await create(pool({ persistentDisk: [disk] }, name))).toBe('accepted');
    const custom = crds.kubeConfig.makeApiClient(CustomObjectsApi);
    const target = {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: crds.namespace,
      plural: 'dcsiphostnamepools',
      name,
    };
    const setDisks = (disks: Record<string, unknown>[]) =>
      custom
        .patchNamespacedCustomObject({
          ...target,
          body: [{ op: 'replace', path: '/spec/pool/0/persistentDisk', value: disks }],
        })
        .then(
          () => 'accepted',
          (error: ApiException<unknown>) => `${error.code} ${JSON.stringify(error.body)}`,
        );
    for (const [field, change] of [
      ['format', { format: 'ext4' }],
      ['options', { options: ['-K'] }],
      ['pciType', { pciType: 'SCSI' }],
    ] as const) {
      const refused = await setDisks([{ ...disk, ...change }]);
      expect(refused, field).toContain('422');
      expect(refused, field).toContain(`spec.pool[0].persistentDisk[0].${field}`);
      expect(refused, field).toContain(`${field} cannot change once the persistent disk is declared`);
    }
    // Dropping the format a disk was declared with is a change too.
    const { format: _format, ...unformatted } = disk;
    expect(await setDisks([unformatted])).toContain('spec.pool[0].persistentDisk[0].format');
    const dropped = await setDisks([]);
    expect(dropped).toContain('422');
    expect(dropped).toContain('spec.pool[0].persistentDisk');
    expect(dropped).toContain('a declared persistent disk cannot be removed from the entry');
    // What the guest applies on the next VM may change, and another slot may be appended with any format.
    expect(
      await setDisks([
        { ...disk, path: '/var/cpaas2', mountOptions: ['noatime'], quantityGB: 50 },
        { ...disk, slot: 1, format: 'ext4', pciType: 'SCSI' },
      ]),
    ).toBe('accepted');
  });
});
