import { describe, expect, it } from 'vitest';
import { DcsHttp, SITE, SITE_URI, startSim } from './support/dcs-http.js';

async function loggedIn() {
  const sim = await startSim({ faults: { taskSeconds: 0 } });
  const dcs = new DcsHttp(sim.url);
  await dcs.login();
  return { sim, dcs };
}

describe('volumes', () => {
  it('creates by name, lists by name, attaches at a sequenceNum, refuses to delete while attached', async () => {
    const { sim, dcs } = await loggedIn();
    const vmUri = await dcs.cloneVm('etcd-0');
    const vm = await dcs.ok('GET', vmUri);

    const created = await dcs.change('POST', `${SITE_URI}/volumes`, {
      name: 'etcd-0-data',
      quantityGb: 20,
      datastoreUrn: `urn:sites:${SITE}:datastores:1`,
      isThin: false,
    });
    expect(created.urn).toMatch(new RegExp(`^urn:sites:${SITE}:volumes:\\d+$`));
    const listed = await dcs.ok('GET', `${SITE_URI}/volumes?name=etcd-0-data`);
    expect(listed).toEqual({
      total: 1,
      volumes: [
        {
          urn: created.urn,
          uri: created.uri,
          name: 'etcd-0-data',
          quantityGB: 20,
          datastoreUrn: `urn:sites:${SITE}:datastores:1`,
          isThin: false,
          type: 'normal',
          indepDisk: false,
          persistentDisk: true,
          status: 'FREE',
          vmUrn: '',
        },
      ],
    });

    await dcs.change('POST', `${vmUri}/action/attachvol`, { volUrn: created.urn, sequenceNum: 3 });
    const attached = await dcs.ok('GET', vmUri);
    expect(
      attached.vmConfig.disks.map((d: { sequenceNum: number; volumeUrn: string }) => d.sequenceNum),
    ).toEqual([1, 3]);
    expect(attached.vmConfig.disks[1].volumeUrn).toBe(created.urn);
    expect(await dcs.ok('GET', created.uri)).toMatchObject({ status: 'USE', vmUrn: vm.urn });

    const busy = await dcs.call('DELETE', created.uri);
    expect(busy.status).toBe(409);
    expect(busy.body.errorCode).toBe('10420005');
    const taken = await dcs.call('POST', `${vmUri}/action/attachvol`, { volUrn: created.urn });
    expect(taken.body.errorCode).toBe('10420005');

    await dcs.change('POST', `${vmUri}/action/detachvol`, { volUrn: created.urn });
    expect(await dcs.ok('GET', created.uri)).toMatchObject({ status: 'FREE', vmUrn: '' });
    await dcs.change('DELETE', created.uri);
    expect((await dcs.ok('GET', `${SITE_URI}/volumes?name=etcd-0-data`)).total).toBe(0);
    const gone = await dcs.call('DELETE', created.uri);
    expect(gone).toMatchObject({ status: 404, body: { errorCode: '10420004' } });
    expect(sim.state().volumes.some((v) => v.urn === created.urn)).toBe(false);
  });

  it('picks the next free sequenceNum and detaches pool volumes when their VM is deleted', async () => {
    const { dcs } = await loggedIn();
    const vmUri = await dcs.cloneVm('etcd-1');
    const created = await dcs.change('POST', `${SITE_URI}/volumes`, {
      name: 'etcd-1-data',
      quantityGB: 10,
      datastoreUrn: `urn:sites:${SITE}:datastores:2`,
    });
    await dcs.change('POST', `${vmUri}/action/attachvol`, { volUrn: created.urn });
    const vm = await dcs.ok('GET', vmUri);
    expect(
      vm.vmConfig.disks.find((d: { volumeUrn: string }) => d.volumeUrn === created.urn).sequenceNum,
    ).toBe(2);

    await dcs.change('DELETE', `${vmUri}?isReserveDisks=0`);
    expect(await dcs.ok('GET', created.uri)).toMatchObject({
      name: 'etcd-1-data',
      status: 'FREE',
      vmUrn: '',
    });
  });

  it('renames a VM template disk and converts it to an independent shared volume in place (PUT <volume uri>, no task); detached, it outlives the VM', async () => {
    const { sim, dcs } = await loggedIn();
    const vmUri = await dcs.cloneVm('legacy-1', {
      vmConfig: {
        cpu: { quantity: 2 },
        memory: { quantityMB: 2048 },
        disks: [
          { sequenceNum: 1, quantityGB: 40, datastoreUrn: `urn:sites:${SITE}:datastores:1` },
          { sequenceNum: 2, quantityGB: 30, datastoreUrn: `urn:sites:${SITE}:datastores:1` },
        ],
      },
    });
    const disk = (await dcs.ok('GET', vmUri)).vmConfig.disks.find(
      (d: { sequenceNum: number }) => d.sequenceNum === 2,
    );
    // A disk the clone made is a stock volume: normal, not independent.
    expect(disk).toMatchObject({ quantityGB: 30, type: 'normal', indepDisk: false, persistentDisk: true });
    const uri = disk.volumeUrn.replace('urn:sites:', '/service/sites/').replaceAll(':', '/');

    const renamed = await dcs.call('PUT', uri, { name: 'pool-0a1b2c3d' });
    expect(renamed).toMatchObject({ status: 200, body: {} });
    expect(await dcs.ok('GET', uri)).toMatchObject({ name: 'pool-0a1b2c3d', status: 'USE', type: 'normal' });
    const listed = await dcs.ok('GET', `${SITE_URI}/volumes?name=pool-0a1b2c3d`);
    expect(listed.volumes.map((v: { urn: string }) => v.urn)).toEqual([disk.volumeUrn]);

    await dcs.change('POST', `${vmUri}/action/detachvol`, { volUrn: disk.volumeUrn });
    expect(await dcs.ok('PUT', uri, { type: 'share' })).toEqual({});
    // Made shared, a normal volume becomes independent and persistent, as FusionCompute does.
    expect(await dcs.ok('GET', uri)).toMatchObject({ type: 'share', indepDisk: true, persistentDisk: true });
    // Asked again (a reply lost, a controller restarted), nothing changes.
    expect(await dcs.ok('PUT', uri, { type: 'share' })).toEqual({});
    const back = await dcs.call('PUT', uri, { type: 'normal' });
    expect(back.status).toBe(400);
    const unknown = await dcs.call('PUT', uri, { quantityGB: 40 });
    expect(unknown.status).toBe(400);

    await dcs.change('DELETE', `${vmUri}?isReserveDisks=0`);
    expect(await dcs.ok('GET', uri)).toMatchObject({ name: 'pool-0a1b2c3d', status: 'FREE', type: 'share' });
    expect(sim.state().volumeModifyBodies).toEqual([
      { volumeUrn: disk.volumeUrn, body: { name: 'pool-0a1b2c3d' } },
      { volumeUrn: disk.volumeUrn, body: { type: 'share' } },
      { volumeUrn: disk.volumeUrn, body: { type: 'share' } },
    ]);
  });

  it('answers 400 naming the field for a bad volume body', async () => {
    const { dcs } = await loggedIn();
    const noSize = await dcs.call('POST', `${SITE_URI}/volumes`, {
      name: 'v',
      datastoreUrn: `urn:sites:${SITE}:datastores:1`,
    });
    expect(noSize.status).toBe(400);
    expect(noSize.body.errorDes).toContain('quantityGB');
    const badStore = await dcs.call('POST', `${SITE_URI}/volumes`, {
      name: 'v',
      quantityGB: 1,
      datastoreUrn: 'urn:sites:3CD306E7:datastores:42',
    });
    expect(badStore.status).toBe(400);
    expect(badStore.body.errorDes).toContain('datastoreUrn');
  });
});
