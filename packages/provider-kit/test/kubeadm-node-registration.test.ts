import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { cloudConfigWithProviderId, KUBEADM_CONFIG_PATH, kubeadmConfigWithProviderId } from '../src/index.js';

const kubeadm = [
  'apiVersion: kubeadm.k8s.io/v1beta3',
  'kind: InitConfiguration',
  'nodeRegistration:',
  '  criSocket: unix:///run/custom.sock',
  '  kubeletExtraArgs:',
  '    node-labels: a=b',
  '---',
  'apiVersion: kubeadm.k8s.io/v1beta4',
  'kind: JoinConfiguration',
  'nodeRegistration:',
  '  kubeletExtraArgs:',
  '    - name: provider-id',
  '      value: stale',
  '---',
  'apiVersion: kubeadm.k8s.io/v1beta3',
  'kind: ClusterConfiguration',
  'clusterName: demo',
].join('\n');

describe('kubeadm node registration', () => {
  it('sets provider-id in v1beta3 maps and v1beta4 lists, fills the CRI socket, leaves other kinds alone', () => {
    const [init, join, cluster] = parseAllDocuments(kubeadmConfigWithProviderId(kubeadm, 'metal:///h1')).map(
      (document) => document.toJS(),
    );
    expect(init.nodeRegistration).toEqual({
      criSocket: 'unix:///run/custom.sock',
      kubeletExtraArgs: { 'node-labels': 'a=b', 'provider-id': 'metal:///h1' },
    });
    expect(join.nodeRegistration).toEqual({
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      kubeletExtraArgs: [{ name: 'provider-id', value: 'metal:///h1' }],
    });
    expect(cluster).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta3',
      kind: 'ClusterConfiguration',
      clusterName: 'demo',
    });
  });

  it("rewrites only the cloud-config's plain kubeadm file, keeping its header and other files", () => {
    const cloudConfig = `#cloud-config\n${stringify({
      write_files: [
        { path: KUBEADM_CONFIG_PATH, content: kubeadm },
        { path: '/etc/other.yaml', content: 'kind: InitConfiguration\n' },
        { path: KUBEADM_CONFIG_PATH, content: 'a2luZDogeA==', encoding: 'base64' },
      ],
    })}`;
    const out = cloudConfigWithProviderId(cloudConfig, 'metal:///h1');
    expect(out.startsWith('#cloud-config\n')).toBe(true);
    const files = parse(out).write_files;
    expect(files[0].content).toContain('provider-id: metal:///h1');
    expect(files[1].content).toBe('kind: InitConfiguration\n');
    expect(files[2].content).toBe('a2luZDogeA==');
  });
});
