import { randomUUID } from 'node:crypto';
import {
  clusterProvisioned,
  done,
  type InfraMachineContext,
  type KindDefinition,
  machineProvisioned,
} from '@immutable-infra/core';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import type { PlatformAdapter, PlatformThing } from '../src/index.js';
// With its .ts extension: a host process of `machine.kills` loads this file by Node's type stripping.
import { fixtureProvider } from './fixture-provider.ts';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CAPI = 'cluster.x-k8s.io/v1beta2';

/** One machine of the in-memory cloud. */
export interface CloudMachine extends PlatformThing {
  namespace: string;
}

/**
 * What the fixture provider asks of its cloud: `FixtureCloud` itself in the test's process, or
 * `HttpCloud` (test/http-cloud.ts) from a host process of its own.
 */
export interface CloudApi {
  find(namespace: string, name: string): Promise<CloudMachine | undefined>;
  get(id: string): Promise<CloudMachine | undefined>;
  create(namespace: string, name: string): Promise<CloudMachine>;
  remove(namespace: string, name: string): Promise<void>;
}

/** A cloud that is a Map: machines by id, with the namespace the provider made them for. */
export class FixtureCloud implements CloudApi {
  readonly machines = new Map<string, CloudMachine>();
  /**
   * Addresses held for machines, as `<namespace>/<name>`: what a provider holds on a platform besides
   * its machines, which the adapter reports as traces.
   */
  readonly reservations = new Set<string>();

  async find(namespace: string, name: string): Promise<CloudMachine | undefined> {
    return [...this.machines.values()].find((m) => m.namespace === namespace && m.name === name);
  }

  async get(id: string): Promise<CloudMachine | undefined> {
    return this.machines.get(id);
  }

  async create(namespace: string, name: string): Promise<CloudMachine> {
    const machine = { id: randomUUID(), name, namespace };
    this.machines.set(machine.id, machine);
    return machine;
  }

  async remove(namespace: string, name: string): Promise<void> {
    const machine = await this.find(namespace, name);
    if (machine) this.machines.delete(machine.id);
  }
}

/**
 * What is wrong with a fixture provider, each breaking one promise:
 * - `leaky`: its delete hook says done without deleting the machine on the cloud;
 * - `drifting-id`: every reconcile answers a new providerID;
 * - `eager`: its cluster hook makes a machine on the cloud for every infrastructure machine it sees
 *   that the host has not reconciled (and put a finalizer on) yet;
 * - `blind`: once provisioned it answers provisioned without looking at the cloud again;
 * - `addressless`: it answers provisioned without the machine's addresses;
 * - `forgetful`: it remembers the machines it made in its process's memory instead of looking them up
 *   on the cloud, so a host killed after a create makes the machine again when it restarts;
 * - `clinging`: it holds an address for each machine (in-process clouds only) and deletes the
 *   machine without giving the address back: a trace left.
 */
export type Flaw =
  | 'none'
  | 'leaky'
  | 'drifting-id'
  | 'eager'
  | 'blind'
  | 'addressless'
  | 'forgetful'
  | 'clinging';

type MachineContext = InfraMachineContext<KindDefinition>;

