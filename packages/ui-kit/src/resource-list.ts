/// <reference lib="dom" />
import type { ResourceListProps } from '@immutable-infra/core';
import { button, describeError, extensionRoot, h, loadingState, problemLine, table } from './elements.js';

/** Why an item may not be deleted now (shown instead of deleting), or undefined when it may. */
export type DeleteBlocker = () => string | undefined | Promise<string | undefined>;

/** What a row builds its action buttons with. */
export interface ListRowActions {
  /** Opens the host's edit form for the item. */
  update(name: string): HTMLElement;
  /** Deletes the item once the user confirms, unless `blocked` names a reason not to; then lists again. */
  delete(name: string, blocked?: DeleteBlocker): HTMLElement;
}

export interface ResourceListSpec<T> {
  /** The extension id on the root element. */
  extension: string;
  /** A provider's own class on the root element, next to the kit's. */
  className?: string;
  title: string;
  createLabel: string;
  columns: string[];
  empty: string;
  /** What the confirmation calls one item ("IP pool" asks "Delete IP pool <name>?"). */
  noun: string;
  load(): Promise<T[]>;
  row(item: T, actions: ListRowActions): (string | Node)[];
  /** The API path that deletes the item named. */
  deletePath(name: string): string;
  /** A success notice after a delete, when the list gives one. */
  deletedNotice?(name: string): string;
}

/**
 * Mounts a resource list as the host's list anchors want it: a heading, a
 * create button, an alert line for failures and refusals, and a table of rows
 * with update and delete actions (the loading state first, the empty state
 * when there are none). Returns the unmount.
 */
export function mountResourceList<T>(
  element: unknown,
  props: ResourceListProps,
  spec: ResourceListSpec<T>,
): () => void {
  const { root, unmount } = extensionRoot(
    element,
    spec.extension,
    spec.className ? { className: spec.className } : {},
  );
  const body = h('div', {}, loadingState());
  const message = problemLine();
  let disposed = false;

  const actions: ListRowActions = {
    update: (name) => button('Update', () => props.edit(name), { action: `edit:${name}` }),
    delete: (name, blocked) =>
      button('Delete', () => void remove(name, blocked), { action: `delete:${name}` }),
  };

  const render = async () => {
    try {
      const items = await spec.load();
      if (disposed) return;
      body.replaceChildren(
        table(
          spec.columns,
          items.map((item) => spec.row(item, actions)),
          spec.empty,
        ),
      );
    } catch (error) {
      body.replaceChildren();
      message.textContent = describeError(error);
    }
  };

  const remove = async (name: string, blocked?: DeleteBlocker) => {
    const reason = await blocked?.();
    if (reason) {
      message.textContent = reason;
      return;
    }
    if (!globalThis.confirm(`Delete ${spec.noun} ${name}?`)) return;
    try {
      await props.api.kubernetes({ method: 'DELETE', path: spec.deletePath(name) });
      if (spec.deletedNotice) props.api.notify({ kind: 'success', text: spec.deletedNotice(name) });
      await render();
    } catch (error) {
      message.textContent = describeError(error);
    }
  };

  root.append(
    h('h2', { text: spec.title }),
    button(spec.createLabel, () => props.create(), { primary: true, action: 'create' }),
    message,
    body,
  );
  void render();
  return () => {
    disposed = true;
    unmount();
  };
}

/** A list of one kind's objects in one API collection, listed and deleted by the collection's path. */
export type KindListSpec<T> = Omit<ResourceListSpec<T>, 'load' | 'deletePath'> & {
  /** The collection, e.g. `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/ns/hcsmachinetemplates`. */
  collectionPath: string;
};

/** {@link mountResourceList} of the objects of a collection: GET lists them, DELETE of `<collection>/<name>` removes one. */
export function mountKindList<T>(
  element: unknown,
  props: ResourceListProps,
  spec: KindListSpec<T>,
): () => void {
  const { collectionPath: path, ...rest } = spec;
  return mountResourceList<T>(element, props, {
    ...rest,
    load: async () => (await props.api.kubernetes<{ items?: T[] }>({ method: 'GET', path })).items ?? [],
    deletePath: (name) => `${path}/${encodeURIComponent(name)}`,
  });
}

/** A row's name cell, which the host's tests and links find by `data-name`. */
export function nameCell(name: string): HTMLElement {
  return h('span', { text: name, data: { name } });
}

/** A row's Update and Delete buttons, the delete refused while `blocked` names a reason. */
export function rowActions(actions: ListRowActions, name: string, blocked?: DeleteBlocker): HTMLElement {
  return h('span', {}, actions.update(name), actions.delete(name, blocked));
}
