import { PlatformFailure } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import {
  classifyDcsFailure,
  DcsLookupError,
  describeDcsFailure,
  isAccountLocked,
  isBadCredentials,
  isBusy,
  isNotFound,
  isSessionExpired,
  isStoppedOnlyDelete,
  readDcsErrorAnswer,
  toUri,
  toUrn,
} from '../../src/cloud/index.js';

const OPERATION = 'GET /service/sites/3CD306E7/vms';

/** The failure the kit's transport builds from a DCS error answer read by readDcsErrorAnswer. */
const apiError = (status: number, code: string | undefined, des = 'text') => {
  const reading = readDcsErrorAnswer({
    status,
    body: { errorCode: code, errorDes: des },
    text: '',
    operation: OPERATION,
  });
  return new PlatformFailure(
    reading.kind ?? 'PlatformError',
    `${OPERATION}: HTTP ${status}${code ? ` ${code}` : ''}: ${des}`,
    {
      httpStatus: status,
      operation: OPERATION,
      ...(reading.platformCode ? { platformCode: reading.platformCode } : {}),
    },
  );
};

describe('DCS error answers', () => {
  it('get the core kind their code means', () => {
    const kind = (status: number, code?: string) =>
      readDcsErrorAnswer({ status, body: { errorCode: code }, text: '', operation: OPERATION }).kind;
    expect(kind(401, '10000003')).toBe('LoginRefused');
    expect(kind(403, '10100116')).toBe('AccountLocked');
    expect(kind(404)).toBe('NotFound');
    expect(kind(400, '10420004')).toBe('NotFound');
    expect(kind(409, '10420005')).toBe('Conflict');
    expect(kind(409, '102212808')).toBe('Conflict');
    expect(kind(401, '10000002')).toBe('PlatformError');
    expect(kind(429)).toBe('Throttled');
    expect(kind(500, '10000000')).toBe('PlatformError');
    expect(
      readDcsErrorAnswer({
        status: 500,
        body: { errorCode: 10000001, errorDes: 'x' },
        text: '',
        operation: OPERATION,
      }),
    ).toMatchObject({
      platformCode: '10000001',
      message: 'x',
    });
  });

  it('are recognised by the predicates', () => {
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
    const transport = (kind: 'TLSFailure' | 'Unreachable' | 'Timeout', what: string) =>
      new PlatformFailure(kind, `POST /service/session: https://vrm:7443 ${what}`, {
        operation: 'POST /service/session',
      });
    expect(
      classifyDcsFailure(transport('TLSFailure', 'TLS handshake failed (DEPTH_ZERO_SELF_SIGNED_CERT)')),
    ).toEqual({
      kind: 'tls',
      reason:
        "TLS verification failed (POST /service/session: https://vrm:7443 TLS handshake failed (DEPTH_ZERO_SELF_SIGNED_CERT)); the platform's certificate was not trusted; give its CA certificate in the credential",
    });
    expect(describeDcsFailure(transport('Unreachable', 'could not be reached (ECONNREFUSED)'))).toBe(
      'DCS unreachable: POST /service/session: https://vrm:7443 could not be reached (ECONNREFUSED)',
    );
    expect(classifyDcsFailure(transport('Timeout', 'did not answer in time')).kind).toBe('unreachable');
    expect(describeDcsFailure(apiError(401, '10000003'))).toBe('wrong user or key for DCS');
    expect(classifyDcsFailure(apiError(403, '10100116')).kind).toBe('account-locked');
    expect(describeDcsFailure(apiError(500, '10000000', 'internal error'))).toBe(
      'DCS GET /service/sites/3CD306E7/vms answered 500 10000000: internal error',
    );
    expect(classifyDcsFailure(apiError(500, '10000000')).kind).toBe('dcs-error');
    expect(describeDcsFailure(apiError(502, undefined))).toBe(
      'DCS GET /service/sites/3CD306E7/vms answered 502: text',
    );
    expect(describeDcsFailure(new DcsLookupError('port group', 'pg-1', 'distributed switch "dvs"'))).toBe(
      'DCS port group "pg-1" not found in distributed switch "dvs"',
    );
  });

  it('says why logins are paused', () => {
    // What the kit's login back-off throws instead of trying a refused credential again.
    const refusal = apiError(401, '10000003');
    const paused = new PlatformFailure(refusal.kind, `login not tried until ...: ${refusal.message}`, {
      ...refusal.details,
      retryAfter: new Date('2030-01-01T00:00:00Z'),
    });
    expect(classifyDcsFailure(paused)).toEqual({
      kind: 'bad-credentials',
      reason:
        'wrong user or key for DCS; no new login until 2030-01-01T00:00:00.000Z so the account is not locked',
    });
    expect(isBadCredentials(paused)).toBe(true);
  });

  it('masks secrets given to it in errors from elsewhere', () => {
    const reason = describeDcsFailure(new Error('login with hunter2 failed'), ['hunter2']);
    expect(reason).not.toContain('hunter2');
    expect(reason).toMatch(/^login with .+ failed$/);
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
