import { describe, expect, it } from 'vitest';
import { DcsHttp, type Json, SITE, SITE_URI, sha256Hex, startSim } from './support/dcs-http.js';

describe('ISO upload and CD-ROM', () => {
  it('uploads in two steps, attaches and detaches the CD-ROM, refuses to delete while attached', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const vmUri = await dcs.cloneVm('node-0');
    const apply = `${SITE_URI}/datastores/3/action/applyUpload`;
    const iso = Buffer.from('cloud-init seed ISO bytes');

    const first = await dcs.ok('POST', apply, { fileName: 'node-0-seed.iso', fileSize: iso.length });
    expect(first).toEqual({
      uploadUri: expect.stringMatching(new RegExp(`^${SITE_URI}/uploads/\\d+$`)),
      filePath: '[datastore-nas-01] iso/node-0-seed.iso',
    });
    expect(await dcs.ok('POST', apply, { fileName: 'node-0-seed.iso', fileSize: iso.length })).toEqual(first);

    const put = (body: Buffer) =>
      fetch(sim.url + first.uploadUri, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream', 'X-Auth-Token': dcs.token ?? '' },
        body,
      });
    const short = await put(iso.subarray(1));
    expect(short.status).toBe(400);
    expect(((await short.json()) as Json).errorDes).toContain('size');
    expect((await dcs.ok('GET', `${SITE_URI}/uploads?fileName=node-0-seed.iso`)).uploads[0].complete).toBe(
      false,
    );

    const stored = await put(iso);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({
      filePath: first.filePath,
      size: iso.length,
      sha256: sha256Hex(iso.toString()),
    });
    expect(await dcs.ok('GET', `${SITE_URI}/uploads?fileName=node-0-seed.iso`)).toEqual({
      total: 1,
      uploads: [
        {
          uri: first.uploadUri,
          fileName: 'node-0-seed.iso',
          filePath: first.filePath,
          size: iso.length,
          datastoreUrn: `urn:sites:${SITE}:datastores:3`,
          complete: true,
        },
      ],
    });

    await dcs.change('POST', `${vmUri}/action/attachCdrom`, {
      cdromFile: first.filePath,
      datastoreUrn: `urn:sites:${SITE}:datastores:3`,
    });
    expect((await dcs.ok('GET', vmUri)).cdRomStatus).toBe('attached');
    // What the guest boots from: the bytes sent, byte for byte.
    expect(sim.bootMedia('node-0')).toEqual(iso);
    const busy = await dcs.call('DELETE', first.uploadUri);
    expect(busy.status).toBe(409);

    await dcs.change('POST', `${vmUri}/action/detachCdrom`, {});
    expect((await dcs.ok('GET', vmUri)).cdRomStatus).toBe('empty');
    expect(sim.bootMedia('node-0')).toBeUndefined();
    expect((await dcs.call('DELETE', first.uploadUri)).status).toBe(200);
    expect((await dcs.ok('GET', `${SITE_URI}/uploads`)).total).toBe(0);
  });

  it('refuses to attach a file that was never uploaded', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const vmUri = await dcs.cloneVm('node-1');
    const answer = await dcs.call('POST', `${vmUri}/action/attachCdrom`, { cdromFile: '[x] iso/none.iso' });
    expect(answer.status).toBe(404);
  });
});
