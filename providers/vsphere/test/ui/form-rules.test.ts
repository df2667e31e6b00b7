import { describe, expect, it } from 'vitest';
import { VSphereMachineSpec } from '../../src/api/vsphere-machine.js';
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
