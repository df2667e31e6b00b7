// A credential Secret's platform limits: parsed with a problem per bad key (never its value), laid
// over the manager's field by field, and reported with the credential's own problems at once.
import { describe, expect, it } from 'vitest';
import {
  effectivePlatformLimits,
  PLATFORM_LIMIT_KEYS,
  platformLimitsFromSecret,
  readCredentialSecret,
} from '../src/index.js';

describe('platformLimitsFromSecret', () => {
  it('reads the three keys; requests per second may be fractional, counts are whole', () => {
    expect(
      platformLimitsFromSecret({
        platformRequestsPerSecond: '0.5',
        platformBurst: ' 8 ',
        platformMaxConcurrentRequests: '4',
        authKey: 'not a limit',
      }),
    ).toEqual({ limits: { requestsPerSecond: 0.5, burst: 8, maxConcurrentRequests: 4 }, problems: [] });
    expect(platformLimitsFromSecret({})).toEqual({ limits: {}, problems: [] });
  });

  it('names every bad key and echoes no value', () => {
    const { limits, problems } = platformLimitsFromSecret({
      platformRequestsPerSecond: '-1',
      platformBurst: '2.5',
      platformMaxConcurrentRequests: 'lots',
    });
    expect(limits).toEqual({});
    expect(problems).toEqual([
      'key platformRequestsPerSecond must be a number above 0',
      'key platformBurst must be a whole number above 0',
      'key platformMaxConcurrentRequests must be a whole number above 0',
    ]);
    expect(problems.join(' ')).not.toContain('lots');
    expect(Object.values(PLATFORM_LIMIT_KEYS)).toEqual([
      'platformRequestsPerSecond',
      'platformBurst',
      'platformMaxConcurrentRequests',
    ]);
  });
});

describe('effectivePlatformLimits', () => {
  it("lays the Secret's limits over the manager's, field by field", () => {
    expect(effectivePlatformLimits({ burst: 80 }, { requestsPerSecond: 50, burst: 100 })).toEqual({
      requestsPerSecond: 50,
      burst: 80,
    });
    expect(effectivePlatformLimits(undefined, undefined)).toEqual({});
  });
});

describe('readCredentialSecret', () => {
  const spec = {
    requiredKeys: [],
    parse: (data: Readonly<Record<string, string>>) =>
      data.user
        ? { ok: true as const, credential: { user: data.user } }
        : { ok: false as const, problems: ['key user is missing'] },
  };
  const secrets = (data: Record<string, string>) => ({ read: async () => data });
  const ref = { namespace: 'ns', name: 'cred' };

  it('answers the limits beside the credential', async () => {
    expect(await readCredentialSecret(secrets({ user: 'u', platformBurst: '7' }), ref, spec)).toEqual({
      ok: true,
      credential: { user: 'u' },
      limits: { burst: 7 },
    });
  });

  it("reports the credential's problems and the limits' together", async () => {
    expect(await readCredentialSecret(secrets({ platformBurst: '0' }), ref, spec)).toEqual({
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: 'Secret ns/cred: key user is missing; key platformBurst must be a whole number above 0',
    });
  });
});
