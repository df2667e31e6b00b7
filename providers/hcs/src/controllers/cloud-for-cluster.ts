import type { HostContext } from '@immutable-infra/core';
import { parseHcsCredentials } from '../api/credentials.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HcsClient } from '../cloud/hcs-client.js';
import { credentialFromSecret, type HcsConnections } from '../cloud/hcs-connections.js';

export type CloudLookup =
  | { ok: true; cloud: HcsClient }
  | { ok: false; reason: 'CredentialSecretNotFound' | 'CredentialSecretInvalid'; message: string };

/**
 * The HCS API for an HCSCluster: its identityRef Secret (validated; problems name keys, never
 * values) and a client over the shared transport of that access key.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls' | 'signal'>,
  connections: HcsConnections,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
): Promise<CloudLookup> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const secretName = cluster.spec.identityRef.name;
  const data = await ctx.secrets.read(namespace, secretName);
  if (!data)
    return {
      ok: false,
      reason: 'CredentialSecretNotFound',
      message: `Secret ${namespace}/${secretName} not found`,
    };
  const parsed = parseHcsCredentials(data);
  if (!parsed.ok)
    return {
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: `Secret ${namespace}/${secretName}: ${parsed.problems.join('; ')}`,
    };
  const transport = connections.transport(credentialFromSecret(parsed.credentials));
  return { ok: true, cloud: new HcsClient(transport, { recorder: ctx.platformCalls, signal: ctx.signal }) };
}
