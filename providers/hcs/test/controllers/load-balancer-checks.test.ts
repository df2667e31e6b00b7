import { describe, expect, it } from 'vitest';
import { LoadBalancerChecks } from '../../src/controllers/control-plane-load-balancer.js';

describe('when the control plane ELB is listed again', () => {
  it('trusts what was seen until the recheck interval has passed, for each cluster on its own', () => {
    let now = 0;
    const checks = new LoadBalancerChecks(300_000, () => now);
    expect(checks.partsFresh('a')).toBe(false);
    checks.partsSeen('a');
    checks.membersSeen('a');
    now = 299_999;
    expect(checks.partsFresh('a')).toBe(true);
    expect(checks.membersFresh('a')).toBe(true);
    expect(checks.partsFresh('b')).toBe(false);
    now = 300_000;
    expect(checks.partsFresh('a')).toBe(false);
    expect(checks.membersFresh('a')).toBe(false);
  });

  it('forgets a cluster whose recorded part was not found, so the next reconcile lists everything', () => {
    const checks = new LoadBalancerChecks(300_000, () => 0);
    checks.partsSeen('a');
    checks.membersSeen('a');
    checks.forget('a');
    expect(checks.partsFresh('a')).toBe(false);
    expect(checks.membersFresh('a')).toBe(false);
  });
});
