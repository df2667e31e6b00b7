import type { PlatformLimits, SecretReader } from '@immutable-infra/core';
import type { CredentialPool } from '../credentials/credential-pool.js';
import { effectivePlatformLimits, platformLimitsFromSecret } from '../credentials/platform-limits.js';

/** What a provider's Secret parser says: the credential, or problems that name keys, never values. */
export type CredentialParse<Credential> =
  | { ok: true; credential: Credential }
  | { ok: false; problems: readonly string[] };

export interface CredentialSecretSpec<Credential> {
  /** Keys that must be present and non-empty, reported by name before parsing. */
  requiredKeys: readonly string[];
  parse(data: Readonly<Record<string, string>>): CredentialParse<Credential>;
}

export type CloudLookupFailure = {
  ok: false;
  reason: 'CredentialSecretNotFound' | 'CredentialSecretInvalid';
  /** Names the Secret and its keys; never a value. */
  message: string;
};

/** A credential bound to the pool: every call through it shares the account's session. */
export interface AccountSession<Credential, Session> {
  credential: Credential;
  /** Runs a call with the session, logging in once more when the platform expired it. */
  use<T>(call: (session: Session) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The connection test: logs in through the pool's back-off (or reuses the account's session). */
  verify(signal?: AbortSignal): Promise<void>;
}

/**
 * Reads and validates a credential Secret. A Secret that does not exist, a missing or empty key,
 * and the parser's problems are reported with the Secret's name and the keys' names only. The
 * Secret's platform limits (`PLATFORM_LIMIT_KEYS`) come back beside the credential.
 */
export async function readCredentialSecret<Credential>(
  secrets: SecretReader,
  secretRef: { namespace: string; name: string },
  spec: CredentialSecretSpec<Credential>,
): Promise<{ ok: true; credential: Credential; limits: PlatformLimits } | CloudLookupFailure> {
  const where = `Secret ${secretRef.namespace}/${secretRef.name}`;
  const data = await secrets.read(secretRef.namespace, secretRef.name);
  if (!data) return { ok: false, reason: 'CredentialSecretNotFound', message: `${where} not found` };
  const missing = spec.requiredKeys.filter((key) => !data[key]?.trim());
  if (missing.length > 0)
    return {
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: `${where} has no ${missing.length === 1 ? 'key' : 'keys'} ${missing.join(', ')}`,
    };
  const parsed = spec.parse(data);
  const { limits, problems } = platformLimitsFromSecret(data);
  // Every problem at once: the credential's and the limits'.
  const all = [...(parsed.ok ? [] : parsed.problems), ...problems];
  if (!parsed.ok || all.length > 0)
    return { ok: false, reason: 'CredentialSecretInvalid', message: `${where}: ${all.join('; ')}` };
  return { ok: true, credential: parsed.credential, limits };
}

/**
 * The credential Secret an infrastructure cluster names, in the cluster's namespace, read and
 * validated as {@link readCredentialSecret} does, with the limits that apply to the account (the
 * Secret's over the manager's, {@link effectivePlatformLimits}) and the Secret's reference.
 */
export async function readClusterCredential<Credential>(
  ctx: { secrets: SecretReader; platformLimits?: PlatformLimits | undefined },
  cluster: { metadata: { namespace?: string | undefined } },
  secretName: string,
  spec: CredentialSecretSpec<Credential>,
): Promise<
  | {
      ok: true;
      credential: Credential;
      limits: PlatformLimits;
      secretRef: { namespace: string; name: string };
    }
  | CloudLookupFailure
> {
  const secretRef = { namespace: cluster.metadata.namespace ?? 'default', name: secretName };
  const read = await readCredentialSecret(ctx.secrets, secretRef, spec);
  if (!read.ok) return read;
  return { ...read, limits: effectivePlatformLimits(read.limits, ctx.platformLimits), secretRef };
}

/**
 * The platform account of an infrastructure cluster: the credential Secret it names, read through
 * the host's SecretReader, bound to the pool's session for that account. The provider wraps its
 * platform client around the returned `account`.
 */
export async function accountForCluster<Credential, Session>(
  secrets: SecretReader,
  pool: CredentialPool<Credential, Session>,
  secretRef: { namespace: string; name: string },
  spec: CredentialSecretSpec<Credential>,
): Promise<{ ok: true; account: AccountSession<Credential, Session> } | CloudLookupFailure> {
  const read = await readCredentialSecret(secrets, secretRef, spec);
  if (!read.ok) return read;
  const credential = read.credential;
  return {
    ok: true,
    account: {
      credential,
      use: (call, signal) => pool.use(credential, call, signal),
      verify: (signal) => pool.verify(credential, signal),
    },
  };
}
