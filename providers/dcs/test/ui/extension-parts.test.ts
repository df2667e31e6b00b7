import { readFileSync } from 'node:fs';
import { parseExtensionManifest } from '@immutable-infra/core';
import { plainHttpConsent } from '@immutable-infra/testkit';
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

// What of the extension needs no browser: its manifest and bundle, the node columns, and the
// platform operations the machines tab calls. The pages themselves are tested in a browser through
// the real Fleet Essentials host (test/fleet/).

let sim: Simulator;
let vmUrn: string;

beforeAll(async () => {
  sim = await startSimulator();
  const session = new DcsSession(credentialFor(sim));
  vmUrn = (await createVm(new DcsClient(session), 'demo-cp-x1')).vmUrn;
  await session.close();
});
afterAll(async () => {
  await closePlatformSessions();
  await sim?.close();
});

describe('the DCS extension without a browser', () => {
  test('node columns are pure functions of the DCSMachine', () => {
    const row = {
      machine: { metadata: { name: 'demo-cp-x1' } },
      infraMachine: {
        spec: {
          vmTemplateName: 'ubuntu-2204-k8s-v1.34',
          ipHostPoolRef: { name: 'cp-pool' },
          vmConfig: { dcsMachineCpuSpec: { quantity: 4 }, dcsMachineMemorySpec: { quantity: 8192 } },
        },
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
    const credential = { authUser: USER, authKey: PASSWORD, endpoint: sim.url, ...plainHttpConsent(sim.url) };
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

  test('ui-extension.json is a valid manifest of this package; the bundle is self-contained', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../ui-extension.json', import.meta.url), 'utf8'));
    expect(parseExtensionManifest(manifest)).toMatchObject({ ok: true });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect([manifest.name, manifest.version]).toEqual([pkg.name, pkg.version]);
    expect(pkg.immutableInfra.uiExtension).toBe('ui-extension.json');
    expect(pkg.files).toContain('ui-extension.json');
    // No bare import for the browser to resolve, nothing from the host.
    const bundle = readFileSync(new URL('../../dist/ui/extension.js', import.meta.url), 'utf8');
    expect(bundle).not.toMatch(/(?:\bfrom|\bimport)\s*\(?\s*["'](?![./])/);
    const proxy = await import('../../dist/ui/platform-proxy.js');
    expect(Object.keys(proxy.operations)).toContain('testConnection');
  });
});
