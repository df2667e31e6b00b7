import {
  done,
  failed,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  machineProvisioned,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  ClaimablePool,
  claimantOf,
  keepAnnotations,
  machineAddresses,
  machineStepHooks,
} from '@immutable-infra/provider-kit';
import { BaremetalMachine } from '../api/baremetal-machine.js';
import type { PoolInventory } from '../api/machine-inventory-pool.js';
import { IMAGE_CATALOG_NAME, resolveImage } from '../cloud/image-catalog.js';
import {
  type AllocationState,
  allocationStateOf,
  ELEMENTAL_API_VERSION,
  INVENTORY_ANNOTATIONS,
  inventoryNotUsable,
  inventoryRef,
  type MachineInventory,
  observedAddress,
  planSecretNameOf,
} from '../cloud/machine-inventory.js';
import {
  cleanPlan,
  networkConfigFromObserved,
  type PlanType,
  reprovisionPlan,
  type SystemAgentPlan,
  serializePlan,
  sha256,
} from '../cloud/plans.js';
import { activationPlanPart, deactivationPlanPart, storageBlocksAllocation } from '../cloud/storage.js';
import { normaliseBootstrap } from './bootstrap-data.js';
import { inventoryPoolKind } from './inventory-claims.js';
import {
  beginMachineStorageStep,
  finishMachineStorageStep,
  machineStorageVolumes,
} from './inventory-storage.js';
import { readPlanSecret, secretRef, writePlanSecret } from './plan-secret.js';
import { bootstrapVipFor } from './self-built-vip.js';

type Ctx = InfraMachineContext<typeof BaremetalMachine>;

export interface BaremetalMachineOptions {
  /** Where the `elemental-image-catalog` ConfigMap lives (the provider's namespace). */
  imageCatalogNamespace: string;
  /** How often to look at a running plan again besides its inventory's watch events (5 s by default). */
  pollMs?: number;
  /**
   * How often a running machine looks at its host again, and a machine waiting for a free host at
   * its pool, without a change seen (10 min by default): inventory changes wake the machine through
   * the host's MachineInventory watch, so this is only a safety net.
   */
  resyncMs?: number;
}

/** What the steps of one reconcile share. */
interface Run {
  ctx: Ctx;
  options: BaremetalMachineOptions;
  pollMs: number;
  resyncMs: number;
  namespace: string;
  image?: string;
  entry?: PoolInventory | undefined;
  inventory?: MachineInventory | undefined;
}

const REGISTRY_ANNOTATION = 'cpaas.io/registry-address';
const PROVIDER_ID_PREFIX = 'baremetal:///';

/** Keeps the documented annotations on the inventory; a patch only when they differ. */
async function annotateInventory(
  run: Run,
  inventory: MachineInventory,
  state: AllocationState,
  owner: boolean,
): Promise<void> {
  const { ctx } = run;
  const wanted: Record<string, string | null> = {
    [INVENTORY_ANNOTATIONS.allocationState]: state,
    [INVENTORY_ANNOTATIONS.ownerCluster]: owner ? (ctx.machine?.spec?.clusterName ?? null) : null,
    [INVENTORY_ANNOTATIONS.ownerMachine]: owner ? (ctx.machine?.metadata?.name ?? null) : null,
    [INVENTORY_ANNOTATIONS.ownerBaremetalMachine]: owner ? (ctx.object.metadata.name ?? null) : null,
  };
  await keepAnnotations(ctx.kube, inventoryRef(run.namespace, inventory.metadata.name), inventory, wanted);
}

/** The image for the Machine's version; a version missing from the catalog fails the machine, no plan written. */
const resolveImageStep: Step<Run> = {
  name: 'ResolveImage',
  // A running node keeps its image: a catalog edit affects the next machines, not this one.
  when: (run) => run.ctx.status.phase !== 'Running',
  async run(run) {
    const { ctx, options } = run;
    const catalog = await ctx.kube.get<{ data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: options.imageCatalogNamespace,
      name: IMAGE_CATALOG_NAME,
    });
    const registry = ctx.cluster?.metadata?.annotations?.[REGISTRY_ANNOTATION];
    const resolved = resolveImage(
      { namespace: options.imageCatalogNamespace, data: catalog ? (catalog.data ?? {}) : undefined },
      ctx.machine?.spec?.version,
      registry,
    );
    if (!resolved.ok) {
      ctx.setCondition(falseCondition('ImageResolved', resolved.reason, resolved.message, 'Warning'));
      ctx.status.phase = 'Failed';
      return failed(resolved.reason, resolved.message);
    }
    ctx.setCondition(trueCondition('ImageResolved', 'Resolved', resolved.image));
    run.image = resolved.image;
    return done();
  },
};

