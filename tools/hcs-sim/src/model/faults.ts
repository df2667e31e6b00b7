import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** A per-account token bucket (see RateLimiter in tools/simulator-kit). */
const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive(),
  burst: z.number().int().min(1),
});

/** An error a named operation answers with instead of doing its work. */
const operationErrorSchema = z.strictObject({
  /** Operation name from the README's table, e.g. `ecs.createServers`, or `*` for every operation. */
  operation: z.string().min(1),
  status: z.number().int().min(400).max(599).default(500),
  code: z.string().min(1).default('SIM.0500'),
  message: z.string().default('injected fault'),
  /** How many calls fail; all of them when left out. */
  times: z.number().int().min(1).optional(),
  /** Share of matching calls that fail (drawn from the seeded generator); 1 by default. */
  rate: rate.default(1),
});

/** A job that ends in FAIL with this error code instead of SUCCESS. */
const jobFailureSchema = z.strictObject({
  /** Job type, e.g. `createServer`, `deleteServer`, `attachVolume`, `detachVolume`, `createVolume`, `deleteVolume`, or `*`. */
  jobType: z.string().min(1),
  code: z.string().min(1).default('Ecs.0000'),
  message: z.string().default('injected job failure'),
  times: z.number().int().min(1).optional(),
});

/**
 * Misbehaviour the simulator can be told to show. All are off by default; `jobSeconds` and
 * `tokenSeconds` are the platform's normal timings, kept here so a test can shorten them.
 */
export const faultsSchema = z.strictObject({
  /** Delay before every API response. */
  latencyMs: z.number().min(0).default(0),
  /** How long an asynchronous job stays RUNNING before it ends. */
  jobSeconds: z.number().min(0).default(0.2),
  /** Share of calls answered 502 `APIGW.0201` (backend unavailable). */
  errorRate: rate.default(0),
  /** Share of calls answered 429 `APIGW.0308` (throttled) with `Retry-After: 1`. */
  throttleRate: rate.default(0),
  /**
   * Per-user request rate (by IAM user id, token or AK/SK alike); a call beyond it answers 429
   * `APIGW.0308` with `Retry-After` (seconds). Off when left out. Token requests are not counted.
   */
  rateLimit: rateLimitSchema.optional(),
  /** Share of calls never answered (the socket stays open until the client gives up). */
  timeoutRate: rate.default(0),
  /**
   * Share of successful changes (POST/PUT/DELETE, not IAM token requests) whose reply is lost:
   * the cloud did the work, then the connection is destroyed before any response byte.
   */
  lostReplyRate: rate.default(0),
  /**
   * Seconds a server, volume, load balancer, listener, pool or member created through the API
   * stays out of lists and filters, and out of `GET` by its id too while `createLagHidesGet` holds
   * (its job may already say SUCCESS).
   */
  createLagSeconds: z.number().min(0).default(0),
  createLagHidesGet: z.boolean().default(true),
  /** How long an IAM token is valid. */
  tokenSeconds: z.number().min(1).default(86_400),
  /**
   * IAM's account lockout policy: this many wrong passwords for a user within `lockWindowSeconds`
   * lock the user for `lockSeconds`, refusing even the right password (Huawei IAM's defaults: 5
   * failures, the counter reset after 15 minutes, locked for 15 minutes).
   */
  lockAfterFailures: z.number().int().min(1).default(5),
  lockWindowSeconds: z.number().min(0).default(900),
  lockSeconds: z.number().min(0).default(900),
  /** Invalidate every issued token when the faults are applied (a one-shot action). */
  expireTokens: z.boolean().default(false),
  operationErrors: z.array(operationErrorSchema).default([]),
  jobFailures: z.array(jobFailureSchema).default([]),
  /** Job types (or `*`) whose jobs stay RUNNING forever. */
  stuckJobs: z.array(z.string().min(1)).default([]),
  /** Seed of the generator behind every random choice; a fixed seed makes runs reproducible. */
  seed: z.number().int().optional(),
});

export type Faults = z.input<typeof faultsSchema>;
export type ResolvedFaults = z.output<typeof faultsSchema>;
export type OperationError = ResolvedFaults['operationErrors'][number];
export type JobFailure = ResolvedFaults['jobFailures'][number];
