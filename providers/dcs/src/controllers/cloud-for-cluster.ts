import { createHash } from 'node:crypto';
import type { HostContext } from '@immutable-infra/core';
import { type CredentialSecretSpec, readClusterCredential } from '@immutable-infra/provider-kit';
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
/** How a machine records the VRM it was cloned through without holding the address. */
export const endpointSha256 = (endpoint: string) => createHash('sha256').update(endpoint).digest('hex');

export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls'> &
    Partial<Pick<HostContext, 'signal' | 'platformLimits'>>,
  sessions: DcsSessionPool,
  cluster: Pick<DCSClusterObject, 'metadata' | 'spec'>,
  /** Where a machine's VM was created: it is looked for there, whatever the Secret says now. */
  location?: { endpointSha256?: string | undefined; site?: string | undefined },
): Promise<CloudLookup> {
  const read = await readClusterCredential(ctx, cluster, cluster.spec.credentialSecretRef.name, dcsSecret);
  if (!read.ok) return read;
  const { secretRef } = read;
  const site = location?.site ?? cluster.spec.site ?? read.credential.site;
  const credential = { ...read.credential.credential, limits: read.limits };
  // The VM lives on the VRM it was cloned through: another one would not know it (a second VM, or
  // a delete that finds nothing and leaves the VM behind).
  if (location?.endpointSha256 && location.endpointSha256 !== endpointSha256(credential.endpoint))
    return {
      ok: false,
      reason: 'EndpointChanged',
      message: `Secret ${secretRef.namespace}/${secretRef.name} names another DCS endpoint than the one this machine's VM was cloned through; put that endpoint back to manage the VM`,
    };
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
    cloud: new DcsClient(requester, { siteId: site, recorder: ctx.platformCalls, lookups: session.lookups }),
  };
}
