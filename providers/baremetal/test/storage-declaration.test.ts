// The pure part of managed data volumes: a declaration checked against the host's observation
// collects every problem with its field; the hash ignores order and retryNonce; the approval binds
// the inventory, the declaration and the counter; mount unit names are systemd's.
import { describe, expect, it } from 'vitest';
import {
  checkStorage,
  initializationApproval,
  mountUnitName,
  type ObservedStorage,
  quantityBytes,
  type StorageVolume,
  storageSpecHash,
} from '../src/cloud/index.js';

const observed: ObservedStorage = {
  sequence: 3,
  devices: [
    {
      id: 'wwn:0xsystem',
      kind: 'DirectDisk',
      systemRole: 'System',
      sizeBytes: 480 * 2 ** 30,
      partitionTableType: 'gpt',
    },
    { id: 'wwn:0xblank', kind: 'DirectDisk', systemRole: 'Data', sizeBytes: 50 * 2 ** 30 },
    {
      id: 'wwn:0xdata',
      kind: 'DirectDisk',
      systemRole: 'Data',
      sizeBytes: 960 * 2 ** 30,
      filesystem: { type: 'xfs', uuid: 'u-1' },
      signatures: [{ type: 'xfs', value: 'u-1' }],
    },
    {
      id: 'wwid:0xmap',
      kind: 'Multipath',
      systemRole: 'Data',
      memberIDs: ['wwn:0xpath1'],
      health: { activePaths: 1, totalPaths: 2 },
    },
    { id: 'wwn:0xpath1', kind: 'DirectDisk', systemRole: 'Data' },
  ],
};

const volume = (
  name: string,
  deviceID: string,
  policy: 'Adopt' | 'InitializeIfBlank',
  extra: Partial<StorageVolume> = {},
) =>
  ({
    name,
    source: { deviceID },
    filesystem: { type: 'xfs', policy },
    mount: { path: `/data/${name}` },
    ...extra,
  }) as StorageVolume;

describe('a storage declaration checked against the observed devices', () => {
  it('collects every problem, each naming its field', () => {
    const volumes = [
      volume('sys', 'wwn:0xsystem', 'Adopt', {
        filesystem: { type: 'xfs', policy: 'Adopt', expectedUUID: 'x' },
      }),
      volume('small', 'wwn:0xblank', 'InitializeIfBlank', {
        source: { deviceID: 'wwn:0xblank', minimumSize: '100Gi' },
      }),
      volume('wipe', 'wwn:0xdata', 'InitializeIfBlank'),
      volume('adopt', 'wwn:0xdata', 'Adopt', {
        filesystem: { type: 'ext4', policy: 'Adopt', expectedUUID: 'u-2' },
      }),
      volume('map', 'wwid:0xmap', 'Adopt', {
        source: { deviceID: 'wwid:0xmap', multipath: { minimumActivePaths: 2 } },
        filesystem: { type: 'xfs', policy: 'Adopt', expectedUUID: 'u-3' },
      }),
      volume('member', 'wwn:0xpath1', 'Adopt', {
        filesystem: { type: 'xfs', policy: 'Adopt', expectedUUID: 'u-4' },
      }),
      volume('gone', 'wwn:0xother-host', 'Adopt', {
        filesystem: { type: 'xfs', policy: 'Adopt', expectedUUID: 'u-5' },
      }),
    ];
    const { problems } = checkStorage({
      inventoryUID: 'uid-1',
      annotations: {},
      volumes,
      observed,
      status: {},
    });
    const fields = problems.map((problem) => problem.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'spec.storage.volumes[0].source.deviceID',
        'spec.storage.volumes[1].source.minimumSize',
        'spec.storage.volumes[2].source.deviceID',
        'spec.storage.volumes[3].filesystem.type',
        'spec.storage.volumes[3].filesystem.expectedUUID',
        'spec.storage.volumes[4].source.multipath.minimumActivePaths',
        'spec.storage.volumes[5].source.deviceID',
        'spec.storage.volumes[6].source.deviceID',
        'metadata.annotations[storage.baremetal.alauda.io/initialization-approval-counter]',
      ]),
    );
    expect(problems.find((p) => p.field === 'spec.storage.volumes[2].source.deviceID')?.message).toContain(
      'is not blank (it holds a xfs filesystem u-1',
    );
  });

  it('takes a blank device with an approval for this inventory, this declaration and a fresh counter only', () => {
    const volumes = [volume('cpaas', 'wwn:0xblank', 'InitializeIfBlank')];
    const approved = (uid: string, counter: number, consumed = 0) =>
      checkStorage({
        inventoryUID: 'uid-1',
        annotations: initializationApproval(uid, volumes, counter),
        volumes,
        observed,
        status: { lastConsumedInitializationApprovalCounter: consumed },
      });
    expect(approved('uid-1', 1)).toMatchObject({ problems: [], toInitialize: ['cpaas'], approvalCounter: 1 });
    expect(approved('uid-2', 1).problems[0]?.message).toContain('does not match this inventory');
    expect(approved('uid-1', 2, 2).problems[0]?.message).toContain('approval counter 2 is used already');
  });

  it('hashes the normalised declaration: order and defaults do not matter', () => {
    const a = volume('a', 'wwn:0xblank', 'InitializeIfBlank');
    const b = volume('b', 'wwn:0xdata', 'Adopt', {
      filesystem: { type: 'xfs', policy: 'Adopt', expectedUUID: 'u-1' },
    });
    expect(storageSpecHash([a, b])).toBe(
      storageSpecHash([b, { ...a, mount: { ...a.mount, required: true } }]),
    );
    expect(storageSpecHash([a])).not.toBe(storageSpecHash([{ ...a, mount: { path: '/data/other' } }]));
  });

  it('reads quantities and names mount units as systemd-escape does', () => {
    expect(quantityBytes('100Gi')).toBe(100 * 2 ** 30);
    expect(quantityBytes('500G')).toBe(500e9);
    expect(quantityBytes(1024)).toBe(1024);
    expect(quantityBytes('lots')).toBeUndefined();
    expect(mountUnitName('/var/cpaas')).toBe('var-cpaas.mount');
    expect(mountUnitName('/data/app-1')).toBe('data-app\\x2d1.mount');
  });
});
