/// <reference lib="dom" />
import { button, h } from './elements.js';
import { fieldGroup } from './fields.js';

/** One item's card, and how to read it back. */
export interface ListCard<Item> {
  element: HTMLElement;
  read(): Item;
}

export interface CardListSpec<Item> {
  /** One item for people, e.g. `slot`: the button says `Add slot` (`data-action="add-slot"`). */
  noun: string;
  /** Its plural, e.g. `slots`: the heading and group name (`Slots`) and the box's `data-slots` attribute. */
  plural: string;
  /** The problem path of the whole list (`slots`); the provider's cards name item `i`'s fields `<path>.<i>.<field>`. */
  path: string;
  /** The item "Add" appends after `last` (undefined when the list is empty), e.g. one that copies its network. */
  next(last: Item | undefined): Item;
  /**
   * Item `index`'s card. `remove` drops it; `edit` re-renders the list with
   * the item changed (a NIC added, say); what was typed elsewhere stays.
   */
  card(
    item: Item,
    index: number,
    list: { remove(): void; edit(change: (item: Item) => Item): void },
  ): ListCard<Item>;
}

/** The list's rows for a form, its items as typed, and a re-render with other items. */
export interface CardList<Item> {
  rows: HTMLElement[];
  read(): Item[];
  show(items: Item[]): void;
}

/**
 * The top-level items of a pool form (a config pool's slots or entries), one
 * card each, under a heading with "Add" after them. The provider builds each
 * card; the kit keeps the readers and re-renders on add, remove and edit.
 */
export function cardList<Item>(initial: Item[], spec: CardListSpec<Item>): CardList<Item> {
  const title = spec.plural.charAt(0).toUpperCase() + spec.plural.slice(1);
  const box = h('div', { data: { [spec.plural]: '' } });
  let readers: (() => Item)[] = [];
  const read = () => readers.map((reader) => reader());

  const show = (items: Item[]) => {
    readers = [];
    box.replaceChildren(
      ...items.map((item, i) => {
        const built = spec.card(item, i, {
          remove: () => show(read().filter((_, at) => at !== i)),
          edit(change) {
            const all = read();
            all[i] = change(all[i] ?? item);
            show(all);
          },
        });
        readers.push(built.read);
        return built.element;
      }),
    );
  };
  show(initial);

  const add = () => {
    const items = read();
    show([...items, spec.next(items.at(-1))]);
  };

  return {
    rows: [
      h('h3', { text: title }),
      fieldGroup(title, spec.path, box),
      button(`Add ${spec.noun}`, add, { action: `add-${spec.noun}` }),
    ],
    read,
    show,
  };
}
