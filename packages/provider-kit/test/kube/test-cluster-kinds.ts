import { TEST_POOL_GROUP } from './test-pool-kind.ts';

/**
 * Kinds for the cluster steps' tests, with open schemas and no status subresource (a test writes
 * status as the controllers it stands in for would): an infrastructure machine kind, a
 * cluster-scoped cluster identity kind (as CAPV's VSphereClusterIdentity), and Cluster API's
 * Machine (the alive step reads its `status.nodeRef`), not the whole of Cluster API.
 */
export const TEST_MACHINE_API_VERSION = `${TEST_POOL_GROUP}/v1`;

const openCrd = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope,
    names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
});

export const clusterStepCrds = [
  openCrd(TEST_POOL_GROUP, 'v1', 'TestMachine', 'testmachines', 'Namespaced'),
  openCrd(TEST_POOL_GROUP, 'v1', 'TestClusterIdentity', 'testclusteridentities', 'Cluster'),
  openCrd('cluster.x-k8s.io', 'v1beta2', 'Machine', 'machines', 'Namespaced'),
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
