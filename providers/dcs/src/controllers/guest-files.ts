import type { HostContext } from '@immutable-infra/core';
import type { IgnitionFile, IgnitionUnit } from '@immutable-infra/provider-kit';
import {
  ENCRYPTION_CONFIG_PATH,
  ensureEncryptionSecret,
  bootstrapVipUnit as kitBootstrapVipUnit,
  readEncryptionConfig,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';

/** The unit the documentation names for the self-built VIP's first node. */
export const BOOTSTRAP_VIP_UNIT = 'dcs-bootstrap-vip.service';

/** The Secret the provider generates for a cluster whose DCSCluster names none. */
export const encryptionSecretName = (cluster: string) => `${cluster}-dcs-encryption-provider`;

type Cluster = Pick<DCSClusterObject, 'metadata' | 'spec'>;

/**
 * The encryption configuration a control plane node writes: the Secret `encryptionProviderConfigRef`
 * names (it wins over a file in the bootstrap data), else one generated for the cluster, which a
 * file the user put inline in the KubeadmControlPlane keeps its place over (its key is the one the
 * cluster already encrypts with).
 */
export async function encryptionFile(
  ctx: Pick<HostContext, 'kube' | 'secrets'>,
  cluster: Cluster,
  clusterName: string,
): Promise<{ ok: true; file: IgnitionFile } | { ok: false; message: string }> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const named = cluster.spec.encryptionProviderConfigRef?.name;
  if (!named) {
    const { name, uid } = cluster.metadata;
    await ensureEncryptionSecret(ctx, {
      namespace,
      name: encryptionSecretName(clusterName),
      clusterName,
      owner: { apiVersion: DCS_API_VERSION, kind: 'DCSCluster', name, uid: uid ?? '' },
    });
  }
  const read = await readEncryptionConfig(ctx, {
    namespace,
    name: named ?? encryptionSecretName(clusterName),
  });
  if (!read.found) return { ok: false, message: read.message };
  return {
    ok: true,
    file: { path: ENCRYPTION_CONFIG_PATH, content: read.content, mode: '0600', keepBootstrapFile: !named },
  };
}

/**
 * The documented bootstrap half of a self-built VIP (the kit's bootstrapVipUnit): the first
 * (`kubeadm init`) control plane node holds `<vip>/32` before kubeadm starts, on the named
 * interface or the one with the node's IP. Ignition enables it, so it starts at boot.
 */
export function bootstrapVipUnit(
  vip: string,
  nodeIp: string,
  interfaceName: string | undefined,
): IgnitionUnit {
  return kitBootstrapVipUnit({ name: BOOTSTRAP_VIP_UNIT, vip, nodeIp, interfaceName, startAtBoot: true });
}
