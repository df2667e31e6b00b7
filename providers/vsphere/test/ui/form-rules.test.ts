import { describe, expect, it } from 'vitest';
import { VSphereMachineSpec } from '../../src/api/vsphere-machine.js';
import {
  type DiskDraft,
  diskLifecycle,
  emptyDisk,
  emptyNic,
  type PoolDraft,
  poolDraftOf,
  poolSpecOf,
  type SlotDraft,
  validatePool,
} from '../../src/ui/config-pools/pool-rules.js';
import { validateVsphereCredential } from '../../src/ui/credentials/credential-form.js';
import {
  draftOf,
  emptyDraft,
  type MachineTemplateDraft,
  machineSpecOf,
  validateMachineTemplate,
} from '../../src/ui/machine-templates/template-rules.js';

// The rules the vSphere forms check before anything is sent (the browser test shows them next to
// their fields); here each rule on its own, and the spec a draft becomes.

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const SHA1 = Array.from({ length: 20 }, () => 'AB').join(':');

describe('the vCenter credential', () => {
  const valid = { name: 'vcenter', server: 'vc.example.local:8443', username: 'u', password: 'p' };

  it('needs a name, a server without scheme or path, a user and a password', () => {
    expect(validateVsphereCredential(valid, true)).toEqual([]);
    expect(validateVsphereCredential({}, true).map((p) => p.field)).toEqual([
      'name',
      'server',
      'username',
      'password',
    ]);
    for (const server of ['https://vc.example.local', 'vc.example.local/sdk', 'vc example'])
      expect(validateVsphereCredential({ ...valid, server }, true), server).toEqual([
        {
          field: 'server',
          message:
            'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path',
        },
      ]);
  });

  it('trusts vCenter by a PEM CA bundle or by a thumbprint, not both', () => {
    expect(validateVsphereCredential({ ...valid, caBundle: CA }, true)).toEqual([]);
    expect(validateVsphereCredential({ ...valid, thumbprint: SHA1 }, true)).toEqual([]);
    expect(validateVsphereCredential({ ...valid, caBundle: 'not a certificate' }, true)).toEqual([
      { field: 'caBundle', message: 'one or more PEM certificates (-----BEGIN CERTIFICATE-----)' },
    ]);
    expect(validateVsphereCredential({ ...valid, thumbprint: 'AB:CD' }, true).map((p) => p.field)).toEqual([
      'thumbprint',
    ]);
    expect(validateVsphereCredential({ ...valid, caBundle: CA, thumbprint: SHA1 }, true)).toEqual([
      {
        field: 'thumbprint',
        message: 'give the CA bundle or the thumbprint, not both (the thumbprint alone decides)',
      },
    ]);
  });

  it('on update keeps what is left empty, and still checks what is typed', () => {
    expect(validateVsphereCredential({ name: 'vcenter' }, false)).toEqual([]);
    expect(
      validateVsphereCredential({ name: 'vcenter', server: 'https://x' }, false).map((p) => p.field),
    ).toEqual(['server']);
  });
});