/** Whether an inventory may be taken by this pool's machines now. */
function eligible(pool: string, inventory: MachineInventory | undefined): boolean {
  if (!inventory || inventoryNotUsable(inventory)) return false;
  if (inventory.metadata.annotations?.[INVENTORY_ANNOTATIONS.pool] !== pool) return false;
  // A declared data volume must be prepared (and no storage step running) before the host is taken.
  if (storageBlocksAllocation(inventory.spec?.storage, inventory.status?.storage)) return false;
  const state = allocationStateOf(inventory);
  return state === undefined || state === 'Available';
}

/**
 * Takes a host from the pool: the one this machine holds already (by UID), else the first
 * eligible in declaration order, claimed with the pool's compare-and-swap.
 */
const claimInventory: Step<Run> = {
  name: 'ClaimInventory',
  async run(run) {
    const { ctx, namespace } = run;
    const poolName = ctx.object.spec.machineInventoryPoolRef.name;
    const inventories = new Map(
      (await ctx.kube.list<MachineInventory>(ELEMENTAL_API_VERSION, 'MachineInventory', { namespace })).map(
        (inventory) => [inventory.metadata.name, inventory],
      ),
    );
    const result = await new ClaimablePool(ctx.kube, inventoryPoolKind).claim(
      namespace,
      poolName,
      claimantOf(ctx.object),
      (entry) => eligible(poolName, inventories.get(entry.name)),
    );
    if (!result.ok) {
      const reason = result.reason === 'PoolNotFound' ? 'PoolMissing' : result.reason;
      ctx.setCondition(falseCondition('InventoryAllocated', reason, result.message, 'Warning'));
      if (!ctx.status.phase) ctx.status.phase = 'Pending';
      // An inventory freed or made Ready wakes the machine; a pool created later does not.
      return requeue(result.reason === 'PoolExhausted' ? run.resyncMs : run.pollMs * 2, result.message, {
        object: {
          apiVersion: inventoryPoolKind.apiVersion,
          kind: 'MachineInventoryPool',
          namespace,
          name: poolName,
        },
      });
    }
    run.entry = result.entry;
    run.inventory = inventories.get(result.entry.name);
    if (!run.inventory) return requeue(run.pollMs, `MachineInventory ${result.entry.name} not found`);
    const planSecret = planSecretNameOf(run.inventory);
    if (!planSecret) return requeue(run.pollMs, `MachineInventory ${result.entry.name} has no plan Secret`);
    ctx.status.machineInventoryRef = { name: result.entry.name };
    ctx.status.planSecretRef = { name: planSecret };
    ctx.setCondition(trueCondition('InventoryAllocated', 'Allocated', result.entry.name));
    if (!ctx.status.phase || ctx.status.phase === 'Pending') ctx.status.phase = 'Allocated';
    if (allocationStateOf(run.inventory) === undefined || allocationStateOf(run.inventory) === 'Available')
      await annotateInventory(run, run.inventory, 'Allocated', true);
    return done();
  },
};

const hostnameOf = (run: Run) => run.entry?.hostname || (run.inventory?.metadata.name ?? '');
const providerIdOf = (run: Run) => `${PROVIDER_ID_PREFIX}${run.inventory?.metadata.name ?? ''}`;

/**
 * Writes a plan into the inventory's plan Secret: its checksum recorded in status first (so a
 * crash after the write still knows which plan to follow), then the Secret, unless it holds the
 * plan already.
 */
async function writePlan(run: Run, type: PlanType, text: string, checksum: string): Promise<void> {
  const { ctx } = run;
  const name = ctx.status.planSecretRef?.name ?? ctx.object.status?.planSecretRef?.name;
  if (!name) throw new Error('no plan Secret recorded');
  if (ctx.status.lastAppliedPlanChecksum !== checksum) {
    ctx.status.lastAppliedPlanChecksum = checksum;
    await ctx.saveStatus();
  }
  if ((await readPlanSecret(ctx.kube, run.namespace, name))?.checksum === checksum) return;
  await writePlanSecret(ctx.kube, run.namespace, name, type, text);
  ctx.events.normal(
    type === 'reprovision' ? 'ReprovisionPlanWritten' : 'CleanPlanWritten',
    `${type} plan ${checksum.slice(0, 12)} written for MachineInventory ${run.inventory?.metadata.name ?? ''}`,
  );
}

