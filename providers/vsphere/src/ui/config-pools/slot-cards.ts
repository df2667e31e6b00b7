/// <reference lib="dom" />
import { button, type Choice, card, fieldGroup, h, selectField, textField } from '@immutable-infra/ui-kit';
import { emptySlot, type SlotDraft } from './pool-rules.js';

/**
 * The pool's slots: one card per node with its hostname and first NIC
 * (network, address with prefix, gateway, DNS), each field's problem next to
 * it (`slots.N.field`), removable, plus "Add slot" (which copies the last
 * slot's network, gateway and DNS: slots of a pool usually share them).
 */
export function slotCards(initial: SlotDraft[]) {
  const box = h('div', { data: { slots: '' } });
  let networks: Choice[] = [];
  let readers: (() => SlotDraft)[] = [];

  const read = () => readers.map((reader) => reader());

  const render = (slots: SlotDraft[]) => {
    readers = [];
    box.replaceChildren(
      ...slots.map((slot, i) => {
        const at = (field: string) => `slots.${i}.${field}`;
        const hostname = textField('Hostname', at('hostname'), slot.hostname, { placeholder: 'cp-01' });
        const network = selectField('Network (first NIC)', at('networkName'), networks, slot.networkName);
        const ip = textField('Address / prefix', at('ip'), slot.ip, { placeholder: '10.10.10.11/24' });
        const gateway = textField('Gateway', at('gateway'), slot.gateway, { placeholder: '10.10.10.1' });
        const dns = textField('DNS servers', at('dns'), slot.dns, { placeholder: '10.10.10.2, 10.10.10.3' });
        readers.push(() => ({
          hostname: hostname.input.value.trim(),
          networkName: network.select.value,
          ip: ip.input.value.trim(),
          gateway: gateway.input.value.trim(),
          dns: dns.input.value.trim(),
        }));
        const remove = () => render(read().filter((_, at) => at !== i));
        return card(
          { slot: String(i) },
          hostname.row,
          network.row,
          ip.row,
          gateway.row,
          dns.row,
          button('Remove slot', remove, { action: `remove-slot:${i}` }),
        );
      }),
    );
  };
  render(initial);

  const add = () => {
    const slots = read();
    const last = slots.at(-1);
    render([
      ...slots,
      last
        ? { ...emptySlot(), networkName: last.networkName, gateway: last.gateway, dns: last.dns }
        : emptySlot(),
    ]);
  };

  return {
    rows: [
      h('h3', { text: 'Slots' }),
      fieldGroup('Slots', 'slots', box),
      button('Add slot', add, { action: 'add-slot' }),
    ],
    read,
    show: render,
    offer(choices: Choice[]) {
      networks = choices;
      render(read());
    },
  };
}
