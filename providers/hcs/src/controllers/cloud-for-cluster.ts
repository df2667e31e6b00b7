import type { HostContext } from '@immutable-infra/core';
import { accountForCluster, type CloudLookupFailure } from '@immutable-infra/provider-kit';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HcsClient, type HcsSender } from '../cloud/hcs-client.js';
import { type HcsConnections, hcsCredentialSecret } from '../cloud/hcs-connections.js';

export type CloudLookup = { ok: true; cloud: HcsClient } | CloudLookupFailure;

/**
 * The HCS API for an HCSCluster: its identityRef Secret (validated; problems name keys, never
 * values) and a client whose every call goes through the pooled account, so a changed Secret is
 * used on the next call.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls' | 'signal'>,
  connections: HcsConnections,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
): Promise<CloudLookup> {
  const secretRef = {
    namespace: cluster.metadata.namespace ?? 'default',
    name: cluster.spec.identityRef.name,
  };
  const lookup = await accountForCluster(ctx.secrets, connections, secretRef, hcsCredentialSecret);
  if (!lookup.ok) return lookup;
  const { account } = lookup;
  const sender: HcsSender = {
    projectId: account.credential.projectId,
    request: (spec) => account.use((http) => http.request(spec), spec.signal),
  };
  return { ok: true, cloud: new HcsClient(sender, { recorder: ctx.platformCalls, signal: ctx.signal }) };
}
