import { readFileSync } from 'node:fs';
import { parseExtensionManifest } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DcsClient, DcsSession } from '../../src/cloud/index.js';
import { nodeColumns } from '../../src/ui/cluster/node-columns.js';
import { closePlatformSessions, operations } from '../../src/ui/platform-proxy.js';
import {
  createVm,
  credentialFor,
  PASSWORD,
  type Simulator,
  startSimulator,
  USER,
} from '../cloud/simulator.js';
import { ExtensionPage } from './browser-page.js';
import { kubernetesRequest } from './host-api.js';
import { INFRA, seedScenario } from './wizard-scenario.js';

const kubeConfig = testKubeConfig();
let sim: Simulator;
let harness: ExtensionPage;
let namespace: string;
let vmUrn: string;

function dcsMachine(ns: string, urn: string) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSMachine',
    metadata: { name: 'demo-cp-x1', namespace: ns, labels: { 'cluster.x-k8s.io/cluster-name': 'demo' } },
    spec: {
      vmTemplateName: 'ubuntu-2204-k8s-v1.34',
      vmUrn: urn,
      ipHostPoolRef: { name: 'cp-pool' },
      vmConfig: {
        dcsMachineCpuSpec: { quantity: 4 },
        dcsMachineMemorySpec: { quantity: 8192 },
        dcsMachineDiskSpec: [
          { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
          { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet' },
        ],
      },
    },
  };
}

beforeAll(async () => {
  sim = await startSimulator();
  namespace = await createTestNamespace(kubeConfig, 'details-ui');
  await seedScenario(kubeConfig, namespace, sim.url, PASSWORD);
  const session = new DcsSession(credentialFor(sim));
  vmUrn = (await createVm(new DcsClient(session), 'demo-cp-x1')).vmUrn;
  await session.close();
  await kubernetesRequest(kubeConfig, 'POST', `${INFRA}/namespaces/${namespace}/dcsclusters`, {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSCluster',
    metadata: { name: 'demo', namespace },
    spec: {
      controlPlaneLoadBalancer: { host: '192.0.2.100', port: 6443, type: 'external' },
      credentialSecretRef: { name: 'dcs-auth' },
      networkType: 'kube-ovn',
    },
  });
  await kubernetesRequest(
    kubeConfig,
    'POST',
    `${INFRA}/namespaces/${namespace}/dcsmachines`,
    dcsMachine(namespace, vmUrn),
  );
  await kubernetesRequest(
    kubeConfig,
    'PATCH',
    `${INFRA}/namespaces/${namespace}/dcsmachines/demo-cp-x1/status`,
    {
      status: { networkConfig: { ip: '10.0.1.11', hostname: 'cp-pool-1', machineName: 'demo-cp-x1' } },
    },
  );
  await kubernetesRequest(
    kubeConfig,
    'PATCH',
    `${INFRA}/namespaces/${namespace}/dcsiphostnamepools/cp-pool/status`,
    {
      status: {
        slots: [{ ip: '10.0.1.11', dcsMachine: 'demo-cp-x1', dcsMachineUID: 'uid-1' }],
        persistentDiskStatus: [
          { ip: '10.0.1.11', slot: 0, name: 'cp-pool-10-0-1-11-0', path: '/var/cpaas', phase: 'Attached' },
        ],
      },
    },
  );
  harness = await ExtensionPage.open(kubeConfig);
});
afterAll(async () => {
  await harness?.close();
  await closePlatformSessions();
  await sim?.close();
});

describe('DCS details on the cluster page', () => {
  test('the machines tab shows each machine’s VM, host, IP slot, disks and persistent volumes', async () => {
    await harness.mount('machinesTab', { namespace, clusterName: 'demo' });
    const page = harness.page;
    await page.waitForSelector('[data-machine="demo-cp-x1"]');
    await page.waitForFunction(() => document.querySelector('[data-host="demo-cp-x1"]')?.textContent !== '—');
    expect(await page.textContent('[data-vm="demo-cp-x1"]')).toBe('demo-cp-x1 (running)');
    expect(await page.textContent('[data-host="demo-cp-x1"]')).toMatch(/^CNA0[23]$/);
    expect(await page.textContent('[data-slot="demo-cp-x1"]')).toBe('10.0.1.11 in cp-pool (cp-pool-1)');
    expect(await page.textContent('[data-volumes="demo-cp-x1"]')).toBe(
      'slot 0 /var/cpaas cp-pool-10-0-1-11-0 Attached',
    );
    expect(await page.textContent('[data-extension="dcs.cluster.machines"] table')).toContain(
      'system: template GB',
    );
    await harness.screenshot('cluster-machines-tab');
  });

  test('node columns are pure functions of the DCSMachine', () => {
    const row = {
      machine: { metadata: { name: 'demo-cp-x1' } },
      infraMachine: {
        ...dcsMachine('ns', 'urn:sites:1:vms:i-1'),
        status: { networkConfig: { ip: '10.0.1.11', machineName: 'vm-1' } },
      },
    };
    expect(nodeColumns.columns.map((c) => [c.title, c.cell(row)])).toEqual([
      ['DCS VM', 'vm-1'],
      ['IP', '10.0.1.11'],
      ['IP pool', 'cp-pool'],
      ['VM template', 'ubuntu-2204-k8s-v1.34'],
      ['CPU / memory', '4 CPU / 8 GB'],
    ]);
    expect(nodeColumns.columns.map((c) => c.cell({ machine: {} }))).toEqual(['—', '—', '—', '—', '—']);
  });

  test('platform proxy: the credential’s site and VM placements', async () => {
    const credential = { authUser: USER, authKey: PASSWORD, endpoint: sim.url };
    const request = (params: Record<string, unknown>) => ({
      credential,
      params,
      signal: new AbortController().signal,
    });
    expect(await operations.credentialSite(request({}))).toEqual({ source: 'only-site', id: '3CD306E7' });
    const placements = await operations.vmPlacements(
      request({ vmUrns: [vmUrn, 'urn:sites:3CD306E7:vms:i-nothere'] }),
    );
    // In the order asked, without URNs (they hold the site id, which the credential may name).
    expect(placements).toEqual({
      byUrn: [
        { name: 'demo-cp-x1', status: 'running', host: expect.stringMatching(/^CNA0[23]$/) },
        { status: 'missing' },
      ],
      byName: [],
    });
    await expect(operations.vmPlacements(request({ vmUrns: ['/etc/passwd'] }))).rejects.toMatchObject({
      reason: 'InvalidParams',
    });
  });

  test('ui-extension.json is a valid manifest of this package and every export is in the bundle', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../ui-extension.json', import.meta.url), 'utf8'));
    const parsed = parseExtensionManifest(manifest);
    expect(parsed).toMatchObject({ ok: true });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect([manifest.name, manifest.version]).toEqual([pkg.name, pkg.version]);
    expect(pkg.immutableInfra.uiExtension).toBe('ui-extension.json');
    expect(pkg.files).toContain('ui-extension.json');
    const exported = await harness.page.evaluate(() =>
      Object.keys((window as unknown as { extension: object }).extension),
    );
    for (const entry of manifest.extensions) expect(exported, entry.export).toContain(entry.export);
    // The bundle is self-contained: no bare import for the browser to resolve, nothing from the host.
    const bundle = readFileSync(new URL('../../dist/ui/extension.js', import.meta.url), 'utf8');
    expect(bundle).not.toMatch(/(?:\bfrom|\bimport)\s*\(?\s*["'](?![./])/);
    const proxy = await import('../../dist/ui/platform-proxy.js');
    expect(Object.keys(proxy.operations)).toContain('testConnection');
  });
});
