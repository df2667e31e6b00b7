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
  describePlatformFailure,
  describeWaitingOn,
  type ExtraKindHooks,
  falseCondition,
  getCondition,
  type HostContext,
  type InfraClusterHooks,
  type InfraMachineHooks,
  isPaused,
  isPlatformFailure,
  isStepPlan,
  type KindDefinition,
  type Logger,
  type MachineV1Beta2,
  type PlatformCallRecorder,
  type PlatformLimits,
  type SecretReader,
  type StepPlan,
  type StepResult,
  setCondition,
  storageApiVersion,
  trueCondition,
} from '@immutable-infra/core';
import { type KubeObject, type ObjectClient, refOf } from '../kube/object-client.js';
import type { WorkOutcome } from '../queue/work-queue.js';
import { maskSecretValues } from '../runtime/secret-masking.js';
import { eventRecorderFor } from './events.js';
import { hasFinalizer, setFinalizer } from './finalizers.js';
import type { OwnFinalizerRemovals, OwnStatusWrites } from './own-writes.js';
import { describeStatusChange } from './status-change.js';
import {
  asSent,
  changedFields,
  type FieldChanges,
  StatusFieldConflict,
  writeFieldChanges,
} from './status-writer.js';
import { formatDelay, type StepBackoff, type StepPosition } from './step-backoff.js';

export interface HostServices {
  client: ObjectClient;
  log: Logger & { child(fields: Record<string, unknown>): Logger };
  clock: Clock;
  secrets: SecretReader;
  platformCalls: PlatformCallRecorder;
  signal: AbortSignal;
  /** The manager's per-account platform limits, handed to every hook (`HostContext.platformLimits`). */
  platformLimits?: PlatformLimits | undefined;
  finalizer: string;
  /** The provider's InfraCluster kind, to hand machines their cluster's infrastructure object. */
  infraClusterKind?: KindDefinition;
  /** The informers' caches, for owner, cluster and InfraCluster lookups without a GET per reconcile. */
  cache?: ObjectCache;
  /** Where the host remembers its own status writes, so their watch events do not wake the object. */
  ownWrites?: OwnStatusWrites;
  /** Where the host remembers its own finalizer removals until the watch shows them. */
  finalizerRemovals?: OwnFinalizerRemovals;
  /** Per-object back-off after classified platform failures; each controller has its own. */
  backoff?: StepBackoff;
  /**
   * Told about each status write (once, however many 409s it takes): the kind, what it changes
   * (`describeStatusChange`) and the Ready condition's reason it leaves, which names the step that
   * stopped the reconcile. What the manager's `iinfra_status_writes_total` counts.
   */
  onStatusWrite?: (kind: string, change: string, ready: string) => void;
}

/** Read access to the informers' caches; undefined when the cache does not hold the object (yet). */
export interface ObjectCache {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
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
  /** No Cluster API owner at all yet (see OWNER_GRACE_MS). */
  noOwner?: true;
}

interface Owners {
  cluster?: ClusterV1Beta2;
  machine?: MachineV1Beta2;
  waiting?: Waiting;
}

const READY = 'Ready';
const PAUSED = 'Paused';

/**
 * How long a new object may have no Cluster API owner before its status says so. Cluster API sets
 * the owner reference moments after it creates the object from a template: a WaitingForMachine
 * written in those moments is read by nobody, and races that very patch to a 409. An object still
 * without an owner after this long (made by hand, say) is told so as before.
 */
const OWNER_GRACE_MS = 10_000;

