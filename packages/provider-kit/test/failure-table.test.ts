import { describe, expect, it } from 'vitest';
import { failureClassifier, HTTP_STATUS_KINDS } from '../src/index.js';

describe('failureClassifier', () => {
  const classify = failureClassifier({
    codes: { 'X.1': 'QuotaExceeded', locked: 'AccountLocked' },
    refine: ({ status, words }) => (status === 403 && words?.includes('quota') ? 'QuotaExceeded' : undefined),
    statuses: HTTP_STATUS_KINDS,
  });

  it('reads the code first, then the platform rule, then the status', () => {
    expect(classify({ status: 404, code: 'locked' })).toBe('AccountLocked');
    expect(classify({ status: 403, words: 'quota used up' })).toBe('QuotaExceeded');
    expect(classify({ status: 403, words: 'forbidden' })).toBe('LoginRefused');
    expect(classify({ status: 404, code: 'unlisted' })).toBe('NotFound');
    expect(classify({ status: 429 })).toBe('Throttled');
  });

  it('makes every other answer PlatformError unless the table says otherwise', () => {
    expect(classify({ status: 500, code: 'unlisted' })).toBe('PlatformError');
    expect(classify({})).toBe('PlatformError');
    expect(classify({ code: 'constructor' })).toBe('PlatformError');
    expect(failureClassifier({ otherwise: 'Unreachable' })({ status: 404 })).toBe('Unreachable');
  });
});
