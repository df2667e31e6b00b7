// The `@immutable-infra/provider-kit/generate` entry: what a provider's `npm run generate` script
// and its build configuration use. A separate entry keeps the YAML writer out of what a running
// controller loads.

export {
  CLUSTERCTL_STANDARD_VARIABLES,
  clusterctlCount,
  clusterctlNumber,
  clusterctlVariable,
  clusterTemplateYaml,
  type KubeadmClusterTemplateInput,
  kubeadmClusterTemplate,
  templateVariables,
} from './cluster-template.js';
export {
  DOCUMENTED_NAMESPACE,
  type FleetEssentialsHelmChartInput,
  fleetEssentialsHelmChart,
  type HelmChartFiles,
  type ProviderHelmChartInput,
  providerChartName,
  providerHelmChart,
  writeHelmChart,
} from './helm-chart.js';
export {
  type ClusterScopedObject,
  generateProviderArtifacts,
  type ReleaseObject,
  shippedKubernetesReleases,
  writeProviderArtifacts,
} from './provider-artifacts.js';
export { type ProviderBundlesOptions, providerBundles, zodWithoutLocales } from './provider-bundles.js';
