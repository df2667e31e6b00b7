export {
  type BootstrapFiles,
  bootstrapFiles,
  includedUserData,
  type KubeadmDocuments,
  kubeadmDocuments,
  kubeletArg,
} from './bootstrap-data.js';
export {
  type ClusterApiManifestsInput,
  clusterApiManifests,
  clusterApiNames,
} from './cluster-api-manifests.js';
export { type ClusterE2e, type ClusterE2eOptions, startClusterE2e } from './cluster-e2e.js';
export { type EtcdMember, etcdCall, startEtcdMember } from './etcd-member.js';
export { type GuestExpectation, ignitionProblems, readIsoFile } from './ignition-check.js';
export {
  type DeliveredBootstrapData,
  type InfraMachineView,
  type MachineView,
  startWorkloadSimulator,
  type WorkloadSimulator,
  type WorkloadSimulatorOptions,
} from './simulator.js';
export { type NodeSpec, WorkloadCluster } from './workload-cluster.js';
