import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { bootstrapFiles, kubeadmDocuments, kubeletArg } from '../src/bootstrap-data.js';

const initConfig = `---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.35.4
controlPlaneEndpoint: 127.0.0.5:6443
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration:
  kubeletExtraArgs:
  - name: provider-id
    value: PROVIDER_ID
  - name: node-ip
    value: 10.0.0.7
`;

it('reads the files of Ignition data (plain, base64 and gzip sources), with the kubeadm configuration at /etc/kubeadm.yml', () => {
  const ignition = JSON.stringify({
    ignition: { version: '3.4.0' },
    storage: {
      files: [
        { path: '/etc/kubeadm.yml', contents: { source: `data:,${encodeURIComponent(initConfig)}` } },
        {
          path: '/etc/kubernetes/pki/ca.crt',
          contents: { source: `data:;base64,${Buffer.from('CA PEM').toString('base64')}` },
        },
        {
          path: '/etc/kubernetes/pki/ca.key',
          contents: { source: `data:;base64,${gzipSync('KEY PEM').toString('base64')}`, compression: 'gzip' },
        },
        { path: '/etc/empty' },
      ],
    },
  });
  const files = bootstrapFiles(ignition, 'ignition');
  expect(files.get('/etc/kubernetes/pki/ca.crt')).toBe('CA PEM');
  expect(files.get('/etc/kubernetes/pki/ca.key')).toBe('KEY PEM');
  expect(files.has('/etc/empty')).toBe(false);
  const kubeadm = kubeadmDocuments(files);
  expect(kubeadm.cluster?.kubernetesVersion).toBe('v1.35.4');
  expect(kubeletArg(kubeadm.init, 'node-ip')).toBe('10.0.0.7');
  expect(kubeletArg(kubeadm.init, 'provider-id')).toBe('PROVIDER_ID');
  expect(kubeadm.join).toBeUndefined();
});

it('reads cloud-config write_files (plain, base64, gzip+base64) and a v1beta3 join configuration', () => {
  const join = `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    token: abcdef.0123456789abcdef
    apiServerEndpoint: 127.0.0.5:6443
nodeRegistration:
  name: worker-1
  kubeletExtraArgs:
    node-ip: 10.0.0.8
`;
  const cloudConfig = `## template: jinja
#cloud-config
write_files:
- path: /run/kubeadm/kubeadm-join-config.yaml
  content: |
${join
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
- path: /etc/a
  encoding: base64
  content: ${Buffer.from('A').toString('base64')}
- path: /etc/b
  encoding: gzip+base64
  content: ${gzipSync('B').toString('base64')}
runcmd:
- kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml
`;
  const files = bootstrapFiles(cloudConfig, 'cloud-config');
  expect(files.get('/etc/a')).toBe('A');
  expect(files.get('/etc/b')).toBe('B');
  const kubeadm = kubeadmDocuments(files);
  expect(kubeadm.join?.discovery?.bootstrapToken?.token).toBe('abcdef.0123456789abcdef');
  expect(kubeadm.join?.nodeRegistration?.name).toBe('worker-1');
  expect(kubeletArg(kubeadm.join, 'node-ip')).toBe('10.0.0.8');
});

it('says which files it looked for when the data holds no kubeadm configuration', () => {
  expect(() => kubeadmDocuments(new Map([['/etc/other', 'x']]))).toThrow(/\/etc\/kubeadm\.yml/);
});