/** A plan with a storage step added: its files, and its commands before the last one of the base plan (the reboot, for a reprovision). */
function withStoragePart(base: SystemAgentPlan, part: SystemAgentPlan): SystemAgentPlan {
  const last = base.instructions.at(-1);
  const reboots = last?.name === 'reboot';
  return {
    files: [...base.files, ...part.files],
    instructions: reboots
      ? [
          ...base.instructions.slice(0, -1),
          ...part.instructions,
          last as SystemAgentPlan['instructions'][number],
        ]
      : [...base.instructions, ...part.instructions],
  };
}

/** A deterministic id of this machine's storage step on its host (the same plan after a crash). */
const storageStepID = (run: Run, type: string) =>
  sha256(`${type}/${run.inventory?.metadata.uid ?? ''}/${run.ctx.object.metadata.uid ?? ''}`).slice(0, 16);

/** The reprovision plan: normalised bootstrap data, the observed network (unless spec.network is set), the image. */
const writeReprovisionPlan: Step<Run> = {
  name: 'WriteReprovisionPlan',
  when: (run) => run.ctx.status.phase !== 'Running',
  async run(run) {
    const { ctx } = run;
    const inventory = run.inventory as MachineInventory;
    const data = await ctx.bootstrapData();
    if (data.format !== 'cloud-config')
      return failed(
        'BootstrapFormatUnsupported',
        `bare-metal hosts boot with cloud-init; ${data.format} cannot be used`,
      );
    const hostname = hostnameOf(run);
    const bootstrapVip = bootstrapVipFor({
      infraCluster: ctx.infraCluster,
      isControlPlane: ctx.isControlPlane,
      bootstrap: data,
      nodeIp: observedAddress(inventory),
    });
    const userData = normaliseBootstrap(data, { hostname, providerID: providerIdOf(run), bootstrapVip });
    // An explicit spec.network is applied by elemental itself; the observed one is replayed here.
    const networkConfig = inventory.spec?.network?.config
      ? undefined
      : networkConfigFromObserved(inventory.spec?.observedNetwork);
    const base = reprovisionPlan({
      image: run.image as string,
      hostname,
      userData,
      networkConfig,
      instanceId: `${inventory.metadata.name}-${ctx.object.metadata.uid ?? ''}`,
    });
    // Prepared data volumes are activated by this plan: mount units that start before kubelet.
    const volumes = machineStorageVolumes(inventory);
    const { text, checksum } = serializePlan(
      volumes.length === 0
        ? base
        : withStoragePart(base, activationPlanPart(storageStepID(run, 'Activate'), volumes)),
    );
    ctx.status.lastAppliedBootstrapHash = sha256(userData);
    if (volumes.length > 0) {
      await beginMachineStorageStep(
        ctx.kube,
        run.namespace,
        inventory,
        'Activate',
        checksum,
        ctx.object.metadata.uid ?? '',
      );
      ctx.setCondition(
        falseCondition(
          'StorageReady',
          'Activating',
          `activating ${volumes.length} data volume(s)`,
          'Warning',
        ),
      );
    }
    await writePlan(run, 'reprovision', text, checksum);
    const secretName = ctx.machine?.spec?.bootstrap?.dataSecretName;
    if (secretName) {
      // For debugging, as documented: what the host runs, beside the untouched original.
      await ctx.kube.patch(secretRef(run.namespace, secretName), {
        data: { 'resolved-value': Buffer.from(userData).toString('base64') },
      });
    }
    if (allocationStateOf(inventory) !== 'Unavailable')
      await annotateInventory(run, inventory, 'Reprovisioning', true);
    ctx.status.phase = 'Reprovisioning';
    return done();
  },
};

