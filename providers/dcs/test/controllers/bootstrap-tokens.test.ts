import { gunzipSync, gzipSync } from 'node:zlib';
import { substituteBootstrapTokens } from '@immutable-infra/provider-kit';
import { describe, expect, it } from 'vitest';

const values = { PROVIDER_ID: 'dcs://demo-cp-1', NODE_IP: '10.0.1.11' };
const kubeadm =
  'nodeRegistration:\n  kubeletExtraArgs:\n    provider-id: PROVIDER_ID\n    node-ip: NODE_IP\n';

describe('substituteBootstrapTokens', () => {
  it('replaces the tokens in cloud-config', () => {
    const out = substituteBootstrapTokens(
      { format: 'cloud-config', value: `#cloud-config\n${kubeadm}` },
      values,
    );
    expect(out.value).toContain('provider-id: dcs://demo-cp-1');
    expect(out.value).toContain('node-ip: 10.0.1.11');
  });

  it('replaces the tokens inside Ignition data URLs, keeping each encoding', () => {
    const ignition = {
      ignition: { version: '3.4.0' },
      storage: {
        files: [
          { path: '/etc/kubeadm.yml', contents: { source: `data:,${encodeURIComponent(kubeadm)}` } },
          {
            path: '/etc/kubeadm-b64.yml',
            contents: { source: `data:text/plain;base64,${Buffer.from(kubeadm).toString('base64')}` },
          },
          {
            path: '/etc/kubeadm-gz.yml',
            contents: { source: `data:;base64,${gzipSync(kubeadm).toString('base64')}`, compression: 'gzip' },
          },
        ],
      },
      systemd: { units: [{ name: 'kubelet.service', contents: 'Environment=NODE=NODE_IP' }] },
    };
    const out = JSON.parse(
      substituteBootstrapTokens({ format: 'ignition', value: JSON.stringify(ignition) }, values).value,
    );
    const [plain, b64, gz] = out.storage.files.map(
      (f: { contents: { source: string } }) => f.contents.source,
    );
    expect(decodeURIComponent(plain.slice('data:,'.length))).toContain('provider-id: dcs://demo-cp-1');
    expect(b64.startsWith('data:text/plain;base64,')).toBe(true);
    expect(Buffer.from(b64.split(',')[1], 'base64').toString()).toContain('node-ip: 10.0.1.11');
    expect(gunzipSync(Buffer.from(gz.split(',')[1], 'base64')).toString()).toContain(
      'provider-id: dcs://demo-cp-1',
    );
    expect(out.systemd.units[0].contents).toBe('Environment=NODE=10.0.1.11');
  });

  it('leaves words that merely contain a token alone', () => {
    const out = substituteBootstrapTokens(
      { format: 'cloud-config', value: 'MY_NODE_IP_X=1 NODE_IPS' },
      values,
    );
    expect(out.value).toBe('MY_NODE_IP_X=1 NODE_IPS');
  });
});
