import { createHash } from 'node:crypto';
import type { ResolvedInventory } from './inventory.js';
import type { DrsRuleRecord, NicRecord, UploadRecord, VmRecord, VolumeRecord } from './records.js';
import type { CreateCounts } from './sim-state.js';
import { SiteAddress } from './site-address.js';

type Cluster = ResolvedInventory['clusters'][number];
type Host = ResolvedInventory['hosts'][number];
type Datastore = ResolvedInventory['datastores'][number];
type DatastoreCluster = ResolvedInventory['datastoreClusters'][number];

export interface PortGroup {
  dvSwitchId: string;
  id: string;
  name: string;
  vlanId: number;
  urn: string;
}

/**
 * Everything the site holds: the fixed inventory with lookups by id and URN, and the objects
 * calls create and change (VMs, volumes, uploads, DRS rules). Route modules change these maps;
 * nothing else keeps state.
 */
/** What a VM's own (template) disk is on FusionCompute: a normal volume, not independent. */
export const STOCK_DISK = { type: 'normal', indepDisk: false, persistentDisk: true } as const;

export class Platform {
  readonly address: SiteAddress;
  readonly vms = new Map<string, VmRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly uploads = new Map<string, UploadRecord>();
  readonly drsRules: DrsRuleRecord[] = [];
  readonly creates: CreateCounts = { vms: 0, volumes: 0 };
  /** The bodies of the `POST volumes` calls the platform accepted, as sent. */
  readonly volumeCreateBodies: Record<string, unknown>[] = [];
  /** The bodies of the `PUT <volume uri>` calls (rename, conversion) the platform accepted, with the volume's URN. */
  readonly volumeModifyBodies: { volumeUrn: string; body: Record<string, unknown> }[] = [];
  private nextVm = 0x100;
  private nextVolume = 1;
  private nextUpload = 1;
  private nextMac = 1;
  private readonly nextRuleIndex = new Map<string, number>();

  constructor(readonly inventory: ResolvedInventory) {
    this.address = new SiteAddress(inventory.site.id);
    for (const template of inventory.templates) this.addTemplate(template);
  }

  // --- inventory lookups -------------------------------------------------------------------

  cluster(urn: string): Cluster | undefined {
    const id = this.address.idIn(urn, 'clusters');
    return this.inventory.clusters.find((c) => c.id === id);
  }

  host(urn: string): Host | undefined {
    const id = this.address.idIn(urn, 'hosts');
    return this.inventory.hosts.find((h) => h.id === id);
  }

  datastore(urn: string): Datastore | undefined {
    const id = this.address.idIn(urn, 'datastores');
    return this.inventory.datastores.find((d) => d.id === id);
  }

  datastoreCluster(urn: string): DatastoreCluster | undefined {
    const id = this.address.idIn(urn, 'datastoreclusters');
    return this.inventory.datastoreClusters.find((d) => d.id === id);
  }

  portGroups(): PortGroup[] {
    return this.inventory.dvSwitches.flatMap((dvs) =>
      dvs.portGroups.map((p) => ({ ...p, dvSwitchId: dvs.id, urn: this.address.portGroupUrn(dvs.id, p.id) })),
    );
  }

  portGroup(urn: string): PortGroup | undefined {
    return this.portGroups().find((p) => p.urn === urn);
  }

  /**
   * The datastore a new disk lands on: the datastore itself, or for a datastore cluster the member
   * with the most free space (the way storage DRS would place it).
   */
  placeOn(urn: string): Datastore | undefined {
    const direct = this.datastore(urn);
    if (direct) return direct;
    const group = this.datastoreCluster(urn);
    if (!group) return undefined;
    const members = this.inventory.datastores.filter((d) => group.datastoreIds.includes(d.id));
    return members.reduce<Datastore | undefined>(
      (best, d) => (best === undefined || this.freeSizeGB(d) > this.freeSizeGB(best) ? d : best),
      undefined,
    );
  }

  /** Free space after the volumes created since start-up. */
  freeSizeGB(datastore: Datastore): number {
    const urn = this.address.urnOf('datastores', datastore.id);
    let used = 0;
    for (const volume of this.volumes.values())
      if (!volume.fromInventory && volume.datastoreUrn === urn) used += volume.quantityGB;
    return Math.max(0, datastore.freeSizeGB - used);
  }

