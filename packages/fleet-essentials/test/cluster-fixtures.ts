import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

/** Cluster API objects of one cluster as the real controllers would leave them, statuses included. */
export async function createCapiCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  shape: {
    version: string;
    controlPlane: [number, number];
    workers: [number, number];
    phase: string;
    provider?: string;
  },
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const label = { 'cluster.x-k8s.io/cluster-name': name };
  const infraKind = `${(shape.provider ?? 'dcs').toUpperCase()}Cluster`;
  await objects.create({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace, labels: label },
    spec: {
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: `${name}-cp`,
      },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: infraKind, name },
    },
  } as never);
  const now = new Date().toISOString();
  const initialized = shape.controlPlane[0] > 0;
  await setStatus(kubeConfig, 'cluster.x-k8s.io', 'clusters', namespace, name, {
    phase: shape.phase,
    conditions: [
      { type: 'InfrastructureReady', status: 'True', reason: 'Ready', message: '', lastTransitionTime: now },
      {
        type: 'ControlPlaneInitialized',
        status: initialized ? 'True' : 'False',
        reason: initialized ? 'Initialized' : 'WaitingForControlPlane',
        message: initialized ? '' : `waiting for KubeadmControlPlane ${name}-cp to initialize`,
        lastTransitionTime: now,
      },
    ],
  });
  await objects.create({
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: `${name}-cp`, namespace, labels: label },
    spec: {
      replicas: shape.controlPlane[1],
      version: shape.version,
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSMachineTemplate',
            name: `${name}-cp`,
          },
        },
      },
      kubeadmConfigSpec: { format: 'cloud-config' },
    },
  } as never);
  await setStatus(
    kubeConfig,
    'controlplane.cluster.x-k8s.io',
    'kubeadmcontrolplanes',
    namespace,
    `${name}-cp`,
    {
      readyReplicas: shape.controlPlane[0],
      replicas: shape.controlPlane[1],
    },
  );
  await objects.create({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'MachineDeployment',
    metadata: { name: `${name}-workers`, namespace, labels: label },
    spec: {
      clusterName: name,
      replicas: shape.workers[1],
      selector: { matchLabels: { pool: `${name}-workers` } },
      template: {
        metadata: { labels: { pool: `${name}-workers` } },
        spec: {
          clusterName: name,
          version: shape.version,
          bootstrap: { dataSecretName: 'unused' },
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSMachineTemplate',
            name: `${name}-w`,
          },
        },
      },
    },
  } as never);
  await setStatus(kubeConfig, 'cluster.x-k8s.io', 'machinedeployments', namespace, `${name}-workers`, {
    readyReplicas: shape.workers[0],
    replicas: shape.workers[1],
  });
}

export async function setStatus(
  kubeConfig: KubeConfig,
  group: string,
  plural: string,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = { group, version: 'v1beta2', namespace, plural, name };
  const current = (await custom.getNamespacedCustomObject(target)) as Record<string, unknown>;
  await custom.replaceNamespacedCustomObjectStatus({ ...target, body: { ...current, status } });
}

/** An Event a controller would write about one of a cluster's objects (message "<reason> on <object>"). */
export interface EventFixture {
  name: string;
  kind: string;
  object: string;
  reason: string;
  type: 'Normal' | 'Warning';
  at: string;
}

export async function createEvents(
  kubeConfig: KubeConfig,
  namespace: string,
  events: readonly EventFixture[],
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const e of events) {
    await objects.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: e.name, namespace },
      involvedObject: { kind: e.kind, name: e.object, namespace },
      reason: e.reason,
      message: `${e.reason} on ${e.object}`,
      type: e.type,
      firstTimestamp: e.at,
      lastTimestamp: e.at,
      count: 1,
      source: { component: 'iinfra-manager' },
    } as never);
  }
}
