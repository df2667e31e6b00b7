import type { HostContext } from '@immutable-infra/core';
import {
  type CredentialSecretSpec,
  effectivePlatformLimits,
  labelSelectorMatches,
  readCredentialSecret,
} from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import type { VSphereClusterIdentityObject } from '../api/vsphere-cluster-identity.js';
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
  const secret = await identitySecret(ctx, access, cluster, identity);
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

/**
 * The Secret an `identityRef` stands for: a Secret in the cluster's namespace, or a
 * VSphereClusterIdentity's Secret in the provider's namespace, which only the namespaces its
 * `allowedNamespaces.selector` selects may use (none when unset, every one when `{}`).
 */
async function identitySecret(
  ctx: Pick<HostContext, 'kube'>,
  access: VsphereAccess,
  cluster: Pick<VSphereClusterObject, 'metadata'>,
  identity: { kind: string; name: string },
): Promise<
  { ok: true; ref: { namespace: string; name: string } } | { ok: false; reason: string; message: string }
> {
  const namespace = cluster.metadata.namespace ?? 'default';
  if (identity.kind === 'Secret') return { ok: true, ref: { namespace, name: identity.name } };
  const found = await ctx.kube.get<VSphereClusterIdentityObject>({
    apiVersion: VSPHERE_API_VERSION,
    kind: 'VSphereClusterIdentity',
    name: identity.name,
  });
  if (!found?.spec.secretName)
    return {
      ok: false,
      reason: 'IdentityNotFound',
      message: found
        ? `VSphereClusterIdentity ${identity.name} names no Secret (spec.secretName)`
        : `VSphereClusterIdentity ${identity.name} not found`,
    };
  const selector = found.spec.allowedNamespaces?.selector;
  const labels =
    (
      await ctx.kube.get<{ metadata: { labels?: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Namespace',
        name: namespace,
      })
    )?.metadata.labels ?? {};
  if (!selector || !labelSelectorMatches(selector, labels))
    return {
      ok: false,
      reason: 'IdentityNotAllowed',
      message: `VSphereClusterIdentity ${identity.name} does not allow namespace ${namespace} (spec.allowedNamespaces.selector)`,
    };
  return { ok: true, ref: { namespace: access.identityNamespace, name: found.spec.secretName } };
}
