import { isDeepStrictEqual } from 'node:util';
import {
  type BootstrapData,
  BootstrapFormatSchema,
  CAPI_GROUP,
  CLUSTER_NAME_LABEL,
  type Clock,
  type ClusterV1Beta2,
  type Condition,
  type ConditionInput,
  type ExtraKindHooks,
  falseCondition,
  getCondition,
  type HostContext,
  type InfraClusterHooks,
  type InfraMachineHooks,
  isPaused,
  type KindDefinition,
  type Logger,
  type MachineV1Beta2,
  type PlatformCallRecorder,
  type SecretReader,
  type StepResult,
  setCondition,
  storageApiVersion,
  trueCondition,
} from '@immutable-infra/core';
import { type KubeObject, type ObjectClient, refOf } from '../kube/object-client.js';
import type { WorkOutcome } from '../queue/work-queue.js';
import { eventRecorderFor } from './events.js';
import { hasFinalizer, setFinalizer } from './finalizers.js';
import { writeStatus } from './status-writer.js';

export interface HostServices {
  client: ObjectClient;
  log: Logger & { child(fields: Record<string, unknown>): Logger };
  clock: Clock;
  secrets: SecretReader;
  platformCalls: PlatformCallRecorder;
  signal: AbortSignal;
  finalizer: string;
  /** The provider's InfraCluster kind, to hand machines their cluster's infrastructure object. */
  infraClusterKind?: KindDefinition;
}

export type RoleHooks =
  | { role: 'InfraCluster'; hooks: InfraClusterHooks<KindDefinition> }
  | { role: 'InfraMachine'; hooks: InfraMachineHooks<KindDefinition> }
  | { role: 'Other'; hooks: ExtraKindHooks<KindDefinition> };

type Status = Record<string, unknown> & { conditions?: Condition[] };

/** Waiting is not an error: the object's condition says why and a watch event wakes us up. */
interface Waiting {
  reason: string;
  message: string;
  requeueAfterMs?: number;
}

interface Owners {
  cluster?: ClusterV1Beta2;
  machine?: MachineV1Beta2;
  waiting?: Waiting;
}

const READY = 'Ready';
const PAUSED = 'Paused';