  /** The host a VM placed on a cluster runs on: the one with the fewest VMs, first in inventory order on a tie. */
  leastLoadedHost(clusterId: string): Host | undefined {
    const load = (host: Host) => {
      const urn = this.address.urnOf('hosts', host.id);
      return [...this.vms.values()].filter((vm) => !vm.isTemplate && vm.hostUrn === urn).length;
    };
    return this.inventory.hosts
      .filter((h) => h.clusterId === clusterId)
      .reduce<Host | undefined>(
        (best, h) => (best === undefined || load(h) < load(best) ? h : best),
        undefined,
      );
  }

  // --- runtime objects ---------------------------------------------------------------------

  vm(id: string): VmRecord | undefined {
    return this.vms.get(id);
  }

  vmByUrn(urn: string): VmRecord | undefined {
    const id = this.address.idIn(urn, 'vms');
    return id === undefined ? undefined : this.vms.get(id);
  }

  volumeByUrn(urn: string): VolumeRecord | undefined {
    const id = this.address.idIn(urn, 'volumes');
    return id === undefined ? undefined : this.volumes.get(id);
  }

  /** Volumes attached to a VM, in `sequenceNum` order: the VM's `vmConfig.disks`. */
  disksOf(vmUrn: string): VolumeRecord[] {
    return [...this.volumes.values()]
      .filter((v) => v.vmUrn === vmUrn)
      .sort((a, b) => (a.sequenceNum ?? 0) - (b.sequenceNum ?? 0));
  }

  newVmId(): string {
    const id = `i-${this.nextVm.toString(16).toUpperCase().padStart(8, '0')}`;
    this.nextVm += 1;
    return id;
  }

  newVolume(fields: Omit<VolumeRecord, 'id' | 'urn' | 'uri'>): VolumeRecord {
    const id = String(this.nextVolume++);
    const volume = {
      id,
      urn: this.address.urnOf('volumes', id),
      uri: this.address.uriOf('volumes', id),
      ...fields,
    };
    this.volumes.set(id, volume);
    return volume;
  }

  newUpload(fields: Omit<UploadRecord, 'id' | 'uri'>): UploadRecord {
    const id = String(this.nextUpload++);
    const upload = { id, uri: this.address.uriOf('uploads', id), ...fields };
    this.uploads.set(id, upload);
    return upload;
  }

  /** A MAC in Huawei's 28:6E:D4 range, counted up so runs are reproducible. */
  newMac(): string {
    const n = this.nextMac++;
    const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    return ['28', '6e', 'd4', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
  }

  /** A UUID derived from the VM id, so the same run gives the same UUIDs. */
  uuidFor(vmId: string): string {
    const hex = createHash('sha256').update(`${this.address.siteId}/${vmId}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  newRuleIndex(clusterUrn: string): number {
    const index = this.nextRuleIndex.get(clusterUrn) ?? 1;
    this.nextRuleIndex.set(clusterUrn, index + 1);
    return index;
  }

  private addTemplate(template: ResolvedInventory['templates'][number]): void {
    const urn = this.address.urnOf('vms', template.id);
    const host = this.leastLoadedHost(template.clusterId);
    const nics: NicRecord[] = template.nics.map((nic) => ({
      sequenceNum: nic.sequenceNum,
      name: `nic${nic.sequenceNum}`,
      portGroupUrn: this.address.portGroupUrn(nic.dvSwitchId, nic.portGroupId),
      mac: this.newMac(),
      ip: '0.0.0.0',
    }));
    this.vms.set(template.id, {
      id: template.id,
      urn,
      uri: this.address.uriOf('vms', template.id),
      uuid: this.uuidFor(template.id),
      name: template.name,
      description: template.description,
      group: template.group,
      location: this.address.urnOf('clusters', template.clusterId),
      hostUrn: host ? this.address.urnOf('hosts', host.id) : '',
      status: 'stopped',
      isTemplate: true,
      isBindingHost: false,
      cpu: template.cpu,
      memoryMB: template.memoryMB,
      osOptions: { osType: template.osType, osVersion: template.osVersion },
      hostname: '',
      nics,
      cdromFile: undefined,
      deleting: false,
      createTime: new Date(0).toISOString(),
    });
    for (const disk of template.disks) {
      this.newVolume({
        name: `${template.id}-disk${disk.sequenceNum}`,
        quantityGB: disk.quantityGB,
        datastoreUrn: this.address.urnOf('datastores', disk.datastoreId),
        isThin: disk.isThin,
        ...STOCK_DISK,
        vmUrn: urn,
        pendingVmUrn: undefined,
        sequenceNum: disk.sequenceNum,
        ownerVmUrn: urn,
        fromInventory: true,
        operation: undefined,
      });
    }
  }
}
