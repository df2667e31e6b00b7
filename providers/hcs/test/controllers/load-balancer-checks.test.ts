import { describe, expect, it } from 'vitest';
import {
  LOAD_BALANCER_RECHECK_MS,
  newLoadBalancerChecks,
} from '../../src/controllers/control-plane-load-balancer.js';

// How RecentChecks trusts and forgets is the kit's test (packages/provider-kit/test/recent-checks.test.ts).
describe('when the control plane ELB is listed again', () => {
  it('trusts recorded parts and members for five minutes by default', () => {
    const checks = newLoadBalancerChecks();
    expect(checks.recheckMs).toBe(LOAD_BALANCER_RECHECK_MS);
    expect(LOAD_BALANCER_RECHECK_MS).toBe(300_000);
    checks.seen('a', 'parts');
    expect(checks.fresh('a', 'parts')).toBe(true);
    expect(checks.fresh('a', 'members')).toBe(false);
  });
});
