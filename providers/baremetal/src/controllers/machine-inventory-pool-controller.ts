import {
  done,
  type ExtraKindHooks,
  falseCondition,
  type ObjectContext,
  trueCondition,
} from '@immutable-infra/core';
import { claimablePoolHooks, keepAnnotations } from '@immutable-infra/provider-kit';
import { BAREMETAL_API_VERSION } from '../api/common.js';
import { MachineInventoryPool, type MachineInventoryPoolObject } from '../api/machine-inventory-pool.js';
import {
  allocationStateOf,
  ELEMENTAL_API_VERSION,
  INVENTORY_ANNOTATIONS,
  inventoryNotUsable,
  inventoryRef,
  type MachineInventory,
  planSecretNameOf,
} from '../cloud/machine-inventory.js';
import { storageBlocksAllocation } from '../cloud/storage.js';
import { inventoryPoolKind } from './inventory-claims.js';
import { reconcileInventoryStorage } from './inventory-storage.js';

type Ctx = ObjectContext<typeof MachineInventoryPool>;

export interface PoolOptions {
  /**
   * How often to count again without a change seen: inventory changes (Ready, plan state) wake the
   * pool through the host's MachineInventory watch, so this is only a safety net. 10 min by default.
   */
  recheckMs?: number;
}

type Counter = 'available' | 'allocated' | 'preparing' | 'reprovisioning' | 'unavailable';

const COUNTER_OF_STATE: Record<string, Counter> = {
  Allocated: 'allocated',
  Reprovisioning: 'reprovisioning',
  Preparing: 'preparing',
  Unavailable: 'unavailable',
};

/**
 * Runs the storage lifecycle (Prepare, Release) of the inventories this pool answers for: its
 * members, and, by the first pool of the namespace in name order, every inventory in no pool, so
 * a host is prepared before it joins a production pool (as the documentation asks). This runs with
 * every count, which an inventory's change starts. A failure on one inventory does not stop the others.
 */
async function prepareStorage(
  ctx: Ctx,
  namespace: string,
  name: string,
  inventories: MachineInventory[],
  pools: MachineInventoryPoolObject[],
): Promise<void> {
  const live = pools.filter((pool) => !pool.metadata.deletionTimestamp);
  const listed = new Set(live.flatMap((pool) => pool.spec.machineInventories.map((member) => member.name)));
  const first = live.map((pool) => pool.metadata.name ?? '').sort()[0];
  const members = new Set(ctx.object.spec.machineInventories.map((member) => member.name));
  for (const inventory of inventories) {
    const owner = inventory.metadata.annotations?.[INVENTORY_ANNOTATIONS.pool];
    const mine = owner === name || (owner === undefined && members.has(inventory.metadata.name));
    const orphan = owner === undefined && !listed.has(inventory.metadata.name) && first === name;
    if (!mine && !orphan) continue;
    if (!inventory.spec?.storage && !inventory.status?.storage) continue;
    try {
      await reconcileInventoryStorage(ctx.kube, namespace, inventory);
    } catch (error) {
      ctx.log.warn('storage reconcile failed', { inventory: inventory.metadata.name, error: String(error) });
    }
  }
}

/**
 * Counts a pool's inventories and keeps each in at most one active pool: a member is annotated
 * `baremetal.alauda.io/pool=<pool>` unless another existing pool that lists it holds that
 * annotation already, in which case it is unavailable here and `MembersValid` says where it is.
 * Missing inventories, inventories without a plan Secret or not Ready count as unavailable too.
 * Deleting the pool waits until no machine holds a host, then clears the pool annotations.
 */
