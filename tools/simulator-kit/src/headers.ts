import type { IncomingMessage } from 'node:http';

/**
 * A request header as one string. Node lower-cases incoming header names, so looking up the
 * lower-cased name makes `X-Auth-Token`, `x-auth-token` and `X-AUTH-TOKEN` all the same header.
 */
export function requestHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
