import { describe, expect, it } from 'vitest';
import {
  type DeclaredDisk,
  holdsPersistentDisk,
  nextAttachAction,
  nextDetachAction,
  type ObservedVolume,
  persistentDiskRecords,
  persistentDiskStatusOf,
  previousDiskRecords,
} from '../src/index.js';

const disks: DeclaredDisk[] = [
  { entryKey: '10.0.0.5', slot: 0, name: 'pool-aaaa0000' },
  { entryKey: '10.0.0.5', slot: 1, name: 'pool-bbbb1111' },
];
const volumes = (entries: [string, ObservedVolume][]) => new Map(entries);

describe('persistentDiskRecords', () => {
  it('writes one record per declared disk, keeps the transition time while the phase holds, names the holder', () => {
    const records = persistentDiskRecords({
      disks,
      volumes: volumes([
        ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-1' }],
        ['pool-bbbb1111', { id: 'vol-1', phase: 'Error', platformState: 'error_extending' }],
      ]),
      ownerOf: (key) => (key === '10.0.0.5' ? { uid: 'uid-1', name: 'machine-1' } : undefined),
      previous: [
        { entryKey: '10.0.0.5', slot: 0, phase: 'Attached', lastTransitionTime: '2026-12-01T08:00:00Z' },
        { entryKey: '10.0.0.5', slot: 1, phase: 'Available', lastTransitionTime: '2026-12-01T08:00:00Z' },
      ],
      now: new Date('2026-12-02T10:00:00.123Z'),
    });
    expect(records).toEqual([
      {
        entryKey: '10.0.0.5',
        slot: 0,
        name: 'pool-aaaa0000',
        volumeId: 'vol-0',
        phase: 'Attached',
        attachedTo: 'vm-1',
        ownerName: 'machine-1',
        ownerUid: 'uid-1',
        lastTransitionTime: '2026-12-01T08:00:00Z',
      },
      {
        entryKey: '10.0.0.5',
        slot: 1,
        name: 'pool-bbbb1111',
        volumeId: 'vol-1',
        phase: 'Error',
        lastError: 'volume pool-bbbb1111 is error_extending on the platform',
        ownerName: 'machine-1',
        ownerUid: 'uid-1',
        lastTransitionTime: '2026-12-02T10:00:00Z',
      },
    ]);
  });

  it('records a disk whose volume does not exist yet without a phase', () => {
    const [record] = persistentDiskRecords({
      disks,
      volumes: new Map(),
      ownerOf: () => undefined,
      previous: [],
      now: new Date(),
    });
    expect(record).toEqual({ entryKey: '10.0.0.5', slot: 0, name: 'pool-aaaa0000' });
  });
});

