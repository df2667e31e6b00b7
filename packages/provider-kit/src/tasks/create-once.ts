import { requeue, type StepResult } from '@immutable-infra/core';

/**
 * When this object last asked the platform to create each of its things, by key (`vm`,
 * `volume/data-1`): an ISO time per key, kept in status (`status.createRequestedAt` by
 * convention) so that it outlives the process.
 */
export type CreateRequests = Record<string, string>;

export interface CreateOnceOptions {
  /** The status map the request is recorded in (the reconcile's draft, changed in place). */
  requests: CreateRequests;
  /** Which thing: `vm`, `server`, `volume/<name>`. */
  key: string;
  /** How the thing is named in the waiting message, e.g. `VM demo-cp-1`. */
  what: string;
  now: Date;
  /**
   * The longest the platform takes to list (or get) a thing it created. Platforms accept a create,
   * answer, and only later show the new thing in their lists; a lookup that misses it in that time
   * proves nothing.
   */
  listingLagMs: number;
  /** Persists the status draft now (the host's `saveStatus`). */
  saveStatus(): Promise<void>;
}

export type CreateOnceResult<T> = { sent: true; result: T } | { sent: false; wait: StepResult };

/** Never wait less than this between looks, however little of the lag is left. */
const SHORTEST_WAIT_MS = 1_000;

/**
 * Sends a create the caller's lookup found no trace of, at most once per listing lag. The request
 * is recorded in status and persisted before it is sent: if the answer is lost (the platform acted,
 * the connection dropped) or the process dies during the call, the next reconcile finds the record
 * and waits until the platform must list what it made before concluding it made nothing. Without
 * the record, a lookup during the platform's listing lag would send a second create: a duplicate
 * VM. A thing deleted out of band later is created again, since its record is older than the lag.
 */
export async function createOnce<T>(
  options: CreateOnceOptions,
  create: () => Promise<T>,
): Promise<CreateOnceResult<T>> {
  const askedAt = options.requests[options.key];
  const askedMs = askedAt === undefined ? Number.NaN : Date.parse(askedAt);
  const nowMs = options.now.getTime();
  if (Number.isFinite(askedMs) && nowMs - askedMs < options.listingLagMs) {
    const leftMs = Math.max(SHORTEST_WAIT_MS, askedMs + options.listingLagMs - nowMs);
    return {
      sent: false,
      wait: requeue(
        Math.min(leftMs, 5_000),
        `${options.what} was asked for at ${askedAt} and is not listed yet; not asked again for ${Math.ceil(leftMs / 1_000)} s`,
      ),
    };
  }
  options.requests[options.key] = options.now.toISOString();
  await options.saveStatus();
  return { sent: true, result: await create() };
}

/**
 * Whether a lookup that found nothing may be trusted now: false while a create asked for at
 * `requests[key]` may still be on its way into the platform's lists. Delete paths use it so that
 * a thing created a moment ago is not left behind as an orphan.
 */
export function mayBeUnlisted(
  requests: CreateRequests | undefined,
  key: string,
  now: Date,
  listingLagMs: number,
): boolean {
  const askedMs = Date.parse(requests?.[key] ?? '');
  return Number.isFinite(askedMs) && now.getTime() - askedMs < listingLagMs;
}
