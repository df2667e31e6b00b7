import { z } from 'zod';

const rate = z.number().min(0).max(1);

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
  /** Invalidate every existing token when the faults are applied (a one-shot action). */
  expireSessions: z.boolean().default(false),
  /** VM names (or `*`) whose clone task never finishes, leaving the VM `creating`. */
  stuckCreating: z.union([z.literal('*'), z.array(z.string())]).default([]),
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