/** Follows `MachineInventory.status.plan` until the agent reports this plan Applied or Failed. */
const waitForReprovision: Step<Run> = {
  name: 'WaitForReprovision',
  async run(run) {
    const { ctx } = run;
    const inventory = run.inventory as MachineInventory;
    const plan = inventory.status?.plan;
    const ours = ctx.status.lastAppliedPlanChecksum;
    const name = inventory.metadata.name;
    if (plan?.checksum === ours && plan?.state === 'Failed') {
      await annotateInventory(run, inventory, 'Unavailable', true);
      ctx.status.phase = 'Failed';
      const secret = ctx.status.planSecretRef?.name ?? '';
      return failed(
        'ReprovisionFailed',
        `the reprovision plan failed on MachineInventory ${name}; read failed-output in Secret ${run.namespace}/${secret}`,
      );
    }
    if (plan?.checksum === ours && plan?.state === 'Applied') {
      const storage =
        inventory.status?.storage?.operation?.type === 'Activate' ||
        (inventory.status?.storage?.appliedVolumes ?? []).length > 0
          ? await finishMachineStorageStep(ctx.kube, run.namespace, inventory, 'Activate')
          : { ready: true, reason: 'NoManagedVolumes', message: 'no managed data volume' };
      ctx.setCondition(
        storage.ready
          ? trueCondition('StorageReady', storage.reason, storage.message)
          : falseCondition('StorageReady', storage.reason, storage.message, 'Warning'),
      );
      await annotateInventory(run, inventory, 'Allocated', true);
      ctx.status.phase = 'Running';
      return done();
    }
    if (ctx.object.status?.phase === 'Running') {
      // The host ran this machine's plan and no longer reports it: it was reset (an operator deleted
      // its MachineInventory, which elemental answers with a reset and a new registration) or given
      // another plan behind the provider. The node is gone; a MachineHealthCheck or the user replaces
      // the Machine, and its delete cleans the host and gives it back.
      ctx.status.phase = 'Failed';
      return failed(
        'HostReset',
        `MachineInventory ${name} no longer reports this machine's reprovision plan applied (it was reset or given another plan outside the provider): the node is gone; delete the Machine to replace it`,
      );
    }
    const problem = inventoryNotUsable(inventory);
    return requeue(run.pollMs, problem ?? `the reprovision plan runs on MachineInventory ${name}`, {
      task: (ours ?? '').slice(0, 12),
      platform: 'elemental',
      name: `reprovision ${name}`,
    });
  },
};

const provisioned = (run: Run) => {
  const address = run.inventory ? observedAddress(run.inventory) : undefined;
  return machineProvisioned({
    providerID: providerIdOf(run),
    // A host reset behind the provider changes its inventory, which wakes the machine; this is the safety net.
    recheckAfterMs: run.resyncMs,
    addresses: machineAddresses(address ? [address] : [], hostnameOf(run), { hostnameFirst: true }),
  });
};

/**
 * The inventory this machine still holds, which the later delete steps clean and release. The
 * pool's claim decides, keyed by this machine's UID: once the claim is released the host may be
 * another machine's, and a delete run again (from a stale copy, or retried after the release)
 * must leave it alone, though the status still names it. Only a pool that cannot answer (deleted,
 * or the entry removed from it while held) leaves the status's inventory, and then only while the
 * inventory's owner annotation still names this machine.
 */
const findHeldInventory: Step<Run> = {
  name: 'FindInventory',
  async run(run) {
    const { ctx, namespace } = run;
    const held = await new ClaimablePool(ctx.kube, inventoryPoolKind).heldEntry(
      namespace,
      ctx.object.spec.machineInventoryPoolRef.name,
      claimantOf(ctx.object),
    );
    if (held === undefined) return done();
    if (held.ok) {
      run.entry = held.entry;
      run.inventory = await ctx.kube.get<MachineInventory>(inventoryRef(namespace, held.entry.name));
      return done();
    }
    const name = ctx.object.status?.machineInventoryRef?.name;
    if (!name) return done();
    const inventory = await ctx.kube.get<MachineInventory>(inventoryRef(namespace, name));
    if (inventory && ownedByThisMachine(ctx, inventory)) run.inventory = inventory;
    return done();
  },
};

/** Whether the inventory's owner annotations name this BaremetalMachine, as holding it (not Available). */
function ownedByThisMachine(ctx: Ctx, inventory: MachineInventory): boolean {
  const annotations = inventory.metadata.annotations ?? {};
  return (
    annotations[INVENTORY_ANNOTATIONS.ownerBaremetalMachine] === ctx.object.metadata.name &&
    allocationStateOf(inventory) !== 'Available'
  );
}

