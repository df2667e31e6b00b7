import { PlatformFailure } from '@immutable-infra/core';

/**
 * Where a link the platform handed out (a task URI, a `Location` header, a job link, or one read
 * back from an object's status) may lead. Status is writable by anyone who can edit the object, so
 * a link there is untrusted input: followed blindly it would carry the session token or the
 * request signature to any host that asks.
 */
export interface OriginPin {
  /** The endpoint's origin, e.g. `https://vrm.example:7443`. */
  origin: string;
  /** Path prefixes a followed link may start with, e.g. `/service/sites/`; at least one. */
  allowedPathPrefixes: readonly string[];
}

/**
 * The URL a platform link points at, or a PlatformFailure (kind PlatformError, no retry helps)
 * when it leaves the endpoint's origin or its allowed paths. Relative links resolve against the
 * origin; `..` segments are resolved before the prefix is checked, so they cannot climb out.
 */
export function pinnedUrl(link: string, pin: OriginPin): URL {
  let url: URL;
  try {
    url = new URL(link, `${pin.origin}/`);
  } catch {
    throw refused(link, 'it is not a URL');
  }
  if (url.origin !== pin.origin) throw refused(link, `it does not point at ${pin.origin}`);
  if (url.username || url.password) throw refused(link, 'it carries user information');
  // A percent-encoded slash or dot could be decoded by the platform into a path we did not check.
  if (/%2e|%2f|%5c/i.test(url.pathname)) throw refused(link, 'its path has encoded separators');
  if (!pin.allowedPathPrefixes.some((prefix) => url.pathname.startsWith(prefix)))
    throw refused(link, `its path is outside ${pin.allowedPathPrefixes.join(', ')}`);
  return url;
}

function refused(link: string, why: string): PlatformFailure {
  return new PlatformFailure('PlatformError', `refused to follow the platform link ${shown(link)}: ${why}`, {
    operation: 'follow link',
  });
}

/** Enough of the link to recognise it, without a query string that might hold a token. */
function shown(link: string): string {
  const withoutQuery = link.split(/[?#]/, 1)[0] ?? '';
  return withoutQuery.length > 200 ? `${withoutQuery.slice(0, 200)}...` : withoutQuery;
}
