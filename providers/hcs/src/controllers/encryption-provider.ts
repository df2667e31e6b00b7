import { randomBytes } from 'node:crypto';
import type { HostContext } from '@immutable-infra/core';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';

/** Where kube-apiserver reads it (the documented `encryption-provider-config` argument). */
export const ENCRYPTION_CONFIG_PATH = '/etc/kubernetes/encryption-provider.conf';
/** The key of the Secret that holds the configuration (generated, or named by encryptionProviderConfigRef). */
export const ENCRYPTION_CONFIG_KEY = 'encryption-provider.conf';

/** The Secret the provider generates for a cluster whose HCSCluster names none. */
export function encryptionSecretName(cluster: string): string {
  return `${cluster}-hcs-encryption-provider`;
}

function generatedConfig(): string {
  const key = randomBytes(32).toString('base64');
  return [
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources:',
    '      - secrets',
    '    providers:',
    '      - aescbc:',
    '          keys:',
    '            - name: key1',
    `              secret: ${key}`,
    '      - identity: {}',
    '',
  ].join('\n');
}

const isConflict = (error: unknown) => (error as { status?: number }).status === 409;

/**
 * Makes sure the cluster has one encryption provider configuration for all its control plane
 * machines: the Secret named by `spec.encryptionProviderConfigRef`, or one generated once (a random
 * AES-CBC key) under a deterministic name, owned by the HCSCluster. The key never leaves Secrets
 * and the servers' user data.
 */
export async function ensureEncryptionSecret(
  ctx: Pick<HostContext, 'kube' | 'secrets'>,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
  clusterName: string,
): Promise<void> {
  if (cluster.spec.encryptionProviderConfigRef) return;
  const namespace = cluster.metadata.namespace ?? 'default';
  const name = encryptionSecretName(clusterName);
  if (await ctx.secrets.read(namespace, name)) return;
  try {
    await ctx.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace,
        labels: { 'cluster.x-k8s.io/cluster-name': clusterName },
        ownerReferences: [
          {
            apiVersion: HCS_API_VERSION,
            kind: 'HCSCluster',
            name: cluster.metadata.name,
            uid: cluster.metadata.uid ?? '',
          },
        ],
      },
      type: 'Opaque',
      stringData: { [ENCRYPTION_CONFIG_KEY]: generatedConfig() },
    });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/** The configuration a control plane machine writes; undefined while it does not exist yet. */
export async function readEncryptionConfig(
  ctx: Pick<HostContext, 'secrets'>,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
  clusterName: string,
): Promise<{ found: true; content: string } | { found: false; message: string }> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const name = cluster.spec.encryptionProviderConfigRef?.name ?? encryptionSecretName(clusterName);
  const data = await ctx.secrets.read(namespace, name);
  const content = data?.[ENCRYPTION_CONFIG_KEY];
  if (content) return { found: true, content };
  return {
    found: false,
    message: data
      ? `Secret ${namespace}/${name} has no key ${ENCRYPTION_CONFIG_KEY}`
      : `waiting for Secret ${namespace}/${name} with the encryption provider configuration`,
  };
}
