import { PlatformFailure } from '@immutable-infra/core';
import type { MoRef } from './soap-xml.js';
import type { VsphereClient } from './vsphere-client.js';

/** A datacenter and its four standard folders, where names without a path are looked up. */
export interface Datacenter {
  ref: MoRef;
  name: string;
  vmFolder: MoRef;
  hostFolder: MoRef;
  datastoreFolder: MoRef;
  networkFolder: MoRef;
}

/** Which standard folder of a datacenter a kind of object lives under. */
type FolderKind = 'vm' | 'host' | 'datastore' | 'network';

const notFound = (what: string, name: string, where: string) =>
  new PlatformFailure('NotFound', `${what} ${name} not found in ${where}`, {
    operation: 'FindByInventoryPath',
  });

/**
 * Finds objects the way vSphere users name them in manifests, as govc and CAPV do: an absolute
 * inventory path (`/dc-a/host/compute-a/Resources`), a path inside the datacenter's standard folder
 * (`templates/ubuntu`), or a bare name in that folder. Every lookup is one FindByInventoryPath.
 */
export class VsphereInventory {
  constructor(private readonly client: VsphereClient) {}

  /**
   * The datacenter by name or path; with none given, the only datacenter there is (a vCenter with
   * several needs the name).
   */
  async datacenter(nameOrPath: string | undefined, signal?: AbortSignal): Promise<Datacenter> {
    let found: MoRef | undefined;
    if (nameOrPath) {
      found = await this.client.findByInventoryPath(
        nameOrPath.startsWith('/') ? nameOrPath : `/${nameOrPath}`,
        signal,
      );
      if (found?.type !== 'Datacenter') throw notFound('datacenter', nameOrPath, 'vCenter');
    } else {
      const root = (await this.client.serviceContent(signal)).rootFolder;
      const [folder] = await this.client.properties([root], ['childEntity'], signal);
      const datacenters = asRefs(folder?.properties.childEntity).filter((r) => r.type === 'Datacenter');
      if (datacenters.length !== 1)
        throw new PlatformFailure(
          'NotFound',
          `vCenter has ${datacenters.length} datacenters at its root: name one (spec.datacenter)`,
          { operation: 'RetrievePropertiesEx' },
        );
      found = datacenters[0];
    }
    const [read] = await this.client.properties(
      [found as MoRef],
      ['name', 'vmFolder', 'hostFolder', 'datastoreFolder', 'networkFolder'],
      signal,
    );
    const p = read?.properties ?? {};
    return {
      ref: found as MoRef,
      name: String(p.name ?? nameOrPath ?? ''),
      vmFolder: p.vmFolder as MoRef,
      hostFolder: p.hostFolder as MoRef,
      datastoreFolder: p.datastoreFolder as MoRef,
      networkFolder: p.networkFolder as MoRef,
    };
  }

  /** An object by absolute path, or by a path or name inside the datacenter's `kind` folder. */
  async find(
    datacenter: Datacenter,
    kind: FolderKind,
    nameOrPath: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<MoRef> {
    const path = nameOrPath.startsWith('/') ? nameOrPath : `/${datacenter.name}/${kind}/${nameOrPath}`;
    const found = await this.client.findByInventoryPath(path, signal);
    if (!found) throw notFound(what, nameOrPath, `datacenter ${datacenter.name}`);
    return found;
  }

  /**
   * The resource pool VMs go into: the given one (a path, or `<cluster>/Resources` style inside the
   * host folder), else the root pool of the datacenter's first compute cluster.
   */
  async resourcePool(datacenter: Datacenter, nameOrPath: string | undefined, signal?: AbortSignal) {
    if (nameOrPath) return this.find(datacenter, 'host', nameOrPath, 'resource pool', signal);
    const [hostFolder] = await this.client.properties([datacenter.hostFolder], ['childEntity'], signal);
    const computes = asRefs(hostFolder?.properties.childEntity).filter(
      (r) => r.type === 'ClusterComputeResource' || r.type === 'ComputeResource',
    );
    if (computes.length === 0) throw notFound('compute cluster', '(any)', `datacenter ${datacenter.name}`);
    const [compute] = await this.client.properties([computes[0] as MoRef], ['resourcePool'], signal);
    return compute?.properties.resourcePool as MoRef;
  }
}

/** A property holding managed object references (`ArrayOfManagedObjectReference`) as a list. */
export function asRefs(value: unknown): MoRef[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.filter(
    (item): item is MoRef => typeof item === 'object' && item !== null && 'type' in item && 'value' in item,
  );
}
