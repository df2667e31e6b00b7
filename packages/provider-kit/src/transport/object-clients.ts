import { credentialFingerprint } from '../credentials/account-sessions.js';

/** Anything that holds connections to let go of. */
export interface ClosableClient {
  close(): Promise<void>;
}

/**
 * One platform client per object (a host's BMC, a device's management endpoint), kept across
 * reconciles so its keep-alive connections are reused, and replaced, the old one closed, once what
 * it was made from changes (address, credential, TLS settings). For platforms where each object
 * has its own endpoint and credential, so the per-account `CredentialPool` does not fit. Only a
 * fingerprint of those parts is kept, never a credential.
 */
export class ObjectClients<Client extends ClosableClient> {
  readonly #clients = new Map<string, { fingerprint: string; client: Client }>();

  /** The object's client made from `parts`: the one kept, else a new one from `create`. */
  for(object: ObjectIdentity, parts: readonly unknown[], create: () => Client): Client {
    const key = objectKey(object);
    const fingerprint = credentialFingerprint(parts);
    const kept = this.#clients.get(key);
    if (kept?.fingerprint === fingerprint) return kept.client;
    void kept?.client.close().catch(() => undefined);
    const client = create();
    this.#clients.set(key, { fingerprint, client });
    return client;
  }

  /** Forgets the object's client and closes it (when the object is deleted). */
  async drop(object: ObjectIdentity): Promise<void> {
    const key = objectKey(object);
    const kept = this.#clients.get(key);
    this.#clients.delete(key);
    await kept?.client.close().catch(() => undefined);
  }
}

/** An object as its metadata names it. */
export interface ObjectIdentity {
  metadata: { uid?: string | undefined; namespace?: string | undefined; name?: string | undefined };
}

/** The UID, so an object deleted and created again under its name gets a new client; namespace/name before it has one. */
const objectKey = (object: ObjectIdentity) =>
  object.metadata.uid ?? `${object.metadata.namespace}/${object.metadata.name}`;
