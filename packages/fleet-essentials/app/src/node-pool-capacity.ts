import type {
  FieldProblem,
  NodePoolCapacity,
  NodePoolCapacityExtension,
  NodePoolCapacityRequest,
} from '@immutable-infra/core';
import { resolveIntOrPercent } from '../../src/server/rollout-plan.ts';
import type { ExtensionInfo } from './api.ts';
import { hostApiFor } from './ExtensionSlot.tsx';
import { entriesFor, exportOf } from './extensions.ts';

/** What the form shows: the provider's answer, or why there is none. */
export type CapacityAnswer =
  | { state: 'checked'; capacity: NodePoolCapacity; extension: string }
  /** The provider has no capacity export, or its template draws from no slot pool: nothing to show. */
  | { state: 'none' }
  /** The export failed: shown, never blocking (the provider's controllers still refuse a machine without a slot). */
  | { state: 'failed'; message: string };

/** The form's values as the request needs them, or undefined while replicas or max surge are not numbers yet. */
export function capacityRequest(values: {
  namespace: string;
  clusterName: string;
  nodePoolName: string;
  template: { apiGroup?: string | undefined; kind: string; name: string };
  replicas: string;
  maxSurge: string;
  existingMachines?: number;
}): NodePoolCapacityRequest | undefined {
  const replicas = /^\d+$/.test(values.replicas.trim()) ? Number(values.replicas) : undefined;
  const surgeText = values.maxSurge.trim();
  if (
    replicas === undefined ||
    !/^\d+%?$/.test(surgeText) ||
    !values.template.name ||
    !values.template.apiGroup
  )
    return undefined;
  const maxSurge = resolveIntOrPercent(
    /^\d+$/.test(surgeText) ? Number(surgeText) : surgeText,
    replicas,
    1,
    true,
  );
  return {
    namespace: values.namespace,
    clusterName: values.clusterName,
    nodePoolName: values.nodePoolName,
    machineTemplate: {
      apiGroup: values.template.apiGroup,
      kind: values.template.kind,
      name: values.template.name,
    },
    replicas,
    maxSurge,
    ...(values.existingMachines ? { existingMachines: values.existingMachines } : {}),
  };
}

/**
 * Asks the `node-pool.capacity` exports of the cluster's provider, in
 * manifest order; the first that answers for the template wins. No export,
 * or none that knows the template: no answer, and no check.
 */
export async function checkCapacity(
  extensions: ExtensionInfo[],
  provider: string,
  request: NodePoolCapacityRequest,
): Promise<CapacityAnswer> {
  for (const entry of entriesFor(extensions, 'node-pool.capacity', provider)) {
    try {
      const exported = await exportOf<NodePoolCapacityExtension>(entry);
      if (typeof exported?.check !== 'function')
        throw new Error(`${entry.entry.export} has no check function`);
      const capacity = await exported.check(request, {
        namespace: request.namespace,
        api: hostApiFor(entry.extension.id),
      });
      if (capacity) return { state: 'checked', capacity, extension: entry.entry.title };
    } catch (e) {
      return {
        state: 'failed',
        message: `${entry.entry.title} could not check the capacity: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }
  return { state: 'none' };
}

/** "pool X: N free, this pool needs M (replicas + max surge)", one line per pool consulted. */
export function capacitySummary(capacity: NodePoolCapacity): string {
  const pools = capacity.pools.map((p) => `${p.kind} ${p.name}: ${p.free} free of ${p.total}`).join('; ');
  return `${pools}, this pool needs ${capacity.needed} (replicas + max surge)`;
}

/** The problems of one form field. */
export const problemsAt = (answer: CapacityAnswer | undefined, field: string): FieldProblem[] =>
  answer?.state === 'checked' ? answer.capacity.problems.filter((p) => p.field === field) : [];