/** The host's reconcile of one object of a provider kind: all the Cluster API bookkeeping around the hooks. */
export function createReconciler(services: HostServices, kind: KindDefinition, role: RoleHooks) {
  const apiVersion = storageApiVersion(kind);

  /** When each object's status was last written by this controller (clock time, ms). */
  const lastWrittenAt = new Map<string, number>();
  /** Objects whose last status write met another writer's change: the next reconcile reads them live. */
  const contestedKeys = new Set<string>();
  return async function reconcile(key: string): Promise<WorkOutcome> {
    const [namespace, name] = splitKey(key);
    const ref = { apiVersion, kind: kind.kind, name, ...(namespace ? { namespace } : {}) };
    // The informer's copy, unless our own last status write has not come back through the watch:
    // a step must never decide on status older than what it wrote (a create recorded, a task
    // started). A missing copy is read from the API server too.
    // Nor after our own finalizer removal, until the watch shows it: the copy still has the
    // finalizer and deletionTimestamp, and would run the delete steps a second time.
    // And not after a status write found another writer's change: the watch may not have brought it yet.
    const readLive = contestedKeys.delete(key);
    const copy =
      readLive || services.ownWrites?.pending(key)
        ? undefined
        : services.cache?.get(apiVersion, kind.kind, namespace || undefined, name);
    const cached = copy && services.finalizerRemovals?.isStale(key, copy) ? undefined : copy;
    let object = cached
      ? (structuredClone(cached) as KubeObject)
      : await services.client.get<KubeObject>(ref);
    if (!object) {
      services.backoff?.reset(key);
      services.ownWrites?.forget(key);
      lastWrittenAt.delete(key);
      return { gone: true };
    }
    const log = services.log.child({ kind: kind.kind, namespace, name });
    const deleting = object.metadata.deletionTimestamp !== undefined;
    const phase = deleting ? 'delete' : 'reconcile';

    const owners = await findOwners(services, role.role, object);
    const status: Status = structuredClone((object.status as Status | undefined) ?? {});
    const setCond = (input: ConditionInput) => {
      // Conditions are readable by anyone who may get the object: no credential value in them.
      const masked =
        input.message === undefined ? input : { ...input, message: maskSecretValues(input.message) };
      status.conditions = setCondition(status.conditions, masked, services.clock.now());
    };
    // What the object's status held at the last write (or at the start): only the fields changed
    // since are written, so another writer's change to any other field (e.g. a pool's slot claims)
    // survives a conflict.
    let written: Status = structuredClone(status);
    const statusWrites = services.ownWrites;
    const writeChanges = async (): Promise<FieldChanges> => {
      const changes = changedFields(written, status);
      const changing = Object.keys(changes.set).length > 0 || changes.removed.length > 0;
      if (changing) lastWrittenAt.set(key, services.clock.now().getTime());
      let told = !changing || services.onStatusWrite === undefined;
      object = await writeFieldChanges(
        services.client,
        object as KubeObject,
        written as Record<string, unknown>,
        changes,
        {
          writing: (base, next) => {
            statusWrites?.writing(key, base, next);
            if (told) return;
            told = true;
            const ready = getCondition(status.conditions, READY)?.reason ?? '';
            services.onStatusWrite?.(kind.kind, describeStatusChange(written, status), ready);
          },
          written: (result) => statusWrites?.written(key, result),
        },
      );
      written = structuredClone(status);
      return changes;
    };
    // A provider saves status before a request it must not repeat: a field its CRD does not declare
    // would be pruned without a word, and the request sent as if recorded.
    const saveStatus = async (): Promise<void> => {
      const changes = await writeChanges();
      const saved = (object?.status ?? {}) as Status;
      // Compared as JSON, which is what was sent: a key left `undefined` is not sent, so its absence
      // is not a field the API server dropped.
      const dropped = Object.keys(changes.set).filter(
        (field) => !isDeepStrictEqual(saved[field], asSent(status[field])),
      );
      if (dropped.length > 0)
        throw new Error(
          `the API server did not keep ${dropped.map((f) => `status.${f}`).join(', ')} of ${kind.kind} ${key}: the CRD does not declare it as written`,
        );
    };
    // Set when the status write found a field another writer changed too: what this reconcile
    // decided came from a stale copy, so it is run again at once instead of written.
    let contested: StatusFieldConflict | undefined;
    const rerun = (conflict: StatusFieldConflict): WorkOutcome => {
      contested = conflict;
      contestedKeys.add(key);
      log.debug('status changed by another writer; reconciling again', { fields: conflict.fields });
      return { requeueAfterMs: 0 };
    };
    const finish = async (outcome: WorkOutcome): Promise<WorkOutcome> => {
      if (holdsProgressWrite(outcome, written, status, lastWrittenAt.get(key), services.clock.now()))
        return outcome;
      try {
        await writeChanges();
      } catch (error) {
        if (error instanceof StatusFieldConflict) return rerun(error);
        throw error;
      }
      return outcome;
    };

    if (owners.waiting && !deleting) {
      const graceMs = owners.waiting.noOwner ? ownerGraceLeftMs(object, services.clock.now()) : 0;
      if (graceMs > 0) return { requeueAfterMs: graceMs };
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

    // Woken early (a watch event, an older requeue) while backing off from a platform failure:
    // the platform is left alone until the back-off is over.
    const generation = object.metadata.generation;
    const backingOff = services.backoff?.remainingMs(key, { phase, generation });
    if (backingOff !== undefined) return finish({ requeueAfterMs: backingOff });

    const events = eventRecorderFor(services.client, object, log);
    const host: HostContext = {
      kube: services.client,
      log,
      events,
      secrets: services.secrets,
      clock: services.clock,
      platformCalls: services.platformCalls,
      signal: services.signal,
      ...(services.platformLimits ? { platformLimits: services.platformLimits } : {}),
    };
    const draft = {
      status: status as Record<string, unknown>,
      setCondition: setCond,
      getCondition: (type: string) => getCondition(status.conditions, type),
      saveStatus,
    };

    let context: Record<string, unknown>;
    if (role.role === 'InfraMachine') {
      // Deleting, the Machine may be gone already (a deleted namespace takes every object at once).
      const machine = owners.machine as MachineV1Beta2;
      const dataSecretName = machine?.spec.bootstrap.dataSecretName;
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
        isControlPlane: (machine ?? object).metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined,
        bootstrapData: () => readBootstrapData(services, machine, dataSecretName),
      };
    } else if (role.role === 'InfraCluster') {
      context = { ...host, ...draft, object, cluster: owners.cluster };
    } else {
      context = { ...host, ...draft, object };
    }

    const classifiedFailure = (result: PlatformFailureResult, stopped: Stopped | undefined): WorkOutcome => {
      const description = describePlatformFailure(result.kind);
      const retryAfterMs = result.retryAfter ? result.retryAfter.getTime() - Date.now() : undefined;
      const position: StepPosition = { phase, stepIndex: stopped?.index ?? -1, generation };
      // Throttled with a Retry-After is the platform's pacing, not a failure: wait what it asks,
      // without growing the back-off or raising a Warning Event.
      const throttled = result.kind === 'Throttled' && retryAfterMs !== undefined;
      const { delayMs, failures } = (throttled
        ? services.backoff?.throttled(key, position, retryAfterMs)
        : services.backoff?.failed(key, position, retryAfterMs)) ?? {
        delayMs: 1_000,
        failures: throttled ? 0 : 1,
      };
      const what = stopped ? `step ${stopped.name} failed` : `${deleting ? 'delete' : 'reconcile'} failed`;
      const message = `${what} (${result.kind}): ${result.message}; ${description.advice}; next attempt in ${formatDelay(delayMs)}`;
      setCond(falseCondition(READY, description.reason, message, 'Warning'));
      const fields = {
        step: stopped?.name,
        failure: result.kind,
        failures,
        retryInMs: delayMs,
        error: result.message,
      };
      if (throttled) log.info('platform throttled the call; waiting its Retry-After', fields);
      else log.warn('platform call failed; backing off', fields);
      // One Event when the failing starts, not one per attempt.
      if (!throttled && failures === 1) events.warning(description.reason, message);
      return { requeueAfterMs: delayMs };
    };

    try {
      const hooks = role.hooks as {
        reconcile: (c: never) => Promise<unknown>;
        delete?: (c: never) => Promise<unknown>;
      };
      const returned = deleting
        ? hooks.delete
          ? await hooks.delete(context as never)
          : ({ type: 'done' } as const)
        : await hooks.reconcile(context as never);
      const { result, stopped } = isStepPlan(returned)
        ? await runPlan(returned)
        : { result: returned as HookResult, stopped: undefined };

      if (result.type === 'platformFailure') {
        return finish(classifiedFailure(result as PlatformFailureResult, stopped));
      }
      // Anything but a classified failure is progress: the next one starts the back-off afresh.
      services.backoff?.reset(key);

      if (deleting) {
        if (result.type === 'done') {
          const finished = await finish(undefined);
          if (contested) return finished;
          services.finalizerRemovals?.removing(key, object);
          try {
            await setFinalizer(services.client, object, services.finalizer, false);
          } catch (error) {
            // Not removed: the finalizer still guards the object, and the cache may be used again.
            services.finalizerRemovals?.forget(key);
            throw error;
          }
          events.normal('Deleted', `${kind.kind} ${name}: platform resources released`);
          return undefined;
        }
        return finish(applyStepResult(result as StepResult, setCond, status, 'Deleting', stopped));
      }

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
      return finish(applyStepResult(result as StepResult, setCond, status, 'Provisioning', stopped));
    } catch (error) {
      const cause = error instanceof StepThrew ? error.cause : error;
      // A step's saveStatus met another writer's change: the step sent nothing, the reconcile starts over.
      if (cause instanceof StatusFieldConflict) return rerun(cause);
      const message = cause instanceof Error ? cause.message : String(cause);
      const where = error instanceof StepThrew ? `step ${error.step}: ` : '';
      setCond(
        falseCondition(READY, deleting ? 'DeleteError' : 'ReconcileError', `${where}${message}`, 'Warning'),
      );
      log.warn('reconcile failed', { error: message, ...(where ? { step: (error as StepThrew).step } : {}) });
      await finish(undefined).catch(() => undefined);
      throw cause;
    }
  };
}

