import {
  type AccountSession,
  CredentialPool,
  type CredentialSecretSpec,
} from '@immutable-infra/provider-kit';
import { type HcsCredentials, parseHcsCredentials } from '../api/credentials.js';
import { gatewayLookup } from './fixed-address-lookup.js';
import { type HcsCredential, HcsHttp, type HcsHttpOptions } from './hcs-http.js';

/** The signed transports of an access key, pooled per account by the kit. */
export type HcsConnections = CredentialPool<HcsCredential, HcsHttp>;
export type HcsAccount = AccountSession<HcsCredential, HcsHttp>;

/** The transport's credential from the validated Secret keys. */
export function credentialFromSecret(secret: HcsCredentials): HcsCredential {
  return {
    accessKey: secret.accessKey,
    secretKey: secret.secretKey,
    projectId: secret.projectID,
    region: secret.region,
    externalGlobalDomain: secret.externalGlobalDomain,
    scheme: secret.schema,
    caCertificate: secret.caBundle,
  };
}

/** The documented Secret keys; the parser names every missing or invalid key, never a value. */
export const hcsCredentialSecret: CredentialSecretSpec<HcsCredential> = {
  requiredKeys: [],
  parse(data) {
    const parsed = parseHcsCredentials(data);
    return parsed.ok ? { ok: true, credential: credentialFromSecret(parsed.credentials) } : parsed;
  },
};

/**
 * One signed transport set per access key, shared by every reconcile of every object that uses it,
 * so the rate limit is per key and connections are reused. A Secret whose content changes (a
 * rotated secret key) replaces the key's transports on the next call and closes the old ones.
 * AK/SK signing has no login call, so there is nothing for the login back-off to hold.
 */
export function hcsConnections(options: HcsHttpOptions = {}): HcsConnections {
  return new CredentialPool<HcsCredential, HcsHttp>({
    accountOf: (credential) => ({
      endpoint: `${credential.scheme}://${credential.region}.${credential.externalGlobalDomain}`,
      user: `${credential.projectId}/${credential.accessKey}`,
    }),
    login: async (credential) => {
      // A lookup given by the embedder wins; else the site's gateway address, when one is set.
      const lookup = options.lookup ?? gatewayLookup(credential.externalGlobalDomain);
      return new HcsHttp(credential, lookup ? { ...options, lookup } : options);
    },
    logout: (http) => http.close(),
    // A signature is checked per request; there is no session to expire.
    isSessionExpired: () => false,
  });
}
