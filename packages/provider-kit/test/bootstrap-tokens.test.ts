import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { replaceTokens, substituteBootstrapTokens } from '../src/index.js';

const values = { PROVIDER_ID: 'dcs://demo-cp-1', NODE_IP: '10.0.1.11' };
const kubeadm =
  'nodeRegistration:\n  kubeletExtraArgs:\n    provider-id: PROVIDER_ID\n    node-ip: NODE_IP\n';

describe('substituteBootstrapTokens', () => {
  it('replaces the tokens in cloud-config, as whole words only', () => {
    const out = substituteBootstrapTokens(
      { format: 'cloud-config', value: `#cloud-config\n${kubeadm}# MY_NODE_IP and NODE_IPS stay\n` },
      values,
    );
    expect(out.format).toBe('cloud-config');
    expect(out.value).toContain('provider-id: dcs://demo-cp-1');
    expect(out.value).toContain('node-ip: 10.0.1.11');
    expect(out.value).toContain('# MY_NODE_IP and NODE_IPS stay');
  });

  it('leaves a token alone while its value is not known yet (HCS learns NODE_IP from ECS)', () => {
    const out = substituteBootstrapTokens(
      { format: 'cloud-config', value: kubeadm },
      { PROVIDER_ID: 'hcs://s-1', NODE_IP: undefined },
    );
    expect(out.value).toContain('provider-id: hcs://s-1');
    expect(out.value).toContain('node-ip: NODE_IP');
  });

  it('replaces tokens a provider names, the longest name first', () => {
    expect(replaceTokens('a NODE_IP_V6 b NODE_IP', { NODE_IP: '10.0.0.1', NODE_IP_V6: 'fd00::1' })).toBe(
      'a fd00::1 b 10.0.0.1',
    );
    expect(() => replaceTokens('x', { 'node-ip': '1' })).toThrow(/upper-case/);
  });

  it('replaces the tokens inside Ignition data URLs keeping each encoding, and in systemd units', () => {
    const ignition = {
      ignition: { version: '3.4.0' },
      storage: {
        files: [
          { path: '/etc/a.yml', contents: { source: `data:,${encodeURIComponent(kubeadm)}` } },
          {
            path: '/etc/b.yml',
            contents: { source: `data:text/plain;base64,${Buffer.from(kubeadm).toString('base64')}` },
          },
          {
            path: '/etc/c.yml',
            contents: { source: `data:;base64,${gzipSync(kubeadm).toString('base64')}`, compression: 'gzip' },
          },
          { path: '/etc/d.yml', contents: { source: 'https://config.example/d.yml' } },
          { path: '/etc/e.yml', append: [{ source: `data:,${encodeURIComponent('ip=NODE_IP')}` }] },
        ],
      },
      systemd: {
        units: [
          {
            name: 'kubelet.service',
            contents: 'Environment=NODE=NODE_IP',
            dropins: [{ contents: 'ID=PROVIDER_ID' }],
          },
        ],
      },
    };
    const out = JSON.parse(
      substituteBootstrapTokens({ format: 'ignition', value: JSON.stringify(ignition) }, values).value,
    );
    const [a, b, c, d, e] = out.storage.files;
    expect(decodeURIComponent(a.contents.source.slice('data:,'.length))).toContain('node-ip: 10.0.1.11');
    expect(Buffer.from(b.contents.source.split(',')[1], 'base64').toString()).toContain(
      'provider-id: dcs://demo-cp-1',
    );
    expect(b.contents.source).toMatch(/^data:text\/plain;base64,/);
    expect(gunzipSync(Buffer.from(c.contents.source.split(',')[1], 'base64')).toString()).toContain(
      'node-ip: 10.0.1.11',
    );
    expect(d.contents.source).toBe('https://config.example/d.yml');
    expect(decodeURIComponent(e.append[0].source.slice('data:,'.length))).toBe('ip=10.0.1.11');
    expect(out.systemd.units[0]).toMatchObject({
      contents: 'Environment=NODE=10.0.1.11',
      dropins: [{ contents: 'ID=dcs://demo-cp-1' }],
    });
  });
});