type PlatformFailureResult = Extract<StepResult, { type: 'platformFailure' }>;
type HookResult = StepResult | { type: 'provisioned'; recheckAfterMs?: number };

/** The step of a plan that did not finish, with its position for the back-off. */
interface Stopped {
  name: string;
  index: number;
}

/** An error a step threw that is not a classified failure: today's queue back-off, with the step named. */
class StepThrew extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step ${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Runs a plan's steps in order and stops at the first that is not done; a thrown
 * PlatformFailure becomes that step's classified result. When every step is done the plan's
 * `finish` gives the result.
 */
export async function runPlan(
  plan: StepPlan<unknown>,
): Promise<{ result: HookResult; stopped: Stopped | undefined }> {
  for (const [index, step] of plan.steps.entries()) {
    let result: StepResult;
    try {
      result = await step.run();
    } catch (error) {
      if (!isPlatformFailure(error)) throw new StepThrew(step.name, error);
      result = {
        type: 'platformFailure',
        kind: error.kind,
        message: error.message,
        ...(error.details.retryAfter ? { retryAfter: error.details.retryAfter } : {}),
      };
    }
    if (result.type !== 'done') return { result, stopped: { name: step.name, index } };
  }
  return { result: (await plan.finish()) as HookResult, stopped: undefined };
}

/**
 * How often a change of a condition's words alone is written per object: a task's percentage, a
 * count of things ready. Each poll of a running platform task reads a new percentage, and writing
 * every one would make an object's writes grow with how often it is polled, not with what happened.
 */
const PROGRESS_WRITE_INTERVAL_MS = 10_000;

/**
 * Whether this reconcile's status change may wait for a later one: only condition messages changed
 * (type, status, reason and severity as written), the object was written less than
 * PROGRESS_WRITE_INTERVAL_MS ago, and the reconcile comes back within that interval, when the
 * change is computed afresh from what is stored. A message is so at most one interval late.
 */
function holdsProgressWrite(
  outcome: WorkOutcome,
  written: Status,
  status: Status,
  lastWrittenAtMs: number | undefined,
  now: Date,
): boolean {
  const back = outcome?.requeueAfterMs;
  if (back === undefined || back > PROGRESS_WRITE_INTERVAL_MS) return false;
  if (lastWrittenAtMs === undefined || now.getTime() - lastWrittenAtMs >= PROGRESS_WRITE_INTERVAL_MS)
    return false;
  const changes = changedFields(written, status);
  const fields = Object.keys(changes.set);
  if (changes.removed.length > 0 || fields.length !== 1 || fields[0] !== 'conditions') return false;
  const before = written.conditions ?? [];
  const after = status.conditions ?? [];
  const withoutMessage = ({ message: _message, ...rest }: Condition) => rest;
  return (
    before.length === after.length &&
    after.every((condition) => {
      const previous = before.find((c) => c.type === condition.type);
      return previous !== undefined && isDeepStrictEqual(withoutMessage(previous), withoutMessage(condition));
    })
  );
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
  stopped: Stopped | undefined,
): WorkOutcome {
  if (result.type === 'requeue') {
    const waiting = result.waitingOn ? `waiting for ${describeWaitingOn(result.waitingOn)}` : '';
    const said = [waiting, result.reason].filter(Boolean).join('; ');
    const followed = result.follows && followedTaskCondition(status, result.follows, said);
    if (followed) {
      setCond(followed);
    } else if (stopped) {
      setCond(falseCondition(READY, conditionReason(stopped.name, phase), `step ${stopped.name}: ${said}`));
    } else {
      setCond(falseCondition(READY, phase, said));
    }
    return { requeueAfterMs: result.afterMs };
  }
  if (result.type === 'failed') {
    status.failureReason = result.reason;
    status.failureMessage = maskSecretValues(result.message);
    const message = stopped ? `step ${stopped.name}: ${result.message}` : result.message;
    setCond(falseCondition(READY, result.reason, message, 'Error'));
  }
  if (result.type === 'done' && result.recheckAfterMs !== undefined)
    return { requeueAfterMs: result.recheckAfterMs };
  return undefined;
}

/**
 * The Ready condition while a step follows the platform task `reference` that an earlier step
 * started: that step's reason and words (`step CloneVM: cloning the VM: waiting for DCS task T`),
 * the part from the reference on replaced by the follower's (`T at 40 %`). A reason that moved to
 * the follower would be a status write per task that tells nobody anything new; a percentage is
 * written as any progress is (see PROGRESS_WRITE_INTERVAL_MS). Undefined, and the follower's own
 * condition written, when Ready does not name the task as an Info wait (after a restore, or a
 * failure reported on it).
 */
function followedTaskCondition(status: Status, reference: string, said: string): ConditionInput | undefined {
  const current = getCondition(status.conditions, READY);
  if (current?.status !== 'False' || (current.severity ?? 'Info') !== 'Info') return undefined;
  const at = current.message?.indexOf(reference) ?? -1;
  const from = said.indexOf(reference);
  if (at < 0 || from < 0) return undefined;
  const { lastTransitionTime: _time, ...kept } = current;
  return { ...kept, message: `${current.message?.slice(0, at)}${said.slice(from)}` };
}

/**
 * A step's name as a condition reason, which Kubernetes wants CamelCase-ish
 * (`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`): other characters are dropped, and a name left
 * empty falls back to the phase.
 */
function conditionReason(stepName: string, fallback: string): string {
  const cleaned = stepName
    .replace(/[^A-Za-z0-9_,:]/g, '')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/[,:]+$/, '');
  return cleaned || fallback;
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
    return {
      waiting: {
        reason: `WaitingFor${ownerKind}`,
        message: `no ${ownerKind} owns this object yet`,
        noOwner: true,
      },
    };
  }
  const get = <T>(kind: string, name: string) =>
    cachedOrLive<T>(services, { apiVersion: `${CAPI_GROUP}/v1beta2`, kind, name, namespace });
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

