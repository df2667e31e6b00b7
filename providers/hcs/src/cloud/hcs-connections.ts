import { createHash } from 'node:crypto';
import type { HcsCredentials } from '../api/credentials.js';
import { type HcsCredential, HcsHttp, type HcsHttpOptions } from './hcs-http.js';

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

/**
 * One signed transport per credential, shared by every reconcile of every object that uses it, so
 * the rate limit is per access key and connections are reused. A changed Secret is a new key here.
 */
export class HcsConnections {
  private readonly transports = new Map<string, HcsHttp>();

  constructor(private readonly options: HcsHttpOptions = {}) {}

  transport(credential: HcsCredential): HcsHttp {
    const key = createHash('sha256').update(JSON.stringify(credential)).digest('hex');
    let transport = this.transports.get(key);
    if (!transport) {
      transport = new HcsHttp(credential, this.options);
      this.transports.set(key, transport);
    }
    return transport;
  }

  close(): void {
    for (const transport of this.transports.values()) void transport.close();
    this.transports.clear();
  }
}
