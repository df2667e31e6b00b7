import { token } from './design-tokens.js';

/** The class names the kit's pieces carry; an extension may use them for its own markup too. */
export const KIT_CLASSES = {
  /** The extension's root element: scopes every rule below. */
  root: 'ii-kit',
  field: 'ii-field',
  fieldGroup: 'ii-field-group',
  /** A problem's text: next to its field, or a list's or form's alert line. */
  problem: 'ii-problem',
  hint: 'ii-hint',
  card: 'ii-card',
  primary: 'ii-primary',
  success: 'ii-success',
  failure: 'ii-failure',
  /** A warning that does not stop the user (plain HTTP accepted, say). */
  warning: 'ii-warning',
  state: 'ii-state',
} as const;

/**
 * PatternFly 6's classes, which the kit's buttons and tables carry too: on Fleet Essentials
 * (built on PatternFly) they look exactly like the host's own, with no React in the extension.
 * The kit's own rules for them have no specificity (`:where`), so PatternFly's win where its
 * stylesheet is present, and the kit's style them on a host without it.
 */
export const PATTERNFLY_CLASSES = {
  button: 'pf-v6-c-button',
  primary: 'pf-m-primary',
  secondary: 'pf-m-secondary',
  small: 'pf-m-small',
  table: 'pf-v6-c-table',
  compact: 'pf-m-compact',
  tableRow: 'pf-v6-c-table__tr',
  tableHeader: 'pf-v6-c-table__th',
  tableCell: 'pf-v6-c-table__td',
  tableHead: 'pf-v6-c-table__thead',
  tableBody: 'pf-v6-c-table__tbody',
} as const;

const c = KIT_CLASSES;

/** The kit's stylesheet, every colour, font and radius read from the host's tokens. */
export const KIT_STYLESHEET = `
.${c.root} { font-family: ${token('--ii-font-family')}; font-size: ${token('--ii-font-size')}; line-height: 1.4; color: ${token('--ii-color-text')}; }
.${c.root} h2 { font-size: 16px; margin: 0 0 12px; }
.${c.root} h3 { font-size: 14px; margin: 16px 0 8px; }
.${c.root} h4 { font-size: 13px; margin: 10px 0 4px; }
.${c.field} { display: grid; grid-template-columns: 200px minmax(200px, 420px); gap: 2px 12px; margin: 6px 0; align-items: center; }
.${c.field} > .${c.problem}, .${c.field} > .${c.hint} { grid-column: 2; }
.${c.problem} { color: ${token('--ii-color-danger')}; font-size: 12px; min-height: 0; }
.${c.problem}:empty { display: none; }
.${c.hint} { color: ${token('--ii-color-muted')}; font-size: 12px; }
.${c.root} input, .${c.root} select, .${c.root} textarea { font: inherit; padding: 4px 6px; border: 1px solid ${token('--ii-color-control-border')}; border-radius: ${token('--ii-radius')}; }
.${c.root} [aria-invalid="true"] { border-color: ${token('--ii-color-danger')}; }
:where(.${c.root} table) { border-collapse: collapse; width: 100%; background: ${token('--ii-color-surface')}; }
:where(.${c.root} th, .${c.root} td) { text-align: left; padding: 4px 8px; border-bottom: 1px solid ${token('--ii-color-border')}; vertical-align: top; }
:where(.${c.root} button) { font: inherit; padding: 4px 12px; margin-right: 8px; border-radius: ${token('--ii-radius')}; border: 1px solid ${token('--ii-color-control-border')}; background: ${token('--ii-color-surface')}; color: inherit; cursor: pointer; }
:where(.${c.root} button.${c.primary}) { background: ${token('--ii-color-primary')}; border-color: ${token('--ii-color-primary')}; color: ${token('--ii-color-on-primary')}; }
:where(.${c.root} button:disabled) { opacity: 0.45; cursor: not-allowed; }
.${c.card} { border: 1px solid ${token('--ii-color-border')}; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.${c.success} { color: ${token('--ii-color-success')}; }
.${c.failure} { color: ${token('--ii-color-danger')}; }
.${c.warning} { color: ${token('--ii-color-warning')}; font-size: 12px; }
.${c.warning}:empty { display: none; }
.${c.state} { color: ${token('--ii-color-muted')}; }
`;
