import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeCloudInit } from '../src/index.js';

const kubeadm = [
  '## template: jinja',
  '#cloud-config',
  'runcmd:',
  '  - kubeadm join --node-name=PROVIDER_ID --ip NODE_IP',
  '',
].join('\n');

describe('composeCloudInit', () => {
  it('replaces PROVIDER_ID and NODE_IP and keeps the header lines first', () => {
    const text = composeCloudInit(
      { value: kubeadm, format: 'cloud-config' },
      { hostname: 'master-1', disks: [], tokens: { PROVIDER_ID: 'hcs://cp-1', NODE_IP: '192.168.1.11' } },
    );
    expect(text.startsWith('## template: jinja\n#cloud-config\n')).toBe(true);
    const config = parse(text);
    expect(config.runcmd).toEqual(['kubeadm join --node-name=hcs://cp-1 --ip 192.168.1.11']);
    expect(config).toMatchObject({
      hostname: 'master-1',
      manage_etc_hosts: true,
      prefer_fqdn_over_hostname: false,
    });
    expect(config.fqdn).toBeUndefined();
  });

  it('gives a dotted hostname as fqdn with its first label as the POSIX hostname', () => {
    const config = parse(
      composeCloudInit(
        { value: '#cloud-config\n', format: 'cloud-config' },
        { hostname: 'master-1.example.org', disks: [], tokens: { PROVIDER_ID: 'x', NODE_IP: undefined } },
      ),
    );
    expect(config).toMatchObject({
      hostname: 'master-1',
      fqdn: 'master-1.example.org',
      manage_etc_hosts: true,
    });
  });

  it('leaves NODE_IP alone when ECS chooses the address, and formats disks only when blank', () => {
    const text = composeCloudInit(
      { value: kubeadm, format: 'cloud-config' },
      {
        hostname: undefined,
        disks: [
          {
            device: '/dev/vdc',
            mountPath: '/var/cpaas',
            format: 'xfs',
            mountOptions: ['defaults', 'noatime'],
          },
        ],
        tokens: { PROVIDER_ID: 'hcs://w-1', NODE_IP: undefined },
      },
    );
    const config = parse(text);
    expect(config.runcmd[0]).toContain('--ip NODE_IP');
    expect(config.hostname).toBeUndefined();
    expect(config.fs_setup).toEqual([{ device: '/dev/vdc', filesystem: 'xfs', overwrite: false }]);
    expect(config.mounts).toEqual([['/dev/vdc', '/var/cpaas', 'xfs', 'defaults,noatime,nofail', '0', '2']]);
    expect(config.bootcmd[0]).toContain('/dev/vdc');
  });

  it('formats a disk marked wipe on the first boot of each new server, and leaves the others as they are', () => {
    const text = composeCloudInit(
      { format: 'cloud-config', value: '#cloud-config\n' },
      {
        hostname: undefined,
        disks: [
          { device: '/dev/sdb', mountPath: '/var/lib/etcd', format: 'ext4', mountOptions: [], wipe: true },
          { device: '/dev/sdc', mountPath: '/var/cpaas', format: 'ext4', mountOptions: [] },
        ],
        tokens: { PROVIDER_ID: 'vsphere://x', NODE_IP: undefined },
      },
    );
    expect(parse(text).fs_setup).toEqual([
      { device: '/dev/sdb', filesystem: 'ext4', overwrite: true },
      { device: '/dev/sdc', filesystem: 'ext4', overwrite: false },
    ]);
  });

  it("writes the provider's files in place of bootstrap files at the same path", () => {
    const bootstrap = [
      '#cloud-config',
      'write_files:',
      '  - path: /etc/kubernetes/encryption-provider.conf',
      '    content: bootstrap-placeholder',
      '  - path: /etc/kubernetes/audit/policy.yaml',
      '    content: rules',
      '',
    ].join('\n');
    const config = parse(
      composeCloudInit(
        { value: bootstrap, format: 'cloud-config' },
        {
          hostname: 'm',
          disks: [],
          tokens: { PROVIDER_ID: 'x', NODE_IP: 'y' },
          files: [{ path: '/etc/kubernetes/encryption-provider.conf', content: 'real', permissions: '0600' }],
        },
      ),
    );
    expect(config.write_files).toEqual([
      { path: '/etc/kubernetes/audit/policy.yaml', content: 'rules' },
      {
        path: '/etc/kubernetes/encryption-provider.conf',
        owner: 'root:root',
        permissions: '0600',
        content: 'real',
      },
    ]);
  });

  it('refuses Ignition: HCS servers boot with cloud-init', () => {
    expect(() =>
      composeCloudInit(
        { value: '{}', format: 'ignition' },
        { hostname: 'a', disks: [], tokens: { PROVIDER_ID: 'x', NODE_IP: 'y' } },
      ),
    ).toThrow(/cloud-init/);
  });
});
