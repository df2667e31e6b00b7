import type { KubeConfig } from '@kubernetes/client-node';
import { Discovery } from '../../src/kube/discovery.js';
import { type KubeObject, ObjectClient } from '../../src/kube/object-client.js';
import { KubeTransport } from '../../src/kube/transport.js';

export function objectClient(kubeConfig: KubeConfig): ObjectClient {
  const transport = new KubeTransport(kubeConfig);
  return new ObjectClient(transport, new Discovery(transport));
}

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** A Cluster with its TestCluster, as a user would apply them. */
export async function createCluster(
  client: ObjectClient,
  namespace: string,
  name: string,
  options: { paused?: boolean; kindPrefix?: 'Test' | 'Other'; labels?: Record<string, string> } = {},
): Promise<void> {
  const kind = `${options.kindPrefix ?? 'Test'}Cluster`;
  const cluster = (await client.create({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      ...(options.paused ? { paused: true } : {}),
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind, name },
    },
  })) as KubeObject;
  await client.create({
    apiVersion: INFRA,
    kind,
    metadata: {
      name,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': name, ...options.labels },
      ownerReferences: [
        {
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'Cluster',
          name,
          uid: cluster.metadata.uid as string,
        },
      ],
    },
    spec: {},
  });
}

/** A Machine with bootstrap data and its TestMachine, as Cluster API's controllers would leave them. */
export async function createMachine(
  client: ObjectClient,
  namespace: string,
  cluster: string,
  name: string,
  options: { bootstrapReady?: boolean; kindPrefix?: 'Test' | 'Other'; labels?: Record<string, string> } = {},
): Promise<void> {
  const kind = `${options.kindPrefix ?? 'Test'}Machine`;
  const secretName = `${name}-bootstrap`;
  if (options.bootstrapReady ?? true) {
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace },
      type: 'cluster.x-k8s.io/secret',
      data: {
        value: Buffer.from('#cloud-config\n').toString('base64'),
        format: Buffer.from('cloud-config').toString('base64'),
      },
    });
  }
  const machine = (await client.create({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Machine',
    metadata: { name, namespace, labels: { 'cluster.x-k8s.io/cluster-name': cluster, ...options.labels } },
    spec: {
      clusterName: cluster,
      bootstrap: options.bootstrapReady === false ? {} : { dataSecretName: secretName },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind, name },
    },
  })) as KubeObject;
  await client.create({
    apiVersion: INFRA,
    kind,
    metadata: {
      name,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': cluster, ...options.labels },
      ownerReferences: [
        {
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'Machine',
          name,
          uid: machine.metadata.uid as string,
        },
      ],
    },
    spec: {},
  });
}

export interface TestMachineObject extends KubeObject {
  spec: { providerID?: string; cpus?: number };
  status?: {
    ready?: boolean;
    initialization?: { provisioned?: boolean };
    createTaskId?: string;
    createRequestedAt?: string;
    addresses?: { type: string; address: string }[];
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export function getTestMachine(
  client: ObjectClient,
  namespace: string,
  name: string,
  kindPrefix: 'Test' | 'Other' = 'Test',
) {
  return client.get<TestMachineObject>({ apiVersion: INFRA, kind: `${kindPrefix}Machine`, name, namespace });
}
