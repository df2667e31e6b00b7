import {
  type InfraMachineContext,
  type InfraMachineHooks,
  type KindDefinition,
  type MachineProvisioned,
  type ObjectContext,
  requeue,
  type Step,
  type StepResult,
  stepPlan,
} from '@immutable-infra/core';
import { infraClusterOfMachine } from '../pools/pool-hooks.js';
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

/** A provider's machine steps: what `machineStepHooks` turns into the host's hooks. */
export interface MachineSteps<Kind extends KindDefinition, Run> {
  kind: Kind;
  /** What the steps of one reconcile or delete share, made afresh for each. */
  newRun(ctx: InfraMachineContext<Kind>): Run;
  /** The create path, in order: connect, claim, find by recorded id, create once, follow, power on. */
  reconcile: readonly Step<Run>[];
  /**
   * Once every reconcile step is done: the providerID and addresses (`machineProvisioned`), or a
   * wait (no address reported yet, say).
   */
  provisioned(run: Run): MachineProvisioned | StepResult | Promise<MachineProvisioned | StepResult>;
  /** The delete path, in order: power off, detach persistent disks, destroy, release the slot. */
  delete: readonly Step<Run>[];
}

/**
 * The host's hooks of an infrastructure machine kind from its named steps: each reconcile and each
 * delete is a fresh run through the steps (the host names the one that waits, and backs off on a
 * failure), progress living in status and on the platform, so the next run picks up where this one
 * stopped.
 */
export function machineStepHooks<Kind extends KindDefinition, Run>(
  steps: MachineSteps<Kind, Run>,
): InfraMachineHooks<Kind> {
  return {
    kind: steps.kind,
    reconcile: async (ctx) => stepPlan(steps.newRun(ctx), steps.reconcile, steps.provisioned),
    delete: async (ctx) => stepPlan(steps.newRun(ctx), steps.delete),
  };
}
