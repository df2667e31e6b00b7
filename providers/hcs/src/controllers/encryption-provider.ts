import type { HostContext } from '@immutable-infra/core';
import {
  ensureEncryptionSecret as ensureSecret,
  readEncryptionConfig as readConfig,
} from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';

type Cluster = Pick<HCSClusterObject, 'metadata' | 'spec'>;

/** The Secret the provider generates for a cluster whose HCSCluster names none. */
export function encryptionSecretName(cluster: string): string {
  return `${cluster}-hcs-encryption-provider`;
}

/** The cluster's encryption configuration: the Secret `spec.encryptionProviderConfigRef` names, or a generated one. */
export async function ensureEncryptionSecret(
  ctx: Pick<HostContext, 'kube' | 'secrets'>,
  cluster: Cluster,
  clusterName: string,
): Promise<void> {
  if (cluster.spec.encryptionProviderConfigRef) return;
  const { name, uid } = cluster.metadata;
  await ensureSecret(ctx, {
    namespace: cluster.metadata.namespace ?? 'default',
    name: encryptionSecretName(clusterName),
    clusterName,
    owner: { apiVersion: HCS_API_VERSION, kind: 'HCSCluster', name, uid: uid ?? '' },
  });
}

export function readEncryptionConfig(
  ctx: Pick<HostContext, 'secrets'>,
  cluster: Cluster,
  clusterName: string,
) {
  return readConfig(ctx, {
    namespace: cluster.metadata.namespace ?? 'default',
    name: cluster.spec.encryptionProviderConfigRef?.name ?? encryptionSecretName(clusterName),
  });
}
