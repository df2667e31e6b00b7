import { isDeepStrictEqual } from 'node:util';
import {
  CAPI_GROUP,
  CLUSTER_NAME_LABEL,
  type KindDefinition,
  type Provider,
  storageApiVersion,
  type WatchedObject,
} from '@immutable-infra/core';
import type { Informer } from '../informer/informer.js';
import type { InformerFactory } from '../informer/informer-factory.js';
import type { KubeObject } from '../kube/object-client.js';
import { WorkQueue } from '../queue/work-queue.js';
import { OwnFinalizerRemovals, OwnStatusWrites } from './own-writes.js';
import { createReconciler, type HostServices, type ObjectCache, type RoleHooks } from './reconciler.js';
import { StepBackoff, type StepBackoffOptions } from './step-backoff.js';

export interface ControllerOptions {
  /** Keys reconciled at once, per kind. */
  concurrency: number;
  onReconcileError?: (kind: string, key: string, error: unknown, retryInMs: number) => void;
  onReconcile?: (kind: string, durationMs: number, outcome: 'success' | 'error') => void;
  /** Back-off after classified platform failures (defaults: 2 s doubling to 5 min). */
  stepBackoff?: StepBackoffOptions;
}

export interface RunningController {
  kind: string;
  queue: WorkQueue;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Wires one provider's kinds to informers and work queues: each kind's own
 * events, plus the Cluster API objects that own them (a Machine getting its
 * bootstrap data, a Cluster being unpaused) and the kinds the provider watches
 * without owning them (`watches`) wake the right objects up.
 */
export async function startProviderControllers(
  provider: Provider,
  services: HostServices,
  informers: InformerFactory,
  options: ControllerOptions,
): Promise<RunningController[]> {
  const roles: { kind: KindDefinition; role: RoleHooks }[] = [
    { kind: provider.infraCluster.kind, role: { role: 'InfraCluster', hooks: provider.infraCluster } },
    { kind: provider.infraMachine.kind, role: { role: 'InfraMachine', hooks: provider.infraMachine } },
    ...(provider.extraKinds ?? []).map((hooks) => ({
      kind: hooks.kind,
      role: { role: 'Other' as const, hooks },
    })),
  ];
  // The informers whose caches answer the reconcilers' owner, cluster and InfraCluster lookups.
  const cached = new Map<string, Informer>();
  const cache: ObjectCache = {
    get: (apiVersion, kind, namespace, name) => cached.get(`${apiVersion}/${kind}`)?.get(namespace, name),
  };
  const machines = await informers.informer(`${CAPI_GROUP}/v1beta2`, 'Machine');
  const clusters = await informers.informer(`${CAPI_GROUP}/v1beta2`, 'Cluster');
  cached.set(`${CAPI_GROUP}/v1beta2/Machine`, machines);
  cached.set(`${CAPI_GROUP}/v1beta2/Cluster`, clusters);
  const hostServices = { ...services, infraClusterKind: provider.infraCluster.kind, cache };
  const controllers: RunningController[] = [];
  const queues = new Map<string, WorkQueue>();

  for (const { kind, role } of roles) {
    // Per kind: keys are namespace/name, which objects of two kinds can share (a cluster and its
    // IP pool are often named alike).
    const ownWrites = new OwnStatusWrites();
    const finalizerRemovals = new OwnFinalizerRemovals(services.finalizer);
    const reconcile = createReconciler(
      { ...hostServices, backoff: new StepBackoff(options.stepBackoff), ownWrites, finalizerRemovals },
      kind,
      role,
    );
    const queue = new WorkQueue(
      { concurrency: options.concurrency },
      async (key) => {
        const started = performance.now();
        try {
          const outcome = await reconcile(key);
          options.onReconcile?.(kind.kind, performance.now() - started, 'success');
          return outcome;
        } catch (error) {
          options.onReconcile?.(kind.kind, performance.now() - started, 'error');
          throw error;
        }
      },
      (key, error, retryInMs) => options.onReconcileError?.(kind.kind, key, error, retryInMs),
    );
    queues.set(kind.kind, queue);
    // Paths follow the scope the API server serves (a cluster-scoped kind has no namespace in its
    // watch, status or finalizer paths, even for a manager of one namespace); a CRD installed with
    // another scope than the provider declares would make every key wrong, so it stops the start.
    const served = await services.client.discovery.resource(storageApiVersion(kind), kind.kind);
    if (served.namespaced !== (kind.scope === 'Namespaced'))
      throw new Error(
        `${kind.kind} is declared ${kind.scope === 'Namespaced' ? 'namespaced' : 'cluster-scoped'} but the API server serves it ${served.namespaced ? 'namespaced' : 'cluster-scoped'}: reinstall the provider's CRDs`,
      );
    const informer = await informers.informer(storageApiVersion(kind), kind.kind);
    // Every kind's own informer: the InfraCluster's answers machines' lookups, and each kind's
    // answers its own reconciles' first read.
    cached.set(`${storageApiVersion(kind)}/${kind.kind}`, informer);
    informer.addHandlers({
      onAdd: (o) => queue.add(keyOf(o)),
      onUpdate: (previous, o) => {
        finalizerRemovals.observed(keyOf(o), o);
        // The reconcile that wrote this status already saw everything else of the object.
        if (ownWrites.isOwnWrite(keyOf(o), previous, o)) return;
        queue.add(keyOf(o));
      },
      onDelete: (o) => {
        finalizerRemovals.forget(keyOf(o));
        queue.add(keyOf(o));
      },
    });
    controllers.push({ kind: kind.kind, queue });
  }

  const machineQueue = queues.get(provider.infraMachine.kind.kind);
  const clusterQueue = queues.get(provider.infraCluster.kind.kind);

  // A Machine change (bootstrap data ready, deletion) wakes its infrastructure machine.
  const wakeInfraMachine = (machine: KubeObject) => {
    const ref = (machine.spec as { infrastructureRef?: { kind: string; name: string } } | undefined)
      ?.infrastructureRef;
    if (ref && ref.kind === provider.infraMachine.kind.kind) {
      machineQueue?.add(`${machine.metadata.namespace ?? ''}/${ref.name}`);
    }
  };
  machines.addHandlers({
    onAdd: wakeInfraMachine,
    onUpdate: (previous, m) => {
      if (changedBesidesConditions(previous, m)) wakeInfraMachine(m);
    },
  });

  // A Cluster change (unpaused, endpoint set) wakes every provider object of that cluster.
  const wakeCluster = async (cluster: KubeObject) => {
    const ref = (cluster.spec as { infrastructureRef?: { kind: string; name: string } } | undefined)
      ?.infrastructureRef;
    if (ref && ref.kind === provider.infraCluster.kind.kind) {
      clusterQueue?.add(`${cluster.metadata.namespace ?? ''}/${ref.name}`);
    }
    const machineInformer = await informers.informer(
      storageApiVersion(provider.infraMachine.kind),
      provider.infraMachine.kind.kind,
    );
    for (const infraMachine of machineInformer.list()) {
      const labels = infraMachine.metadata.labels as Record<string, string> | undefined;
      if (
        infraMachine.metadata.namespace === cluster.metadata.namespace &&
        labels?.[CLUSTER_NAME_LABEL] === cluster.metadata.name
      ) {
        machineQueue?.add(keyOf(infraMachine));
      }
    }
  };
  // A change to a kind the provider only reads (a host inventory) wakes the objects it names.
  const ownInformers = new Map<string, Informer>();
  for (const { kind } of roles) {
    const informer = cached.get(`${storageApiVersion(kind)}/${kind.kind}`);
    if (informer) ownInformers.set(kind.kind, informer);
  }
  const own = {
    list: (kind: string, namespace: string) =>
      (ownInformers.get(kind)?.list() ?? []).filter(
        (o) => (o.metadata.namespace ?? '') === namespace,
      ) as unknown as WatchedObject[],
  };
  for (const watched of provider.watches ?? []) {
    const informer = await informers.informer(watched.apiVersion, watched.kind, { everyObject: true });
    const wake = (object: KubeObject) => {
      for (const key of watched.concerns(object as unknown as WatchedObject, own)) {
        // Only objects this manager holds: under a watch filter, another shard's are not its own.
        if (!ownInformers.get(key.kind)?.get(key.namespace, key.name)) continue;
        queues.get(key.kind)?.add(`${key.namespace}/${key.name}`);
      }
    };
    informer.addHandlers({
      onAdd: wake,
      onUpdate: (previous, o) => {
        wake(previous);
        wake(o);
      },
      onDelete: wake,
    });
  }

  clusters.addHandlers({
    onAdd: (c) => void wakeCluster(c),
    onUpdate: (previous, c) => {
      const changed = (o: KubeObject) => JSON.stringify([o.spec, o.metadata.annotations]);
      if (changed(previous) !== changed(c)) {
        void wakeCluster(c);
      }
    },
  });
  return controllers;
}

/**
 * Whether a Machine changed in more than its conditions. Cluster API mirrors each change of the
 * infrastructure machine's Ready condition into the Machine's conditions, so without this every
 * status write of ours would wake the very object that wrote it; no hook decides on a Machine's
 * conditions (they read its spec, labels, annotations, deletion and status such as `nodeRef`).
 */
function changedBesidesConditions(previous: KubeObject, next: KubeObject): boolean {
  return !isDeepStrictEqual(withoutConditions(previous), withoutConditions(next));
}

function withoutConditions(object: KubeObject): unknown {
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    generation: _g,
    ...metadata
  } = object.metadata as Record<string, unknown>;
  const {
    conditions: _c,
    deprecated: _d,
    observedGeneration: _og,
    lastUpdated: _lu,
    ...status
  } = (object.status ?? {}) as Record<string, unknown>;
  return { metadata, spec: object.spec, status };
}
