/**
 * Review-step warnings every provider gives the same way: what would fail
 * or hurt later although the draft is valid.
 */

import type { ControlPlaneDraft } from './cluster-draft.js';
import {
  configPoolOfTemplate,
  type PooledTemplate,
  type SlotPoolCapacity,
  type WorkerPoolDraft,
} from './cluster-rules.js';

/** A node pool as the warnings see it: its label, its slot pool (if its template names one) and its numbers. */
export interface WarnedNodePool {
  label: string;
  slotPool: { name: string; free: number; hasPersistentDisks?: boolean } | undefined;
  replicas: number;
  maxSurge: number;
  sshKeys: number;
}

/** A draft's node pool as the review looks at it, before its slot pool is found. */
export interface DraftNodePool extends Omit<WarnedNodePool, 'slotPool'> {
  /** The machine template it names. */
  template: string;
}

/** A draft's node pools for the review, the control plane first (it never surges: KCP's maxSurge is 0). */
export function draftNodePools(draft: {
  controlPlane: ControlPlaneDraft;
  workers: readonly WorkerPoolDraft[];
}): DraftNodePool[] {
  return [
    {
      label: 'control plane',
      template: draft.controlPlane.machineTemplate,
      replicas: draft.controlPlane.replicas,
      maxSurge: 0,
      sshKeys: draft.controlPlane.sshAuthorizedKeys.length,
    },
    ...draft.workers.map((pool) => ({
      label: `worker pool ${pool.name || '(unnamed)'}`,
      template: pool.machineTemplate,
      replicas: pool.replicas,
      maxSurge: pool.maxSurge,
      sshKeys: pool.sshAuthorizedKeys.length,
    })),
  ];
}

/**
 * A slot's persistent disks move to the replacement one node at a time, so a
 * pool drawing on such slots must not surge; the endpoint must be set; a slot
 * pool must hold, at once, a rolling upgrade's surge beyond the replicas of all
 * node pools drawing on it; a cluster needs a worker pool to run workloads; a
 * node pool without SSH keys cannot be logged in to. `pools[0]` is the control plane.
 */
export function nodePoolWarnings(input: {
  slotNoun: string;
  apiServerAddress: string;
  pools: readonly WarnedNodePool[];
}): string[] {
  const warnings: string[] = [];
  for (const pool of input.pools)
    if (pool.slotPool?.hasPersistentDisks && Number.isInteger(pool.replicas) && pool.maxSurge > 0)
      warnings.push(
        `${pool.label}: ${input.slotNoun} ${pool.slotPool.name} has persistent disks, which move to the replacement one node at a time; keep max surge 0`,
      );
  if (!input.apiServerAddress)
    warnings.push(
      'the control plane endpoint is not set; Cluster API and kubeadm cannot reach the API server',
    );
  const bySlotPool = new Map<string, { free: number; replicas: number; surge: number; users: string[] }>();
  for (const pool of input.pools) {
    if (!pool.slotPool || !Number.isInteger(pool.replicas)) continue;
    const entry = bySlotPool.get(pool.slotPool.name) ?? {
      free: pool.slotPool.free,
      replicas: 0,
      surge: 0,
      users: [],
    };
    entry.replicas += pool.replicas;
    entry.surge = Math.max(entry.surge, pool.maxSurge);
    entry.users.push(pool.label);
    bySlotPool.set(pool.slotPool.name, entry);
  }
  for (const [name, entry] of bySlotPool) {
    if (entry.surge === 0) continue;
    const needed = entry.replicas + entry.surge;
    if (entry.free < needed)
      warnings.push(
        `${input.slotNoun} ${name} has ${entry.free} free entries; a rolling upgrade of ${entry.users.join(', ')} with max surge ${entry.surge} needs ${needed}, so it will stall until entries are added`,
      );
  }
  if (input.pools.length <= 1)
    warnings.push('no worker node pool: the control plane alone runs no workloads');
  const noKeys = input.pools.filter((p) => p.sshKeys === 0);
  if (noKeys.length > 0)
    warnings.push(
      `${noKeys.map((p) => p.label).join(', ')}: no SSH key, so nobody can log in to those nodes`,
    );
  return warnings;
}

/**
 * {@link nodePoolWarnings} of a draft whose machine templates draw from
 * config pools: each node pool's slot pool is its template's config pool.
 */
export function configPoolNodePoolWarnings<
  T extends PooledTemplate,
  P extends SlotPoolCapacity & { hasPersistentDisks?: boolean },
>(
  draft: Parameters<typeof draftNodePools>[0],
  facts: { machineTemplates: readonly T[]; configPools: readonly P[] },
  words: { slotNoun: string; apiServerAddress: string },
): string[] {
  return nodePoolWarnings({
    ...words,
    pools: draftNodePools(draft).map((pool) => ({
      ...pool,
      slotPool: configPoolOfTemplate(facts, pool.template),
    })),
  });
}
