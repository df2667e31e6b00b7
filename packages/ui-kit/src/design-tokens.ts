/**
 * The host's design tokens: CSS custom properties Fleet Essentials declares on
 * `:root` (app/src/styles.css) and styles its own pages with. The kit's rules
 * read them with these values as fallbacks, so an extension follows the host's
 * look, and still looks like it on a host that predates the tokens. The values
 * are PatternFly 6's (the host's design system), so the kit's pieces sit next
 * to the host's own without a seam.
 */
export const DESIGN_TOKENS = {
  // PatternFly 6's light theme, which the host is built on.
  '--ii-font-family': 'RedHatText, "Red Hat Text", Helvetica, Arial, sans-serif',
  '--ii-font-size': '14px',
  '--ii-color-text': '#151515',
  '--ii-color-muted': '#4d4d4d',
  '--ii-color-danger': '#a4161a',
  '--ii-color-success': '#3d7317',
  '--ii-color-warning': '#795600',
  '--ii-color-primary': '#0066cc',
  '--ii-color-on-primary': '#fff',
  '--ii-color-surface': '#fff',
  '--ii-color-border': '#e0e0e0',
  '--ii-color-control-border': '#8a8d90',
  '--ii-radius': '6px',
} as const;

export type DesignToken = keyof typeof DESIGN_TOKENS;

/** `var(--token, default)`: a token with the host's value as its fallback. */
export function token(name: DesignToken): string {
  return `var(${name}, ${DESIGN_TOKENS[name]})`;
}