describe('the machine template', () => {
  const draft = (change: Partial<MachineTemplateDraft> = {}): MachineTemplateDraft => ({
    ...emptyDraft(),
    name: 'workers',
    datacenter: 'dc-a',
    template: 'microos-k8s-template',
    nics: [{ networkName: 'pg-business', dhcp4: true }],
    ...change,
  });

  it('becomes a VSphereMachine spec the schema accepts, and reads back as the same draft', () => {
    const full = draft({
      folder: 'workloads',
      datastore: 'datastore-cp',
      cloneMode: 'linkedClone',
      diskGiB: 40,
    });
    expect(validateMachineTemplate(full, true)).toEqual([]);
    const spec = machineSpecOf(full);
    expect(VSphereMachineSpec.safeParse(spec).success).toBe(true);
    expect(spec).toEqual({
      datacenter: 'dc-a',
      template: 'microos-k8s-template',
      folder: 'workloads',
      datastore: 'datastore-cp',
      cloneMode: 'linkedClone',
      numCPUs: 2,
      memoryMiB: 4096,
      diskGiB: 40,
      network: { devices: [{ networkName: 'pg-business', dhcp4: true }] },
    });
    expect(draftOf('workers', spec)).toEqual(full);
  });

  it('names each problem by its field: choices, sizes and every NIC’s network', () => {
    const problems = validateMachineTemplate(
      draft({
        datacenter: '',
        template: '',
        numCPUs: 1.5,
        memoryMiB: Number.NaN,
        diskGiB: 0,
        server: 'https://vc',
        nics: [
          { networkName: 'pg-business', dhcp4: true },
          { networkName: '', dhcp4: false },
        ],
      }),
      true,
    );
    expect(Object.fromEntries(problems.map((p) => [p.field, p.message]))).toEqual({
      server:
        'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path',
      datacenter: 'choose the datacenter',
      template: 'choose the VM template to clone',
      numCPUs: 'a whole number of CPUs, at least 1',
      memoryMiB: 'a whole number of MiB, at least 4',
      diskGiB: 'a whole number of GiB, at least 1 (empty keeps the template’s size)',
      'nics.1.networkName': 'choose the network of this device',
    });
    expect(validateMachineTemplate(draft({ nics: [] }), true)).toEqual([
      { field: 'nics', message: 'a machine needs at least one network device' },
    ]);
    expect(validateMachineTemplate(draft({ name: 'Workers' }), true).map((p) => p.field)).toEqual(['name']);
    // The name of a stored template is not checked again.
    expect(validateMachineTemplate(draft({ name: 'Workers' }), false)).toEqual([]);
  });
});

