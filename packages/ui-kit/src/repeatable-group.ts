/// <reference lib="dom" />
import type { FieldProblem } from '@immutable-infra/core';
import { button, type Child, card, h } from './elements.js';
import { fieldGroup } from './fields.js';

/** One entry's fields, and how to read them back. */
export interface RepeatableRow<Item> {
  children: Child[];
  read(): Item;
}

export interface RepeatableGroupSpec<Item> {
  /** The group's heading and accessible name, e.g. `Additional NICs`. */
  label: string;
  /** The problem path of the group (`slots.0.nics`); entry `i`'s fields are `<path>.<i>.<field>`. */
  path: string;
  /** One entry for people, e.g. `NIC`: the buttons say `Add NIC` and `Remove NIC`. */
  noun: string;
  /** A new entry, given the entries present (to copy what entries usually share). */
  blank(items: readonly Item[]): Item;
  /** An entry's fields: `at(field)` is its field's problem path. */
  row(item: Item, at: (field: string) => string, index: number): RepeatableRow<Item>;
  /** At most this many entries: "Add" is disabled at it. */
  max?: number;
  /** Shown instead of the entries when there are none. */
  empty?: string;
}

/** A repeatable group's element, its entries as typed, and a re-render with other entries. */
export interface RepeatableGroup<Item> {
  element: HTMLElement;
  read(): Item[];
  show(items: readonly Item[]): void;
}

/**
 * A list of entries of the same shape (a slot's NICs, its disks) that the
 * user adds to and removes from: one card per entry with a "Remove" button
 * (`data-action="remove:<path>.<i>"`), then "Add" (`add:<path>`). Problems of
 * the whole group (too many, say) show after it, at `path`. Removing keeps
 * what was typed in the other entries.
 */
export function repeatableGroup<Item>(
  spec: RepeatableGroupSpec<Item>,
  initial: readonly Item[],
): RepeatableGroup<Item> {
  const box = h('div', {});
  let readers: (() => Item)[] = [];
  const read = () => readers.map((reader) => reader());
  const add = button(`Add ${spec.noun}`, () => show([...read(), spec.blank(read())]), {
    action: `add:${spec.path}`,
  });

  const show = (items: readonly Item[]) => {
    readers = [];
    const cards = items.map((item, i) => {
      const row = spec.row(item, (field) => `${spec.path}.${i}.${field}`, i);
      readers.push(row.read);
      const remove = () => show(read().filter((_, at) => at !== i));
      return card(
        { entry: `${spec.path}.${i}` },
        ...row.children,
        button(`Remove ${spec.noun}`, remove, { action: `remove:${spec.path}.${i}` }),
      );
    });
    box.replaceChildren(
      ...(cards.length === 0 && spec.empty ? [h('p', { text: spec.empty, data: { empty: 'true' } })] : cards),
    );
    add.disabled = spec.max !== undefined && items.length >= spec.max;
  };
  show(initial);

  return {
    element: h(
      'div',
      { data: { group: spec.path } },
      h('h4', { text: spec.label }),
      fieldGroup(spec.label, spec.path, box),
      add,
    ),
    read,
    show,
  };
}

/**
 * The problems of entries that repeat a value meant to be unique in their
 * list: the second and later holders of a value, each at `field(i)`, with
 * `message(value)`. Empty values are left to the "required" rules.
 */
export function duplicateProblems<Item>(
  items: readonly Item[],
  key: (item: Item) => string | undefined,
  field: (index: number) => string,
  message: (value: string) => string,
): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  items.forEach((item, i) => {
    const value = key(item);
    if (!value) return;
    if (seen.has(value)) problems.push({ field: field(i), message: message(value) });
    seen.add(value);
  });
  return problems;
}
