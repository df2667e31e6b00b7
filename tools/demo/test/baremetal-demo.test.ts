import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { eventually } from '@immutable-infra/testkit';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess, type DemoStarted, descendants, stillRunning } from './demo-process.ts';

// The demo with --provider baremetal: baremetal-sim's hosts beside DCS, the documented 3 + 1 bare-metal
// cluster applied from the file the demo prints, followed to Ready through Fleet Essentials' API, then
// deleted (every host Available again), and nothing left once the demo stops.

const run = promisify(execFile);
const INFRA = { group: 'infrastructure.cluster.x-k8s.io', version: 'v1beta1' };
const CAPI = { group: 'cluster.x-k8s.io', version: 'v1beta2' };
const ELEMENTAL = { group: 'elemental.cattle.io', version: 'v1beta1', plural: 'machineinventories' };

let tmp: string;
let demo: DemoProcess | undefined;
let cookie = '';
/** Wall times of each stage, printed for the README (never asserted). */
const wallTimes: [string, number][] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'iinfra-demo-baremetal-test-'));
  demo = await DemoProcess.start(tmp, ['--provider', 'baremetal']);
});

afterAll(async () => {
  if (wallTimes.length > 0)
    console.log(
      `demo baremetal: wall times: ${wallTimes.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    );
  await demo?.shutDown();
  rmSync(tmp, { recursive: true, force: true });
});

function started(): DemoStarted & { baremetal: NonNullable<DemoStarted['baremetal']> } {
  const value = demo?.started;
  if (!value?.baremetal) throw new Error('the demo did not start with bare metal');
  return value as DemoStarted & { baremetal: NonNullable<DemoStarted['baremetal']> };
}

function objectsApi(): CustomObjectsApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(started().kubeconfig);
  return kubeConfig.makeApiClient(CustomObjectsApi);
}

async function timed<T>(what: string, stage: () => Promise<T>): Promise<T> {
  const from = Date.now();
  const result = await stage();
  wallTimes.push([what, Date.now() - from]);
  return result;
}

async function fleetApi<T>(path: string): Promise<T> {
  const answer = await fetch(`${started().url}${path}`, { headers: { cookie } });
  if (!answer.ok) throw new Error(`GET ${path}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

interface Row {
  name: string;
  provider: string;
  kubernetesVersion: string;
  phase: string;
  controlPlane: { ready: number; desired: number };
  workers: { ready: number; desired: number };
}

/** The cluster's row in Fleet Essentials' list, or undefined when it is not listed. */
async function clusterRow(): Promise<Row | undefined> {
  const { namespace, baremetal } = started();
  const answer = await fleetApi<{ items: (Row & { namespace: string })[] }>(
    `/api/clusters?search=${baremetal.cluster}`,
  );
  return answer.items.find((row) => row.name === baremetal.cluster && row.namespace === namespace);
}

type Listed = { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };

describe('the demo with --provider baremetal', () => {
  it('serves the bare-metal provider beside DCS in one Fleet Essentials, with hosts, pools and the image catalog seeded', async () => {
    const { url, tokenFile, namespace, baremetal } = started();
    expect(demo?.log()).toContain(`bare metal: ${baremetal.hosts.length} baremetal-sim hosts`);
    expect(demo?.log()).toContain(baremetal.command.join(' '));
    const session = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: readFileSync(tokenFile, 'utf8').trim() }),
    });
    cookie = session.headers.get('set-cookie')?.split(';')[0] ?? '';
    // Listed whether or not the package ships a UI extension yet; DCS's loads either way.
    const extensions = JSON.stringify(await fleetApi('/api/extensions'));
    expect(extensions).toContain('@immutable-infra/provider-dcs');
    expect(extensions).toContain('@immutable-infra/provider-baremetal');
    const api = objectsApi();
    const pools = (await api.listNamespacedCustomObject({
      ...INFRA,
      namespace,
      plural: 'machineinventorypools',
    })) as Listed;
    expect(pools.items.map((p) => p.metadata.name).sort()).toEqual([...baremetal.pools].sort());
    const inventories = (await api.listNamespacedCustomObject({ ...ELEMENTAL, namespace })) as Listed;
    expect(inventories.items.map((i) => i.metadata.name).sort()).toEqual([...baremetal.hosts].sort());
    expect(baremetal.hosts.length).toBeGreaterThanOrEqual(5);
    const catalog = await fetch(
      `${url}/api/kube/api/v1/namespaces/${namespace}/configmaps/elemental-image-catalog`,
      {
        headers: { cookie },
      },
    );
    expect(Object.keys(((await catalog.json()) as { data: Record<string, string> }).data).sort()).toEqual(
      [baremetal.kubernetesVersion, baremetal.upgradeVersion].sort(),
    );
  });

  it('runs the documented 3 + 1 bare-metal cluster to Ready, seen through Fleet Essentials, then deletes it freeing every host', async () => {
    const { namespace, baremetal } = started();
    const [kubectl, ...args] = baremetal.command;
    await timed('create to Ready', async () => {
      await run(kubectl as string, args);
      await eventually(
        'the bare-metal cluster Provisioned with 3/3 control plane and 1/1 worker in Fleet Essentials',
        async () => {
          const row = await clusterRow();
          return (
            (row?.phase === 'Provisioned' &&
              row.controlPlane.ready === 3 &&
              row.workers.ready === 1 &&
              row) ||
            undefined
          );
        },
        600_000,
        1_000,
      );
    });
    expect(await clusterRow()).toMatchObject({
      provider: 'baremetal',
      kubernetesVersion: baremetal.kubernetesVersion,
      controlPlane: { ready: 3, desired: 3 },
      workers: { ready: 1, desired: 1 },
    });
    const api = objectsApi();
    const allocated = async () =>
      ((await api.listNamespacedCustomObject({ ...ELEMENTAL, namespace })) as Listed).items.filter(
        (i) => i.metadata.annotations?.['baremetal.alauda.io/allocation-state'] === 'Allocated',
      ).length;
    expect(await allocated()).toBe(4);

    await timed('delete', async () => {
      await api.deleteNamespacedCustomObject({
        ...CAPI,
        namespace,
        plural: 'clusters',
        name: baremetal.cluster,
      });
      await eventually(
        'the bare-metal cluster gone from Fleet Essentials and its machines gone',
        async () =>
          ((await clusterRow()) === undefined &&
            (
              (await api.listNamespacedCustomObject({
                ...INFRA,
                namespace,
                plural: 'baremetalmachines',
              })) as Listed
            ).items.length === 0) ||
          undefined,
        300_000,
        1_000,
      );
    });
    // Hosts are never deleted: each is cleaned and back in its pool.
    const inventories = (await api.listNamespacedCustomObject({ ...ELEMENTAL, namespace })) as Listed;
    expect(inventories.items.map((i) => i.metadata.name).sort()).toEqual([...baremetal.hosts].sort());
    expect(await allocated()).toBe(0);
  });

  it('stops everything on SIGINT and leaves no temporary directory', async () => {
    const running = demo;
    if (!running) throw new Error('the demo did not start');
    const tree = descendants(running.child.pid ?? 0);
    expect(tree.map((p) => p.command)).toEqual(expect.arrayContaining(['kube-apiserver']));
    expect(await running.stop('SIGINT')).toBe(0);
    for (let i = 0; i < 50 && tree.some(stillRunning); i++) await sleep(100);
    expect(tree.filter(stillRunning).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
