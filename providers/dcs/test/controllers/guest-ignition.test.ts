import {
  composeIgnition,
  ignitionIso,
  mountsHome,
  mountUnitName,
  networkManagerKeyfile,
  prefixLength,
  runsKubeadmInit,
} from '@immutable-infra/provider-kit';
import { ignitionProblems, readIsoFile } from '@immutable-infra/workload-sim';
import { describe, expect, it } from 'vitest';
import { bootstrapVipUnit } from '../../src/controllers/guest-files.js';
import { guestDisks, guestNics } from '../../src/controllers/guest-ignition.js';
import { persistentDiskSequence } from '../../src/controllers/persistent-disks.js';

const dataUrl = (text: string) => `data:,${encodeURIComponent(text)}`;
const decode = (source: string) => {
  const [meta = '', payload = ''] = source.replace(/^data:/, '').split(',');
  return meta.includes('base64') ? Buffer.from(payload, 'base64').toString() : decodeURIComponent(payload);
};

const kubeadm =
  'kind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    provider-id: PROVIDER_ID\n    node-ip: NODE_IP\n';
const inlineKey = 'kind: EncryptionConfiguration # inline, the user key\n';
const bootstrap = (version = '3.4.0') => ({
  format: 'ignition' as const,
  value: JSON.stringify({
    ignition: { version },
    storage: {
      files: [
        { path: '/etc/kubeadm.yml', contents: { source: dataUrl(kubeadm) } },
        { path: '/etc/kubernetes/encryption-provider.conf', contents: { source: dataUrl(inlineKey) } },
      ],
    },
  }),
});

/** The documented control plane template: system volume, kubelet, containerd, etcd (all xfs). */
const templateSpec = {
  vmConfig: {
    dcsMachineCpuSpec: { quantity: 4 },
    dcsMachineMemorySpec: { quantity: 8192 },
    dcsMachineDiskSpec: [
      { quantity: 0, systemVolume: true, datastoreClusterName: 'ds' },
      { quantity: 100, datastoreClusterName: 'ds', path: '/var/lib/kubelet', format: 'xfs' },
      {
        quantity: 100,
        datastoreClusterName: 'ds',
        path: '/var/lib/containerd',
        format: 'xfs',
        mountOptions: ['noatime'],
      },
      {
        quantity: 10,
        datastoreClusterName: 'ds',
        path: '/var/lib/etcd',
        format: 'xfs',
        options: ['-K'],
        wipeFilesystem: true,
      },
    ],
  },
};
/** The documented pool entry: /var/cpaas as slot 0's persistent disk, one additional NIC. */
const entry = {
  ip: '10.0.1.11',
  mask: '255.255.255.0',
  gateway: '10.0.1.1',
  dns: '10.0.0.53,10.0.0.54',
  hostname: 'cp-1',
  additionNic: [{ ip: '192.168.5.11', mask: '24', gateway: '192.168.5.1' }],
  persistentDisk: [
    {
      slot: 0,
      quantityGB: 40,
      datastoreClusterName: 'ds',
      path: '/var/cpaas',
      format: 'xfs',
      mountOptions: ['defaults'],
    },
  ],
};
// The system volume, the template's three data disks, and slot 0 right after them.
const vmDisks = [1, 2, 3, 4, 5].map((sequenceNum) => ({ sequenceNum, pciType: 'VIRTIO' }));

