import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** A per-account token bucket (see RateLimiter in tools/simulator-kit). */
export const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive(),
  burst: z.number().int().min(1),
});

/**
 * Misbehaviour the simulator can be told to show, exactly the fault list of the wire contract.
 * All are off by default; `taskSeconds`, `lockAfterFailures` and `lockSeconds` are the platform's
 * normal timings, kept here so a test can shorten them.
 */
export const faultsSchema = z.strictObject({
  /** Delay before every /service response. */
  latencyMs: z.number().min(0).default(0),
  /** How long an asynchronous task takes from `running` to `success`. */
  taskSeconds: z.number().min(0).default(0.2),
  /** Share of non-login calls answered 503 `10000001`. */
  errorRate: rate.default(0),
  /** Share of calls never answered (the socket stays open until the client gives up). */
  timeoutRate: rate.default(0),
  /**
   * Share of successful changes (POST/PUT/DELETE, not login) whose reply is lost: the platform
   * did the work, then the connection is destroyed before any response byte.
   */
  lostReplyRate: rate.default(0),
  /**
   * Seconds a VM or volume created through the API stays out of lists and name filters, and out of
   * `GET` by its URI too while `createLagHidesGet` holds (its task may already say success).
   */
  createLagSeconds: z.number().min(0).default(0),
  createLagHidesGet: z.boolean().default(true),
  /**
   * Per-user request rate; a call beyond it answers 429 `SIM.429` with `Retry-After` (seconds).
   * Off when left out. Logins are not counted (they carry no user yet).
   */
  rateLimit: rateLimitSchema.optional(),
  /** Share of non-login calls answered 429 `SIM.429` with `Retry-After: 1`, whatever the rate. */
  throttleRate: rate.default(0),
  /** Invalidate every existing token when the faults are applied (a one-shot action). */
  expireSessions: z.boolean().default(false),
  /** VM names (or `*`) whose clone task never finishes, leaving the VM `creating`. */
  stuckCreating: z.union([z.literal('*'), z.array(z.string())]).default([]),
  /**
   * VM names the scheduler puts on one host: each is cloned onto the host of the first of them
   * already placed in its cluster, whatever the load and any DRS mutual-exclusion rule (a DCS whose
   * DRS is off or cannot move them: what the control plane HA condition must notice).
   */
  colocate: z.array(z.string()).default([]),
  /** The site policy that refuses to delete a VM that is not `stopped` (409 `102212808`). */
  stoppedOnlyDelete: z.boolean().default(false),
  lockAfterFailures: z.number().int().min(1).default(5),
  lockSeconds: z.number().min(0).default(300),
  /** Seed of the generator behind every random choice; a fixed seed makes runs reproducible. */
  seed: z.number().int().optional(),
});

/** Fault settings as a caller writes them; every key is optional. */
export type Faults = z.input<typeof faultsSchema>;
/** Fault settings with defaults applied. */
export type ResolvedFaults = z.output<typeof faultsSchema>;

/** Whether the clone of a VM with this name is meant to hang in `creating`. */
export function isStuckCreating(faults: ResolvedFaults, vmName: string): boolean {
  const stuck = faults.stuckCreating;
  return stuck === '*' || stuck.includes('*') || stuck.includes(vmName);
}
