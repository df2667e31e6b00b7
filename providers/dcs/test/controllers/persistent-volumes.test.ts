// The volume a pool entry's persistent disk gets on DCS, as the simulator receives the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import { createPersistentVolume, declaredDisks } from '../../src/controllers/persistent-disks.js';
import { credentialFor, type Simulator, startSimulator, succeeded } from '../cloud/simulator.js';

describe('persistent volumes on the DCS simulator', () => {
  let sim: Simulator;
  let pool: DcsSessionPool;
  let client: DcsClient;

  beforeAll(async () => {
    sim = await startSimulator();
    pool = new DcsSessionPool();
    client = new DcsClient(pool.session(credentialFor(sim)));
  });

  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
  });

  it('sends isThin only when the disk sets it, leaving DCS its own default otherwise', async () => {
    const entry = {
      ip: '10.0.7.11',
      persistentDisk: [
        { slot: 0, quantityGB: 40, datastoreName: 'datastore-ssd-01', path: '/var/cpaas' },
        { slot: 1, quantityGB: 10, datastoreName: 'datastore-ssd-01', isThin: false },
        { slot: 2, quantityGB: 10, datastoreName: 'datastore-ssd-01', isThin: true },
      ],
    };
    const disks = declaredDisks('thin-pool', entry);
    for (const disk of disks)
      await succeeded(client, (await createPersistentVolume(client, entry, disk)).taskUri);
    const bodies = new Map(sim.state().volumeCreateBodies.map((body) => [body.name, body]));
    const [unset, thick, thin] = disks.map((disk) => bodies.get(disk.name));
    expect(unset).toBeDefined();
    expect(unset).not.toHaveProperty('isThin');
    expect(unset).toMatchObject({ quantityGB: 40 });
    expect(thick).toMatchObject({ isThin: false });
    expect(thin).toMatchObject({ isThin: true });
    // As documented, a new pool volume is an independent persistent normal one: nothing to convert later.
    for (const body of [unset, thick, thin])
      expect(body).toMatchObject({ type: 'normal', indepDisk: true, persistentDisk: true });
  });
});
