/**
 * The credential Secret keys a test adds for a platform simulator's URL: the simulators speak plain
 * HTTP on loopback, and a provider refuses an `http://` endpoint unless the Secret accepts it with
 * `allowPlainHTTP: "true"` (the provider kit's PLAIN_HTTP_CONSENT_KEY). Nothing for an https URL.
 */
export function plainHttpConsent(url: string): { allowPlainHTTP?: 'true' } {
  return new URL(url).protocol === 'http:' ? { allowPlainHTTP: 'true' } : {};
}