/** A host that ran (or may run) a reprovision plan is detached with a clean plan first. */
const writeCleanPlan: Step<Run> = {
  name: 'WriteCleanPlan',
  when: (run) => run.inventory !== undefined && Boolean(run.ctx.object.status?.lastAppliedPlanChecksum),
  async run(run) {
    const inventory = run.inventory as MachineInventory;
    // Deleting a Machine deactivates its data volumes (unmounted) and never releases or wipes them.
    const volumes = machineStorageVolumes(inventory);
    const { text, checksum } = serializePlan(
      volumes.length === 0
        ? cleanPlan()
        : withStoragePart(cleanPlan(), deactivationPlanPart(storageStepID(run, 'Deactivate'), volumes)),
    );
    if (volumes.length > 0)
      await beginMachineStorageStep(
        run.ctx.kube,
        run.namespace,
        inventory,
        'Deactivate',
        checksum,
        run.ctx.object.metadata.uid ?? '',
      );
    await writePlan(run, 'clean', text, checksum);
    await annotateInventory(run, run.inventory as MachineInventory, 'Preparing', true);
    run.ctx.status.phase = 'Preparing';
    return done();
  },
};

const waitForClean: Step<Run> = {
  name: 'WaitForClean',
  when: (run) => run.inventory !== undefined && run.ctx.status.phase === 'Preparing',
  async run(run) {
    const inventory = run.inventory as MachineInventory;
    const plan = inventory.status?.plan;
    const name = inventory.metadata.name;
    if (plan?.checksum === run.ctx.status.lastAppliedPlanChecksum && plan?.state === 'Applied') return done();
    if (plan?.checksum === run.ctx.status.lastAppliedPlanChecksum && plan?.state === 'Failed') {
      await annotateInventory(run, inventory, 'Unavailable', true);
      return requeue(
        run.pollMs * 6,
        `the clean plan failed on MachineInventory ${name}; the host stays held`,
      );
    }
    return requeue(
      run.pollMs,
      inventoryNotUsable(inventory) ?? `the clean plan runs on MachineInventory ${name}`,
      {
        task: (run.ctx.status.lastAppliedPlanChecksum ?? '').slice(0, 12),
        platform: 'elemental',
        name: `clean ${name}`,
      },
    );
  },
};

/** The host goes back to its pool: owner annotations cleared, Available, the claim released. Never deleted. */
const releaseInventory: Step<Run> = {
  name: 'ReleaseInventory',
  async run(run) {
    const { ctx, namespace } = run;
    if (run.inventory?.status?.storage?.operation?.type === 'Deactivate')
      await finishMachineStorageStep(ctx.kube, namespace, run.inventory, 'Deactivate');
    if (run.inventory) await annotateInventory(run, run.inventory, 'Available', false);
    const released = await new ClaimablePool(ctx.kube, inventoryPoolKind).release(
      namespace,
      ctx.object.spec.machineInventoryPoolRef.name,
      claimantOf(ctx.object),
    );
    if (released && run.inventory)
      ctx.events.normal(
        'InventoryReleased',
        `MachineInventory ${run.inventory.metadata.name} is Available again`,
      );
    return done();
  },
};

/**
 * The BaremetalMachine: resolve the image, claim a host from the pool, write the reprovision plan
 * and follow it to Running; on delete, write the clean plan, follow it, give the host back.
 */
export function baremetalMachineHooks(
  options: BaremetalMachineOptions,
): InfraMachineHooks<typeof BaremetalMachine> {
  const hooks = machineStepHooks({
    kind: BaremetalMachine,
    newRun: (ctx): Run => ({
      ctx,
      options,
      pollMs: options.pollMs ?? 5_000,
      resyncMs: options.resyncMs ?? 600_000,
      namespace: ctx.object.metadata.namespace ?? 'default',
    }),
    reconcile: [resolveImageStep, claimInventory, writeReprovisionPlan, waitForReprovision],
    provisioned,
    delete: [findHeldInventory, writeCleanPlan, waitForClean, releaseInventory],
  });
  return {
    ...hooks,
    // A failed machine stays failed: Cluster API (a MachineHealthCheck, or the user) replaces it.
    reconcile: async (ctx) =>
      ctx.object.status?.phase === 'Failed' && ctx.object.status.failureReason
        ? done()
        : hooks.reconcile(ctx),
  };
}
