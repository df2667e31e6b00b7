import { requeue, type StepResult } from '@immutable-infra/core';

/**
 * When this object last asked the platform to create each of its things, by key (`vm`,
 * `volume/data-1`): an ISO time per key, kept in status (`status.createRequestedAt` by
 * convention) so that it outlives the process.
 */
export type CreateRequests = Record<string, string>;

/** What createOnce needs of a reconcile: the host's context of an object whose status has `createRequestedAt`. */
export interface CreateRecording {
  status: { createRequestedAt?: CreateRequests | undefined };
  clock: { now(): Date };
  /** Persists the status draft now (the host's `saveStatus`). */
  saveStatus(): Promise<void>;
}

/** One thing an object asks its platform to create. */
export interface CreatedThing {
  /** Which thing: `vm`, `server`, `volume/<name>`. */
  key: string;
  /** How the thing is named in the waiting message, e.g. `VM demo-cp-1`. */
  what: string;
  /**
   * The longest the platform takes to list (or get) a thing it created. Platforms accept a create,
   * answer, and only later show the new thing in their lists; a lookup that misses it in that time
   * proves nothing.
   */
  listingLagMs: number;
}

export type CreateOnceResult<T> =
  | { sent: true; result: T }
  /** `wait` is the step's answer; `message` says what it waits for. */
  | { sent: false; wait: StepResult; message: string };

/** Never wait less than this between looks, however little of the lag is left. */
const SHORTEST_WAIT_MS = 1_000;
/** Look again at least this often while waiting: the thing usually shows up well within the lag. */
const LONGEST_WAIT_MS = 5_000;

/**
 * Sends a create the caller's lookup found no trace of, at most once per listing lag. The request
 * is recorded in status and persisted before it is sent: if the answer is lost (the platform acted,
 * the connection dropped) or the process dies during the call, the next reconcile finds the record
 * and waits until the platform must list what it made before concluding it made nothing. Without
 * the record, a lookup during the platform's listing lag would send a second create: a duplicate
 * VM. A thing deleted out of band later is created again, since its record is older than the lag.
 */
export async function createOnce<T>(
  context: CreateRecording,
  thing: CreatedThing,
  create: () => Promise<T>,
): Promise<CreateOnceResult<T>> {
  context.status.createRequestedAt ??= {};
  const requests = context.status.createRequestedAt;
  const askedAt = requests[thing.key];
  const now = context.clock.now();
  const leftMs = lagLeftMs(askedAt, now, thing.listingLagMs);
  if (leftMs > 0) {
    const message = `${thing.what} was asked for at ${askedAt} and is not listed yet; not asked again for ${Math.ceil(leftMs / 1_000)} s`;
    const afterMs = Math.min(Math.max(SHORTEST_WAIT_MS, leftMs), LONGEST_WAIT_MS);
    return { sent: false, wait: requeue(afterMs, message), message };
  }
  requests[thing.key] = now.toISOString();
  await context.saveStatus();
  return { sent: true, result: await create() };
}

/**
 * Whether a lookup of `key` that found nothing may be wrong: a create asked for under it less than
 * the listing lag ago may still be on its way into the platform's lists. Delete paths wait on it so
 * that a thing created a moment ago is not left behind as an orphan.
 */
export function mayBeUnlisted(
  context: Pick<CreateRecording, 'status' | 'clock'>,
  key: string,
  listingLagMs: number,
): boolean {
  return lagLeftMs(context.status.createRequestedAt?.[key], context.clock.now(), listingLagMs) > 0;
}

function lagLeftMs(askedAt: string | undefined, now: Date, listingLagMs: number): number {
  const askedMs = Date.parse(askedAt ?? '');
  return Number.isFinite(askedMs) ? askedMs + listingLagMs - now.getTime() : 0;
}
