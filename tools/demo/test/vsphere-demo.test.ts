import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@immutable-infra/testkit';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess, type DemoStarted, descendants, stillRunning } from './demo-process.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const INFRA = { group: 'infrastructure.cluster.x-k8s.io', version: 'v1beta1' };
const CAPI = { group: 'cluster.x-k8s.io', version: 'v1beta2' };

let tmp: string;
let demo: DemoProcess | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'iinfra-demo-vsphere-test-'));
  demo = await DemoProcess.start(tmp, ['--provider', 'vsphere']);
});

afterAll(async () => {
  await demo?.shutDown();
  rmSync(tmp, { recursive: true, force: true });
});

function started(): DemoStarted & { vsphere: NonNullable<DemoStarted['vsphere']> } {
  const value = demo?.started;
  if (!value?.vsphere) throw new Error('the demo did not start with vSphere');
  return value as DemoStarted & { vsphere: NonNullable<DemoStarted['vsphere']> };
}

function objectsApi(): CustomObjectsApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(started().kubeconfig);
  return kubeConfig.makeApiClient(CustomObjectsApi);
}

type Listed = { items: { metadata: { name: string }; status?: Record<string, unknown> }[] };

describe('the demo with --provider vsphere', () => {
  it('refuses a provider it does not run, naming it', async () => {
    const refused = await run(process.execPath, [MAIN, '--provider', 'openstack']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain(
      'demo: --provider openstack: not a provider the demo runs (it runs dcs, vsphere, hcs, baremetal)',
    );
  });

  it('serves the DCS and vSphere extensions in one Fleet Essentials, with the vCenter credential seeded', async () => {
    const { url, tokenFile, vsphere, namespace } = started();
    expect(demo?.log()).toContain(`vSphere: vcsim at ${vsphere.vcenter}, credential ${vsphere.credential}`);
    const session = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: readFileSync(tokenFile, 'utf8').trim() }),
    });
    const cookie = session.headers.get('set-cookie')?.split(';')[0] ?? '';
    const extensions = JSON.stringify(
      await (await fetch(`${url}/api/extensions`, { headers: { cookie } })).json(),
    );
    expect(extensions).toContain('@immutable-infra/provider-dcs');
    expect(extensions).toContain('@immutable-infra/provider-vsphere');
    const pools = (await objectsApi().listNamespacedCustomObject({
      ...INFRA,
      namespace,
      plural: 'vspheremachineconfigpools',
    })) as Listed;
    expect(pools.items.map((p) => p.metadata.name).sort()).toEqual(['control-plane-pool', 'worker-pool']);
  });

  it('runs the documented 3 + 1 vSphere cluster to Ready next to DCS, then deletes it leaving no machine', async () => {
    const { namespace, vsphere } = started();
    const [kubectl, ...args] = vsphere.command;
    await run(kubectl as string, args);
    const api = objectsApi();
    const machines = () =>
      api.listNamespacedCustomObject({ ...CAPI, namespace, plural: 'machines' }) as Promise<Listed>;
    await eventually(
      'four vSphere machines Running',
      async () => {
        const running = (await machines()).items.filter((m) => m.status?.phase === 'Running');
        return running.length === 4 || undefined;
      },
      600_000,
    );
    const infra = (await api.listNamespacedCustomObject({
      ...INFRA,
      namespace,
      plural: 'vspheremachines',
    })) as Listed;
    expect(infra.items.map((m) => (m.status as { ready?: boolean }).ready)).toEqual([true, true, true, true]);
    // Available once the cluster's own reconcile settles too: it updates the control plane's DRS
    // rule after the third control plane VM appears, on its own schedule, and the Cluster is not
    // Available while that step runs.
    await eventually('the Cluster Available', async () => {
      const cluster = (await api.getNamespacedCustomObject({
        ...CAPI,
        namespace,
        plural: 'clusters',
        name: vsphere.cluster,
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      return (
        cluster.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') || undefined
      );
    });

    await api.deleteNamespacedCustomObject({ ...CAPI, namespace, plural: 'clusters', name: vsphere.cluster });
    await eventually(
      'the vSphere cluster gone',
      async () =>
        ((await api.listNamespacedCustomObject({ ...INFRA, namespace, plural: 'vspheremachines' })) as Listed)
          .items.length === 0 || undefined,
      300_000,
    );
  });

  it('stops everything on SIGINT, vcsim included, and leaves no temporary directory', async () => {
    const running = demo;
    if (!running) throw new Error('the demo did not start');
    const tree = descendants(running.child.pid ?? 0);
    expect(tree.map((p) => p.command)).toEqual(expect.arrayContaining(['vcsim', 'kube-apiserver']));
    expect(await running.stop('SIGINT')).toBe(0);
    for (let i = 0; i < 50 && tree.some(stillRunning); i++) await sleep(100);
    expect(tree.filter(stillRunning).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
