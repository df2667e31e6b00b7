import {
  type ConditionInput,
  type EventRecorder,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  type KindDefinition,
  type MachineProvisioned,
  type ObjectContext,
  requeue,
  type Step,
  type StepResult,
} from '@immutable-infra/core';
import { infraClusterOfMachine } from '../pools/pool-hooks.js';
import { type KindSteps, kindStepHooks } from '../steps/kind-step-hooks.js';
import { type CreatedThing, type CreateRecording, mayBeUnlisted } from '../tasks/create-once.js';

/** What the machine steps read of a reconcile: the host's context of the infrastructure machine. */
export interface MachineStepRun {
  ctx: Pick<ObjectContext<KindDefinition>, 'kube'> & {
    infraCluster: Record<string, unknown> | undefined;
    object: {
      metadata: {
        namespace?: string | undefined;
        labels?: Record<string, string> | undefined;
        deletionTimestamp?: unknown;
      };
    };
  };
}

/**
 * The first step of every machine reconcile and delete: finds the machine's infrastructure cluster
 * (by its cluster-name label once the Cluster is gone, see {@link infraClusterOfMachine}) and
 * hands it to the provider's `connect`, which reaches the platform and keeps what later steps
 * need. Without a cluster the machine waits: there is no credential to call the platform with.
 */
export function connectMachineStep<Run extends MachineStepRun, Cluster>(options: {
  infraCluster: { apiVersion: string; kind: string };
  /** Reaches the platform for this cluster; `done()` to go on, else what the machine waits for. */
  connect(run: Run, cluster: Cluster): Promise<StepResult>;
  /** `Connect` by default. */
  name?: string | undefined;
}): Step<Run> {
  return {
    name: options.name ?? 'Connect',
    async run(run) {
      const cluster = await infraClusterOfMachine<Cluster>(run.ctx, options.infraCluster);
      if (!cluster) return requeue(10_000, `waiting for the ${options.infraCluster.kind} of this machine`);
      return options.connect(run, cluster);
    },
  };
}

/**
 * On a delete path whose lookup found no VM or server: a create asked for less than the listing lag
 * ago may still be on its way into the platform's lists, and left now it would be an orphan. The
 * `requeue` that waits for it, or undefined when nothing can be on its way.
 */
export function waitWhileUnlisted(
  context: Pick<CreateRecording, 'status' | 'clock'>,
  thing: CreatedThing,
  pollAfterMs: number,
): StepResult | undefined {
  if (!mayBeUnlisted(context, thing.key, thing.listingLagMs)) return undefined;
  return requeue(pollAfterMs, `${thing.what} was asked for recently and is not listed yet`);
}

/** What stops a machine until something changes, as {@link blockedOn} shows it. */
export interface Blocked {
  /** The machine's condition that shows it, e.g. `VMReady`. */
  condition: string;
  reason: string;
  message: string;
  /** When to look again. */
  afterMs: number;
  /** `Error` by default: someone has to act. */
  severity?: 'Error' | 'Warning' | 'Info' | undefined;
  /** Also a Warning Event of the same reason and message (every write counts at a thousand machines). */
  event?: boolean | undefined;
}

/**
 * A machine that cannot go on until someone acts (a name in use, a missing template, a disk that
 * does not match its declaration): the reason on its condition, a Warning Event when asked, and
 * the `requeue` that looks again.
 */
export function blockedOn(
  ctx: { setCondition(condition: ConditionInput): void; events: Pick<EventRecorder, 'warning'> },
  blocked: Blocked,
): StepResult {
  const { condition, reason, message } = blocked;
  ctx.setCondition(falseCondition(condition, reason, message, blocked.severity ?? 'Error'));
  if (blocked.event) ctx.events.warning(reason, message);
  return requeue(blocked.afterMs, message);
}

/**
 * A provider's machine steps: the create path (connect, claim, find by recorded id, create once,
 * follow, power on), the providerID and addresses once it is done (`machineProvisioned`) or a wait,
 * and the delete path (power off, detach persistent disks, destroy, release the slot).
 */
export type MachineSteps<Kind extends KindDefinition, Run> = KindSteps<
  Kind,
  InfraMachineContext<Kind>,
  Run,
  MachineProvisioned
>;

/** The host's hooks of an infrastructure machine kind from its named steps. */
export function machineStepHooks<Kind extends KindDefinition, Run>(
  steps: MachineSteps<Kind, Run>,
): InfraMachineHooks<Kind> {
  return kindStepHooks(steps);
}
