import { CAPI_CONTRACT_VERSIONS, type CapiContractVersion } from '@immutable-infra/core';
import { isNotFound } from '../kube/api-error.js';
import type { KubeTransport } from '../kube/transport.js';

/**
 * The Cluster API contract of the management cluster: the storage version of
 * the installed Cluster CRD. Undefined when Cluster API is not installed.
 */
export async function installedCapiContract(
  transport: KubeTransport,
): Promise<CapiContractVersion | undefined> {
  try {
    const crd = await transport.request<{ spec: { versions: { name: string; storage: boolean }[] } }>({
      method: 'GET',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusters.cluster.x-k8s.io',
    });
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    return CAPI_CONTRACT_VERSIONS.find((v) => v === storage);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
