import { z } from 'zod';

/**
 * A condition readable by both Cluster API contracts: it has metav1.Condition's
 * required `reason` (v1beta2) and the optional `severity` of v1beta1.
 */
export const ConditionSchema = z.object({
  type: z.string().min(1),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  severity: z.enum(['Error', 'Warning', 'Info', '']).optional(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Returns the list with the condition set. lastTransitionTime moves only when
 * the status changes, as both contracts require.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    ...input,
    lastTransitionTime:
      previous && previous.status === input.status ? previous.lastTransitionTime : now.toISOString(),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  // Ready first, then alphabetical: the order kubectl and Cluster API use.
  return list.sort((a, b) =>
    a.type === 'Ready' ? -1 : b.type === 'Ready' ? 1 : a.type.localeCompare(b.type),
  );
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

export function trueCondition(type: string, reason: string, message?: string): ConditionInput {
  return { type, status: 'True', reason, ...(message ? { message } : {}) };
}

export function falseCondition(
  type: string,
  reason: string,
  message: string,
  severity: 'Error' | 'Warning' | 'Info' = 'Info',
): ConditionInput {
  return { type, status: 'False', reason, message, severity };
}