export function machineInventoryPoolHooks(
  options: PoolOptions = {},
): ExtraKindHooks<typeof MachineInventoryPool> {
  const recheckMs = options.recheckMs ?? 600_000;
  const base = claimablePoolHooks({
    kind: MachineInventoryPool,
    claims: inventoryPoolKind,
    holderOf: (claim) => claim.baremetalMachineRef.name,
  });
  return {
    kind: MachineInventoryPool,
    async reconcile(ctx: Ctx) {
      const pool = ctx.object;
      const namespace = pool.metadata.namespace ?? 'default';
      const name = pool.metadata.name ?? '';
      const inventories = new Map(
        (await ctx.kube.list<MachineInventory>(ELEMENTAL_API_VERSION, 'MachineInventory', { namespace })).map(
          (inventory) => [inventory.metadata.name, inventory],
        ),
      );
      const pools = new Map(
        (
          await ctx.kube.list<MachineInventoryPoolObject>(BAREMETAL_API_VERSION, 'MachineInventoryPool', {
            namespace,
          })
        ).map((other) => [other.metadata.name ?? '', other]),
      );
      const claimed = new Set(inventoryPoolKind.claims(pool).map((claim) => claim.machineInventory));
      await prepareStorage(ctx, namespace, name, [...inventories.values()], [...pools.values()]);
      const counts: Record<Counter, number> = {
        available: 0,
        allocated: 0,
        preparing: 0,
        reprovisioning: 0,
        unavailable: 0,
      };
      const problems: string[] = [];
      for (const member of pool.spec.machineInventories) {
        const inventory = inventories.get(member.name);
        if (!inventory) {
          counts.unavailable += 1;
          problems.push(`MachineInventory ${member.name} not found`);
          continue;
        }
        const owner = inventory.metadata.annotations?.[INVENTORY_ANNOTATIONS.pool];
        const otherPool = owner && owner !== name ? pools.get(owner) : undefined;
        const heldElsewhere =
          otherPool !== undefined &&
          !otherPool.metadata.deletionTimestamp &&
          otherPool.spec.machineInventories.some((other) => other.name === member.name);
        if (heldElsewhere) {
          counts.unavailable += 1;
          problems.push(`MachineInventory ${member.name} belongs to MachineInventoryPool ${owner}`);
          continue;
        }
        await keepAnnotations(ctx.kube, inventoryRef(namespace, member.name), inventory, {
          [INVENTORY_ANNOTATIONS.pool]: name,
        });
        const secret = planSecretNameOf(inventory);
        const unusable =
          inventoryNotUsable(inventory) ??
          (secret && !(await ctx.kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: secret }))
            ? `the plan Secret ${secret} of MachineInventory ${member.name} is missing`
            : undefined);
        const state = allocationStateOf(inventory);
        const counter = state ? COUNTER_OF_STATE[state] : undefined;
        const storage = storageBlocksAllocation(inventory.spec?.storage, inventory.status?.storage);
        if (counter) counts[counter] += 1;
        else if (claimed.has(member.name)) counts.allocated += 1;
        else if (unusable) {
          counts.unavailable += 1;
          problems.push(unusable);
        } else if (storage) {
          // Not allocatable until its declared data volumes are prepared (status.storage says why).
          counts.unavailable += 1;
          problems.push(`MachineInventory ${member.name}: ${storage}`);
        } else counts.available += 1;
      }
      // Inventories this pool annotated but no longer lists go free (unless a machine still holds one).
      const listed = new Set(pool.spec.machineInventories.map((member) => member.name));
      for (const inventory of inventories.values()) {
        const mine = inventory.metadata.annotations?.[INVENTORY_ANNOTATIONS.pool] === name;
        if (mine && !listed.has(inventory.metadata.name) && !claimed.has(inventory.metadata.name))
          await ctx.kube.patch(inventoryRef(namespace, inventory.metadata.name), {
            metadata: { annotations: { [INVENTORY_ANNOTATIONS.pool]: null } },
          });
      }
      Object.assign(ctx.status, { total: pool.spec.machineInventories.length, ...counts });
      if (problems.length > 0)
        for (const type of ['MembersValid', 'Ready'])
          ctx.setCondition(falseCondition(type, 'MembersInvalid', problems.join('; '), 'Warning'));
      else {
        ctx.setCondition(trueCondition('MembersValid', 'AllMembersValid'));
        ctx.setCondition(
          trueCondition(
            'Ready',
            'Available',
            counts.available > 0 ? 'inventories are free' : 'every inventory is in use',
          ),
        );
      }
      return done({ recheckAfterMs: recheckMs });
    },
    async delete(ctx: Ctx) {
      const held = await base.delete?.(ctx);
      if (held && !('type' in held && held.type === 'done')) return held;
      const namespace = ctx.object.metadata.namespace ?? 'default';
      for (const member of ctx.object.spec.machineInventories) {
        const inventory = await ctx.kube.get<MachineInventory>(inventoryRef(namespace, member.name));
        if (inventory?.metadata.annotations?.[INVENTORY_ANNOTATIONS.pool] === ctx.object.metadata.name)
          await ctx.kube.patch(inventoryRef(namespace, member.name), {
            metadata: { annotations: { [INVENTORY_ANNOTATIONS.pool]: null } },
          });
      }
      return done();
    },
  };
}
