/// <reference lib="dom" />
/**
 * The form of a provider's own object (a machine template, a config pool)
 * the same on every platform: a credential whose only use is to fill the
 * platform's dropdowns (it is not stored: machines use their cluster's), the
 * name, the provider's fields, every problem next to its field, then one
 * POST (create) or PUT (update, keeping the stored metadata) and the host's
 * `onSaved`. A refusal shows as the form's problem.
 */
import type { FieldProblem, ResourceFormProps } from '@immutable-infra/core';
import { writeFailureProblem } from './credentials.js';
import { extensionRoot, h } from './elements.js';
import {
  type Choice,
  formActions,
  formSummary,
  selectField,
  showErrorAt,
  showProblems,
  textField,
} from './fields.js';

/** An object as the form reads it back. */
export interface StoredObject {
  metadata: { name?: string | undefined };
}

/** What a provider tells the form. */
export interface PlatformResourceFormSpec<Stored extends StoredObject, Draft extends { name: string }, More> {
  /** `data-extension` of the form's root, and the provider's class next to the kit's. */
  id: string;
  className: string;
  /** The object for people, e.g. `HCS config pool` (the title says `Create HCS config pool`). */
  noun: string;
  apiVersion: string;
  kind: string;
  /** The kind with its article, as the "already exists" problem names it, e.g. `an HCSMachineConfigPool`. */
  kindWithArticle: string;
  /** The API path of the namespace's objects of the kind. */
  collectionPath: string;
  /**
   * The credential that fills the lists: its label and hint, and the namespace's credentials as
   * choices. None for a platform whose objects are all Kubernetes objects (bare metal): no select shows.
   */
  credential?: { label: string; hint: string; choices(): Promise<Choice[]> } | undefined;
  /** The provider's rows, between the name and the summary. */
  rows: HTMLElement[];
  /** The draft of the fields (`name` typed, trimmed). */
  read(name: string): Draft;
  /** Every problem of the draft, at its field. */
  problems(draft: Draft, creating: boolean): FieldProblem[];
  /** The object's spec for the draft; `stored` when updating (its fields the form does not show are kept). */
  spec(draft: Draft, stored: Stored | undefined): unknown;
  /** More reads at mount, beside the credentials and the stored object. */
  loadMore?: (() => Promise<More>) | undefined;
  /** Shows what was read at mount: the stored object (none when creating) and what `loadMore` read. */
  show(stored: Stored | undefined, more: More | undefined): void;
}

/** The form's root, its unmount, and the credential select (the provider fills its lists when it changes). */
export interface PlatformResourceForm {
  root: HTMLElement;
  unmount(): void;
  credential: ReturnType<typeof selectField>;
}

/** Mounts the form; `props.name` set is an update of that object. */
export function mountPlatformResourceForm<
  Stored extends StoredObject,
  Draft extends { name: string },
  More = never,
>(
  element: unknown,
  props: ResourceFormProps,
  spec: PlatformResourceFormSpec<Stored, Draft, More>,
): PlatformResourceForm {
  const { root, unmount } = extensionRoot(element, spec.id, { className: spec.className });
  const creating = props.name === undefined;
  let stored: Stored | undefined;
  const credential = selectField(spec.credential?.label ?? 'Credential', 'credential', [], '', {
    ...(spec.credential ? { hint: spec.credential.hint } : {}),
  });
  const name = textField('Name', 'name', props.name ?? '', { readOnly: !creating });

  const save = async () => {
    const draft = spec.read(name.input.value.trim());
    if (showProblems(root, spec.problems(draft, creating)) > 0) return;
    const path = spec.collectionPath;
    const body = {
      apiVersion: spec.apiVersion,
      kind: spec.kind,
      metadata: stored?.metadata ?? { name: draft.name, namespace: props.namespace },
      spec: spec.spec(draft, stored),
    };
    try {
      await (stored
        ? props.api.kubernetes({ method: 'PUT', path: `${path}/${encodeURIComponent(draft.name)}`, body })
        : props.api.kubernetes({ method: 'POST', path, body }));
      props.onSaved(draft.name);
    } catch (error) {
      const taken = `${spec.kindWithArticle} named ${draft.name} already exists`;
      showProblems(root, [writeFailureProblem(error, creating, taken)]);
    }
  };

  root.append(
    h('h2', { text: creating ? `Create ${spec.noun}` : `Update ${spec.noun} ${props.name}` }),
    ...(spec.credential ? [credential.row] : []),
    name.row,
    ...spec.rows,
    formSummary(),
    formActions(
      creating,
      () => void save(),
      () => props.onCancel(),
    ),
  );

  Promise.all([
    spec.credential?.choices() ?? [],
    spec.loadMore?.(),
    props.name
      ? props.api.kubernetes<Stored>({
          method: 'GET',
          path: `${spec.collectionPath}/${encodeURIComponent(props.name)}`,
        })
      : undefined,
  ])
    .then(([credentials, more, found]) => {
      credential.fill(credentials, '');
      stored = found;
      spec.show(found, more);
    })
    .catch((error: unknown) => showErrorAt(root, '(form)', error));
  return { root, unmount, credential };
}
