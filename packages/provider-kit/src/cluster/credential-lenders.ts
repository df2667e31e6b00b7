import type { ObjectMeta } from '@immutable-infra/core';

/**
 * Credentials borrowed from infrastructure clusters, as CAPV does for its deployment zones: a
 * cluster-scoped object that names a platform endpoint but holds no credential of its own is
 * checked on the platform with the credential of a cluster on that endpoint.
 */

/** An infrastructure cluster as a lender: its name, deletion, and its login condition. */
export interface LendingCluster {
  metadata: ObjectMeta;
  status?: unknown;
}

const conditionTrue = (cluster: LendingCluster, type: string) =>
  (cluster.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some(
    (c) => c.type === type && c.status === 'True',
  ) === true;

/**
 * The clusters whose credentials may be borrowed, in the order to try them: those `accepts` takes
 * (on the object's endpoint) and not being deleted; those whose own login works (`loggedInCondition`
 * is True) first, so a wrong password is not tried again and again towards the platform's lockout;
 * then by namespace and name.
 */
export function credentialLenders<Cluster extends LendingCluster>(
  clusters: readonly Cluster[],
  options: { loggedInCondition: string; accepts(cluster: Cluster): boolean },
): Cluster[] {
  const key = (c: Cluster) =>
    `${conditionTrue(c, options.loggedInCondition) ? 0 : 1}/${c.metadata.namespace}/${c.metadata.name}`;
  return clusters
    .filter((c) => !c.metadata.deletionTimestamp && options.accepts(c))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * Runs `use` with the platform client of the first lender whose credential works: a lender whose
 * Secret cannot be used, or whose call fails, is passed over for the next; the last lender's
 * problem is the answer when none works (the empty string when there is no lender).
 */
export async function withBorrowedCredential<
  Cluster,
  Lookup extends { ok: true } | { ok: false; message: string },
  T,
>(
  lenders: readonly Cluster[],
  options: {
    /** The provider's lookup of a cluster's platform client (its credential Secret). */
    connect(cluster: Cluster): Promise<Lookup>;
    use(cloud: Extract<Lookup, { ok: true }>): Promise<T>;
    /** A failed call in words, naming no credential. */
    describe(error: unknown): string;
  },
): Promise<{ ok: true; value: T } | { ok: false; failure: string }> {
  let failure = '';
  for (const cluster of lenders) {
    const cloud = await options.connect(cluster);
    if (!cloud.ok) {
      failure = (cloud as { message: string }).message;
      continue;
    }
    try {
      return { ok: true, value: await options.use(cloud as Extract<Lookup, { ok: true }>) };
    } catch (error) {
      failure = options.describe(error);
    }
  }
  return { ok: false, failure };
}
