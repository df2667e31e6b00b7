import { describe, expect, it } from 'vitest';
import { QUANTITY_PATTERN, quantityBytes } from '../src/kinds/index.js';

describe('quantities', () => {
  it('reads binary and decimal suffixes, plain numbers, and rounds a fraction of a byte up', () => {
    expect(quantityBytes('100Gi')).toBe(100 * 2 ** 30);
    expect(quantityBytes('1.5Ki')).toBe(1536);
    expect(quantityBytes('500G')).toBe(500e9);
    expect(quantityBytes('2k')).toBe(2000);
    expect(quantityBytes(' 10 ')).toBe(10);
    expect(quantityBytes('0.5')).toBe(1);
    expect(quantityBytes(1024)).toBe(1024);
    expect(quantityBytes(undefined)).toBeUndefined();
  });

  it('refuses what is no quantity of bytes, as the pattern does', () => {
    for (const text of ['lots', '1e9', '100m', '-1Gi', '10 Gi', 'Gi', '1.Gi']) {
      expect(quantityBytes(text), text).toBeUndefined();
      expect(QUANTITY_PATTERN.test(text), text).toBe(false);
    }
    for (const text of ['100Gi', '500G', '1.5Ti', '7']) expect(QUANTITY_PATTERN.test(text), text).toBe(true);
  });
});
