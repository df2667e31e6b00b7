/// <reference lib="dom" />
/**
 * The few DOM helpers an extension's forms and lists are built from. Plain
 * DOM on purpose: an extension must not depend on the host's UI framework or
 * its version, and these screens are small.
 */
import { KIT_CLASSES, KIT_STYLESHEET, PATTERNFLY_CLASSES as pf } from './styles.js';

export type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  text?: string;
  title?: string;
  id?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  disabled?: boolean;
  readOnly?: boolean;
  checked?: boolean;
  htmlFor?: string;
  colSpan?: number;
  data?: Record<string, string>;
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
}

/** Creates an element with its properties, dataset, attributes, listeners and children (falsy ones skipped). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { text, data, attrs, on, ...rest } = props;
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined) (element as never as Record<string, unknown>)[key] = value;
  if (text !== undefined) element.textContent = text;
  for (const [key, value] of Object.entries(data ?? {})) element.dataset[key] = value;
  for (const [key, value] of Object.entries(attrs ?? {})) element.setAttribute(key, value);
  for (const [event, listener] of Object.entries(on ?? {}))
    if (listener) element.addEventListener(event, listener);
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

let sheet: CSSStyleSheet | undefined;

/**
 * Adds the kit's styles to the document (or shadow root) holding `host`,
 * once. A constructed stylesheet is CSSOM, which a host's
 * Content-Security-Policy allows; a <style> element needs 'unsafe-inline'
 * styles, which Fleet Essentials does not allow, so its rules would be dropped.
 */
function adoptStyles(host: HTMLElement): Node | undefined {
  const scope = host.getRootNode() as Document | ShadowRoot;
  if (!('adoptedStyleSheets' in scope) || typeof CSSStyleSheet.prototype.replaceSync !== 'function')
    return h('style', { text: KIT_STYLESHEET });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(KIT_STYLESHEET);
  }
  if (!scope.adoptedStyleSheets.includes(sheet))
    scope.adoptedStyleSheets = [...scope.adoptedStyleSheets, sheet];
  return undefined;
}

/**
 * The extension's root element inside the host's container, with the kit's
 * styles; `id` goes to `data-extension`, `className` (a provider's own hook
 * for its styles or tests) next to the kit's class.
 */
export function extensionRoot(
  container: unknown,
  id: string,
  options: { className?: string } = {},
): { root: HTMLElement; unmount: () => void } {
  const host = container as HTMLElement;
  const className = options.className ? `${KIT_CLASSES.root} ${options.className}` : KIT_CLASSES.root;
  const root = h('div', { className, data: { extension: id } }, adoptStyles(host));
  host.replaceChildren(root);
  return { root, unmount: () => host.replaceChildren() };
}

/** What `data-action` a button gets when none is given: its text, lower case, spaces as dashes. */
export function actionName(text: string): string {
  return text.toLowerCase().replace(/\s+/g, '-');
}

/**
 * A button (never a form submit), with `data-action` for tests and the primary style when asked;
 * a small PatternFly button (primary or secondary) on a PatternFly host.
 */
export function button(
  text: string,
  onClick: () => void,
  options: { primary?: boolean; action?: string } = {},
): HTMLButtonElement {
  const look = options.primary ? `${pf.primary} ${KIT_CLASSES.primary}` : pf.secondary;
  return h('button', {
    type: 'button',
    text,
    className: `${pf.button} ${look} ${pf.small}`,
    data: { action: options.action ?? actionName(text) },
    on: { click: onClick },
  });
}

/**
 * A table with a header row and one row per item; cells are text or nodes. No rows: the empty state.
 * A compact PatternFly table on a PatternFly host.
 */
export function table(headers: string[], rows: (string | Node)[][], empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return emptyState(empty);
  return h(
    'table',
    { className: `${pf.table} ${pf.compact}` },
    h(
      'thead',
      { className: pf.tableHead },
      h(
        'tr',
        { className: pf.tableRow },
        ...headers.map((title) => h('th', { className: pf.tableHeader, text: title })),
      ),
    ),
    h(
      'tbody',
      { className: pf.tableBody },
      ...rows.map((cells) =>
        h(
          'tr',
          { className: pf.tableRow },
          ...cells.map((cell) => h('td', { className: pf.tableCell }, cell)),
        ),
      ),
    ),
  );
}

/** The words of a failure: an Error's or a `PlatformCallError`'s message, else the value as text. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}

/** A hint line: muted text under a field or a section. */
export function hint(text: string, options: Pick<ElementProps, 'data' | 'attrs'> = {}): HTMLElement {
  return h('p', { className: KIT_CLASSES.hint, text, ...options });
}

/** A bordered box for one repeated part of a form (an entry, a disk, a pool). */
export function card(data: Record<string, string>, ...children: Child[]): HTMLElement {
  return h('div', { className: KIT_CLASSES.card, data }, ...children);
}

/** What shows while something loads (announced politely). */
export function loadingState(text = 'Loading…'): HTMLElement {
  return h('p', {
    className: `${KIT_CLASSES.hint} ${KIT_CLASSES.state}`,
    text,
    attrs: { role: 'status' },
    data: { state: 'loading' },
  });
}

/** What shows instead of an empty list. */
export function emptyState(text: string): HTMLElement {
  return h('p', { className: `${KIT_CLASSES.hint} ${KIT_CLASSES.state}`, text, data: { empty: 'true' } });
}

/**
 * An alert line for failures and refusals (a list's, a form's, an action's):
 * empty (and hidden) until text is set; given an error, it starts with its words.
 */
export function problemLine(
  error?: unknown,
  options: Pick<ElementProps, 'data'> & { tag?: 'div' | 'ul' } = {},
): HTMLElement {
  return h(options.tag ?? 'div', {
    className: KIT_CLASSES.problem,
    // A list keeps its list role (role=alert would hide it from its items); it is announced all the same.
    attrs: options.tag === 'ul' ? { 'aria-live': 'assertive' } : { role: 'alert' },
    ...(error === undefined ? {} : { text: describeError(error) }),
    ...(options.data ? { data: options.data } : {}),
  });
}

/** An outcome line (a connection test's verdict): marks it succeeded or failed. */
export function showOutcome(element: HTMLElement, ok: boolean | undefined, text: string): void {
  element.className = ok === undefined ? '' : ok ? KIT_CLASSES.success : KIT_CLASSES.failure;
  element.textContent = text;
}
