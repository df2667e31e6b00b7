import type { HostContext } from '@immutable-infra/core';
import { type CredentialSecretSpec, readCredentialSecret } from '@immutable-infra/provider-kit';
import { parseCredentials } from '../api/credentials.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import { DcsClient, type DcsCloud, type DcsRequester } from '../cloud/dcs-client.js';
import {
  credentialFromSecret,
  type DcsCredential,
  type DcsRequest,
  type DcsSessionPool,
} from '../cloud/dcs-session.js';

export type CloudLookup =
  | { ok: true; cloud: DcsCloud; site: string | undefined; endpoint: string }
  | { ok: false; reason: string; message: string };

/** The documented Secret keys (plus our optional `caBundle`); problems name keys, never values. */
const dcsSecret: CredentialSecretSpec<{ credential: DcsCredential; site: string | undefined }> = {
  requiredKeys: [],
  parse(data) {
    const parsed = parseCredentials({ ...data });
    if (!parsed.ok) return parsed;
    const tls = data.caBundle ? { caCertificate: data.caBundle } : {};
    return {
      ok: true,
      credential: {
        credential: credentialFromSecret(parsed.credentials, tls),
        site: parsed.credentials.site,
      },
    };
  },
};

/**
 * The DCS API for a DCSCluster: its credential Secret (validated, values never
 * echoed) and a client over the pooled session of that account, so every
 * reconcile of every machine of the cluster shares one login.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls'> & Partial<Pick<HostContext, 'signal'>>,
  sessions: DcsSessionPool,
  cluster: Pick<DCSClusterObject, 'metadata' | 'spec'>,
  /** Where a machine's VM was created: it is looked for there, whatever the Secret says now. */
  location?: { endpoint?: string | undefined; site?: string | undefined },
): Promise<CloudLookup> {
  const secretRef = {
    namespace: cluster.metadata.namespace ?? 'default',
    name: cluster.spec.credentialSecretRef.name,
  };
  const read = await readCredentialSecret(ctx.secrets, secretRef, dcsSecret);
  if (!read.ok) return read;
  const site = location?.site ?? cluster.spec.site ?? read.credential.site;
  const credential = location?.endpoint
    ? { ...read.credential.credential, endpoint: location.endpoint }
    : read.credential.credential;
  const session = sessions.session(credential);
  // The host aborts its signal on shutdown and when leadership is lost: a call still waiting then is
  // dropped before another manager acts on the same VMs.
  const signal = ctx.signal;
  const requester: DcsRequester = signal
    ? {
        request: <Body>(spec: DcsRequest) =>
          session.request<Body>({ ...spec, signal: spec.signal ?? signal }),
      }
    : session;
  return {
    ok: true,
    site,
    endpoint: credential.endpoint,
    cloud: new DcsClient(requester, { siteId: site, recorder: ctx.platformCalls }),
  };
}
