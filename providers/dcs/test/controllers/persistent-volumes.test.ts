// The volume a pool entry's persistent disk gets on DCS, as the simulator receives the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DcsVm } from '../../src/cloud/index.js';
import { DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import {
  createPersistentVolume,
  type DcsObservedVolume,
  declaredDisks,
  legacyDisks,
} from '../../src/controllers/persistent-disks.js';
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

  it('claims legacy disks only from a VM with a disk past its template, each by the strict match (size, storage, bus)', async () => {
    const ds = async (name: string) => (await client.resolveDatastore(name)).urn;
    const [ssd1, ssd2, nas] = [
      await ds('datastore-ssd-01'),
      await ds('datastore-ssd-02'),
      await ds('datastore-nas-01'),
    ];
    // The new template keeps one data disk, so slot s is at sequence 3 + s.
    const layout = {
      vmConfig: { dcsMachineDiskSpec: [{ systemVolume: true }, { path: '/var/lib/kubelet' }] },
    };
    const disk = (sequenceNum: number, datastoreUrn: string, pciType = 'VIRTIO') => ({
      sequenceNum,
      quantityGB: 40,
      datastoreUrn,
      volumeUrn: `urn:sites:1:volumes:${sequenceNum}`,
      pciType,
    });
    const vm = (disks: ReturnType<typeof disk>[]) =>
      ({
        urn: 'urn:sites:1:vms:i-1',
        uri: '/service/sites/1/vms/i-1',
        name: 'old-vm',
        vmConfig: { disks },
      }) as DcsVm;
    const entry = {
      ip: '10.0.9.1',
      persistentDisk: [
        { slot: 0, quantityGB: 40, datastoreClusterName: 'ssd-pool' },
        { slot: 1, quantityGB: 40, datastoreName: 'datastore-ssd-01', pciType: 'SCSI' },
        { slot: 2, quantityGB: 40, datastoreName: 'datastore-ssd-01' },
      ],
    };
    const disks = declaredDisks('legacy-pool', entry);
    const none = new Map<string, DcsObservedVolume>();

    // A VM with only its template's disks is not a legacy one: its disks are created as usual.
    expect(await legacyDisks(client, entry, disks, none, vm([disk(1, ssd1), disk(2, ssd1)]), layout)).toEqual(
      [],
    );

    const fitting = vm([disk(1, ssd1), disk(2, ssd1), disk(3, ssd2), disk(4, ssd1, 'SCSI'), disk(5, ssd1)]);
    expect(await legacyDisks(client, entry, disks, none, fitting, layout)).toEqual([
      { disk: disks[0], sequenceNum: 3, volumeUrn: 'urn:sites:1:volumes:3' },
      { disk: disks[1], sequenceNum: 4, volumeUrn: 'urn:sites:1:volumes:4' },
      { disk: disks[2], sequenceNum: 5, volumeUrn: 'urn:sites:1:volumes:5' },
    ]);

    // A disk already named for its slot is not claimed again; the others still are.
    const named = new Map([
      [disks[0]?.name as string, { id: 'urn:sites:1:volumes:3', phase: 'Attached' } as DcsObservedVolume],
    ]);
    expect(
      (await legacyDisks(client, entry, disks, named, fitting, layout)).map((d) => d.sequenceNum),
    ).toEqual([4, 5]);

    // A disk already named for another slot (the template changed after a claim) is never taken again.
    const elsewhere = new Map([
      [disks[0]?.name as string, { id: 'urn:sites:1:volumes:4', phase: 'Attached' } as DcsObservedVolume],
    ]);
    const shifted = await legacyDisks(client, entry, disks, elsewhere, fitting, layout);
    expect(shifted.map((d) => d.problem)).toEqual([
      `persistent disk 10.0.9.1/1 (sequenceNum 4 on VM old-vm): the disk there is already volume ${disks[0]?.name} of another declared slot; its disks past the template's 1 data disks are at sequenceNum 3, 5; correct slot (slot = sequenceNum - 1 - template data disks - 1)`,
      undefined,
    ]);

    const wrong = vm([disk(1, ssd1), disk(2, ssd1), disk(3, nas), disk(4, ssd1), disk(5, ssd1, 'IDE')]);
    const problems = (await legacyDisks(client, entry, disks, none, wrong, layout)).map((d) => d.problem);
    expect(problems).toEqual([
      `persistent disk 10.0.9.1/0 (sequenceNum 3 on VM old-vm): datastoreClusterName is ssd-pool but the volume is on ${nas}, which is not one of its datastores; correct datastoreClusterName to match it`,
      'persistent disk 10.0.9.1/1 (sequenceNum 4 on VM old-vm): pciType is SCSI but the disk is attached on VIRTIO; declare pciType: VIRTIO',
      // Unset means VIRTIO: the replacement would get the disk on another bus than the old VM had.
      'persistent disk 10.0.9.1/2 (sequenceNum 5 on VM old-vm): pciType is not set (VIRTIO) but the disk is attached on IDE; declare pciType: IDE',
    ]);
  });
});