describe('a volume that does not match its declaration', () => {
  it('is Error with the mismatch as lastError, never attached, and keeps a running machine', () => {
    const mismatch =
      'persistent disk 10.0.0.5/0 (volume pool-aaaa0000): quantityGB is 40 but the volume has 50 GB';
    const seen = volumes([['pool-aaaa0000', { id: 'vol-0', phase: 'Available', mismatch }]]);
    const [record] = persistentDiskRecords({
      disks: [disks[0] as DeclaredDisk],
      volumes: seen,
      ownerOf: () => undefined,
      previous: [
        { entryKey: '10.0.0.5', slot: 0, phase: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
      now: new Date('2026-02-02T00:00:00Z'),
    });
    expect(record).toMatchObject({ phase: 'Error', lastError: mismatch, volumeId: 'vol-0' });
    // The phase changed, so its time moved.
    expect(record?.lastTransitionTime).toBe('2026-02-02T00:00:00Z');
    expect(nextAttachAction([disks[0] as DeclaredDisk], seen, 'vm-2')).toEqual({
      action: 'wait',
      disk: disks[0],
      message: mismatch,
      problem: true,
    });
    // Already on the machine it serves (the declaration changed after): left where it is.
    const onIt = volumes([
      ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-2', mismatch }],
    ]);
    expect(nextAttachAction([disks[0] as DeclaredDisk], onIt, 'vm-2')).toEqual({ action: 'none' });
  });
});

describe('next disk actions', () => {
  it('creates, waits for the previous machine, attaches, then is done: one change at a time', () => {
    expect(nextAttachAction(disks, new Map(), 'vm-2')).toEqual({ action: 'create', disk: disks[0] });
    const onOld = volumes([
      ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-1' }],
      ['pool-bbbb1111', { id: 'vol-1', phase: 'Available' }],
    ]);
    expect(nextAttachAction(disks, onOld, 'vm-2')).toMatchObject({
      action: 'wait',
      problem: false,
      message: 'persistent disk pool-aaaa0000 is still attached to vm-1',
    });
    const free = volumes([
      ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-2' }],
      ['pool-bbbb1111', { id: 'vol-1', phase: 'Available' }],
    ]);
    expect(nextAttachAction(disks, free, 'vm-2')).toEqual({
      action: 'attach',
      disk: disks[1],
      volumeId: 'vol-1',
    });
    const busy = volumes([
      ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-2' }],
      ['pool-bbbb1111', { id: 'vol-1', phase: 'Attaching', attachedTo: 'vm-2' }],
    ]);
    expect(nextAttachAction(disks, busy, 'vm-2')).toMatchObject({
      action: 'wait',
      message: 'persistent disk pool-bbbb1111 is attaching',
    });
    const broken = volumes([['pool-aaaa0000', { id: 'vol-0', phase: 'Error' }]]);
    expect(nextAttachAction(disks, broken, 'vm-2')).toMatchObject({ action: 'wait', problem: true });
    const all = volumes([
      ['pool-aaaa0000', { id: 'vol-0', phase: 'Attached', attachedTo: 'vm-2' }],
      ['pool-bbbb1111', { id: 'vol-1', phase: 'Attached', attachedTo: 'vm-2' }],
    ]);
    expect(nextAttachAction(disks, all, 'vm-2')).toEqual({ action: 'none' });
    expect(holdsPersistentDisk(disks, all, 'vm-2')).toBe(true);

    expect(nextDetachAction(disks, all, 'vm-2')).toEqual({
      action: 'detach',
      disk: disks[0],
      volumeId: 'vol-0',
    });
    expect(nextDetachAction(disks, busy, 'vm-3')).toEqual({ action: 'none' });
    expect(holdsPersistentDisk(disks, busy, 'vm-3')).toBe(false);
  });
});

describe('the status record a provider writes', () => {
  it('names the shared fields alike and leaves out what is unset', () => {
    expect(
      persistentDiskStatusOf({
        entryKey: '10.0.0.5',
        slot: 1,
        name: 'pool-bbbb1111',
        volumeId: 'vol-1',
        attachedTo: 'vm-1',
        phase: 'Attached',
        ownerName: 'machine-1',
        ownerUid: 'uid-1',
        lastTransitionTime: '2026-12-01T08:00:00Z',
      }),
    ).toEqual({
      slot: 1,
      name: 'pool-bbbb1111',
      phase: 'Attached',
      ownerMachineName: 'machine-1',
      ownerMachineUID: 'uid-1',
      lastTransitionTime: '2026-12-01T08:00:00Z',
    });
    expect(persistentDiskStatusOf({ entryKey: 'node-1', slot: 0, name: 'pool-aaaa0000' })).toEqual({
      slot: 0,
      name: 'pool-aaaa0000',
    });
  });

  it('reads the stored records back by the entry key the provider stores them under', () => {
    const stored = [
      { hostname: 'node-1', slot: 0, phase: 'Attached' as const, lastTransitionTime: '2026-12-01T08:00:00Z' },
      { hostname: 'node-2', slot: 1, volumeID: 'vol-2' },
    ];
    expect(previousDiskRecords(stored, (record) => record.hostname)).toEqual([
      { entryKey: 'node-1', slot: 0, phase: 'Attached', lastTransitionTime: '2026-12-01T08:00:00Z' },
      { entryKey: 'node-2', slot: 1 },
    ]);
    expect(previousDiskRecords(undefined, () => '')).toEqual([]);
  });
});
