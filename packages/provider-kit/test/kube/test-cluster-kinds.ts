import { openCrd, TEST_POOL_GROUP } from './test-pool-kind.ts';

/**
 * Kinds for the cluster steps' tests, with open schemas and no status subresource (a test writes
 * status as the controllers it stands in for would): an infrastructure machine kind, a
 * cluster-scoped cluster identity kind (as CAPV's VSphereClusterIdentity), and Cluster API's
 * Machine (the alive step reads its `status.nodeRef`), not the whole of Cluster API.
 */
export const TEST_MACHINE_API_VERSION = `${TEST_POOL_GROUP}/v1`;

export const clusterStepCrds = [
  openCrd({ group: TEST_POOL_GROUP, version: 'v1', kind: 'TestMachine', plural: 'testmachines' }),
  openCrd({
    group: TEST_POOL_GROUP,
    version: 'v1',
    kind: 'TestClusterIdentity',
    plural: 'testclusteridentities',
    scope: 'Cluster',
  }),
  openCrd({ group: 'cluster.x-k8s.io', version: 'v1beta2', kind: 'Machine', plural: 'machines' }),
  // The platform's AppRelease, which the Kube-OVN step writes in the workload cluster (here the same API server).
  openCrd({ group: 'operator.alauda.io', version: 'v1alpha1', kind: 'AppRelease', plural: 'appreleases' }),
];

/** The resource names of the kinds the cluster steps' tests read and write. */
export const CLUSTER_STEP_PLURALS: Record<string, string> = {
  TestMachine: 'testmachines',
  TestClusterIdentity: 'testclusteridentities',
  Machine: 'machines',
  ModuleInfo: 'moduleinfoes',
  ModulePlugin: 'moduleplugins',
  ModuleConfig: 'moduleconfigs',
  ClusterModule: 'clustermodules',
  CustomResourceDefinition: 'customresourcedefinitions',
};

/** The cluster-scoped ones among them. */
export const CLUSTER_SCOPED_KINDS = [
  'TestClusterIdentity',
  'ModuleInfo',
  'ModulePlugin',
  'ModuleConfig',
  'ClusterModule',
  'CustomResourceDefinition',
];
