/// <reference lib="dom" />
import type { FieldProblem } from '@immutable-infra/core';
import { button, describeError, h } from './elements.js';
import { KIT_CLASSES } from './styles.js';

let counter = 0;

export interface FieldOptions {
  type?: string;
  placeholder?: string;
  readOnly?: boolean;
  hint?: string;
  /** A select that always holds one of its choices (no empty "choose" entry): a required choice with a default. */
  noEmptyChoice?: boolean;
}

/** The id of a control's problem slot, which the control names in aria-describedby. */
export function problemSlotId(controlId: string): string {
  return `${controlId}-error`;
}

function problemSlot(path: string, id: string): HTMLElement {
  return h('div', { className: KIT_CLASSES.problem, id, attrs: { role: 'alert' }, data: { errorFor: path } });
}

function row(label: string, control: HTMLElement, path: string, hint?: string): HTMLElement {
  const id = `ii-f${++counter}`;
  control.id = id;
  control.dataset.field = path;
  control.setAttribute('aria-describedby', problemSlotId(id));
  return h(
    'div',
    { className: KIT_CLASSES.field },
    h('label', { htmlFor: id, text: label }),
    control,
    hint ? h('div', { className: KIT_CLASSES.hint, text: hint }) : null,
    problemSlot(path, problemSlotId(id)),
  );
}

/**
 * A group of rows (a list of entries, of disks) that a problem can name as a
 * whole (`pool`, `disks`): its problem shows right after the group, which is
 * marked invalid and described by it like a single control.
 */
export function fieldGroup(label: string, path: string, box: HTMLElement): HTMLElement {
  const id = `ii-f${++counter}`;
  box.id = id;
  box.dataset.field = path;
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', label);
  box.setAttribute('aria-describedby', problemSlotId(id));
  return h('div', { className: KIT_CLASSES.fieldGroup }, box, problemSlot(path, problemSlotId(id)));
}

/** A labelled input whose problem (path `path`) shows under it. */
export function textField(label: string, path: string, value: string, options: FieldOptions = {}) {
  const input = h('input', {
    type: options.type ?? 'text',
    value,
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  return { row: row(label, input, path, options.hint), input };
}

/** A number input; `read()` is NaN when empty, so "required" and "not a number" stay distinct from 0. */
export function numberField(label: string, path: string, value: number, options: FieldOptions = {}) {
  const field = textField(label, path, Number.isFinite(value) ? String(value) : '', {
    ...options,
    type: 'number',
  });
  return { ...field, read: () => (field.input.value.trim() === '' ? Number.NaN : Number(field.input.value)) };
}

/** A labelled checkbox (`read()` is `'true'` when ticked, else empty, as a Secret key takes it). */
export function checkboxField(label: string, path: string, checked: boolean, options: FieldOptions = {}) {
  const input = h('input', { type: 'checkbox', checked });
  return { row: row(label, input, path, options.hint), input, read: () => (input.checked ? 'true' : '') };
}

export function textAreaField(label: string, path: string, value: string, options: FieldOptions = {}) {
  const input = h('textarea', {
    value,
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
  });
  input.rows = 3;
  input.cols = 60;
  return { row: row(label, input, path, options.hint), input };
}

export interface Choice {
  value: string;
  label: string;
}

/** Choices whose values are their own labels (names the platform lists, a fixed set of words). */
export function namedChoices(names: readonly string[]): Choice[] {
  return names.map((name) => ({ value: name, label: name }));
}

/**
 * A select of `choices`; `fill` replaces them (choices that load later). A
 * stored value missing from them stays selectable, marked "(not found)".
 */
export function selectField(
  label: string,
  path: string,
  choices: Choice[],
  value: string,
  options: FieldOptions = {},
) {
  const select = h('select', {});
  const fill = (list: Choice[], selected: string) => {
    select.replaceChildren(
      ...(options.noEmptyChoice
        ? []
        : [h('option', { value: '', text: options.placeholder ?? '— choose —' })]),
      ...list.map((choice) => h('option', { value: choice.value, text: choice.label })),
    );
    // A stored value the platform no longer lists stays selectable, so editing does not silently drop it.
    if (selected && !list.some((choice) => choice.value === selected))
      select.append(h('option', { value: selected, text: `${selected} (not found)` }));
    select.value = selected;
  };
  fill(choices, value);
  return { row: row(label, select, path, options.hint), select, fill };
}

/**
 * Where a problem of `field` shows among the slots present: the slot of its
 * own path, else of the nearest enclosing path (`a.b.3` shows at `a.b` when
 * the form has no element of its own for it), else none.
 */
export function problemSlotPath(field: string, hasSlot: (path: string) => boolean): string | undefined {
  let path = field;
  while (!hasSlot(path)) {
    if (!path.includes('.')) return undefined;
    path = path.slice(0, path.lastIndexOf('.'));
  }
  return path;
}

/**
 * Shows each problem next to its field (the element whose data-error-for is
 * the problem's path) and marks the field invalid; problems whose field is
 * not on screen go to the form's summary, so none is lost.
 */
export function showProblems(root: HTMLElement, problems: readonly FieldProblem[], prefix = ''): number {
  for (const slot of root.querySelectorAll<HTMLElement>('[data-error-for]')) slot.textContent = '';
  for (const control of root.querySelectorAll<HTMLElement>('[data-field]'))
    control.removeAttribute('aria-invalid');
  const slotAt = (path: string) => root.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(path)}"]`);
  const leftover: string[] = [];
  for (const problem of problems) {
    const path = problemSlotPath(prefix + problem.field, (candidate) => slotAt(candidate) !== null);
    const slot = path === undefined ? null : slotAt(path);
    if (path !== undefined && slot && path !== '(form)') {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${problem.message}` : problem.message;
      root.querySelector(`[data-field="${CSS.escape(path)}"]`)?.setAttribute('aria-invalid', 'true');
    } else leftover.push(`${problem.field}: ${problem.message}`);
  }
  const summary = slotAt('(form)');
  if (summary) summary.textContent = leftover.join('\n');
  return problems.length;
}

/**
 * A failure in words next to one field (`(form)`: the form's summary), as `showProblems` shows it:
 * what a form shows when a lookup behind a field (a credential's platform, a datacenter) fails.
 */
export function showErrorAt(root: HTMLElement, field: string, error: unknown): number {
  return showProblems(root, [{ field, message: describeError(error) }]);
}

/** The form's summary: problems whose field is not on screen. */
export function formSummary(): HTMLElement {
  return h('div', { className: KIT_CLASSES.problem, attrs: { role: 'alert' }, data: { errorFor: '(form)' } });
}

/**
 * A resource form's closing buttons: Create (Update when `creating` is false),
 * primary, and Cancel, as `data-action` `save` and `cancel`.
 */
export function formActions(creating: boolean, save: () => void, cancel: () => void): HTMLElement {
  return h(
    'div',
    {},
    button(creating ? 'Create' : 'Update', save, { primary: true, action: 'save' }),
    button('Cancel', cancel, { action: 'cancel' }),
  );
}