describe('the guest configuration a DCS machine boots with', () => {
  it('formats and mounts the template data disks and the persistent /var/cpaas by their virtio order', () => {
    const disks = guestDisks(templateSpec, entry, vmDisks);
    expect(disks.map((d) => [d.path, d.device, d.format])).toEqual([
      ['/var/lib/kubelet', '/dev/vdb', 'xfs'],
      ['/var/lib/containerd', '/dev/vdc', 'xfs'],
      ['/var/lib/etcd', '/dev/vdd', 'xfs'],
      ['/var/cpaas', '/dev/vde', 'xfs'],
    ]);
    expect(disks[1]?.mountOptions).toEqual(['noatime']);
    expect(disks[2]).toMatchObject({ options: ['-K'], wipeFilesystem: true });
    // Data on a persistent disk outlives the VM: never wiped.
    expect(disks[3]?.wipeFilesystem).toBe(false);
  });

  it("numbers persistent disks right after the template's disks, as the documented claim formula reads them", () => {
    // slot = oldSequenceNum - systemDiskCount - newTemplateDataDiskCount - 1, the documentation's
    // worked example: a new template with /var/lib/kubelet and /var/lib/containerd keeps the old
    // VM's /var/cpaas (sequence 5) as slot 1, and with one data disk /var/lib/containerd (4) as slot 1.
    const withDataDisks = (count: number) => ({
      vmConfig: {
        dcsMachineDiskSpec: [
          { quantity: 0, systemVolume: true },
          ...Array.from({ length: count }, (_, i) => ({ quantity: 10, path: `/data/${i}` })),
        ],
      },
    });
    expect(persistentDiskSequence(withDataDisks(2), 1)).toBe(5);
    expect(persistentDiskSequence(withDataDisks(1), 1)).toBe(4);
    expect(persistentDiskSequence(withDataDisks(1), 2)).toBe(5);
    // A spec that does not list the system volume still has it on the VM, as sequence 1.
    expect(persistentDiskSequence({ vmConfig: { dcsMachineDiskSpec: [{ quantity: 10 }] } }, 0)).toBe(3);
    expect(persistentDiskSequence({}, 0)).toBe(2);
    expect(persistentDiskSequence(templateSpec, 0)).toBe(5);
  });

  it('addresses every NIC with a NetworkManager keyfile that carries the DNS servers', () => {
    const nics = guestNics(entry);
    expect(nics.map((n) => [n.interfaceName, n.ip, n.prefix])).toEqual([
      ['eth0', '10.0.1.11', 24],
      ['eth1', '192.168.5.11', 24],
    ]);
    const keyfile = networkManagerKeyfile(nics[0] as (typeof nics)[0]);
    expect(keyfile).toContain('interface-name=eth0');
    expect(keyfile).toContain('address1=10.0.1.11/24,10.0.1.1');
    expect(keyfile).toContain('dns=10.0.0.53;10.0.0.54;');
    expect(prefixLength('255.255.240.0')).toBe(20);
  });

  it('composes Ignition 3 with filesystems, mount units, keyfiles, files, and the tokens replaced', () => {
    const out = JSON.parse(
      composeIgnition(bootstrap(), {
        hostname: entry.hostname,
        disks: guestDisks(templateSpec, entry, vmDisks),
        nics: guestNics(entry),
        files: [
          { path: '/etc/kubernetes/pki/kubelet.crt', content: 'CERT', mode: '0644' },
          {
            path: '/etc/kubernetes/encryption-provider.conf',
            content: 'GENERATED',
            mode: '0600',
            keepBootstrapFile: true,
          },
        ],
        tokens: { PROVIDER_ID: 'dcs://cp-1', NODE_IP: entry.ip },
      }),
    );
    const files = new Map<string, string>(
      out.storage.files.map((f: { path: string; contents: { source: string } }) => [
        f.path,
        decode(f.contents.source),
      ]),
    );
    expect(files.get('/etc/kubeadm.yml')).toContain('provider-id: dcs://cp-1');
    expect(files.get('/etc/kubeadm.yml')).toContain('node-ip: 10.0.1.11');
    expect(files.get('/etc/kubernetes/pki/kubelet.crt')).toBe('CERT');
    // The user's inline key stays: it is the one the cluster already encrypts with.
    expect(files.get('/etc/kubernetes/encryption-provider.conf')).toBe(inlineKey);
    expect(files.get('/etc/hostname')).toBe('cp-1\n');
    expect(files.get('/etc/NetworkManager/system-connections/eth1.nmconnection')).toContain(
      'address1=192.168.5.11/24,192.168.5.1',
    );
    const keyfile = out.storage.files.find((f: { path: string }) => f.path.endsWith('eth0.nmconnection'));
    expect(keyfile.mode).toBe(0o600);
    expect(out.storage.filesystems).toContainEqual({
      device: '/dev/vde',
      format: 'xfs',
      path: '/var/cpaas',
      wipeFilesystem: false,
      mountOptions: ['defaults'],
    });
    const units = new Map<string, string>(
      out.systemd.units.map((u: { name: string; contents: string }) => [u.name, u.contents]),
    );
    expect(units.get('var-cpaas.mount')).toContain('What=/dev/vde');
    expect(units.get('var-lib-containerd.mount')).toContain('Options=noatime');
  });

  it('mounts the /home subvolume for Alauda OS, and not for a KubeOS cluster', () => {
    expect(mountsHome(undefined)).toBe(true);
    expect(mountsHome({ 'cpaas.io/os-family': 'slemicro' })).toBe(true);
    expect(mountsHome({ 'cpaas.io/os-family': 'kubeos' })).toBe(false);
    const home = (homeSubvolume: boolean) =>
      (
        JSON.parse(
          composeIgnition(bootstrap(), { disks: [], nics: [], files: [], tokens: {}, homeSubvolume }),
        ).storage.filesystems ?? []
      ).filter((fs: { path?: string }) => fs.path === '/home');
    expect(home(true)).toEqual([
      {
        device: '/dev/disk/by-label/ROOT',
        format: 'btrfs',
        path: '/home',
        wipeFilesystem: false,
        mountOptions: ['subvol=/@/home'],
      },
    ]);
    expect(home(false)).toEqual([]);
  });

  it('names spec 2 filesystems and writes files on the root filesystem', () => {
    const out = JSON.parse(
      composeIgnition(bootstrap('2.3.0'), {
        disks: guestDisks(templateSpec, entry, vmDisks),
        nics: guestNics(entry),
        files: [],
        tokens: {},
      }),
    );
    expect(out.storage.filesystems[0]).toEqual({
      name: 'data-disk-0',
      mount: { device: '/dev/vdb', format: 'xfs', wipeFilesystem: false },
    });
    expect(out.storage.files.at(-1).filesystem).toBe('root');
  });

  it('replaces a bootstrap file when the provider owns the path (an encryptionProviderConfigRef)', () => {
    const out = JSON.parse(
      composeIgnition(bootstrap(), {
        disks: [],
        nics: [],
        files: [{ path: '/etc/kubernetes/encryption-provider.conf', content: 'FROM-SECRET', mode: '0600' }],
        tokens: {},
      }),
    );
    const written = out.storage.files.filter((f: { path: string }) =>
      f.path.endsWith('encryption-provider.conf'),
    );
    expect(written.map((f: { contents: { source: string } }) => decode(f.contents.source))).toEqual([
      'FROM-SECRET',
    ]);
  });

  it('refuses bootstrap data that is not Ignition, naming the setting', () => {
    expect(() =>
      composeIgnition(
        { format: 'cloud-config', value: '#cloud-config\n' },
        { disks: [], nics: [], files: [], tokens: {} },
      ),
    ).toThrow(/format: ignition/);
  });

  it('escapes mount unit names as systemd does', () => {
    expect(mountUnitName('/var/lib/kubelet')).toBe('var-lib-kubelet.mount');
    expect(mountUnitName('/data/my-disk')).toBe('data-my\\x2ddisk.mount');
  });

  it('gives the first control plane node the bootstrap VIP', () => {
    expect(runsKubeadmInit(bootstrap())).toBe(false);
    const init = {
      format: 'ignition' as const,
      value: JSON.stringify({
        storage: {
          files: [{ path: '/etc/kubeadm.yml', contents: { source: dataUrl('kind: InitConfiguration\n') } }],
        },
      }),
    };
    expect(runsKubeadmInit(init)).toBe(true);
    const unit = bootstrapVipUnit('10.0.1.100', '10.0.1.11', undefined);
    expect(unit.name).toBe('dcs-bootstrap-vip.service');
    expect(unit.contents).toContain(
      'ip addr replace 10.0.1.100/32 dev $$(ip -o -4 addr show to 10.0.1.11/32',
    );
    expect(bootstrapVipUnit('10.0.1.100', '10.0.1.11', 'eth1').contents).toContain('dev eth1"');
  });

  it("passes the workload simulator's check from the ISO, which names each documented piece left out", () => {
    const guest = {
      hostname: entry.hostname,
      disks: guestDisks(templateSpec, entry, vmDisks),
      nics: guestNics(entry),
      files: [
        { path: '/etc/kubernetes/pki/kubelet.crt', content: 'CERT', mode: '0644' },
        { path: '/etc/kubernetes/pki/kubelet.key', content: 'KEY', mode: '0600' },
      ],
      tokens: { PROVIDER_ID: 'dcs://cp-1', NODE_IP: entry.ip },
    };
    const expected = {
      mounts: ['/var/lib/kubelet', '/var/lib/containerd', '/var/lib/etcd', '/var/cpaas'],
      files: [
        '/etc/kubernetes/pki/kubelet.crt',
        '/etc/kubernetes/pki/kubelet.key',
        '/etc/kubernetes/encryption-provider.conf',
      ],
      nics: [
        { ip: '10.0.1.11', prefix: 24, gateway: '10.0.1.1', dns: ['10.0.0.53', '10.0.0.54'] },
        { ip: '192.168.5.11', prefix: 24, gateway: '192.168.5.1' },
      ],
      hostname: 'cp-1',
      tokens: ['PROVIDER_ID', 'NODE_IP'],
    };
    const received = (config: string) =>
      (readIsoFile(ignitionIso(config), 'ignition/config.ign') as Buffer).toString('utf8');
    expect(ignitionProblems(received(composeIgnition(bootstrap(), guest)), expected)).toEqual([]);

    // The root disk instead of /var/cpaas, no keyfile for eth1, no kubelet key, the tokens left as written.
    const lacking = composeIgnition(bootstrap(), {
      ...guest,
      disks: guest.disks.filter((d) => d.path !== '/var/cpaas'),
      nics: guest.nics.slice(0, 1),
      files: guest.files.slice(0, 1),
      tokens: {},
    });
    expect(ignitionProblems(received(lacking), expected)).toEqual([
      'no enabled systemd mount unit mounts /var/cpaas at boot',
      'no file /etc/kubernetes/pki/kubelet.key',
      'no NetworkManager keyfile sets address1=192.168.5.11/24,192.168.5.1',
      '/etc/kubeadm.yml still holds the token PROVIDER_ID',
    ]);
  });
});
