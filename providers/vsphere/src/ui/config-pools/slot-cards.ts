/// <reference lib="dom" />
import {
  button,
  type Choice,
  card,
  cardList,
  checkboxField,
  hint,
  numberField,
  repeatableGroup,
  selectField,
  textField,
} from '@immutable-infra/ui-kit';
import {
  type DiskDraft,
  type DiskLifecycle,
  emptyDisk,
  emptyNic,
  emptySlot,
  type NicDraft,
  type SlotDraft,
} from './pool-rules.js';

/** A stored disk's lifecycle by slot hostname and disk name (`cp-01/etcd`). */
export type DiskLifecycles = ReadonlyMap<string, DiskLifecycle>;

export const lifecycleKey = (hostname: string, disk: string) => `${hostname}/${disk}`;

/**
 * The pool's slots: one card per node with its hostname and first NIC
 * (network, address with prefix, gateway, DNS), its further NICs and its
 * persistent disks, each field's problem next to it (`slots.N.field`,
 * `slots.N.nics.M.field`, `slots.N.disks.M.field`), removable, plus "Add
 * slot" (which copies the last slot's network, gateway and DNS: slots of a
 * pool usually share them). A disk that exists shows its lifecycle state
 * read-only and keeps its name (renaming would leave the made disk behind).
 */
export function slotCards(initial: SlotDraft[]) {
  let networks: Choice[] = [];
  let lifecycles: DiskLifecycles = new Map();

  const nicGroup = (slot: SlotDraft, i: number) =>
    repeatableGroup<NicDraft>(
      {
        label: 'Additional NICs',
        path: `slots.${i}.nics`,
        noun: 'NIC',
        max: 9,
        empty: 'Only the first NIC.',
        blank: () => emptyNic(),
        row(nic, at) {
          const network = selectField('Network', at('networkName'), networks, nic.networkName);
          const device = textField('Guest interface', at('deviceName'), nic.deviceName, {
            placeholder: 'eth1 (by NIC order when empty)',
          });
          const ip = textField('Address / prefix', at('ip'), nic.ip, { placeholder: '10.10.20.11/24' });
          const gateway = textField('Gateway', at('gateway'), nic.gateway, { placeholder: '10.10.20.1' });
          const dns = textField('DNS servers', at('dns'), nic.dns, { placeholder: '10.10.20.2' });
          return {
            children: [network.row, device.row, ip.row, gateway.row, dns.row],
            read: () => ({
              networkName: network.select.value,
              deviceName: device.input.value.trim(),
              ip: ip.input.value.trim(),
              gateway: gateway.input.value.trim(),
              dns: dns.input.value.trim(),
            }),
          };
        },
      },
      slot.nics,
    );

  const diskGroup = (slot: SlotDraft, i: number) =>
    repeatableGroup<DiskDraft>(
      {
        label: 'Persistent disks',
        path: `slots.${i}.disks`,
        noun: 'disk',
        max: 16,
        empty: 'No persistent disks.',
        blank: () => emptyDisk(),
        row(disk, at) {
          const lifecycle = disk.name ? lifecycles.get(lifecycleKey(slot.hostname, disk.name)) : undefined;
          const made = lifecycle !== undefined && lifecycle.state !== 'New';
          const name = textField('Disk name', at('name'), disk.name, {
            placeholder: 'var-lib-etcd',
            readOnly: made,
            ...(made ? { hint: 'The disk exists: its name stays' } : {}),
          });
          const size = numberField('Size (GiB)', at('sizeGiB'), disk.sizeGiB);
          const mountPath = textField('Mount path', at('mountPath'), disk.mountPath, {
            placeholder: '/var/lib/etcd (a raw device when empty)',
          });
          const fsFormat = textField('File system', at('fsFormat'), disk.fsFormat, { placeholder: 'ext4' });
          const datastore = textField('Datastore', at('datastore'), disk.datastore, {
            placeholder: '(the VM’s datastore)',
          });
          const unit = numberField('SCSI unit', at('unitNumber'), disk.unitNumber, {
            hint: '0–15 but 7, so disks keep their order across machines',
          });
          const wipe = checkboxField('Wipe on a new machine', at('wipeFilesystem'), disk.wipeFilesystem, {
            hint: 'Clear the content on the first boot of each new machine taking the slot',
          });
          return {
            children: [
              lifecycle ? hint(`State: ${lifecycle.text}`, { data: { diskState: lifecycle.state } }) : null,
              name.row,
              size.row,
              mountPath.row,
              fsFormat.row,
              datastore.row,
              unit.row,
              wipe.row,
            ],
            read: () => ({
              name: name.input.value.trim(),
              sizeGiB: size.read(),
              mountPath: mountPath.input.value.trim(),
              fsFormat: fsFormat.input.value.trim(),
              datastore: datastore.input.value.trim(),
              unitNumber: unit.read(),
              wipeFilesystem: wipe.input.checked,
            }),
          };
        },
      },
      slot.disks,
    );

  const list = cardList<SlotDraft>(initial, {
    noun: 'slot',
    plural: 'slots',
    path: 'slots',
    next: (last) =>
      last
        ? { ...emptySlot(), networkName: last.networkName, gateway: last.gateway, dns: last.dns }
        : emptySlot(),
    card(slot, i, { remove }) {
      const at = (field: string) => `slots.${i}.${field}`;
      const hostname = textField('Hostname', at('hostname'), slot.hostname, { placeholder: 'cp-01' });
      const network = selectField('Network (first NIC)', at('networkName'), networks, slot.networkName);
      const ip = textField('Address / prefix', at('ip'), slot.ip, { placeholder: '10.10.10.11/24' });
      const gateway = textField('Gateway', at('gateway'), slot.gateway, { placeholder: '10.10.10.1' });
      const dns = textField('DNS servers', at('dns'), slot.dns, { placeholder: '10.10.10.2, 10.10.10.3' });
      const nics = nicGroup(slot, i);
      const disks = diskGroup(slot, i);
      return {
        read: () => ({
          hostname: hostname.input.value.trim(),
          networkName: network.select.value,
          ip: ip.input.value.trim(),
          gateway: gateway.input.value.trim(),
          dns: dns.input.value.trim(),
          nics: nics.read(),
          disks: disks.read(),
        }),
        element: card(
          { slot: String(i) },
          hostname.row,
          network.row,
          ip.row,
          gateway.row,
          dns.row,
          nics.element,
          disks.element,
          button('Remove slot', remove, { action: `remove-slot:${i}` }),
        ),
      };
    },
  });

  return {
    rows: list.rows,
    read: list.read,
    /** Shows the slots, with the lifecycle of each stored disk (none when creating). */
    show(slots: SlotDraft[], stored: DiskLifecycles = lifecycles) {
      lifecycles = stored;
      list.show(slots);
    },
    offer(choices: Choice[]) {
      networks = choices;
      list.show(list.read());
    },
  };
}
