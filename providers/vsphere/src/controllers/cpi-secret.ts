import type { KubeClient } from '@immutable-infra/core';
import { isKubeConflict } from '@immutable-infra/provider-kit';
import { cpiSecret } from '../api/vsphere-cpi.js';
import type { VsphereAccount } from './cloud-for-cluster.js';

type SecretObject = {
  metadata: {
    resourceVersion?: string;
    ownerReferences?: { uid: string }[];
  };
  data?: Record<string, string>;
};

export interface CpiSecretInput {
  namespace: string;
  cluster: string;
  server: string;
  account: VsphereAccount;
  /** The VSphereCluster: the Secret goes with it. */
  owner: { apiVersion: string; kind: string; name: string; uid: string };
}

/**
 * The CPI's `<cluster>-vsphere-cpi-secret` for the ClusterResourceSet, made on the server from the
 * cluster's identity Secret so the vCenter password is only ever in Secrets. One the user applied
 * (the documented manifest) is left as it is; ours follows a changed password.
 */
export async function ensureCpiSecret(
  kube: KubeClient,
  input: CpiSecretInput,
): Promise<'created' | 'updated' | 'unchanged' | 'not ours'> {
  const wanted = cpiSecret(input.cluster, input.namespace, {
    server: input.server,
    username: input.account.username,
    password: input.account.password,
  });
  const ref = {
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: input.namespace,
    name: wanted.metadata.name as string,
  };
  const found = await kube.get<SecretObject>(ref);
  if (!found) {
    try {
      await kube.create({
        ...wanted,
        metadata: { ...wanted.metadata, ownerReferences: [{ ...input.owner, blockOwnerDeletion: true }] },
      });
      return 'created';
    } catch (error) {
      if (isKubeConflict(error)) return 'unchanged';
      throw error;
    }
  }
  if (!(found.metadata.ownerReferences ?? []).some((o) => o.uid === input.owner.uid)) return 'not ours';
  const current = Buffer.from(found.data?.data ?? '', 'base64').toString('utf8');
  if (current === wanted.stringData.data) return 'unchanged';
  await kube.patch(ref, {
    metadata: { resourceVersion: found.metadata.resourceVersion },
    data: { data: Buffer.from(wanted.stringData.data, 'utf8').toString('base64') },
  });
  return 'updated';
}
