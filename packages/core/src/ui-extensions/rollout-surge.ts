/**
 * How many machines a rolling update makes before it deletes old ones:
 * Cluster API's `maxSurge`, a count or a percentage of the replicas rounded
 * up (`maxUnavailable` rounds down), 1 when unset. Undefined for a value that
 * is neither (the form names that field itself).
 */
export function rolloutSurge(replicas: number, maxSurge: number | string | undefined): number | undefined {
  if (maxSurge === undefined) return 1;
  if (typeof maxSurge === 'number') return Number.isInteger(maxSurge) && maxSurge >= 0 ? maxSurge : undefined;
  const text = maxSurge.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const percent = /^(\d+)%$/.exec(text);
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : undefined;
}
