import { z } from 'zod';
import { DcsLookupError, DcsResponseError, isNotFound } from '../cloud/dcs-api-error.js';
import type { DcsClient } from '../cloud/dcs-client.js';
import { toUri } from '../cloud/dcs-ids.js';
import type { DcsSession } from '../cloud/dcs-session.js';
import {
  DcsClusterSchema,
  DcsDatastoreClusterSchema,
  DcsDatastoreSchema,
  DcsDvSwitchSchema,
  DcsFolderSchema,
  DcsHostSchema,
  DcsPortGroupSchema,
  DcsVmSchema,
  dropNulls,
} from '../cloud/dcs-types.js';
import type {
  DatastoreClusterFact,
  DatastoreFact,
  DvSwitchFact,
  PortGroupFact,
  VmPlacementFact,
  VmTemplateFact,
} from './platform-operations.js';

// The VRM serves at most 100 items a page.
const PAGE_SIZE = 100;

/**
 * The listings the forms pick from, read over the pooled session. DcsClient
 * resolves single objects by name for the controllers; the forms need whole
 * lists, so those are read here with the same schemas and paging.
 */
export class DcsInventory {
  constructor(
    private readonly session: Pick<DcsSession, 'request'>,
    private readonly client: Pick<DcsClient, 'resolveSite' | 'findVmByName'>,
    private readonly signal: AbortSignal,
  ) {}

  async vmTemplates(): Promise<VmTemplateFact[]> {
    const vms = await this.list('vms', 'vms', DcsVmSchema, { isTemplate: true });
    return vms
      .filter((vm) => vm.isTemplate !== false)
      .map((vm) => ({
        name: vm.name,
        ...(vm.vmConfig?.cpu?.quantity === undefined ? {} : { cpu: vm.vmConfig.cpu.quantity }),
        ...(vm.vmConfig?.memory?.quantityMB === undefined ? {} : { memoryMB: vm.vmConfig.memory.quantityMB }),
        diskGB: (vm.vmConfig?.disks ?? []).map((disk) => disk.quantityGB ?? 0),
      }))
      .sort(byName);
  }

  async clusters(): Promise<{ name: string }[]> {
    const clusters = await this.list('clusters', 'clusters', DcsClusterSchema);
    return clusters.map((cluster) => ({ name: cluster.name })).sort(byName);
  }

  async hosts(clusterName?: string): Promise<{ name: string; cluster?: string; status?: string }[]> {
    const clusters = await this.list('clusters', 'clusters', DcsClusterSchema);
    const clusterNames = new Map(clusters.map((cluster) => [cluster.urn, cluster.name]));
    let scope: string | undefined;
    if (clusterName) {
      scope = clusters.find((cluster) => cluster.name === clusterName)?.urn;
      if (!scope) throw new DcsLookupError('cluster', clusterName, 'this site');
    }
    const hosts = await this.list('hosts', 'hosts', DcsHostSchema, scope ? { scope } : {});
    return hosts
      .map((host) => {
        const cluster = host.clusterUrn ? clusterNames.get(host.clusterUrn) : undefined;
        return {
          name: host.name,
          ...(cluster ? { cluster } : {}),
          ...(host.status ? { status: host.status } : {}),
        };
      })
      .sort(byName);
  }

  /** Where each VM runs: its status and host, or `missing` when DCS has no such VM. */
  /**
   * Status and host of VMs by URN, and by name for machines whose VM URN is
   * not recorded (the controller finds its VM by name); each list in the order asked.
   */
  async vmPlacements(
    urns: readonly string[],
    names: readonly string[] = [],
  ): Promise<{ byUrn: VmPlacementFact[]; byName: VmPlacementFact[] }> {
    const hosts = await this.list('hosts', 'hosts', DcsHostSchema);
    const hostNames = new Map(hosts.map((host) => [host.urn, host.name]));
    const fact = (vm: { name: string; status: string; hostUrn?: string | undefined } | undefined) => {
      if (!vm) return { status: 'missing' };
      const host = vm.hostUrn ? hostNames.get(vm.hostUrn) : undefined;
      return { name: vm.name, status: vm.status, ...(host ? { host } : {}) };
    };
    const [byUrn, byName] = await Promise.all([
      Promise.all(urns.map(async (urn) => fact(await this.vm(urn)))),
      Promise.all(names.map(async (name) => fact(await this.client.findVmByName(name)))),
    ]);
    return { byUrn, byName };
  }

