import { describe, expect, it } from 'vitest';
import {
  describePlatformFailure,
  isPlatformFailure,
  PLATFORM_FAILURE_KINDS,
  PlatformFailure,
  platformCallError,
} from '../src/index.js';

describe('platform failure kinds', () => {
  it('gives every kind a CamelCase reason and advice', () => {
    for (const kind of PLATFORM_FAILURE_KINDS) {
      const description = describePlatformFailure(kind);
      expect(description.reason).toMatch(/^[A-Z][A-Za-z]*$/);
      expect(description.advice.length).toBeGreaterThan(10);
    }
  });

  it('keeps the reasons the UI already shows for login and TLS failures', () => {
    expect(describePlatformFailure('LoginRefused').reason).toBe('LoginFailed');
    expect(describePlatformFailure('TLSFailure').reason).toBe('TLSFailure');
    expect(describePlatformFailure('Unreachable').transient).toBe(true);
    expect(describePlatformFailure('AccountLocked').transient).toBe(false);
  });

  it('recognises a failure made by another copy of core by its shape', () => {
    const own = new PlatformFailure('Throttled', 'HTTP 429', { httpStatus: 429 });
    const foreign = Object.assign(new Error('quota'), { kind: 'QuotaExceeded', details: {} });
    expect(isPlatformFailure(own)).toBe(true);
    expect(isPlatformFailure(foreign)).toBe(true);
    expect(isPlatformFailure(new Error('plain'))).toBe(false);
    expect(isPlatformFailure(Object.assign(new Error('x'), { kind: 'Bogus', details: {} }))).toBe(false);
  });

  it('turns a failure into what the browser sees', () => {
    const failure = new PlatformFailure('LoginRefused', 'DCS error 10000003: wrong user or key', {
      platformCode: '10000003',
      httpStatus: 401,
    });
    expect(platformCallError(failure)).toEqual({
      reason: 'LoginFailed',
      message: 'DCS error 10000003: wrong user or key',
    });
  });
});
