import { describe, expect, it } from 'vitest';
import {
  LOAD_BALANCER_RECHECK_MS,
  newLoadBalancerChecks,
} from '../../src/controllers/control-plane-load-balancer.js';

// How RecordedFactChecks trusts and forgets is the kit's test (packages/provider-kit/test/recorded-facts.test.ts).
describe('when the control plane ELB is listed again', () => {
  it('trusts recorded parts and members for five minutes by default', () => {
    const checks = newLoadBalancerChecks();
    expect(checks.recheckMs).toBe(LOAD_BALANCER_RECHECK_MS);
    expect(LOAD_BALANCER_RECHECK_MS).toBe(300_000);
    checks.seen('a/parts');
    expect(checks.isFresh('a/parts')).toBe(true);
    expect(checks.isFresh('a/members')).toBe(false);
  });
});
