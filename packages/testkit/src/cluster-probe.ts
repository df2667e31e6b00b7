import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { eventually } from './eventually.js';

// biome-ignore lint/suspicious/noExplicitAny: end-to-end tests read deep paths of objects the controllers wrote.
export type LooseObject = Record<string, any>;

/** A custom resource's group, version and plural. */
export type ResourceRef = readonly [group: string, version: string, plural: string];

const CAPI = 'cluster.x-k8s.io';
/** A Cluster API core resource (`machines`, `clusters`, ...), v1beta2 unless asked. */
export const capiResource = (plural: string, version = 'v1beta2'): ResourceRef => [CAPI, version, plural];
/** A provider's resource in the infrastructure group, v1beta1 (the version our providers serve). */
export const infraResource = (plural: string): ResourceRef => [
  'infrastructure.cluster.x-k8s.io',
  'v1beta1',
  plural,
];
const KCP: ResourceRef = ['controlplane.cluster.x-k8s.io', 'v1beta2', 'kubeadmcontrolplanes'];
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ClusterProbeOptions {
  /** The management cluster. */
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Cluster's name. */
  cluster: string;
  /** What a timed-out wait appends to its error: where the logs are, their tails. */
  diagnostics?: () => string;
}

/** The names a probe checks a cluster's rollout against; known once the manifests are written. */
export interface ClusterShape {
  /** The KubeadmControlPlane's name. */
  controlPlane: string;
  /** The worker MachineDeployment's name. */
  workerPool: string;
  /** Control plane replicas; 3 when left out. */
  controlPlaneReplicas?: number;
}

const isTrue = (object: LooseObject, type: string) =>
  (object.status?.conditions ?? []).some((c: LooseObject) => c.type === type && c.status === 'True');

/**
 * What an end-to-end test of one Cluster API cluster (real core, kubeadm bootstrap and control
 * plane controllers, a provider, a platform simulator and the workload-cluster simulator) reads and
 * waits for, whatever the provider: the cluster settled at a size and version, the workload
 * cluster's API, machine counts during a rollout, owner references put back, what the garbage
 * collector removes after the cluster. The provider's own checks stay in its suite.
 */
export class ClusterProbe {
  readonly api: CustomObjectsApi;
  readonly core: CoreV1Api;
  /** Set once the cluster's manifests are known (the rollout checks need the KCP and MD names). */
  shape: ClusterShape | undefined;