/** The host's reconcile of one object of a provider kind: all the Cluster API bookkeeping around the hooks. */
export function createReconciler(services: HostServices, kind: KindDefinition, role: RoleHooks) {
  const apiVersion = storageApiVersion(kind);

  return async function reconcile(key: string): Promise<WorkOutcome> {
    const [namespace, name] = splitKey(key);
    const ref = { apiVersion, kind: kind.kind, name, ...(namespace ? { namespace } : {}) };
    let object = await services.client.get<KubeObject>(ref);
    if (!object) return undefined;
    const log = services.log.child({ kind: kind.kind, namespace, name });
    const deleting = object.metadata.deletionTimestamp !== undefined;

    const owners = await findOwners(services, role.role, object);
    const status: Status = structuredClone((object.status as Status | undefined) ?? {});
    const setCond = (input: ConditionInput) => {
      status.conditions = setCondition(status.conditions, input, services.clock.now());
    };
    const original: Status = structuredClone(status);
    const finish = async (outcome: WorkOutcome): Promise<WorkOutcome> => {
      // Only the fields this reconcile changed are re-applied on a conflict, so
      // another writer's change to any other field (e.g. a pool's slot claims) survives.
      const changes = changedFields(original, status);
      object = await writeStatus(services.client, object as KubeObject, (current) =>
        applyChanges(current, changes),
      );
      return outcome;
    };

    if (owners.waiting && !deleting) {
      setCond(falseCondition(READY, owners.waiting.reason, owners.waiting.message));
      return finish(
        owners.waiting.requeueAfterMs !== undefined
          ? { requeueAfterMs: owners.waiting.requeueAfterMs }
          : undefined,
      );
    }
    if (isPaused(owners.cluster, object as { metadata?: { annotations?: Record<string, string> } })) {
      setCond(trueCondition(PAUSED, 'Paused', 'reconciliation is paused by the Cluster or the object'));
      log.info('paused');
      return finish(undefined);
    }
    if (getCondition(status.conditions, PAUSED))
      setCond({ type: PAUSED, status: 'False', reason: 'NotPaused' });

    // Finalizer before any side effect, so a crash can never orphan platform resources.
    if (!deleting && !hasFinalizer(object, services.finalizer)) {
      object = await setFinalizer(services.client, object, services.finalizer, true);
    }
    if (deleting && !hasFinalizer(object, services.finalizer)) return undefined;

    const events = eventRecorderFor(services.client, object, log);
    const host: HostContext = {
      kube: services.client,
      log,
      events,
      secrets: services.secrets,
      clock: services.clock,
      platformCalls: services.platformCalls,
      signal: services.signal,
    };
    const draft = {
      status: status as Record<string, unknown>,
      setCondition: setCond,
      getCondition: (type: string) => getCondition(status.conditions, type),
    };

    let context: Record<string, unknown>;
    if (role.role === 'InfraMachine') {
      const machine = owners.machine as MachineV1Beta2;
      const dataSecretName = machine.spec.bootstrap.dataSecretName;
      if (!deleting && !dataSecretName) {
        setCond(
          falseCondition(READY, 'WaitingForBootstrapData', 'the Machine has no bootstrap data secret yet'),
        );
        return finish(undefined);
      }
      context = {
        ...host,
        ...draft,
        object,
        machine,
        cluster: owners.cluster,
        infraCluster: await findInfraCluster(services, owners.cluster),
        isControlPlane: machine.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined,
        bootstrapData: () => readBootstrapData(services, machine, dataSecretName),
      };
    } else if (role.role === 'InfraCluster') {
      context = { ...host, ...draft, object, cluster: owners.cluster };
    } else {
      context = { ...host, ...draft, object };
    }

    try {
      if (deleting) {
        const hooks = role.hooks as { delete?: (c: never) => Promise<StepResult> };
        const result = hooks.delete ? await hooks.delete(context as never) : { type: 'done' as const };
        if (result.type === 'done') {
          await finish(undefined);
          await setFinalizer(services.client, object, services.finalizer, false);
          events.normal('Deleted', `${kind.kind} ${name}: platform resources released`);
          return undefined;
        }
        return finish(applyStepResult(result, setCond, status, 'Deleting'));
      }

      const result = await (role.hooks.reconcile as (c: never) => Promise<{ type: string }>)(
        context as never,
      );
      if (result.type === 'provisioned') {
        object = await applyProvisioned(services, role.role, object, result as never, status);
        setCond(trueCondition(READY, 'Provisioned'));
        delete status.failureReason;
        delete status.failureMessage;
        const wasReady = (object.status as Status | undefined)?.ready === true;
        if (!wasReady && role.role !== 'Other')
          events.normal('Provisioned', `${kind.kind} ${name} is provisioned`);
        const recheck = (result as { recheckAfterMs?: number }).recheckAfterMs;
        return finish(recheck !== undefined ? { requeueAfterMs: recheck } : undefined);
      }
      return finish(applyStepResult(result as StepResult, setCond, status, 'Provisioning'));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setCond(falseCondition(READY, deleting ? 'DeleteError' : 'ReconcileError', message, 'Warning'));
      log.warn('reconcile failed', { error: message });
      await finish(undefined).catch(() => undefined);
      throw error;
    }
  };
}

type FieldChanges = { set: Record<string, unknown>; removed: string[] };

function changedFields(before: Status, after: Status): FieldChanges {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (!isDeepStrictEqual(before[key], value)) set[key] = value;
  }
  const removed = Object.keys(before).filter((key) => !(key in after));
  return { set, removed };
}

