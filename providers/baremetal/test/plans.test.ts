// The pure parts of a plan: bootstrap data normalised for a host, the network replayed from what
// elemental observed, and the image a version resolves to.
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  networkConfigFromObserved,
  normaliseBootstrap,
  normaliseKubeadmConfig,
  reprovisionPlan,
  resolveImage,
  serializePlan,
  withRegistry,
} from '../src/index.js';

describe('bootstrap normalisation', () => {
  it('sets provider-id and the CRI socket in v1beta3 maps and v1beta4 lists, keeping what the user set', () => {
    const text = [
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
      '    - name: node-labels',
      '      value: c=d',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      'clusterName: demo',
    ].join('\n');
    const [init, join, cluster] = parseAllDocuments(normaliseKubeadmConfig(text, 'baremetal:///h1')).map(
      (d) => d.toJS(),
    );
    expect(init.nodeRegistration).toEqual({
      criSocket: 'unix:///run/custom.sock',
      kubeletExtraArgs: { 'node-labels': 'a=b', 'provider-id': 'baremetal:///h1' },
    });
    expect(join.nodeRegistration).toEqual({
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      kubeletExtraArgs: [
        { name: 'node-labels', value: 'c=d' },
        { name: 'provider-id', value: 'baremetal:///h1' },
      ],
    });
    expect(cluster).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta3',
      kind: 'ClusterConfiguration',
      clusterName: 'demo',
    });
  });

  it('sets the hostname in the cloud-config and replaces the PROVIDER_ID token', () => {
    const value = '#cloud-config\nruncmd:\n  - echo PROVIDER_ID\n';
    const out = normaliseBootstrap(
      { value, format: 'cloud-config' },
      { hostname: 'node-1.example.local', providerID: 'baremetal:///h1' },
    );
    expect(out.startsWith('#cloud-config\n')).toBe(true);
    const config = parse(out);
    expect(config.hostname).toBe('node-1');
    expect(config.fqdn).toBe('node-1.example.local');
    expect(config.runcmd).toEqual(['echo baremetal:///h1']);
  });
});

describe('network-config from observedNetwork', () => {
  it('keeps addresses, the default route and DNS of each observed NIC', () => {
    const config = parse(
      networkConfigFromObserved({
        interfaces: [{ name: 'eth0', mac: '52:54:00:aa:bb:cc', mtu: 9000, addresses: ['10.0.0.5/24'] }],
        routes: [{ destination: '0.0.0.0/0', gateway: '10.0.0.1', interface: 'eth0' }],
        dnsServers: ['10.0.0.2'],
        searchDomains: ['example.local'],
      }) ?? '',
    );
    expect(config).toEqual({
      version: 2,
      ethernets: {
        eth0: {
          match: { macaddress: '52:54:00:aa:bb:cc' },
          'set-name': 'eth0',
          dhcp4: false,
          addresses: ['10.0.0.5/24'],
          mtu: 9000,
          routes: [{ to: 'default', via: '10.0.0.1' }],
          nameservers: { addresses: ['10.0.0.2'], search: ['example.local'] },
        },
      },
    });
  });

  it('writes nothing when nothing was observed', () => {
    expect(networkConfigFromObserved(undefined)).toBeUndefined();
    expect(networkConfigFromObserved({ interfaces: [{ name: 'eth0' }] })).toBeUndefined();
  });
});

describe('image catalog', () => {
  const catalog = { namespace: 'cpaas-system', data: { 'v1.33.7-2': 'reg.a/tkestack/base:v1.33.7-2' } };

  it('answers the exact key only, never a default', () => {
    expect(resolveImage(catalog, 'v1.33.7-2')).toEqual({ ok: true, image: 'reg.a/tkestack/base:v1.33.7-2' });
    const miss = resolveImage(catalog, '1.33.7-2');
    expect(miss).toMatchObject({ ok: false, reason: 'ImageCatalogMiss' });
    expect(!miss.ok && miss.message).toContain('it has v1.33.7-2');
    expect(resolveImage({ namespace: 'x', data: undefined }, 'v1.33.7-2')).toMatchObject({
      reason: 'ImageCatalogMissing',
    });
  });

  it("replaces the image's registry with the platform's", () => {
    expect(withRegistry('reg.a/tkestack/base:v1', 'reg.b:5000/')).toBe('reg.b:5000/tkestack/base:v1');
    expect(withRegistry('tkestack/base:v1', 'reg.b')).toBe('reg.b/tkestack/base:v1');
    expect(resolveImage(catalog, 'v1.33.7-2', 'reg.c')).toEqual({
      ok: true,
      image: 'reg.c/tkestack/base:v1.33.7-2',
    });
  });
});

it('gives the same plan the same checksum, so a re-run writes nothing new', () => {
  const input = {
    image: 'i',
    hostname: 'h',
    userData: '#cloud-config\n',
    instanceId: 'h-uid',
    networkConfig: undefined,
  };
  expect(serializePlan(reprovisionPlan(input)).checksum).toBe(serializePlan(reprovisionPlan(input)).checksum);
  expect(serializePlan(reprovisionPlan({ ...input, image: 'j' })).checksum).not.toBe(
    serializePlan(reprovisionPlan(input)).checksum,
  );
});
