import { isDeepStrictEqual } from 'node:util';
import type { Condition } from '@immutable-infra/core';

type Status = Record<string, unknown> & { conditions?: Condition[] };

/** The parts of a condition a change is told by; lastTransitionTime moves with status. */
const CONDITION_PARTS = ['status', 'reason', 'message', 'severity', 'observedGeneration'] as const;

/**
 * What a status write changes, in words few enough for a metric label (`iinfra_status_writes_total`):
 * the top-level fields it sets or removes, in order, and for conditions each changed condition's
 * type with what changed of it, e.g. `conditions(Ready:reason+message VMReady:new) taskUrn`. Object
 * names, values and messages are left out, so one kind of change always reads the same, which is
 * what tells where an object's writes go.
 */
export function describeStatusChange(before: Status, after: Status): string {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((field) => !isDeepStrictEqual(before[field], after[field]))
    .sort();
  return fields
    .map((field) =>
      field === 'conditions' ? `conditions(${conditionChanges(before.conditions, after.conditions)})` : field,
    )
    .join(' ');
}

function conditionChanges(before: Condition[] | undefined, after: Condition[] | undefined): string {
  const old = new Map((before ?? []).map((c) => [c.type, c]));
  const now = new Map((after ?? []).map((c) => [c.type, c]));
  const changes: string[] = [];
  for (const type of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const was = old.get(type);
    const is = now.get(type);
    if (!was) changes.push(`${type}:new`);
    else if (!is) changes.push(`${type}:removed`);
    else {
      const parts = CONDITION_PARTS.filter((part) => was[part] !== is[part]);
      if (parts.length > 0) changes.push(`${type}:${parts.join('+')}`);
      else if (!isDeepStrictEqual(was, is)) changes.push(`${type}:time`);
    }
  }
  // Only the order of the list changed.
  return changes.join(' ') || 'order';
}
