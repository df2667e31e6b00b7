import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

/** The code of a connection refused because the leaf certificate is not the pinned one. */
export const THUMBPRINT_MISMATCH = 'ERR_TLS_CERT_THUMBPRINT_MISMATCH';

/**
 * A SHA-256 thumbprint in the form Node and vCenter show it: 32 upper-case hex bytes joined by
 * colons. Accepts colons, spaces or neither, in any case; throws for anything that is not 32 bytes.
 */
export function thumbprintOf(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex))
    throw new Error('a SHA-256 certificate thumbprint is 32 bytes of hex (64 digits, colons optional)');
  return hex.match(/../g)?.join(':') ?? hex;
}

/** The leaf certificate was not the pinned one; carries both thumbprints (public values). */
export class ThumbprintMismatch extends Error {
  override readonly name = 'ThumbprintMismatch';
  readonly code = THUMBPRINT_MISMATCH;
  constructor(
    readonly presented: string,
    readonly pinned: string,
  ) {
    super(`the server's certificate has SHA-256 thumbprint ${presented}, not the pinned ${pinned}`);
  }
}

/**
 * An undici connector that accepts the TLS connection when, and only when, the server's leaf
 * certificate has the pinned SHA-256 thumbprint. Chain and name verification are off (the pin is
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
      const presented = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '(none)';
      if (presented !== pinned) {
        socket.destroy();
        callback(new ThumbprintMismatch(presented, pinned), null);
        return;
      }
      callback(null, socket);
    });
}