/** What is left of OWNER_GRACE_MS since the object was created; 0 once it is over (or unknown). */
function ownerGraceLeftMs(object: KubeObject, now: Date): number {
  const created = Date.parse(String(object.metadata.creationTimestamp ?? ''));
  if (!Number.isFinite(created)) return 0;
  return Math.min(OWNER_GRACE_MS, Math.max(0, created + OWNER_GRACE_MS - now.getTime()));
}

async function findInfraCluster(
  services: HostServices,
  cluster: ClusterV1Beta2 | undefined,
): Promise<Record<string, unknown> | undefined> {
  const ref = cluster?.spec.infrastructureRef;
  const kind = services.infraClusterKind;
  if (!ref || !kind || ref.kind !== kind.kind) return undefined;
  return cachedOrLive(services, {
    apiVersion: storageApiVersion(kind),
    kind: ref.kind,
    name: ref.name,
    namespace: cluster?.metadata.namespace,
  });
}

/**
 * An owner, cluster or InfraCluster from the informers' caches, which every change to them
 * reaches before it wakes the object, so a reconcile costs no GET for them. The live GET is
 * only for an object the cache does not hold: each kind has its own watch, so the event for a
 * Machine created a moment before its infrastructure machine can still be on its way (or the
 * informer still listing at start-up), and "not in the cache" must not be taken for "does
 * not exist". A copy is handed out: a hook that changed the cached object would change what
 * every other reconcile sees.
 */
async function cachedOrLive<T>(
  services: HostServices,
  ref: { apiVersion: string; kind: string; name: string; namespace: string | undefined },
): Promise<T | undefined> {
  const cached = services.cache?.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
  if (cached) return structuredClone(cached) as T;
  return services.client.get<T>(ref);
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
