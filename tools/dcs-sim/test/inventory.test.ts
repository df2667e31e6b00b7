import { describe, expect, it } from 'vitest';
import { defaultInventory } from '../src/index.js';
import { DcsHttp, rawRequest, SITE, SITE_URI, startSim } from './support/dcs-http.js';

async function loggedIn() {
  const sim = await startSim();
  const dcs = new DcsHttp(sim.url);
  await dcs.login();
  return { sim, dcs };
}

describe('inventory', () => {
  it('lists the site with URN and URI', async () => {
    const { dcs } = await loggedIn();
    expect(await dcs.ok('GET', '/service/sites')).toEqual({
      sites: [{ urn: `urn:sites:${SITE}`, uri: SITE_URI, name: 'site', status: 'normal' }],
    });
  });

  it('lists clusters, hosts by cluster scope, datastores, datastore clusters and folders', async () => {
    const { dcs } = await loggedIn();
    const clusters = await dcs.ok('GET', `${SITE_URI}/clusters`);
    expect(clusters.total).toBe(2);
    expect(clusters.clusters[0]).toMatchObject({
      urn: `urn:sites:${SITE}:clusters:10`,
      uri: `${SITE_URI}/clusters/10`,
      drsSetting: { drsRules: [] },
    });
    const byName = await dcs.ok('GET', `${SITE_URI}/clusters?name=ComputeCluster`);
    expect(byName.clusters.map((c: { name: string }) => c.name)).toEqual(['ComputeCluster']);

    const hosts = await dcs.ok(
      'GET',
      `${SITE_URI}/hosts?scope=${encodeURIComponent(`urn:sites:${SITE}:clusters:11`)}`,
    );
    expect(hosts.total).toBe(2);
    expect(
      hosts.hosts.every((h: { clusterUrn: string }) => h.clusterUrn === `urn:sites:${SITE}:clusters:11`),
    ).toBe(true);
    expect(hosts.hosts[0]).toMatchObject({ status: 'normal', urn: expect.stringMatching(/:hosts:\d+$/) });

    const datastores = await dcs.ok('GET', `${SITE_URI}/datastores`);
    expect(datastores.total).toBe(3);
    expect(datastores.datastores[0]).toMatchObject({
      urn: `urn:sites:${SITE}:datastores:1`,
      status: 'NORMAL',
      capacityGB: expect.any(Number),
      freeSizeGB: expect.any(Number),
      storageType: expect.any(String),
    });
    const groups = await dcs.ok('GET', `${SITE_URI}/datastoreclusters?name=ssd-pool`);
    expect(groups).toEqual({
      total: 1,
      datastoreClusters: [
        {
          urn: `urn:sites:${SITE}:datastoreclusters:1`,
          uri: `${SITE_URI}/datastoreclusters/1`,
          name: 'ssd-pool',
          datastores: [`urn:sites:${SITE}:datastores:1`, `urn:sites:${SITE}:datastores:2`],
        },
      ],
    });
    const folders = await dcs.ok('GET', `${SITE_URI}/folders`);
    expect(folders.folders.map((f: { name: string }) => f.name)).toEqual(['kubernetes', 'templates']);
  });

  it('lists DV switches under dvSwitchs and their port groups by portGroupName', async () => {
    const { dcs } = await loggedIn();
    const switches = await dcs.ok('GET', `${SITE_URI}/dvswitchs`);
    expect(switches.dvSwitchs).toHaveLength(2);
    const portGroups = await dcs.ok(
      'GET',
      `${SITE_URI}/dvswitchs/1/portgroups?portGroupName=business-vlan200`,
    );
    expect(portGroups).toEqual({
      total: 1,
      portGroups: [
        {
          urn: `urn:sites:${SITE}:dvswitchs:1:portgroups:2`,
          uri: `${SITE_URI}/dvswitchs/1/portgroups/2`,
          name: 'business-vlan200',
          vlanId: 200,
        },
      ],
    });
  });

  it('lists templates by exact name and pages with limit, offset and total', async () => {
    const { dcs } = await loggedIn();
    const one = await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true&name=ubuntu-2204-k8s-v1.35`);
    expect(one.total).toBe(1);
    expect(one.vms[0]).toMatchObject({
      urn: `urn:sites:${SITE}:vms:i-00000002`,
      name: 'ubuntu-2204-k8s-v1.35',
      isTemplate: true,
      vmConfig: { cpu: { quantity: 2 }, memory: { quantityMB: 4096 } },
    });
    expect((await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true&name=ubuntu-2204`)).total).toBe(0);

    const first = await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true&limit=1&offset=0`);
    const second = await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true&limit=1&offset=1`);
    const past = await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true&limit=1&offset=2`);
    expect([first.total, second.total, past.total]).toEqual([2, 2, 2]);
    expect([...first.vms, ...second.vms].map((vm: { name: string }) => vm.name)).toEqual([
      'ubuntu-2204-k8s-v1.34',
      'ubuntu-2204-k8s-v1.35',
    ]);
    expect(past.vms).toEqual([]);
  });

  it('refuses a page larger than 100 with 400 naming limit', async () => {
    const { dcs } = await loggedIn();
    const answer = await dcs.call('GET', `${SITE_URI}/vms?limit=101`);
    expect(answer.status).toBe(400);
    expect(answer.body.errorDes).toContain('limit');
  });

  it('answers unknown paths, sites and objects with 404 and an errorCode', async () => {
    const { dcs } = await loggedIn();
    for (const path of [
      '/service/nothing',
      '/service/sites/00000000/clusters',
      `${SITE_URI}/vms/i-0000FFFF`,
    ]) {
      const answer = await dcs.call('GET', path);
      expect(answer.status).toBe(404);
      expect(answer.body.errorCode).toMatch(/^\d+$/);
    }
  });

  it('accepts {} as the body of a GET and any Accept version', async () => {
    const { sim, dcs } = await loggedIn();
    const answer = await rawRequest({
      url: `${sim.url}${SITE_URI}/clusters`,
      method: 'GET',
      headers: {
        accept: 'application/json;version=6.3;charset=UTF-8',
        'content-type': 'application/json',
        'x-auth-token': dcs.token ?? '',
      },
      body: '{}',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(2);
  });

  it('validates an inventory and names the broken reference', async () => {
    const inventory = defaultInventory();
    inventory.hosts[0] = { id: '172', name: 'CNA01', clusterId: '99' };
    await expect(startSim({ inventory })).rejects.toThrow(/hosts\[0\]\.clusterId/);
  });
});
