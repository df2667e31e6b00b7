import type { MoRef } from '../cloud/soap-xml.js';
import type { VsphereClient } from '../cloud/vsphere-client.js';
import { asRefs, type Datacenter } from '../cloud/vsphere-inventory.js';
import type { DatacenterInventory, InventoryItem, NetworkFact } from './platform-operations.js';

/** Which standard folder of the datacenter an object was found under. */
type Tree = 'vm' | 'host' | 'datastore' | 'network';

interface Found {
  ref: MoRef;
  name: string;
  /** The path inside the datacenter's folder of its tree: what the controllers resolve a name by. */
  path: string;
  tree: Tree;
}

// Folder-like objects whose children are in childEntity (a datastore cluster is a StoragePod).
const CONTAINERS = new Set(['Folder', 'StoragePod']);
const COMPUTE = new Set(['ClusterComputeResource', 'ComputeResource']);
const NETWORK_KINDS: Record<string, NetworkFact['kind']> = {
  Network: 'standard',
  DistributedVirtualPortgroup: 'distributed',
  OpaqueNetwork: 'opaque',
};

const GiB = 1024 ** 3;
const gib = (value: unknown) => {
  const bytes = Number(value);
  return Number.isFinite(value === undefined ? Number.NaN : bytes) ? Math.floor(bytes / GiB) : undefined;
};
const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
const item = ({ name, path }: { name: string; path: string }): InventoryItem => ({ name, path });

/** The names of `refs`, in one property read. */
async function names(client: VsphereClient, refs: MoRef[], signal?: AbortSignal): Promise<string[]> {
  const read = await client.properties(refs, ['name'], signal);
  return read.map((object) => String(object.properties.name ?? object.ref.value));
}

/** Where a walk starts: a container, the path its children's paths begin with, and its tree. */
interface Start {
  ref: MoRef;
  path: string;
  tree: Tree;
}

/**
 * Every object under `starts`, a level at a time: each level is one read of
 * its containers' children and one of their names, however many objects it
 * has (no call per object or per property). `descend` picks the children
 * whose own children are read next.
 */
async function walk(
  client: VsphereClient,
  starts: Start[],
  descend: (ref: MoRef) => boolean,
  signal?: AbortSignal,
): Promise<Found[]> {
  const found: Found[] = [];
  for (let level = starts; level.length > 0; ) {
    const containers = await client.properties(
      level.map((l) => l.ref),
      ['childEntity'],
      signal,
    );
    const children = containers.flatMap((container, i) =>
      asRefs(container.properties.childEntity).map((ref) => ({ ref, parent: level[i] as Start })),
    );
    const childNames = await names(
      client,
      children.map((c) => c.ref),
      signal,
    );
    const items = children.map(({ ref, parent }, i) => {
      const name = childNames[i] as string;
      return { ref, name, path: parent.path ? `${parent.path}/${name}` : name, tree: parent.tree };
    });
    found.push(...items);
    level = items.filter((child) => descend(child.ref));
  }
  return found;
}

/** Each compute resource's resource pools, its root pool (`<cluster>/Resources`) first, a level at a time. */
async function resourcePools(
  client: VsphereClient,
  computes: Found[],
  signal?: AbortSignal,
): Promise<InventoryItem[]> {
  const pools: InventoryItem[] = [];
  const roots = await client.properties(
    computes.map((c) => c.ref),
    ['resourcePool'],
    signal,
  );
  let level = roots.flatMap((root, i) =>
    asRefs(root.properties.resourcePool).map((ref) => ({ ref, parent: (computes[i] as Found).path })),
  );
  while (level.length > 0) {
    const read = await client.properties(
      level.map((l) => l.ref),
      ['name', 'resourcePool'],
      signal,
    );
    const next: typeof level = [];
    read.forEach((pool, i) => {
      const name = String(pool.properties.name ?? pool.ref.value);
      const path = `${(level[i] as (typeof level)[0]).parent}/${name}`;
      pools.push({ name, path });
      // A vApp is a resource pool too, but VMs are not cloned into one by these forms.
      for (const child of asRefs(pool.properties.resourcePool))
        if (child.type === 'ResourcePool') next.push({ ref: child, parent: path });
    });
    level = next;
  }
  return pools.sort(byPath);
}

/** What the machine template form offers in one datacenter. */
export async function datacenterInventory(
  client: VsphereClient,
  datacenter: Datacenter,
  signal?: AbortSignal,
): Promise<DatacenterInventory> {
  const found = await walk(
    client,
    [
      { ref: datacenter.vmFolder, path: '', tree: 'vm' },
      { ref: datacenter.hostFolder, path: '', tree: 'host' },
      { ref: datacenter.datastoreFolder, path: '', tree: 'datastore' },
      { ref: datacenter.networkFolder, path: '', tree: 'network' },
    ],
    (ref) => CONTAINERS.has(ref.type),
    signal,
  );
  const of = (tree: Tree, types: (type: string) => boolean) =>
    found.filter((f) => f.tree === tree && types(f.ref.type));
  const computes = of('host', (t) => COMPUTE.has(t));
  const datastores = of('datastore', (t) => t === 'Datastore');
  const networks = of('network', (t) => t in NETWORK_KINDS);
  const vms = of('vm', (t) => t === 'VirtualMachine');
  const [pools, space, vmKinds] = await Promise.all([
    resourcePools(client, computes, signal),
    client.properties(
      datastores.map((d) => d.ref),
      ['summary.capacity', 'summary.freeSpace'],
      signal,
    ),
    client.properties(
      vms.map((v) => v.ref),
      ['config.template'],
      signal,
    ),
  ]);
  return {
    datacenter: datacenter.name,
    computeClusters: computes.map(item).sort(byPath),
    resourcePools: pools,
    datastores: datastores
      .map((d, i) => {
        const summary = space[i]?.properties ?? {};
        const capacityGiB = gib(summary['summary.capacity']);
        const freeGiB = gib(summary['summary.freeSpace']);
        return {
          ...item(d),
          ...(capacityGiB === undefined ? {} : { capacityGiB }),
          ...(freeGiB === undefined ? {} : { freeGiB }),
        };
      })
      .sort(byPath),
    networks: networks
      .map((n) => ({ ...item(n), kind: NETWORK_KINDS[n.ref.type] as NetworkFact['kind'] }))
      .sort(byPath),
    templates: vms
      .filter((_, i) => String(vmKinds[i]?.properties['config.template']) === 'true')
      .map(item)
      .sort(byPath),
    folders: of('vm', (t) => t === 'Folder')
      .map(item)
      .sort(byPath),
  };
}

/** The datacenters of the vCenter, anywhere in the folders under its root folder. */
export async function datacenters(client: VsphereClient, signal?: AbortSignal): Promise<InventoryItem[]> {
  const root = (await client.serviceContent(signal)).rootFolder;
  // Only folders are descended: a datacenter's own children are its four standard folders.
  const found = await walk(
    client,
    [{ ref: root, path: '', tree: 'vm' }],
    (ref) => ref.type === 'Folder',
    signal,
  );
  return found
    .filter((f) => f.ref.type === 'Datacenter')
    .map((f) => ({ name: f.name, path: `/${f.path}` }))
    .sort(byPath);
}
