import { EventEmitter } from 'node:events';
import {
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import { type ClusterObjects, type ClusterRow, clusterRow, type KubeItem } from './cluster-rows.js';

const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

const WATCHED = {
  clusters: { group: 'cluster.x-k8s.io', version: 'v1beta2', plural: 'clusters' },
  machines: { group: 'cluster.x-k8s.io', version: 'v1beta2', plural: 'machines' },
  machinedeployments: { group: 'cluster.x-k8s.io', version: 'v1beta2', plural: 'machinedeployments' },
  kubeadmcontrolplanes: {
    group: 'controlplane.cluster.x-k8s.io',
    version: 'v1beta2',
    plural: 'kubeadmcontrolplanes',
  },
} as const;
type Watched = keyof typeof WATCHED;

/**
 * What the caches list and watch with the server's own identity (every other request goes as the
 * signed-in user): the server's ServiceAccount needs get, list and watch on these, and no more.
 */
export const CACHED_RESOURCES: readonly { group: string; version: string; plural: string }[] =
  Object.values(WATCHED);

export interface ClusterChange {
  type: 'upsert' | 'delete';
  namespace: string;
  name: string;
  row?: ClusterRow;
}

/**
 * Watch-fed caches of every cluster's objects (fed with the server's own
 * identity) and a row per cluster kept current as objects change, so a list
 * request reads memory instead of the API server. Emits `change` per cluster.
 */
export class ClusterCache extends EventEmitter<{ change: [ClusterChange] }> {
  private readonly informers = new Map<Watched, Informer<KubernetesObject> & ObjectCache<KubernetesObject>>();
  private readonly rows = new Map<string, ClusterRow>();
  // Machines and MachineDeployments by "namespace/cluster", so a change re-reads one cluster's objects
  // instead of scanning every machine of the fleet.
  private readonly members = new Map<string, Map<string, KubeItem>>();
  private synced = false;

  constructor(private readonly kubeConfig: KubeConfig) {
    super();
  }

  async start(): Promise<void> {
    const api = this.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const [name, resource] of Object.entries(WATCHED) as [Watched, (typeof WATCHED)[Watched]][]) {
      const informer = makeInformer<KubernetesObject>(
        this.kubeConfig,
        `/apis/${resource.group}/${resource.version}/${resource.plural}`,
        () => api.listClusterCustomObject(resource) as Promise<KubernetesListObject<KubernetesObject>>,
      );
      for (const verb of ['add', 'update', 'delete'] as const) {
        informer.on(verb, (object) => this.touched(name, object as unknown as KubeItem, verb === 'delete'));
      }
      // A dropped watch restarts itself; the informer relists, so the rows heal.
      informer.on('error', () => setTimeout(() => void informer.start().catch(() => {}), 1_000));
      this.informers.set(name, informer);
    }
    await Promise.all([...this.informers.values()].map((informer) => informer.start()));
    for (const kind of ['machines', 'machinedeployments'] as const) {
      for (const item of this.list(kind)) this.index(kind, item, false);
    }
    this.synced = true;
    for (const cluster of this.list('clusters'))
      this.refresh(cluster.metadata.namespace ?? '', cluster.metadata.name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  get ready(): boolean {
    return this.synced;
  }

  allRows(): Iterable<ClusterRow> {
    return this.rows.values();
  }

  row(namespace: string, name: string): ClusterRow | undefined {
    return this.rows.get(`${namespace}/${name}`);
  }

  /** The cluster and every object of it in the caches. */
  objects(namespace: string, name: string): ClusterObjects | undefined {
    const cluster = this.get('clusters', namespace, name);
    if (!cluster) return undefined;
    const ofCluster = (kind: Watched) => [
      ...(this.members.get(`${kind}|${namespace}/${name}`)?.values() ?? []),
    ];
    const controlPlaneRef = cluster.spec?.controlPlaneRef as { name?: string } | undefined;
    const controlPlane = controlPlaneRef?.name
      ? this.get('kubeadmcontrolplanes', namespace, controlPlaneRef.name)
      : undefined;
    return {
      cluster,
      ...(controlPlane ? { controlPlane } : {}),
      machineDeployments: ofCluster('machinedeployments'),
      machines: ofCluster('machines'),
    };
  }

  private get(kind: Watched, namespace: string, name: string): KubeItem | undefined {
    return this.informers.get(kind)?.get(name, namespace) as unknown as KubeItem | undefined;
  }

  private list(kind: Watched): KubeItem[] {
    return (this.informers.get(kind)?.list() ?? []) as unknown as KubeItem[];
  }

  private index(kind: Watched, object: KubeItem, deleted: boolean): void {
    const cluster = object.metadata.labels?.[CLUSTER_NAME_LABEL];
    if (!cluster) return;
    const key = `${kind}|${object.metadata.namespace ?? ''}/${cluster}`;
    const id = object.metadata.uid ?? object.metadata.name;
    if (deleted) {
      this.members.get(key)?.delete(id);
      return;
    }
    let group = this.members.get(key);
    if (!group) {
      group = new Map();
      this.members.set(key, group);
    }
    group.set(id, object);
  }

  private touched(kind: Watched, object: KubeItem, deleted: boolean): void {
    if (!this.synced) return;
    if (kind === 'machines' || kind === 'machinedeployments') this.index(kind, object, deleted);
    const namespace = object.metadata.namespace ?? '';
    const clusterName =
      kind === 'clusters'
        ? object.metadata.name
        : (object.metadata.labels?.[CLUSTER_NAME_LABEL] ??
          // A KubeadmControlPlane may lack the label; find the cluster that points at it.
          this.list('clusters').find(
            (c) =>
              c.metadata.namespace === namespace &&
              (c.spec?.controlPlaneRef as { name?: string } | undefined)?.name === object.metadata.name,
          )?.metadata.name);
    if (!clusterName) return;
    if (kind === 'clusters' && deleted) {
      this.rows.delete(`${namespace}/${clusterName}`);
      this.emit('change', { type: 'delete', namespace, name: clusterName });
      return;
    }
    this.refresh(namespace, clusterName);
  }

  private refresh(namespace: string, name: string): void {
    const objects = this.objects(namespace, name);
    if (!objects) return;
    const row = clusterRow(objects);
    this.rows.set(`${namespace}/${name}`, row);
    this.emit('change', { type: 'upsert', namespace, name, row });
  }
}