describe('the config pool', () => {
  const slot: SlotDraft = {
    hostname: 'cp-01',
    networkName: 'pg-business',
    ip: '10.10.10.11/24',
    gateway: '10.10.10.1',
    dns: '10.10.10.2',
    nics: [],
    disks: [],
  };
  const storageNic = { ...emptyNic(), networkName: 'pg-storage', ip: '10.10.20.11/24' };
  const etcdDisk: DiskDraft = { ...emptyDisk(), name: 'etcd', sizeGiB: 20, mountPath: '/var/lib/etcd' };
  const pool = (change: Partial<PoolDraft> = {}): PoolDraft => ({
    name: 'cp',
    clusterName: 'lab',
    datacenter: 'dc-a',
    releaseDelayHours: Number.NaN,
    slots: [slot],
    ...change,
  });

  it('edits further NICs and disks, keeping what the form does not show with the slot, NIC and disk it belongs to', () => {
    const stored = {
      clusterRef: { name: 'lab' },
      configs: [
        {
          hostname: 'cp-01',
          network: {
            primary: { networkName: 'pg-old', deviceName: 'ens192' },
            additional: [{ networkName: 'pg-storage', ipv6: 'fd00::11/64' }, { networkName: 'pg-gone' }],
          },
          persistentDisks: [
            {
              name: 'etcd',
              sizeGiB: 10,
              diskUUID: 'uuid-1',
              volumePath: '[ds] cp-01/etcd.vmdk',
              mountOptions: ['noatime'],
            },
            { name: 'removed', sizeGiB: 5 },
          ],
        },
      ],
    };
    const draft = pool({
      releaseDelayHours: 0,
      slots: [
        {
          ...slot,
          nics: [{ ...storageNic, deviceName: 'eth1', gateway: '10.10.20.1', dns: '10.10.20.2' }],
          disks: [
            { ...etcdDisk, unitNumber: 1, wipeFilesystem: true },
            { ...emptyDisk(), name: 'data', sizeGiB: 100, fsFormat: 'xfs', datastore: 'ds-b' },
          ],
        },
      ],
    });
    const spec = poolSpecOf(draft, stored as never);
    expect(spec).toEqual({
      clusterRef: { name: 'lab' },
      datacenter: 'dc-a',
      releaseDelayHours: 0,
      configs: [
        {
          hostname: 'cp-01',
          network: {
            primary: {
              networkName: 'pg-business',
              deviceName: 'ens192',
              ip: '10.10.10.11/24',
              gateway: '10.10.10.1',
              dns: ['10.10.10.2'],
            },
            additional: [
              {
                networkName: 'pg-storage',
                ipv6: 'fd00::11/64',
                deviceName: 'eth1',
                ip: '10.10.20.11/24',
                gateway: '10.10.20.1',
                dns: ['10.10.20.2'],
              },
            ],
          },
          persistentDisks: [
            {
              name: 'etcd',
              sizeGiB: 20,
              mountPath: '/var/lib/etcd',
              unitNumber: 1,
              wipeFilesystem: true,
              diskUUID: 'uuid-1',
              volumePath: '[ds] cp-01/etcd.vmdk',
              mountOptions: ['noatime'],
            },
            { name: 'data', sizeGiB: 100, fsFormat: 'xfs', datastore: 'ds-b' },
          ],
        },
      ],
    });
    expect(poolDraftOf('cp', spec)).toEqual(draft);
    expect(validatePool(draft, true)).toEqual([]);
    // Without further NICs and disks the slot has neither list (no empty arrays written).
    const bare = poolSpecOf(pool(), stored as never).configs[0];
    expect(bare?.persistentDisks).toBeUndefined();
    expect(bare?.network?.additional).toBeUndefined();
  });

  it('names each slot problem by its field', () => {
    const problems = validatePool(
      pool({
        clusterName: '',
        releaseDelayHours: -1,
        slots: [
          slot,
          { ...slot, ip: '10.10.20.12' },
          {
            ...slot,
            hostname: 'CP_3',
            networkName: '',
            gateway: '10.10.20.1',
            dns: '1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4',
          },
          { ...slot, ip: '', gateway: '10.10.10.1', dns: 'dns.example' },
        ],
      }),
      true,
    );
    expect(Object.fromEntries(problems.map((p) => [p.field, p.message]))).toEqual({
      clusterName: 'the Cluster whose vCenter the slots are in is required',
      releaseDelayHours: 'a whole number of hours, 0 or more (empty: 24)',
      'slots.1.hostname': 'cp-01 is already a slot of this pool',
      'slots.1.ip': 'an IPv4 address with its prefix length, e.g. 10.10.10.11/24',
      'slots.2.hostname': 'lowercase letters, digits and hyphens in dot-separated labels (DNS-1123)',
      'slots.2.networkName': 'choose the network of the node’s first NIC',
      'slots.2.ip': '10.10.10.11 is already the address of cp-01’s first NIC',
      'slots.2.gateway': 'not in the network of 10.10.10.11/24',
      'slots.2.dns': 'at most 3 DNS servers',
      'slots.3.hostname': 'cp-01 is already a slot of this pool',
      'slots.3.gateway': 'a gateway needs the slot’s address',
      'slots.3.dns': 'IPv4 addresses, comma separated',
    });
    expect(validatePool(pool({ slots: [] }), true)).toEqual([
      { field: 'slots', message: 'a pool needs at least one slot' },
    ]);
  });

  it('names each NIC and disk problem by its field, all of them at once', () => {
    const problems = validatePool(
      pool({
        slots: [
          {
            ...slot,
            nics: [
              { ...emptyNic(), ip: '10.10.20.11/24', gateway: '10.10.30.1' },
              { ...storageNic, deviceName: 'eth 1', ip: '10.10.10.11/24' },
              { ...storageNic, ip: '10.10.20.0/24', gateway: '10.10.20.1', dns: '10.10.20.2,x' },
              { ...storageNic, ip: '10.10.20.255/24' },
              { ...storageNic, ip: '', gateway: '10.10.20.1' },
            ],
            disks: [
              { ...emptyDisk(), name: 'etcd' },
              { ...etcdDisk, unitNumber: 7 },
              { ...etcdDisk, name: '', mountPath: 'var/lib' },
              { ...etcdDisk, name: 'data', sizeGiB: 0.5, unitNumber: 16 },
              { ...etcdDisk, name: 'logs', unitNumber: 3 },
              { ...etcdDisk, name: 'more', mountPath: '/var/log', unitNumber: 3 },
            ],
          },
          { ...slot, hostname: 'cp-02', ip: '10.10.10.12/24', nics: [{ ...storageNic }] },
        ],
      }),
      true,
    );
    expect(Object.fromEntries(problems.map((p) => [p.field, p.message]))).toEqual({
      'slots.0.nics.0.networkName': 'choose the network of this NIC',
      'slots.0.nics.0.gateway': 'not in the network of 10.10.20.11/24',
      'slots.0.nics.1.deviceName': 'a Linux interface name of at most 15 characters, e.g. eth1 or ens224',
      'slots.0.nics.1.ip': '10.10.10.11 is already the address of cp-01’s first NIC',
      'slots.0.nics.2.ip': '10.10.20.0/24 is the network’s own address, not a host in it',
      'slots.0.nics.2.dns': 'IPv4 addresses, comma separated',
      'slots.0.nics.3.ip': '10.10.20.255/24 is the network’s broadcast address',
      'slots.0.nics.4.gateway': 'a gateway needs this NIC’s address',
      'slots.0.disks.0.sizeGiB': 'the size in GiB is required',
      'slots.0.disks.1.name': 'etcd is already a disk of this slot',
      'slots.0.disks.1.unitNumber': 'unit 7 is the SCSI controller’s',
      'slots.0.disks.2.name': 'the disk name is required',
      'slots.0.disks.2.mountPath': 'an absolute path, e.g. /var/lib/etcd',
      'slots.0.disks.3.mountPath': 'another disk of this slot mounts at /var/lib/etcd',
      'slots.0.disks.3.sizeGiB': 'a whole number of GiB, 1 or more',
      'slots.0.disks.3.unitNumber': 'a SCSI unit from 0 to 15',
      'slots.0.disks.4.mountPath': 'another disk of this slot mounts at /var/lib/etcd',
      'slots.0.disks.5.unitNumber': 'another disk of this slot is SCSI unit 3',
      'slots.1.nics.0.ip': '10.10.20.11 is already the address of cp-01’s NIC 2',
    });
    const crowded = { ...slot, nics: Array.from({ length: 10 }, () => ({ ...storageNic, ip: '' })) };
    expect(validatePool(pool({ slots: [crowded] }), true)).toEqual([
      { field: 'slots.0.nics', message: 'at most 9 further NICs per slot' },
    ]);
  });

  it('tells each stored disk’s lifecycle from the slot’s status: new, in use, released, kept, reclaiming, reclaim failed', () => {
    const made = { name: 'etcd', sizeGiB: 20, diskUUID: 'u-1', volumePath: '[ds-a] pool/cp-01/etcd.vmdk' };
    const machineRef = { name: 'lab-cp-x7' };
    expect(diskLifecycle({ name: 'etcd', sizeGiB: 20 }, undefined).state).toBe('New');
    expect(diskLifecycle(made, { hostname: 'cp-01', state: 'InUse', machineRef })).toEqual({
      state: 'InUse',
      text: 'InUse by lab-cp-x7',
    });
    const released = {
      hostname: 'cp-01',
      state: 'Released' as const,
      lastReleasedTime: '2026-12-01T10:00:00Z',
    };
    expect(diskLifecycle(made, released)).toEqual({
      state: 'Released',
      text: 'Released at 2026-12-01T10:00:00Z: the next machine taking the slot reattaches it with its data, unless it is reclaimed',
    });
    expect(
      diskLifecycle({ ...made, wipeFilesystem: true }, { hostname: 'cp-01', state: 'Available' }),
    ).toEqual({
      state: 'Kept',
      text: 'Kept: the next machine taking the slot reattaches it wiped on its first boot',
    });
    const reclaim = (state: 'Running' | 'Failed', volumePath = made.volumePath) => ({
      ...released,
      reclaimStatus: { state, volumePath, lastError: 'datastore busy' },
    });
    expect(diskLifecycle(made, reclaim('Running')).state).toBe('Reclaiming');
    expect(diskLifecycle(made, reclaim('Failed'))).toEqual({
      state: 'ReclaimFailed',
      text: 'Reclaim failed: datastore busy',
    });
    // Another disk of the slot being reclaimed leaves this one released.
    expect(diskLifecycle(made, reclaim('Running', '[ds-a] pool/cp-01/data.vmdk')).state).toBe('Released');
  });
});
