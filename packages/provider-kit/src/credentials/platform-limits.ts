import type { PlatformLimits } from '@immutable-infra/core';

/**
 * The optional keys of a credential Secret that set how hard a manager drives that account: a
 * datacenter whose platform allows more (or less) than the defaults says so beside the credential,
 * since the platform's own limit is per account. Each key overrides the manager's flag of the same
 * meaning (`--platform-qps`, `--platform-burst`, `--platform-max-requests`), which overrides the
 * provider's default.
 */
export const PLATFORM_LIMIT_KEYS = {
  requestsPerSecond: 'platformRequestsPerSecond',
  burst: 'platformBurst',
  maxConcurrentRequests: 'platformMaxConcurrentRequests',
} as const satisfies Record<keyof PlatformLimits, string>;

/** The limits a credential Secret sets, and a problem (naming the key, echoing no value) per bad one. */
export function platformLimitsFromSecret(data: Readonly<Record<string, string>>): {
  limits: PlatformLimits;
  problems: string[];
} {
  const limits: PlatformLimits = {};
  const problems: string[] = [];
  for (const [field, key] of Object.entries(PLATFORM_LIMIT_KEYS) as [keyof PlatformLimits, string][]) {
    const text = data[key]?.trim();
    if (text === undefined || text === '') continue;
    const value = Number(text);
    // Requests per second may be fractional (one call every two seconds is 0.5); counts are whole.
    const whole = field !== 'requestsPerSecond';
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
      problems.push(`key ${key} must be a ${whole ? 'whole ' : ''}number above 0`);
      continue;
    }
    limits[field] = value;
  }
  return { limits, problems };
}

/** The limits that apply to an account: the Secret's over the manager's, each field on its own. */
export function effectivePlatformLimits(
  fromSecret: PlatformLimits | undefined,
  fromManager: PlatformLimits | undefined,
): PlatformLimits {
  const limits: PlatformLimits = {};
  for (const field of Object.keys(PLATFORM_LIMIT_KEYS) as (keyof PlatformLimits)[]) {
    const value = fromSecret?.[field] ?? fromManager?.[field];
    if (value !== undefined) limits[field] = value;
  }
  return limits;
}