function applyChanges(current: Record<string, unknown>, changes: FieldChanges): Record<string, unknown> {
  const next = { ...current, ...structuredClone(changes.set) };
  for (const key of changes.removed) delete next[key];
  return next;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

function applyStepResult(
  result: StepResult,
  setCond: (input: ConditionInput) => void,
  status: Status,
  phase: string,
): WorkOutcome {
  if (result.type === 'requeue') {
    setCond(falseCondition(READY, phase, result.reason));
    return { requeueAfterMs: result.afterMs };
  }
  if (result.type === 'failed') {
    status.failureReason = result.reason;
    status.failureMessage = result.message;
    setCond(falseCondition(READY, result.reason, result.message, 'Error'));
  }
  if (result.type === 'done' && result.recheckAfterMs !== undefined)
    return { requeueAfterMs: result.recheckAfterMs };
  return undefined;
}

async function findOwners(
  services: HostServices,
  role: RoleHooks['role'],
  object: KubeObject,
): Promise<Owners> {
  if (role === 'Other') return {};
  const namespace = object.metadata.namespace;
  const owners =
    (object.metadata.ownerReferences as { apiVersion: string; kind: string; name: string }[]) ?? [];
  const ownerKind = role === 'InfraMachine' ? 'Machine' : 'Cluster';
  const owner = owners.find((o) => o.kind === ownerKind && o.apiVersion.startsWith(`${CAPI_GROUP}/`));
  if (!owner) {
    return { waiting: { reason: `WaitingFor${ownerKind}`, message: `no ${ownerKind} owns this object yet` } };
  }
  const get = <T>(kind: string, name: string) =>
    services.client.get<T>({ apiVersion: `${CAPI_GROUP}/v1beta2`, kind, name, namespace });
  if (role === 'InfraCluster') {
    const cluster = await get<ClusterV1Beta2>('Cluster', owner.name);
    return cluster
      ? { cluster }
      : {
          waiting: {
            reason: 'WaitingForCluster',
            message: `Cluster ${owner.name} not found`,
            requeueAfterMs: 10_000,
          },
        };
  }
  const machine = await get<MachineV1Beta2>('Machine', owner.name);
  if (!machine) {
    return {
      waiting: {
        reason: 'WaitingForMachine',
        message: `Machine ${owner.name} not found`,
        requeueAfterMs: 10_000,
      },
    };
  }
  const clusterName =
    (object.metadata.labels as Record<string, string> | undefined)?.[CLUSTER_NAME_LABEL] ??
    machine.spec.clusterName;
  const cluster = await get<ClusterV1Beta2>('Cluster', clusterName);
  if (!cluster) {
    return {
      machine,
      waiting: {
        reason: 'WaitingForCluster',
        message: `Cluster ${clusterName} not found`,
        requeueAfterMs: 10_000,
      },
    };
  }
  return { machine, cluster };
}

async function findInfraCluster(
  services: HostServices,
  cluster: ClusterV1Beta2 | undefined,
): Promise<Record<string, unknown> | undefined> {
  const ref = cluster?.spec.infrastructureRef;
  const kind = services.infraClusterKind;
  if (!ref || !kind || ref.kind !== kind.kind) return undefined;
  return services.client.get({
    apiVersion: storageApiVersion(kind),
    kind: ref.kind,
    name: ref.name,
    namespace: cluster?.metadata.namespace,
  });
}

async function readBootstrapData(
  services: HostServices,
  machine: MachineV1Beta2,
  secretName: string | undefined,
): Promise<BootstrapData> {
  if (!secretName) throw new Error(`Machine ${machine.metadata.name} has no bootstrap data secret`);
  const data = await services.secrets.read(machine.metadata.namespace ?? 'default', secretName);
  if (!data?.value) throw new Error(`bootstrap data secret ${secretName} has no "value"`);
  const format = BootstrapFormatSchema.safeParse(data.format ?? 'cloud-config');
  if (!format.success)
    throw new Error(`bootstrap data secret ${secretName} has unknown format "${data.format}"`);
  return { value: data.value, format: format.data };
}

async function applyProvisioned(
  services: HostServices,
  role: RoleHooks['role'],
  object: KubeObject,
  result: {
    providerID?: string;
    addresses?: unknown[];
    failureDomain?: string;
    controlPlaneEndpoint?: { host: string; port: number };
    failureDomains?: Record<string, unknown>;
  },
  status: Status,
): Promise<KubeObject> {
  const spec = (object.spec as Record<string, unknown> | undefined) ?? {};
  const specPatch: Record<string, unknown> = {};
  if (role === 'InfraMachine') {
    if (result.providerID && spec.providerID !== result.providerID) specPatch.providerID = result.providerID;
    if (result.failureDomain && spec.failureDomain !== result.failureDomain) {
      specPatch.failureDomain = result.failureDomain;
    }
    if (result.addresses) status.addresses = result.addresses;
  }
  if (role === 'InfraCluster') {
    const endpoint = spec.controlPlaneEndpoint as { host?: string } | undefined;
    if (result.controlPlaneEndpoint && !endpoint?.host)
      specPatch.controlPlaneEndpoint = result.controlPlaneEndpoint;
    if (result.failureDomains) status.failureDomains = result.failureDomains;
  }
  if (role !== 'Other') {
    status.ready = true;
    status.initialization = { ...((status.initialization as object | undefined) ?? {}), provisioned: true };
  }
  if (Object.keys(specPatch).length === 0) return object;
  return services.client.patch<KubeObject>(refOf(object), { spec: specPatch });
}
