/// <reference lib="dom" />
import { button, type Choice, card, fieldGroup, h, selectField } from '@immutable-infra/ui-kit';
import type { NicDraft } from './template-rules.js';

/**
 * The machine's network devices: one card per NIC with its network (problems
 * at `nics.N.networkName`, next to it) and DHCP, removable, plus "Add network
 * device". The networks offered change when another datacenter is chosen.
 */
export function nicDevices(initial: NicDraft[]) {
  const box = h('div', { data: { nics: '' } });
  let networks: Choice[] = [];
  let rows: { network: HTMLSelectElement; dhcp: HTMLInputElement }[] = [];

  const read = (): NicDraft[] =>
    rows.map((row) => ({ networkName: row.network.value, dhcp4: row.dhcp.checked }));

  const render = (nics: NicDraft[]) => {
    rows = [];
    box.replaceChildren(
      ...nics.map((nic, i) => {
        const network = selectField(
          `Network of device ${i + 1}`,
          `nics.${i}.networkName`,
          networks,
          nic.networkName,
        );
        const dhcp = h('input', { type: 'checkbox', checked: nic.dhcp4, data: { field: `nics.${i}.dhcp4` } });
        rows.push({ network: network.select, dhcp });
        const remove = () => render(read().filter((_, at) => at !== i));
        return card(
          { nic: String(i) },
          network.row,
          h('label', {}, dhcp, ' DHCP (IPv4)'),
          button('Remove device', remove, { action: `remove-nic:${i}` }),
        );
      }),
    );
  };
  render(initial);

  return {
    rows: [
      h('h3', { text: 'Network devices' }),
      fieldGroup('Network devices', 'nics', box),
      button('Add network device', () => render([...read(), { networkName: '', dhcp4: true }]), {
        action: 'add-nic',
      }),
    ],
    read,
    /** Shows these NICs (a stored template's). */
    show: render,
    /** Offers these networks, keeping what each device has chosen. */
    offer(choices: Choice[]) {
      networks = choices;
      render(read());
    },
  };
}
