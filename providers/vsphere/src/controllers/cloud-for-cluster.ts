import type { HostContext } from '@immutable-infra/core';
import {
  type CredentialSecretSpec,
  clusterIdentitySecret,
  effectivePlatformLimits,
  readCredentialSecret,
} from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import { VsphereClient } from '../cloud/vsphere-client.js';
import { VsphereInventory } from '../cloud/vsphere-inventory.js';
import type { VsphereCredential, VsphereSessions } from '../cloud/vsphere-session.js';

/** How the controllers reach vCenter: the pooled sessions, and where VSphereClusterIdentity Secrets live. */
export interface VsphereAccess {
  sessions: VsphereSessions;
  /** The provider's own namespace: a VSphereClusterIdentity's Secret is read there, never elsewhere. */
  identityNamespace: string;
}

/** One vCenter through one account's pooled session, with its inventory lookups. */
export interface VsphereCloud {
  client: VsphereClient;
  inventory: VsphereInventory;
  /** The vCenter's host (and port), as the objects name it. */
  server: string;
}

/** The account the session logs in with: kept in memory only, for the Secrets the provider makes from it. */
export interface VsphereAccount {
  username: string;
  password: string;
}

export type CloudLookup =
  | ({ ok: true; account: VsphereAccount } & VsphereCloud)
  | { ok: false; reason: string; message: string };

type Login = Pick<VsphereCredential, 'username' | 'password' | 'caCertificate'>;

/** The documented Secret keys `username` and `password`, and our optional `caBundle` (PEM). */
const vsphereSecret: CredentialSecretSpec<Login> = {
  requiredKeys: ['username', 'password'],
  parse: (data) => ({
    ok: true,
    credential: {
      username: data.username as string,
      password: data.password as string,
      ...(data.caBundle?.trim() ? { caCertificate: data.caBundle } : {}),
    },
  }),
};

/** Where a machine's VM is (or goes): a vCenter and, optionally, its certificate thumbprint. */
export interface Endpoint {
  server?: string | undefined;
  thumbprint?: string | undefined;
}

/**
 * The vCenter of a VSphereCluster (or of a machine that names its own server) through the pooled
 * session of the account in the cluster's identity Secret: every reconcile of every machine of
 * every cluster on that account shares one login. The certificate is verified by the thumbprint
 * when one is given (SHA-1 or SHA-256, as vSphere manifests carry them), else by the Secret's
 * `caBundle`, else by the system's roots.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls' | 'kube' | 'platformLimits'>,
  access: VsphereAccess,
  cluster: Pick<VSphereClusterObject, 'metadata' | 'spec'>,
  endpoint: Endpoint = {},
): Promise<CloudLookup> {
  const server = endpoint.server ?? cluster.spec.server;
  if (!server)
    return {
      ok: false,
      reason: 'ServerMissing',
      message: `VSphereCluster ${cluster.metadata.name} names no vCenter (spec.server)`,
    };
  const identity = cluster.spec.identityRef;
  if (!identity)
    return {
      ok: false,
      reason: 'IdentityMissing',
      message: `VSphereCluster ${cluster.metadata.name} names no credentials (spec.identityRef)`,
    };
  const secret = await clusterIdentitySecret(ctx.kube, {
    identityRef: identity,
    namespace: cluster.metadata.namespace ?? 'default',
    identity: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereClusterIdentity' },
    identityNamespace: access.identityNamespace,
    requireReady: true,
  });
  if (!secret.ok) return secret;
  const secretRef = secret.ref;
  const read = await readCredentialSecret(ctx.secrets, secretRef, vsphereSecret);
  if (!read.ok) return read;
  const thumbprint = endpoint.thumbprint ?? cluster.spec.thumbprint;
  const session = access.sessions.session({
    server: `https://${server}`,
    ...read.credential,
    limits: effectivePlatformLimits(read.limits, ctx.platformLimits),
    ...(thumbprint ? { thumbprint } : {}),
  });
  const client = new VsphereClient(session, ctx.platformCalls);
  const account = { username: read.credential.username, password: read.credential.password };
  return { ok: true, client, inventory: new VsphereInventory(client), server, account };
}
