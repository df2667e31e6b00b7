import { describe, expect, it } from 'vitest';
import { ignitionProblems, readIsoFile } from '../src/ignition-check.js';

const file = (path: string, content: string, mode = 0o644) => ({
  path,
  mode,
  contents: { source: `data:,${encodeURIComponent(content)}` },
});
const keyfile = 'method=manual\naddress1=10.0.0.5/24,10.0.0.1\ndns=10.0.0.53;\n';
const mountUnit = 'What=/dev/vdb\nWhere=/var/lib/etcd\nType=xfs\n';

describe("the workload simulator's Ignition check", () => {
  const expected = {
    mounts: ['/var/lib/etcd'],
    files: ['/etc/kubernetes/pki/kubelet.crt'],
    nics: [{ ip: '10.0.0.5', prefix: 24, gateway: '10.0.0.1', dns: ['10.0.0.53'] }],
    hostname: 'cp-1',
    tokens: ['NODE_IP'],
  };

  it('accepts a spec 2 config with every piece (a named filesystem, its mount unit, a 0600 keyfile)', () => {
    const config = {
      ignition: { version: '2.3.0' },
      storage: {
        filesystems: [{ name: 'etcd', mount: { device: '/dev/vdb', format: 'xfs' } }],
        files: [
          file('/etc/kubernetes/pki/kubelet.crt', 'CERT'),
          file('/etc/hostname', 'cp-1\n'),
          file('/etc/NetworkManager/system-connections/eth0.nmconnection', keyfile, 0o600),
        ],
      },
      systemd: { units: [{ name: 'var-lib-etcd.mount', enabled: true, contents: mountUnit }] },
    };
    expect(ignitionProblems(JSON.stringify(config), expected)).toEqual([]);
  });

  it('names every piece that is missing or wrong', () => {
    const config = {
      ignition: { version: '3.4.0' },
      storage: {
        filesystems: [{ device: '/dev/vdb', format: 'ext4', path: '/var/lib/etcd' }],
        files: [
          file(
            '/etc/NetworkManager/system-connections/eth0.nmconnection',
            keyfile.replace('dns=10.0.0.53;\n', ''),
          ),
          file('/etc/kubeadm.yml', 'node-ip: NODE_IP\n'),
        ],
      },
      systemd: { units: [{ name: 'var-lib-etcd.mount', enabled: true, contents: mountUnit }] },
    };
    expect(ignitionProblems(JSON.stringify(config), expected)).toEqual([
      '/var/lib/etcd: the filesystem is ext4 but the mount unit says xfs',
      'no file /etc/kubernetes/pki/kubelet.crt',
      '/etc/NetworkManager/system-connections/eth0.nmconnection has mode 644, not 0600',
      '/etc/NetworkManager/system-connections/eth0.nmconnection does not give DNS server 10.0.0.53 (resolv.conf)',
      '/etc/hostname is not cp-1',
      '/etc/kubeadm.yml still holds the token NODE_IP',
    ]);
  });

  it('refuses what is not an ISO 9660 image', () => {
    expect(() => readIsoFile(Buffer.alloc(64 * 1024), 'ignition/config.ign')).toThrow(
      /not an ISO 9660 image/,
    );
  });
});
