import type { HostContext } from '@immutable-infra/core';
import { parseCredentials } from '../api/credentials.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import { DcsClient, type DcsCloud } from '../cloud/dcs-client.js';
import { credentialFromSecret, type DcsSessionPool } from '../cloud/dcs-session.js';

export type CloudLookup =
  | { ok: true; cloud: DcsCloud; site: string | undefined }
  | { ok: false; reason: string; message: string };

/**
 * The DCS API for a DCSCluster: its credential Secret (validated, values never
 * echoed) and a client over the pooled session of that credential, so every
 * reconcile of every machine of the cluster shares one login.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls'>,
  sessions: DcsSessionPool,
  cluster: Pick<DCSClusterObject, 'metadata' | 'spec'>,
): Promise<CloudLookup> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const secretName = cluster.spec.credentialSecretRef.name;
  const data = await ctx.secrets.read(namespace, secretName);
  if (!data) {
    return {
      ok: false,
      reason: 'CredentialSecretNotFound',
      message: `Secret ${namespace}/${secretName} not found`,
    };
  }
  const parsed = parseCredentials(data);
  if (!parsed.ok) {
    return {
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: `Secret ${namespace}/${secretName}: ${parsed.problems.join('; ')}`,
    };
  }
  const tls = data.caBundle ? { caCertificate: data.caBundle } : {};
  const session = sessions.session(credentialFromSecret(parsed.credentials, tls));
  const site = cluster.spec.site ?? parsed.credentials.site;
  return {
    ok: true,
    site,
    cloud: new DcsClient(session, { siteId: site, recorder: ctx.platformCalls }),
  };
}