/** A provider of the fixture kinds on `cloud`, correct unless given a flaw. */
export function cloudProvider(cloud: CloudApi, flaw: Flaw = 'none') {
  let reconciles = 0;
  // What a `forgetful` provider made, by namespace/name: gone with its process.
  const made = new Map<string, string>();
  const key = (context: MachineContext) => ({
    namespace: context.object.metadata.namespace ?? '',
    name: context.object.metadata.name,
  });
  return fixtureProvider(
    // The correct one is the fixture package's own provider (its platform is the package's).
    { platform: flaw === 'none' ? 'fixture-cloud' : `fixture-${flaw}` },
    {
      infraCluster: {
        reconcile: async (context) => {
          if (flaw === 'eager') {
            // "Pre-warming": a machine on the cloud for every infrastructure machine of the namespace.
            const namespace = context.object.metadata.namespace ?? '';
            const machines = await context.kube.list<KubernetesObject>(INFRA, 'FixtureMachine', {
              namespace,
            });
            for (const m of machines) {
              const name = m.metadata?.name ?? '';
              // Only for machines the host has not taken on yet (no finalizer): the early ones.
              if (!m.metadata?.finalizers?.length && !(await cloud.find(namespace, name)))
                await cloud.create(namespace, name);
            }
            return clusterProvisioned({
              controlPlaneEndpoint: { host: '10.0.0.1', port: 6443 },
              recheckAfterMs: 100,
            });
          }
          return clusterProvisioned({ controlPlaneEndpoint: { host: '10.0.0.1', port: 6443 } });
        },
        delete: async () => done(),
      },
      infraMachine: {
        reconcile: async (context) => {
          const { namespace, name } = key(context);
          const provisioned = () =>
            machineProvisioned({
              providerID:
                flaw === 'drifting-id'
                  ? `fixture://${namespace}/${name}-${++reconciles}`
                  : `fixture://${namespace}/${name}`,
              ...(flaw === 'addressless'
                ? {}
                : { addresses: [{ type: 'InternalIP' as const, address: '10.0.0.10' }] }),
            });
          if (flaw === 'blind' && (context.object as { status?: { ready?: boolean } }).status?.ready)
            return provisioned();
          if (flaw === 'forgetful') {
            const id = made.get(`${namespace}/${name}`);
            if (!id || !(await cloud.get(id)))
              made.set(`${namespace}/${name}`, (await cloud.create(namespace, name)).id);
          } else if (!(await cloud.find(namespace, name))) await cloud.create(namespace, name);
          if (flaw === 'clinging' && cloud instanceof FixtureCloud)
            cloud.reservations.add(`${namespace}/${name}`);
          return provisioned();
        },
        delete: async (context) => {
          const { namespace, name } = key(context);
          if (flaw !== 'leaky') await cloud.remove(namespace, name);
          return done();
        },
      },
    },
  );
}

const ignition = JSON.stringify({ ignition: { version: '3.4.0' } });

/**
 * The adapter a fixture provider's author would write. Machines are created as Cluster API's
 * MachineSet does: the infrastructure machine first, its Machine (and the owner reference) a moment
 * later.
 */
export function cloudAdapter(
  kubeConfig: KubeConfig,
  cloud: FixtureCloud,
  ownerDelayMs = 700,
): PlatformAdapter {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  return {
    async prepare(namespace) {
      const cluster = await create({
        apiVersion: CAPI,
        kind: 'Cluster',
        metadata: { name: 'demo', namespace },
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'FixtureCluster',
            name: 'demo',
          },
        },
      });
      await create({
        apiVersion: INFRA,
        kind: 'FixtureCluster',
        metadata: {
          name: 'demo',
          namespace,
          labels: { 'cluster.x-k8s.io/cluster-name': 'demo' },
          ownerReferences: [
            { apiVersion: CAPI, kind: 'Cluster', name: 'demo', uid: cluster.metadata?.uid ?? '' },
          ],
        },
        spec: {},
      });
    },
    async createMachine(namespace, name) {
      const labels = { 'cluster.x-k8s.io/cluster-name': 'demo' };
      await create({
        apiVersion: INFRA,
        kind: 'FixtureMachine',
        metadata: { name, namespace, labels },
        spec: {},
      });
      await create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${name}-bootstrap`, namespace },
        stringData: { value: ignition, format: 'ignition' },
      });
      await new Promise((resolve) => setTimeout(resolve, ownerDelayMs));
      const machine = await create({
        apiVersion: CAPI,
        kind: 'Machine',
        metadata: { name, namespace, labels },
        spec: {
          clusterName: 'demo',
          bootstrap: { dataSecretName: `${name}-bootstrap` },
          infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'FixtureMachine', name },
        },
      });
      await objects.patch(
        {
          apiVersion: INFRA,
          kind: 'FixtureMachine',
          metadata: {
            name,
            namespace,
            ownerReferences: [{ apiVersion: CAPI, kind: 'Machine', name, uid: machine.metadata?.uid ?? '' }],
          },
        },
        undefined,
        undefined,
        'fixture-adapter',
        undefined,
        PatchStrategy.MergePatch,
      );
    },
    async platformMachines(namespace) {
      return [...cloud.machines.values()]
        .filter((m) => m.namespace === namespace)
        .map(({ id, name }) => ({ id, name }));
    },
    async deleteOutOfBand(thing) {
      cloud.machines.delete(thing.id);
    },
    async traces(namespace) {
      return [...cloud.reservations]
        .filter((key) => key.startsWith(`${namespace}/`))
        .map((key) => `an address held for ${key.slice(namespace.length + 1)}`);
    },
  };
}
