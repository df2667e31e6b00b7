import { describe, expect, it } from 'vitest';
import {
  classifyDcsFailure,
  DcsApiError,
  DcsLoginSuppressedError,
  DcsLookupError,
  DcsTransportError,
  describeDcsFailure,
  isAccountLocked,
  isBadCredentials,
  isBusy,
  isNotFound,
  isSessionExpired,
  isStoppedOnlyDelete,
  toUri,
  toUrn,
} from '../../src/cloud/index.js';

const apiError = (status: number, code: string | undefined, des = 'text') =>
  new DcsApiError(status, code, des, 'GET', '/service/sites/3CD306E7/vms');

describe('DCS error predicates', () => {
  it('recognise the contract codes', () => {
    expect(isSessionExpired(apiError(401, '10000002'))).toBe(true);
    expect(isSessionExpired(apiError(401, undefined))).toBe(true);
    expect(isAccountLocked(apiError(403, '10100116'))).toBe(true);
    expect(isBadCredentials(apiError(401, '10000003'))).toBe(true);
    expect(isNotFound(apiError(404, '10000404'))).toBe(true);
    expect(isNotFound(new DcsLookupError('cluster', 'c1', 'site s'))).toBe(true);
    expect(isBusy(apiError(409, '10420005'))).toBe(true);
    expect(isStoppedOnlyDelete(apiError(409, '102212808'))).toBe(true);
    expect(isBusy(apiError(409, '102212808'))).toBe(false);
    expect(isSessionExpired(new Error('401'))).toBe(false);
  });
});

describe('classifyDcsFailure', () => {
  it('gives each kind of failure a short reason', () => {
    const transport = (kind: 'tls' | 'unreachable' | 'timeout', code?: string) =>
      new DcsTransportError(kind, code, 'https://vrm:7443', 'POST', '/service/session', 'detail');
    expect(classifyDcsFailure(transport('tls', 'DEPTH_ZERO_SELF_SIGNED_CERT'))).toEqual({
      kind: 'tls',
      reason:
        "TLS verification failed for https://vrm:7443 (DEPTH_ZERO_SELF_SIGNED_CERT); give the VRM's CA certificate",
    });
    expect(describeDcsFailure(transport('unreachable', 'ECONNREFUSED'))).toBe(
      'DCS unreachable at https://vrm:7443 (ECONNREFUSED)',
    );
    expect(classifyDcsFailure(transport('timeout')).kind).toBe('unreachable');
    expect(describeDcsFailure(apiError(401, '10000003'))).toBe('wrong user or key for DCS');
    expect(classifyDcsFailure(apiError(403, '10100116')).kind).toBe('account-locked');
    expect(describeDcsFailure(apiError(401, '10000002'))).toBe('DCS session expired');
    expect(describeDcsFailure(apiError(500, '10000000', 'internal error'))).toBe(
      'DCS error 10000000: internal error',
    );
    expect(describeDcsFailure(apiError(502, undefined))).toBe(
      'DCS answered HTTP 502 to GET /service/sites/3CD306E7/vms',
    );
    expect(describeDcsFailure(new DcsLookupError('port group', 'pg-1', 'distributed switch "dvs"'))).toBe(
      'DCS port group "pg-1" not found in distributed switch "dvs"',
    );
  });

  it('says why logins are paused', () => {
    const paused = new DcsLoginSuppressedError(apiError(401, '10000003'), new Date('2030-01-01T00:00:00Z'));
    expect(classifyDcsFailure(paused)).toEqual({
      kind: 'bad-credentials',
      reason:
        'wrong user or key for DCS; no new login until 2030-01-01T00:00:00.000Z so the account is not locked',
    });
    expect(isBadCredentials(paused)).toBe(true);
  });

  it('masks secrets given to it in errors from elsewhere', () => {
    expect(describeDcsFailure(new Error('login with hunter2 failed'), ['hunter2'])).toBe(
      'login with [redacted] failed',
    );
  });
});

describe('URN and URI', () => {
  it('convert both ways', () => {
    expect(toUri('urn:sites:3CD306E7:vms:i-00000100')).toBe('/service/sites/3CD306E7/vms/i-00000100');
    expect(toUri('urn:sites:3CD306E7:dvswitchs:1:portgroups:2')).toBe(
      '/service/sites/3CD306E7/dvswitchs/1/portgroups/2',
    );
    expect(toUrn('/service/sites/3CD306E7/datastores/1')).toBe('urn:sites:3CD306E7:datastores:1');
    expect(toUrn('urn:sites:3CD306E7:datastores:1')).toBe('urn:sites:3CD306E7:datastores:1');
  });
});
