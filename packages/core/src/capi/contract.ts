/** API group of Cluster API's own kinds (Cluster, Machine, ...). */
export const CAPI_GROUP = 'cluster.x-k8s.io';
/** API group every infrastructure provider's kinds live in. */
export const INFRASTRUCTURE_GROUP = 'infrastructure.cluster.x-k8s.io';

/** Cluster API contract versions a provider can implement. */
export const CAPI_CONTRACT_VERSIONS = ['v1beta1', 'v1beta2'] as const;
export type CapiContractVersion = (typeof CAPI_CONTRACT_VERSIONS)[number];

/**
 * Which of a provider's API versions implement each Cluster API contract.
 * Example: `{ v1beta1: ['v1beta1'], v1beta2: ['v1beta1'] }`.
 */
export type ContractVersionMap = Partial<Record<CapiContractVersion, readonly string[]>>;

/**
 * The CRD labels Cluster API reads to find which API version of an
 * infrastructure kind speaks a given contract: key `cluster.x-k8s.io/<contract>`,
 * value the API versions joined by `_`.
 */
export function contractLabels(map: ContractVersionMap): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const contract of CAPI_CONTRACT_VERSIONS) {
    const apiVersions = map[contract];
    if (apiVersions === undefined || apiVersions.length === 0) continue;
    labels[`${CAPI_GROUP}/${contract}`] = apiVersions.join('_');
  }
  return labels;
}
