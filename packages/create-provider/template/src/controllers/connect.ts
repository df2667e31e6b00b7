import { createHash } from 'node:crypto';
import type { SecretReader } from '@immutable-infra/core';
import { readCredentialSecret } from '@immutable-infra/provider-kit';
import { type AcmeCredentials, parseAcmeCredentials } from '../api/credentials.js';
import { AcmeClient } from '../cloud/acme-client.js';

/**
 * One client per credential, shared by every reconcile (its connections stay open); a changed
 * Secret gives a new key, so the next reconcile uses the new endpoint or token.
 */
export class AcmeClients {
  private readonly clients = new Map<string, AcmeClient>();

  /** The client for the credential Secret `name` in `namespace`, or what is wrong with the Secret. */
  async forSecret(
    secrets: SecretReader,
    namespace: string,
    name: string,
  ): Promise<{ ok: true; client: AcmeClient } | { ok: false; message: string }> {
    const read = await readCredentialSecret<AcmeCredentials>(
      secrets,
      { namespace, name },
      {
        requiredKeys: ['endpoint', 'token'],
        parse: (data) => {
          const parsed = parseAcmeCredentials(data);
          return parsed.ok ? { ok: true, credential: parsed.credentials } : parsed;
        },
      },
    );
    if (!read.ok) return { ok: false, message: read.message };
    const { endpoint, token } = read.credential;
    const key = createHash('sha256').update(`${endpoint}\n${token}`).digest('hex');
    let client = this.clients.get(key);
    if (!client) {
      client = new AcmeClient(read.credential);
      this.clients.set(key, client);
    }
    return { ok: true, client };
  }
}
