/** Cluster API's label for sharding a fleet between managers (`--watch-filter`). */
export const WATCH_FILTER_LABEL = 'cluster.x-k8s.io/watch-filter';

/** A Kubernetes label value: 63 characters at most, alphanumerics with `-`, `_` or `.` inside. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

/** Why `value` cannot be a watch filter, or undefined when it can. */
export function watchFilterProblem(value: string): string | undefined {
  return LABEL_VALUE.test(value)
    ? undefined
    : `must be a label value: 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "${value}")`;
}

/** The default Lease of a sharded manager: one per shard, so managers of different shards never stand by for each other. */
export function shardLeaseName(lease: string, watchFilter: string | undefined): string {
  if (watchFilter === undefined) return lease;
  const shard = watchFilter
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${lease}-${shard}`.slice(0, 253).replace(/-+$/, '');
}
