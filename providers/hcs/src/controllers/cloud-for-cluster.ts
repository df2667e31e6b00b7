import type { HostContext } from '@immutable-infra/core';
import { type CloudLookupFailure, readClusterCredential } from '@immutable-infra/provider-kit';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HcsClient, type HcsSender } from '../cloud/hcs-client.js';
import { type HcsConnections, hcsCredentialSecret } from '../cloud/hcs-connections.js';

/** Where a machine's server was created: the platform domain, region and project. */
export interface HcsLocation {
  externalGlobalDomain?: string | undefined;
  region?: string | undefined;
  projectID?: string | undefined;
}

export type CloudLookup =
  | {
      ok: true;
      cloud: HcsClient;
      location: Required<HcsLocation>;
      /** The Secret's `schema` is http (which it may only be with allowPlainHTTP). */
      plainHttp: boolean;
    }
  | CloudLookupFailure;

/**
 * The HCS API for an HCSCluster: its identityRef Secret (validated; problems name keys, never
 * values) and a client whose every call goes through the pooled account, so a changed Secret is
 * used on the next call. A machine passes the `location` its server was created in, so the
 * server is looked for there even if the Secret now names another region or project.
 */
export async function cloudForCluster(
  ctx: Pick<HostContext, 'secrets' | 'platformCalls' | 'signal' | 'platformLimits'>,
  connections: HcsConnections,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
  location?: HcsLocation,
): Promise<CloudLookup> {
  const read = await readClusterCredential(ctx, cluster, cluster.spec.identityRef.name, hcsCredentialSecret);
  if (!read.ok) return read;
  const credential = {
    ...read.credential,
    limits: read.limits,
    ...(location?.externalGlobalDomain ? { externalGlobalDomain: location.externalGlobalDomain } : {}),
    ...(location?.region ? { region: location.region } : {}),
    ...(location?.projectID ? { projectId: location.projectID } : {}),
  };
  const sender: HcsSender = {
    projectId: credential.projectId,
    request: (spec) => connections.use(credential, (http) => http.request(spec), spec.signal),
    objectRequest: (spec) => connections.use(credential, (http) => http.objectRequest(spec), spec.signal),
    presignedObjectUrl: (target, key, expiresAt) =>
      connections.use(credential, async (http) => http.presignedObjectUrl(target, key, expiresAt)),
  };
  const lookups = await connections.use(credential, async (http) => http.lookups);
  return {
    ok: true,
    cloud: new HcsClient(sender, { recorder: ctx.platformCalls, signal: ctx.signal, lookups }),
    plainHttp: credential.scheme === 'http',
    location: {
      externalGlobalDomain: credential.externalGlobalDomain,
      region: credential.region,
      projectID: credential.projectId,
    },
  };
}
