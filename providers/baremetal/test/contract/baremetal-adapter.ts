// The bare-metal provider's adapter for the conformance suite's platform checks, with the simulated
// host fleet as the platform. Bare metal never creates or destroys a machine: hosts register once
// (a MachineInventory each) and stay. So, faithfully to that model:
// - a platform machine is a host attached to a cluster: its plan Secret holds a reprovision plan
//   (written or run). Its id is the MachineInventory's UID, new when the host registers again;
// - deleting one out of band is what an operator does to a host: delete its MachineInventory, which
//   elemental answers by resetting the host, which registers again under the same name (a new UID,
//   an empty plan, no annotations). The provider must notice that its node is gone;
// - the adapter's traces are what a machine holds besides the attached host, so that "nothing left"
//   means every host back in its pool: no claim in a pool's status, no inventory in another
//   allocation state than Available or naming an owner, and no inventory deleted.
// Public imports and relative test files only, like the contract test that uses it.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import type { PlatformAdapter, PlatformThing } from '@immutable-infra/conformance';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { BaremetalFixtures } from '../baremetal-fixtures.ts';

/** Hosts registered in every check's namespace: machine.kills attaches three at once. */
export const HOSTS_PER_NAMESPACE = 3;
/** The Kubernetes version of every machine, the image catalog's key. */
export const VERSION = 'v1.33.7-2';
export const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
const POOL = 'conformance-pool';
const PLAN_TYPE_ANNOTATION = 'baremetal.alauda.io/plan.type';
const ANNOTATIONS = {
  allocationState: 'baremetal.alauda.io/allocation-state',
  ownerBaremetalMachine: 'baremetal.alauda.io/owner-baremetalmachine',
};
const INFRA_GROUP = { group: 'infrastructure.cluster.x-k8s.io', version: 'v1beta1' };
const ELEMENTAL = { group: 'elemental.cattle.io', version: 'v1beta1', plural: 'machineinventories' };

interface Listed<T> {
  items: T[];
}
interface InventoryObject {
  metadata: { name: string; annotations?: Record<string, string> };
}
interface PoolObject {
  metadata: { name: string };
  status?: { claims?: { machineInventory: string; baremetalMachineRef: { name: string } }[] };
}

export interface BaremetalAdapter extends PlatformAdapter {
  /** Stops every simulated agent the adapter started. */
  stop(): void;
}

export function baremetalAdapter(kubeConfig: KubeConfig, fixtures: BaremetalFixtures): BaremetalAdapter {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const fleets = new Map<string, BaremetalFleet>();
  // Where each listed host is, by its platform id, for deleteOutOfBand.
  const hostsById = new Map<string, { namespace: string; name: string }>();
  const fleetOf = (namespace: string) => {
    const fleet = fleets.get(namespace);
    if (!fleet) throw new Error(`no hosts registered in namespace ${namespace}`);
    return fleet;
  };
  return {
    async prepare(namespace) {
      // The checks run one after another, each cleaning up before the next prepares: the earlier
      // namespaces' agents have nothing left to do.
      for (const fleet of fleets.values()) fleet.stop();
      fleets.clear();
      const fleet = await BaremetalFleet.start({
        kubeConfig,
        namespace,
        hosts: HOSTS_PER_NAMESPACE,
        pollMs: 50,
        durations: { reprovisionMs: 300, cleanMs: 100 },
      });
      fleets.set(namespace, fleet);
      await fixtures.pool(
        namespace,
        POOL,
        fleet.hosts().map((host) => ({ name: host.name })),
      );
      await fixtures.cluster(namespace);
    },
    createMachine: (namespace, name) => fixtures.machine(namespace, name, POOL, VERSION),
    async platformMachines(namespace) {
      const secrets = await core.listNamespacedSecret({
        namespace,
        fieldSelector: 'type=elemental.cattle.io/plan',
      });
      const attached: PlatformThing[] = [];
      for (const secret of secrets.items) {
        if (secret.metadata?.annotations?.[PLAN_TYPE_ANNOTATION] !== 'reprovision') continue;
        const owner = secret.metadata.ownerReferences?.find((o) => o.kind === 'MachineInventory');
        const thing = {
          id: owner?.uid ?? secret.metadata.uid ?? '',
          name: owner?.name ?? secret.metadata.name ?? '',
        };
        hostsById.set(thing.id, { namespace, name: thing.name });
        attached.push(thing);
      }
      return attached;
    },
    async deleteOutOfBand(thing) {
      const host = hostsById.get(thing.id);
      if (!host) throw new Error(`host ${thing.name} (${thing.id}) was never listed`);
      await fleetOf(host.namespace).deleteInventory(host.name);
    },
    async traces(namespace) {
      const [pools, inventories] = await Promise.all([
        custom.listNamespacedCustomObject({
          ...INFRA_GROUP,
          plural: 'machineinventorypools',
          namespace,
        }) as Promise<Listed<PoolObject>>,
        custom.listNamespacedCustomObject({ ...ELEMENTAL, namespace }) as Promise<Listed<InventoryObject>>,
      ]);
      const found: string[] = [];
      for (const pool of pools.items)
        for (const claim of pool.status?.claims ?? [])
          found.push(
            `MachineInventory ${claim.machineInventory} claimed by BaremetalMachine ${claim.baremetalMachineRef.name} in MachineInventoryPool ${pool.metadata.name}`,
          );
      for (const inventory of inventories.items) {
        const annotations = inventory.metadata.annotations ?? {};
        const state = annotations[ANNOTATIONS.allocationState];
        if (state !== undefined && state !== 'Available')
          found.push(`MachineInventory ${inventory.metadata.name} ${state}`);
        const owner = annotations[ANNOTATIONS.ownerBaremetalMachine];
        if (owner)
          found.push(`MachineInventory ${inventory.metadata.name} owned by BaremetalMachine ${owner}`);
      }
      const registered = new Set(inventories.items.map((inventory) => inventory.metadata.name));
      for (const host of fleets.get(namespace)?.hosts() ?? [])
        if (!registered.has(host.name)) found.push(`MachineInventory ${host.name} deleted`);
      return found;
    },
    stop() {
      for (const fleet of fleets.values()) fleet.stop();
      fleets.clear();
    },
  };
}