  constructor(private readonly options: ClusterProbeOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  get namespace(): string {
    return this.options.namespace;
  }

  get cluster(): string {
    return this.options.cluster;
  }

  async get([group, version, plural]: ResourceRef, name: string): Promise<LooseObject> {
    return (await this.api.getNamespacedCustomObject({
      group,
      version,
      namespace: this.namespace,
      plural,
      name,
    })) as LooseObject;
  }

  async list([group, version, plural]: ResourceRef, labelSelector?: string): Promise<LooseObject[]> {
    const answer = (await this.api.listNamespacedCustomObject({
      group,
      version,
      namespace: this.namespace,
      plural,
      ...(labelSelector ? { labelSelector } : {}),
    })) as { items: LooseObject[] };
    return answer.items;
  }

  async patch([group, version, plural]: ResourceRef, name: string, body: object): Promise<void> {
    await this.api.patchNamespacedCustomObject(
      { group, version, namespace: this.namespace, plural, name, body },
      MERGE,
    );
  }

  /** The cluster's Machines (v1beta2). */
  machines(): Promise<LooseObject[]> {
    return this.list([CAPI, 'v1beta2', 'machines'], `${CAPI}/cluster-name=${this.cluster}`);
  }

  /** `eventually` with a bound for slow, shared machines; a timeout carries the diagnostics. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined | false>, boundMs = 900_000): Promise<T> {
    return eventually(what, check, boundMs).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${this.options.diagnostics?.() ?? ''}`);
    });
  }

  private requireShape(): Required<ClusterShape> {
    if (!this.shape) throw new Error('ClusterProbe.shape is not set: the KCP and MachineDeployment names');
    return { controlPlaneReplicas: 3, ...this.shape };
  }

  /** Cluster Available, the control plane and workers at the wanted counts, every machine ready and on `version`. */
  async settled(workers: number, version: string): Promise<boolean> {
    const { controlPlane, workerPool, controlPlaneReplicas: cps } = this.requireShape();
    const cluster = await this.get([CAPI, 'v1beta2', 'clusters'], this.cluster);
    const kcp = await this.get(KCP, controlPlane);
    const md = await this.get([CAPI, 'v1beta2', 'machinedeployments'], workerPool);
    const machines = await this.machines();
    return (
      isTrue(cluster, 'Available') &&
      kcp.status?.readyReplicas === cps &&
      kcp.status?.upToDateReplicas === cps &&
      kcp.status?.replicas === cps &&
      md.status?.readyReplicas === workers &&
      md.status?.upToDateReplicas === workers &&
      md.status?.replicas === workers &&
      machines.length === cps + workers &&
      machines.every(
        (m) => m.spec.version === version && m.status?.nodeRef?.name && !m.metadata.deletionTimestamp,
      )
    );
  }

  /** Waits until the cluster is settled at `workers` on `version`, and prints how long that took after `started`. */
  async reachSettled(what: string, workers: number, version: string, started = Date.now()): Promise<number> {
    await this.waitFor(`${what}: Cluster Available, the control plane and ${workers} workers ready`, () =>
      this.settled(workers, version),
    );
    const ms = Date.now() - started;
    console.log(`${what}: ${(ms / 1000).toFixed(1)} s`);
    return ms;
  }

  /** Waits until the control plane has rolled out to `version` (the workers may still be on the old one). */
  async controlPlaneOn(version: string): Promise<void> {
    const { controlPlane, controlPlaneReplicas: cps } = this.requireShape();
    await this.waitFor(`control plane on ${version}`, async () => {
      const kcp = await this.get(KCP, controlPlane);
      const machines = await this.list(
        [CAPI, 'v1beta2', 'machines'],
        `${CAPI}/control-plane-name=${controlPlane}`,
      );
      return (
        kcp.status?.upToDateReplicas === cps &&
        kcp.status?.readyReplicas === cps &&
        machines.length === cps &&
        machines.every((m) => m.spec.version === version && m.status?.nodeRef)
      );
    });
  }

  /** A client of the workload cluster, from the kubeconfig Secret the control plane provider wrote. */
  async workloadApi(): Promise<CoreV1Api> {
    const secret = await this.core.readNamespacedSecret({
      namespace: this.namespace,
      name: `${this.cluster}-kubeconfig`,
    });
    const workload = new KubeConfig();
    workload.loadFromString(Buffer.from(secret.data?.value ?? '', 'base64').toString());
    return workload.makeApiClient(CoreV1Api);
  }

  /**
   * Samples the cluster's Machines until `stop`, which answers the most control plane and worker
   * Machines seen at once: with maxSurge 0 a rollout never has more than the wanted counts.
   */
  watchMachineCounts(): { stop(): Promise<{ cp: number; worker: number }> } {
    const most = { cp: 0, worker: 0 };
    let watching = true;
    const sampling = (async () => {
      while (watching) {
        const machines = await this.machines().catch(() => []);
        const cp = machines.filter((m) => m.metadata.labels?.[`${CAPI}/control-plane`] !== undefined).length;
        most.cp = Math.max(most.cp, cp);
        most.worker = Math.max(most.worker, machines.length - cp);
        await sleep(200);
      }
    })();
    return {
      stop: async () => {
        watching = false;
        await sampling;
        return { ...most };
      },
    };
  }

  /**
   * In the spirit of Cluster API's own e2e (owner references and finalizers resilience): strips
   * the owner references and finalizers of the Machines, KubeadmConfigs and the provider's
   * `infraKinds`, waits until the controllers that own them have put back exactly what was there
   * and the cluster is settled again, and answers the platform's ids (`platformIds`: servers, VMs)
   * before and after, which must not have changed.
   */
  async ownershipResilience(options: {
    infraKinds: readonly ResourceRef[];
    workers: number;
    version: string;
    platformIds: () => string[];
  }): Promise<{ before: string[]; after: string[] }> {
    const targets: ResourceRef[] = [
      ...options.infraKinds,
      ['bootstrap.cluster.x-k8s.io', 'v1beta2', 'kubeadmconfigs'],
      [CAPI, 'v1beta2', 'machines'],
    ];
    const platformBefore = options.platformIds().sort();
    const snapshot = async () => {
      const seen = new Map<string, string>();
      for (const target of targets)
        for (const o of await this.list(target))
          seen.set(
            `${target[2]}/${o.metadata.name}`,
            JSON.stringify({
              owners: (o.metadata.ownerReferences ?? [])
                .map((r: LooseObject) => `${r.kind}/${r.name}`)
                .sort(),
              finalizers: [...(o.metadata.finalizers ?? [])].sort(),
            }),
          );
      return seen;
    };
    const before = await snapshot();
    const unowned = [...before].filter(([, seen]) => JSON.parse(seen).owners.length === 0);
    if (unowned.length > 0)
      throw new Error(`objects without owners: ${unowned.map(([key]) => key).join(', ')}`);
    for (const target of targets)
      for (const o of await this.list(target))
        await this.patch(target, o.metadata.name, { metadata: { ownerReferences: null, finalizers: null } });
    await this.waitFor('owner references and finalizers back', async () => {
      const now = await snapshot();
      return [...before].every(([key, want]) => now.get(key) === want);
    });
    await this.waitFor('cluster still settled', () => this.settled(options.workers, options.version));
    return { before: platformBefore, after: options.platformIds().sort() };
  }

  /**
   * Upgrades as an operator does (the v1beta1 objects the documentation shows): the control plane
   * to `version` on `controlPlaneTemplate`, waits until it has rolled out, then the workers on
   * `workerTemplate`, and waits until the cluster is settled at `workers`. Answers the most
   * Machines seen at once (with maxSurge 0, never more than wanted) and how long each part took,
   * which it prints (numbers for the README, not assertions).
   */
  async upgrade(options: {
    version: string;
    templateKind: string;
    controlPlaneTemplate: string;
    workerTemplate: string;
    workers: number;
  }): Promise<{ most: { cp: number; worker: number }; controlPlaneMs: number; totalMs: number }> {
    const { controlPlane, workerPool } = this.requireShape();
    const infrastructureRef = (name: string) => ({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: options.templateKind,
      name,
    });
    const counts = this.watchMachineCounts();
    const started = Date.now();
    await this.patch(['controlplane.cluster.x-k8s.io', 'v1beta1', 'kubeadmcontrolplanes'], controlPlane, {
      spec: {
        version: options.version,
        machineTemplate: { infrastructureRef: infrastructureRef(options.controlPlaneTemplate) },
      },
    });
    await this.controlPlaneOn(options.version);
    const controlPlaneMs = Date.now() - started;
    await this.patch([CAPI, 'v1beta1', 'machinedeployments'], workerPool, {
      spec: {
        template: {
          spec: { version: options.version, infrastructureRef: infrastructureRef(options.workerTemplate) },
        },
      },
    });
    await this.waitFor('every machine on the new version', () =>
      this.settled(options.workers, options.version),
    );
    const totalMs = Date.now() - started;
    const most = await counts.stop();
    console.log(
      `upgrade: ${(totalMs / 1000).toFixed(1)} s (control plane ${(controlPlaneMs / 1000).toFixed(1)} s)`,
    );
    return { most, controlPlaneMs, totalMs };
  }

  /** Deletes the Cluster, waits until it is gone and prints how long that took. */
  async deleteCluster(): Promise<number> {
    const started = Date.now();
    await this.api.deleteNamespacedCustomObject({
      group: CAPI,
      version: 'v1beta2',
      namespace: this.namespace,
      plural: 'clusters',
      name: this.cluster,
    });
    await this.waitFor('Cluster gone', async () =>
      (await this.list([CAPI, 'v1beta2', 'clusters'])).every((c) => c.metadata.name !== this.cluster),
    );
    const ms = Date.now() - started;
    console.log(`delete: ${(ms / 1000).toFixed(1)} s`);
    return ms;
  }

  /**
   * Waits until the management cluster's garbage collector has removed what Cluster API leaves to
   * owner references after the cluster: the certificate, kubeconfig and bootstrap Secrets, and the
   * infrastructure machine templates (`infraTemplates`) and KubeadmConfigTemplates the Cluster owned.
   */
  async awaitGarbageCollected(infraTemplates: ResourceRef): Promise<void> {
    const ownedByCluster = (o: LooseObject) =>
      (o.metadata.ownerReferences ?? []).some(
        (r: LooseObject) => r.kind === 'Cluster' && r.name === this.cluster,
      );
    const names = (objects: LooseObject[]) =>
      objects.filter(ownedByCluster).map((o) => `${o.kind}/${o.metadata.name}`);
    await this.waitFor('the garbage collector to remove what the cluster owned', async () => {
      const secrets = await this.core.listNamespacedSecret({
        namespace: this.namespace,
        labelSelector: `${CAPI}/cluster-name=${this.cluster}`,
      });
      const left = [
        ...secrets.items.map((secret) => `Secret/${secret.metadata?.name}`),
        ...names(await this.list(infraTemplates)),
        ...names(await this.list(['bootstrap.cluster.x-k8s.io', 'v1beta2', 'kubeadmconfigtemplates'])),
      ];
      if (left.length > 0) throw new Error(`still there: ${left.join(', ')}`);
      return true;
    });
  }

  /**
   * Where a credential value appears (issue 15 item 6): each `forms` value (the key, its
   * encodings, tokens) looked for in each of `places` (log files read by the caller), every Event
   * of the namespace, and the status of every object of `statusOf`. Each hit names the form and the place.
   */
  async credentialLeaks(
    forms: Record<string, string>,
    places: Record<string, string>,
    statusOf: readonly ResourceRef[],
  ): Promise<string[]> {
    const texts: Record<string, string> = { ...places };
    const events = await this.core.listNamespacedEvent({ namespace: this.namespace });
    for (const event of events.items)
      texts[`Event ${event.reason} on ${event.involvedObject.kind}/${event.involvedObject.name}`] =
        event.message ?? '';
    for (const target of statusOf)
      for (const object of await this.list(target))
        texts[`${object.kind}/${object.metadata.name} status`] = JSON.stringify(object.status ?? {});
    const hits: string[] = [];
    for (const [place, text] of Object.entries(texts))
      for (const [form, value] of Object.entries(forms))
        if (text.includes(value)) hits.push(`${form} in ${place}`);
    return hits;
  }
}