  private async vm(urn: string) {
    try {
      const response = await this.session.request({ method: 'GET', path: toUri(urn), signal: this.signal });
      return DcsVmSchema.parse(dropNulls(response.body));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async folders(): Promise<{ name: string }[]> {
    const folders = await this.list('folders', 'folders', DcsFolderSchema);
    return folders.map((folder) => ({ name: folder.name })).sort(byName);
  }

  async datastores(): Promise<DatastoreFact[]> {
    const datastores = await this.list('datastores', 'datastores', DcsDatastoreSchema);
    return datastores
      .map((d) => ({
        name: d.name,
        ...(d.status === undefined ? {} : { status: d.status }),
        ...(d.capacityGB === undefined ? {} : { capacityGB: d.capacityGB }),
        ...(d.freeSizeGB === undefined ? {} : { freeSizeGB: d.freeSizeGB }),
        ...(d.storageType === undefined ? {} : { storageType: d.storageType }),
      }))
      .sort(byName);
  }

  async datastoreClusters(): Promise<DatastoreClusterFact[]> {
    const [groups, datastores] = await Promise.all([
      this.list('datastoreclusters', 'datastoreClusters', DcsDatastoreClusterSchema),
      this.list('datastores', 'datastores', DcsDatastoreSchema),
    ]);
    const byUrn = new Map(datastores.map((d) => [d.urn, d]));
    return groups
      .map((group) => {
        const members = group.datastores.flatMap((urn) => {
          const datastore = byUrn.get(urn);
          return datastore ? [datastore] : [];
        });
        return {
          name: group.name,
          datastores: members.map((d) => d.name).sort(),
          freeSizeGB: members.reduce((sum, d) => sum + (d.freeSizeGB ?? 0), 0),
        };
      })
      .sort(byName);
  }

  async dvSwitches(): Promise<DvSwitchFact[]> {
    const site = await this.client.resolveSite();
    const switches = await this.unpaged(`${site.uri}/dvswitchs`, 'dvSwitchs', DcsDvSwitchSchema);
    const result = await Promise.all(
      switches.map(async (dvSwitch) => ({
        name: dvSwitch.name,
        portGroups: (await this.paged(`${dvSwitch.uri}/portgroups`, 'portGroups', DcsPortGroupSchema)).map(
          (p) => ({ name: p.name, ...(p.vlanId === undefined ? {} : { vlanId: p.vlanId }) }),
        ),
      })),
    );
    return result.sort(byName);
  }

  async portGroups(dvSwitchName: string): Promise<PortGroupFact[]> {
    const dvSwitch = (await this.dvSwitches()).find((candidate) => candidate.name === dvSwitchName);
    if (!dvSwitch) throw new DcsLookupError('distributed switch', dvSwitchName, 'this site');
    return dvSwitch.portGroups.sort(byName);
  }

  private async list<S extends z.ZodType>(
    collection: string,
    key: string,
    schema: S,
    query: Record<string, string | number | boolean> = {},
  ): Promise<Array<z.output<S>>> {
    const site = await this.client.resolveSite();
    return this.paged(`${site.uri}/${collection}`, key, schema, query);
  }

  private async paged<S extends z.ZodType>(
    path: string,
    key: string,
    schema: S,
    query: Record<string, string | number | boolean> = {},
  ): Promise<Array<z.output<S>>> {
    const items: Array<z.output<S>> = [];
    for (let offset = 0; ; ) {
      const response = await this.session.request({
        method: 'GET',
        path,
        query: { ...query, limit: PAGE_SIZE, offset },
        signal: this.signal,
      });
      const page = parseItems(schema, response.body, key, path);
      const total = z.coerce.number().safeParse((response.body as { total?: unknown } | undefined)?.total);
      items.push(...page);
      offset += page.length;
      if (page.length < PAGE_SIZE || (total.success && offset >= total.data)) return items;
    }
  }

  private async unpaged<S extends z.ZodType>(path: string, key: string, schema: S) {
    const response = await this.session.request({ method: 'GET', path, signal: this.signal });
    return parseItems(schema, response.body, key, path);
  }
}

function parseItems<S extends z.ZodType>(schema: S, body: unknown, key: string, path: string) {
  const items = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  const result = z.array(schema).default([]).safeParse(dropNulls(items));
  if (result.success) return result.data as Array<z.output<S>>;
  throw new DcsResponseError('GET', path, result.error.issues[0]?.message ?? 'invalid list');
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
