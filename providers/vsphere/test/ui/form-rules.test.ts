import { describe, expect, it } from 'vitest';
import { VSphereMachineSpec } from '../../src/api/vsphere-machine.js';
import {
  type PoolDraft,
  poolDraftOf,
  poolSpecOf,
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
  const slot = {
    hostname: 'cp-01',
    networkName: 'pg-business',
    ip: '10.10.10.11/24',
    gateway: '10.10.10.1',
    dns: '10.10.10.2',
  };
  const pool = (change: Partial<PoolDraft> = {}): PoolDraft => ({
    name: 'cp',
    clusterName: 'lab',
    datacenter: 'dc-a',
    releaseDelayHours: Number.NaN,
    slots: [slot],
    ...change,
  });

  it('keeps what the form does not show (persistent disks, further NICs) with the slot of the same hostname', () => {
    const stored = {
      clusterRef: { name: 'lab' },
      configs: [
        {
          hostname: 'cp-01',
          network: {
            primary: { networkName: 'pg-old', deviceName: 'ens192' },
            additional: [{ networkName: 'pg-storage' }],
          },
          persistentDisks: [{ name: 'etcd', sizeGiB: 20, mountPath: '/var/lib/etcd' }],
        },
      ],
    };
    const spec = poolSpecOf(pool({ releaseDelayHours: 0 }), stored as never);
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
            additional: [{ networkName: 'pg-storage' }],
          },
          persistentDisks: [{ name: 'etcd', sizeGiB: 20, mountPath: '/var/lib/etcd' }],
        },
      ],
    });
    expect(poolDraftOf('cp', spec)).toEqual(pool({ releaseDelayHours: 0 }));
    expect(validatePool(pool(), true)).toEqual([]);
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
});
