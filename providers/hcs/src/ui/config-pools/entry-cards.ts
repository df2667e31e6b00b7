/// <reference lib="dom" />
import {
  button,
  type Choice,
  card,
  cardList,
  fieldGroup,
  h,
  namedChoices,
  numberField,
  selectField,
  textField,
} from '@immutable-infra/ui-kit';
import {
  type DiskDraft,
  type EntryDraft,
  emptyDisk,
  emptyEntry,
  emptyNetwork,
  FILE_SYSTEMS,
  type NetworkDraft,
  type SubnetChoice,
} from './pool-rules.js';

const fileSystems: Choice[] = namedChoices(FILE_SYSTEMS);

/**
 * The pool's entries: one card per machine with its hostname, its NICs
 * (subnet and static IP) and its persistent disks, each field's problem next
 * to it (`configs.N.networks.M.ipAddress`), with add and remove buttons. A new
 * entry starts with the last one's subnets (entries of a pool usually share
 * them) and disks.
 */
export function entryCards(initial: EntryDraft[]) {
  let subnets: Choice[] = [];
  let volumeTypes: Choice[] = [];

  const networkRow = (at: string, network: NetworkDraft, remove: () => void) => {
    const subnet = selectField('Subnet', `${at}.subnet`, subnets, network.subnet);
    const ip = textField('IP address', `${at}.ipAddress`, network.ipAddress, { placeholder: '192.168.1.11' });
    return {
      element: h(
        'div',
        { data: { network: at } },
        subnet.row,
        ip.row,
        button('Remove network', remove, { action: `remove-network:${at}` }),
      ),
      read: (): NetworkDraft => ({
        subnet: subnet.select.value as SubnetChoice,
        ipAddress: ip.input.value.trim(),
      }),
    };
  };

  const diskRow = (at: string, disk: DiskDraft, remove: () => void) => {
    const size = numberField('Size (GB)', `${at}.size`, disk.size);
    const type = selectField('Disk type', `${at}.type`, volumeTypes, disk.type);
    const mountPath = textField('Mount path', `${at}.mountPath`, disk.mountPath, {
      placeholder: '/var/cpaas',
    });
    const format = selectField('File system', `${at}.format`, fileSystems, disk.format || 'xfs', {
      noEmptyChoice: true,
    });
    return {
      element: h(
        'div',
        { data: { disk: at } },
        size.row,
        type.row,
        mountPath.row,
        format.row,
        button('Remove disk', remove, { action: `remove-disk:${at}` }),
      ),
      read: (): DiskDraft => ({
        size: size.read(),
        type: type.select.value,
        mountPath: mountPath.input.value.trim(),
        format: format.select.value,
      }),
    };
  };

  const entries = cardList<EntryDraft>(initial, {
    noun: 'entry',
    plural: 'entries',
    path: 'configs',
    next: (last) =>
      last
        ? {
            hostname: '',
            networks: last.networks.map((n) => emptyNetwork(n.subnet)),
            persistentDisks: last.persistentDisks.map((d) => ({ ...d })),
          }
        : emptyEntry(),
    card(entry, i, { remove, edit: change }) {
      const at = `configs.${i}`;
      const hostname = textField('Hostname', `${at}.hostname`, entry.hostname, { placeholder: 'master-1' });
      const networks = entry.networks.map((network, n) =>
        networkRow(`${at}.networks.${n}`, network, () =>
          change((e) => ({ ...e, networks: e.networks.filter((_, k) => k !== n) })),
        ),
      );
      const disks = entry.persistentDisks.map((disk, d) =>
        diskRow(`${at}.persistentDisks.${d}`, disk, () =>
          change((e) => ({ ...e, persistentDisks: e.persistentDisks.filter((_, k) => k !== d) })),
        ),
      );
      return {
        read: () => ({
          hostname: hostname.input.value.trim(),
          networks: networks.map((n) => n.read()),
          persistentDisks: disks.map((d) => d.read()),
        }),
        element: card(
          { entry: String(i) },
          h('h4', { text: `Entry ${i + 1}` }),
          hostname.row,
          h('h5', { text: 'Networks' }),
          fieldGroup(
            `Networks of entry ${i + 1}`,
            `${at}.networks`,
            h('div', {}, ...networks.map((n) => n.element)),
          ),
          button('Add network', () => change((e) => ({ ...e, networks: [...e.networks, emptyNetwork()] })), {
            action: `add-network:${i}`,
          }),
          h('h5', { text: 'Persistent disks' }),
          fieldGroup(
            `Persistent disks of entry ${i + 1}`,
            `${at}.persistentDisks`,
            h('div', {}, ...disks.map((d) => d.element)),
          ),
          button(
            'Add persistent disk',
            () => change((e) => ({ ...e, persistentDisks: [...e.persistentDisks, emptyDisk()] })),
            { action: `add-disk:${i}` },
          ),
          button('Remove entry', remove, { action: `remove-entry:${i}` }),
        ),
      };
    },
  });

  return {
    rows: entries.rows,
    read: entries.read,
    show: entries.show,
    /** New dropdown choices from the platform; what was typed stays. */
    offer(choices: { subnets?: Choice[]; volumeTypes?: Choice[] }) {
      subnets = choices.subnets ?? subnets;
      volumeTypes = choices.volumeTypes ?? volumeTypes;
      entries.show(entries.read());
    },
  };
}
