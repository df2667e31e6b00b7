/**
 * How long the host waits before the next attempt after a classified platform failure
 * (a step threw `PlatformFailure` or returned `platformFailed`): `initialMs`, doubled per
 * consecutive failure of the same object, never more than `maxMs`.
 *
 * Defaults: 2 s, 4 s, 8 s, ... 256 s, then every 5 min. Two seconds is about one platform
 * round trip plus a task poll, so a blip costs almost nothing; five minutes keeps a platform
 * that is down for hours at 12 calls an hour per object, while a fixed outage is noticed
 * within five minutes. There is no jitter: the doubling already spreads objects whose
 * failures began at different times, and equal spacing keeps the condition's "next attempt
 * in" truthful.
 */
export interface StepBackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export const STEP_BACKOFF_DEFAULTS = { initialMs: 2_000, maxMs: 300_000 } as const;

/** A platform's own "retry after" (e.g. an account lock) is honoured up to this long. */
const RETRY_AFTER_LIMIT_MS = 3_600_000;

/** A throttled object waits at least this long, whatever the platform's Retry-After says (0, a past date). */
const THROTTLED_MIN_MS = 100;

/** Where in an object's reconcile a failure happened. */
export interface StepPosition {
  phase: 'reconcile' | 'delete';
  /** The index of the failing step in its plan; -1 for a hook that returned a plain result. */
  stepIndex: number;
  /** `metadata.generation`: a spec change by the user is a reason to try again at once. */
  generation: unknown;
}

interface Failing extends StepPosition {
  failures: number;
  nextAttemptAt: number;
}

/**
 * Per-object back-off for classified failures. It lives in the host, not in the work queue,
 * so nothing the queue does on a successful reconcile (it forgets its own error count) and no
 * watch event that wakes the object early can shorten it: the reconciler asks `remainingMs`
 * before it calls the hook. The state is in memory: a restarted manager starts from
 * `initialMs` again, which costs one early call per failing object.
 */
export class StepBackoff {
  private readonly failing = new Map<string, Failing>();
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    options: StepBackoffOptions = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.initialMs = options.initialMs ?? STEP_BACKOFF_DEFAULTS.initialMs;
    this.maxMs = options.maxMs ?? STEP_BACKOFF_DEFAULTS.maxMs;
    if (!(this.initialMs > 0 && this.maxMs >= this.initialMs)) {
      throw new Error('step back-off needs 0 < initialMs <= maxMs');
    }
  }

  /**
   * Milliseconds until the object may call its platform again, or undefined when it is not
   * backing off. A spec change or a switch between reconcile and delete ends the wait, since
   * the next attempt is then a different one.
   */
  remainingMs(key: string, at: Pick<StepPosition, 'phase' | 'generation'>): number | undefined {
    const state = this.failing.get(key);
    if (!state) return undefined;
    if (state.phase !== at.phase || state.generation !== at.generation) {
      this.failing.delete(key);
      return undefined;
    }
    const remaining = state.nextAttemptAt - this.now();
    return remaining > 0 ? remaining : undefined;
  }

  /**
   * Records a classified failure and returns the delay before the next attempt, and how many
   * failures in a row this is. A failure at a later step than the last one is progress, so the
   * count starts again.
   */
  failed(key: string, at: StepPosition, retryAfterMs?: number): { delayMs: number; failures: number } {
    const previous = this.failing.get(key);
    const sameAttempt =
      previous !== undefined &&
      previous.phase === at.phase &&
      previous.generation === at.generation &&
      previous.stepIndex >= at.stepIndex;
    const failures = sameAttempt ? previous.failures + 1 : 1;
    let delayMs = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(failures - 1, 30));
    if (retryAfterMs !== undefined && retryAfterMs > delayMs) {
      delayMs = Math.min(retryAfterMs, Math.max(RETRY_AFTER_LIMIT_MS, this.maxMs));
    }
    this.failing.set(key, { ...at, failures, nextAttemptAt: this.now() + delayMs });
    return { delayMs, failures };
  }

  /**
   * The platform throttled the object's call and said when to come back (HTTP 429 with
   * Retry-After, after the transport's own waits): the next attempt is then, at most `maxMs` and
   * at least THROTTLED_MIN_MS away, and it is not a failure, as client-go treats a 429: the
   * count of failures in a row (and so the next failure's delay) stays as it was.
   */
  throttled(key: string, at: StepPosition, retryAfterMs: number): { delayMs: number; failures: number } {
    const previous = this.failing.get(key);
    const sameAttempt =
      previous !== undefined &&
      previous.phase === at.phase &&
      previous.generation === at.generation &&
      previous.stepIndex >= at.stepIndex;
    const failures = sameAttempt ? previous.failures : 0;
    const delayMs = Math.min(this.maxMs, Math.max(THROTTLED_MIN_MS, Math.ceil(retryAfterMs)));
    this.failing.set(key, {
      ...at,
      stepIndex: sameAttempt ? previous.stepIndex : at.stepIndex,
      failures,
      nextAttemptAt: this.now() + delayMs,
    });
    return { delayMs, failures };
  }

  /** Progress (a reconcile that ended without a classified failure) or the object is gone. */
  reset(key: string): void {
    this.failing.delete(key);
  }
}

/** `16 s`, `1.5 s`, `5 min`: for the Ready condition's "next attempt in". */
export function formatDelay(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  const seconds = ms / 1000;
  return `${seconds >= 10 ? Math.round(seconds) : Math.round(seconds * 10) / 10} s`;
}
