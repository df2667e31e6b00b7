/// <reference lib="dom" />
/**
 * The few DOM helpers the extension's forms and lists are built from. Plain
 * DOM on purpose: the extension must not depend on the host's UI framework
 * or its version, and these screens are small.
 */

type Child = Node | string | null | undefined | false;

interface Props {
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

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
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

const STYLE = `
.dcs-ext { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; }
.dcs-ext h2 { font-size: 16px; margin: 0 0 12px; }
.dcs-ext h3 { font-size: 14px; margin: 16px 0 8px; }
.dcs-field { display: grid; grid-template-columns: 200px minmax(200px, 420px); gap: 2px 12px; margin: 6px 0; align-items: center; }
.dcs-field > .dcs-error, .dcs-field > .dcs-hint { grid-column: 2; }
.dcs-error { color: #c0262d; font-size: 12px; min-height: 0; }
.dcs-error:empty { display: none; }
.dcs-hint { color: #5b6478; font-size: 12px; }
.dcs-ext input, .dcs-ext select, .dcs-ext textarea { font: inherit; padding: 4px 6px; border: 1px solid #b8bfcc; border-radius: 4px; }
.dcs-ext [aria-invalid="true"] { border-color: #c0262d; }
.dcs-ext table { border-collapse: collapse; width: 100%; }
.dcs-ext th, .dcs-ext td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
.dcs-ext button { font: inherit; padding: 4px 12px; margin-right: 8px; border-radius: 4px; border: 1px solid #8a93a6; background: #fff; cursor: pointer; }
.dcs-ext button.primary { background: #1f5fd6; border-color: #1f5fd6; color: #fff; }
.dcs-ext button:disabled { opacity: 0.45; cursor: not-allowed; }
.dcs-card { border: 1px solid #e3e6ec; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.dcs-result-ok { color: #17803d; }
.dcs-result-fail { color: #c0262d; }
`;

let sheet: CSSStyleSheet | undefined;

/**
 * Adds the extension's styles to the document (or shadow root) holding
 * `host`, once. A constructed stylesheet is CSSOM, which a host's
 * Content-Security-Policy allows; a <style> element needs 'unsafe-inline'
 * styles, which Fleet Essentials does not allow, so its rules would be dropped.
 */
function adoptStyles(host: HTMLElement): Node | undefined {
  const scope = host.getRootNode() as Document | ShadowRoot;
  if (!('adoptedStyleSheets' in scope) || typeof CSSStyleSheet.prototype.replaceSync !== 'function')
    return h('style', { text: STYLE });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
  }
  if (!scope.adoptedStyleSheets.includes(sheet))
    scope.adoptedStyleSheets = [...scope.adoptedStyleSheets, sheet];
  return undefined;
}

/** The extension's root element inside the host's container, with its styles. */
export function extensionRoot(container: unknown, id: string): { root: HTMLElement; unmount: () => void } {
  const host = container as HTMLElement;
  const root = h('div', { className: 'dcs-ext', data: { extension: id } }, adoptStyles(host));
  host.replaceChildren(root);
  return { root, unmount: () => host.replaceChildren() };
}

export function button(
  text: string,
  onClick: () => void,
  options: { primary?: boolean; action?: string } = {},
) {
  return h('button', {
    type: 'button',
    text,
    ...(options.primary ? { className: 'primary' } : {}),
    data: { action: options.action ?? text.toLowerCase().replace(/\s+/g, '-') },
    on: { click: onClick },
  });
}

/** A table with a header row and one row per item; cells are text or nodes. */
export function table(headers: string[], rows: (string | Node)[][], empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { className: 'dcs-hint', text: empty, data: { empty: 'true' } });
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', { text: title })))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
