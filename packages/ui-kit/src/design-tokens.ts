/**
 * The host's design tokens: CSS custom properties Fleet Essentials declares on
 * `:root` (app/src/styles.css) and styles its own pages with. The kit's rules
 * read them with these values as fallbacks, so an extension follows the host's
 * look, and still looks like it on a host that predates the tokens.
 */
export const DESIGN_TOKENS = {
  '--ii-font-family': 'system-ui, sans-serif',
  '--ii-font-size': '14px',
  '--ii-color-text': '#1d2433',
  '--ii-color-muted': '#667',
  '--ii-color-danger': '#a4161a',
  '--ii-color-success': '#2b6a3a',
  '--ii-color-warning': '#795600',
  '--ii-color-primary': '#1d2433',
  '--ii-color-on-primary': '#fff',
  '--ii-color-surface': '#fff',
  '--ii-color-border': '#e3e6ea',
  '--ii-color-control-border': '#b8bfcc',
  '--ii-radius': '4px',
} as const;

export type DesignToken = keyof typeof DESIGN_TOKENS;

/** `var(--token, default)`: a token with the host's value as its fallback. */
export function token(name: DesignToken): string {
  return `var(${name}, ${DESIGN_TOKENS[name]})`;
}
