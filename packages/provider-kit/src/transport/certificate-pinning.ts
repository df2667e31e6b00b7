import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

/** The code of a connection refused because the leaf certificate is not the pinned one. */
export const THUMBPRINT_MISMATCH = 'ERR_TLS_CERT_THUMBPRINT_MISMATCH';

/**
 * A certificate thumbprint in the form Node and vCenter show it: upper-case hex bytes joined by
 * colons, 32 of them (SHA-256) or 20 (SHA-1, what vSphere manifests and `govc about.cert` have long
 * carried). Accepts colons, spaces or neither, in any case; throws for any other length.
 */
export function thumbprintOf(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^(?:[0-9A-F]{64}|[0-9A-F]{40})$/.test(hex))
    throw new Error(
      'a certificate thumbprint is 32 bytes (SHA-256) or 20 bytes (SHA-1) of hex, colons optional',
    );
  return hex.match(/../g)?.join(':') ?? hex;
}

/** The hash a normalised thumbprint is of: 20 bytes are SHA-1, 32 are SHA-256. */
const hashOf = (thumbprint: string) => (thumbprint.length === 59 ? 'SHA-1' : 'SHA-256');

/** The leaf certificate was not the pinned one; carries both thumbprints (public values). */
export class ThumbprintMismatch extends Error {
  override readonly name = 'ThumbprintMismatch';
  readonly code = THUMBPRINT_MISMATCH;
  constructor(
    readonly presented: string,
    readonly pinned: string,
  ) {
    super(`the server's certificate has ${hashOf(pinned)} thumbprint ${presented}, not the pinned ${pinned}`);
  }
}

/**
 * An undici connector that accepts the TLS connection when, and only when, the server's leaf
 * certificate has the pinned thumbprint (SHA-256, or SHA-1 for a 20-byte pin). Chain and name verification are off (the pin is
 * the trust decision) and TLS sessions are not resumed, so every connection shows its certificate.
 */
export function pinnedLeafConnector(
  options: buildConnector.BuildOptions,
  pinned: string,
): buildConnector.connector {
  const connect = buildConnector({ ...options, rejectUnauthorized: false, maxCachedSessions: 0 });
  return (target, callback) =>
    connect(target, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      const certificate = (socket as TLSSocket).getPeerCertificate?.();
      const presented =
        (hashOf(pinned) === 'SHA-1' ? certificate?.fingerprint : certificate?.fingerprint256) || '(none)';
      if (presented !== pinned) {
        socket.destroy();
        callback(new ThumbprintMismatch(presented, pinned), null);
        return;
      }
      callback(null, socket);
    });
}
