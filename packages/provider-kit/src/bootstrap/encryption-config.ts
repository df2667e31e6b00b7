import { randomBytes } from 'node:crypto';
import type { HostContext } from '@immutable-infra/core';
import { isKubeConflict } from '../kube/kube-errors.js';

/** Where kube-apiserver reads it (the documented `encryption-provider-config` argument). */
export const ENCRYPTION_CONFIG_PATH = '/etc/kubernetes/encryption-provider.conf';
/** The key of the Secret that holds the configuration (generated, or named by the user). */
export const ENCRYPTION_CONFIG_KEY = 'encryption-provider.conf';

/** An EncryptionConfiguration that encrypts Secrets at rest with a new random AES-CBC key. */
export function generatedEncryptionConfig(): string {
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

/** The Secret of a cluster's encryption configuration, and the infrastructure cluster that owns it. */
export interface EncryptionSecret {
  namespace: string;
  name: string;
  clusterName: string;
  owner: { apiVersion: string; kind: string; name: string; uid: string };
}

/**
 * Makes sure the cluster has one encryption configuration for all its control plane machines,
 * generated once (a random key) under a deterministic name and owned by the infrastructure cluster,
 * so it goes with it. A crash after the create finds the Secret; a racing writer's Secret wins.
 * The key never leaves Secrets and the servers' bootstrap data.
 */
export async function ensureEncryptionSecret(
  ctx: Pick<HostContext, 'kube' | 'secrets'>,
  secret: EncryptionSecret,
): Promise<void> {
  if (await ctx.secrets.read(secret.namespace, secret.name)) return;
  try {
    await ctx.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: secret.name,
        namespace: secret.namespace,
        labels: { 'cluster.x-k8s.io/cluster-name': secret.clusterName },
        ownerReferences: [secret.owner],
      },
      type: 'Opaque',
      stringData: { [ENCRYPTION_CONFIG_KEY]: generatedEncryptionConfig() },
    });
  } catch (error) {
    if (!isKubeConflict(error)) throw error;
  }
}

/** The configuration a control plane machine writes; says what it waits for while it does not exist. */
export async function readEncryptionConfig(
  ctx: Pick<HostContext, 'secrets'>,
  secret: { namespace: string; name: string },
): Promise<{ found: true; content: string } | { found: false; message: string }> {
  const data = await ctx.secrets.read(secret.namespace, secret.name);
  const content = data?.[ENCRYPTION_CONFIG_KEY];
  if (content) return { found: true, content };
  const where = `Secret ${secret.namespace}/${secret.name}`;
  return {
    found: false,
    message: data
      ? `${where} has no key ${ENCRYPTION_CONFIG_KEY}`
      : `waiting for ${where} with the encryption provider configuration`,
  };
}
