import { documentedCrdTest } from '@immutable-infra/testkit/vitest';
import { describe, expect, it } from 'vitest';

const { fixtures, create } = documentedCrdTest(
  'hcs-crds',
  new URL('./fixtures/documented.yaml', import.meta.url),
);

describe('HCS CRDs in a real API server', () => {
  it('accept the documented create-flow manifests', async () => {
    for (const object of fixtures.all()) expect(await create(object), object.kind).toBe('accepted');
  });

  it('reject an HCSCluster whose VIP or ELB subnets are not in the subnet inventory, naming the field', async () => {
    const cluster = fixtures.bad('HCSCluster');
    cluster.spec.controlPlaneLoadBalancer.vipSubnetName = 'subnet-b';
    cluster.spec.controlPlaneLoadBalancer.elbVirsubnetL4Ips[0].subnetName = 'subnet-c';
    const message = await create(cluster);
    expect(message).toContain('spec.controlPlaneLoadBalancer.vipSubnetName');
    expect(message).toContain('must name a subnet listed in network.subnets');
    expect(message).toContain('elbVirsubnetL4Ips[].subnetName');
  });

  it('reject ELB virtual subnet IP lists that do not hold exactly two IPs', async () => {
    const cluster = fixtures.bad('HCSCluster');
    cluster.spec.controlPlaneLoadBalancer.elbVirsubnetL7Ips[0].ips = ['192.168.1.103'];
    expect(await create(cluster)).toMatch(/elbVirsubnetL7Ips\[0\]\.ips.*(at least 2|should have at least 2)/);
  });

  it('reject conflicting subnet selectors in a pool entry', async () => {
    const pool = fixtures.bad('HCSMachineConfigPool');
    pool.spec.configs[0].networks[0] = { subnetName: 'subnet-a', subnetId: 'abc', ipAddress: '192.168.1.11' };
    pool.spec.configs[1].networks[0] = {
      subnetName: 'subnet-a',
      subenetName: 'subnet-b',
      ipAddress: '192.168.1.12',
    };
    pool.spec.configs[2].networks[0] = { ipAddress: '192.168.1.13' };
    const message = await create(pool);
    expect(message).toContain('set either subnetName or subnetId, not both');
    expect(message).toContain('subnetName must equal the deprecated subenetName');
    expect(message).toContain('set subnetName or subnetId');
  });

  it('reject duplicate hostnames, bad hostnames and non-contiguous persistent disk slots', async () => {
    const pool = fixtures.bad('HCSMachineConfigPool');
    pool.spec.configs[1].hostname = 'master-1';
    pool.spec.configs[0].persistentDisks.push({ slot: 2, size: 10, type: 'SSD', mountPath: '/var/log' });
    const message = await create(pool);
    expect(message).toContain('configs[].hostname must be unique');
    expect(message).toContain('persistentDisks[].slot must be unique and contiguous from 0');
    // The API server checks patterns before rules, so a malformed hostname is reported on its own.
    const badName = fixtures.bad('HCSMachineConfigPool');
    badName.spec.configs[2].hostname = 'Master_3';
    expect(await create(badName)).toContain('spec.configs[2].hostname');
  });

  it('refuse a password in an HCSMachineTemplate and data volumes without a mount path', async () => {
    const template = fixtures.bad('HCSMachineTemplate');
    template.spec.template.spec.adminPassword = 'Secret#1';
    template.spec.template.spec.dataVolumes.push({ size: 10, type: 'SSD' });
    const message = await create(template);
    expect(message).toContain('adminPassword would store a credential in the object; use keyPairName');
    expect(message).toContain('every dataVolumes[] entry needs a mountPath');
    expect(message).not.toContain('Secret#1');
  });
});
