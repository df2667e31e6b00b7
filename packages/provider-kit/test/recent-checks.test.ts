import { describe, expect, it } from 'vitest';
import { RecentChecks } from '../src/index.js';

describe('RecentChecks', () => {
  it('trusts what was seen until the recheck interval has passed, per object and aspect', () => {
    let now = 0;
    const checks = new RecentChecks<'parts' | 'members'>(300_000, () => now);
    expect(checks.fresh('a', 'parts')).toBe(false);
    checks.seen('a', 'parts');
    checks.seen('a', 'members');
    now = 299_999;
    expect(checks.fresh('a', 'parts')).toBe(true);
    expect(checks.fresh('a', 'members')).toBe(true);
    expect(checks.fresh('b', 'parts')).toBe(false);
    now = 300_000;
    expect(checks.fresh('a', 'parts')).toBe(false);
    expect(checks.fresh('a', 'members')).toBe(false);
  });

  it('keeps aspects apart: seeing one says nothing about another', () => {
    const checks = new RecentChecks(1_000, () => 0);
    checks.seen('a', 'parts');
    expect(checks.fresh('a', 'members')).toBe(false);
  });

  it('forgets every aspect of one object, and only of that one', () => {
    const checks = new RecentChecks<'parts' | 'members'>(300_000, () => 0);
    checks.seen('a', 'parts');
    checks.seen('a', 'members');
    checks.seen('ab', 'parts');
    checks.forget('a');
    expect(checks.fresh('a', 'parts')).toBe(false);
    expect(checks.fresh('a', 'members')).toBe(false);
    expect(checks.fresh('ab', 'parts')).toBe(true);
  });
});
