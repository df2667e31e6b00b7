import { describe, expect, it } from 'vitest';
import { RECHECK_RECORDED_FACTS_MS, RecordedFactChecks } from '../src/index.js';

describe('RecordedFactChecks', () => {
  it('trusts a fact seen under the same fingerprint until the recheck interval has passed, each key on its own', () => {
    let now = 0;
    const checks = new RecordedFactChecks(300_000, () => now);
    expect(checks.isFresh('cluster-a', 'cp-1,cp-2')).toBe(false);
    checks.seen('cluster-a', 'cp-1,cp-2');
    now = 299_999;
    expect(checks.isFresh('cluster-a', 'cp-1,cp-2')).toBe(true);
    expect(checks.isFresh('cluster-b', 'cp-1,cp-2')).toBe(false);
    now = 300_000;
    expect(checks.isFresh('cluster-a', 'cp-1,cp-2')).toBe(false);
  });

  it('trusts a state in flux only for the shorter window asked for', () => {
    let now = 0;
    const checks = new RecordedFactChecks(300_000, () => now);
    checks.seen('rule/pending', 'cp-1,cp-2');
    now = 14_999;
    expect(checks.isFresh('rule/pending', 'cp-1,cp-2', 15_000)).toBe(true);
    now = 15_000;
    expect(checks.isFresh('rule/pending', 'cp-1,cp-2', 15_000)).toBe(false);
    expect(checks.isFresh('rule/pending', 'cp-1,cp-2')).toBe(true);
  });

  it('asks again at once when what the fact depended on changed, or when it was forgotten', () => {
    const checks = new RecordedFactChecks(undefined, () => 0);
    expect(checks.recheckMs).toBe(RECHECK_RECORDED_FACTS_MS);
    checks.seen('pool/10.0.0.1', 'gen-1/uid-a');
    expect(checks.isFresh('pool/10.0.0.1', 'gen-1/uid-b')).toBe(false);
    expect(checks.isFresh('pool/10.0.0.1', 'gen-1/uid-a')).toBe(true);
    checks.forget('pool/10.0.0.1');
    expect(checks.isFresh('pool/10.0.0.1', 'gen-1/uid-a')).toBe(false);
    // Without a fingerprint, a fact is trusted by its key and time alone.
    checks.seen('elb');
    expect(checks.isFresh('elb')).toBe(true);
  });

  it('sweeps out expired facts as new ones are seen, so a long-lived manager keeps only recent ones', () => {
    let now = 0;
    const checks = new RecordedFactChecks(1_000, () => now);
    for (let i = 0; i < 1_024; i++) checks.seen(`old-${i}`);
    now = 1_000;
    checks.seen('new');
    expect(checks.size).toBe(1);
    expect(checks.isFresh('new')).toBe(true);
  });

  it('forgets every fact about one object at once, and none about another', () => {
    const checks = new RecordedFactChecks(1_000, () => 0);
    checks.seen('uid-a/parts');
    checks.seen('uid-a/members');
    checks.seen('uid-ab/parts');
    checks.forgetUnder('uid-a');
    expect(checks.isFresh('uid-a/parts')).toBe(false);
    expect(checks.isFresh('uid-a/members')).toBe(false);
    expect(checks.isFresh('uid-ab/parts')).toBe(true);
  });

  it('counts how many times in a row a fact was seen under one fingerprint, from 1 again under another', () => {
    const checks = new RecordedFactChecks(1_000, () => 0);
    expect(checks.timesSeen('rule', 'a')).toBe(0);
    checks.seen('rule', 'a');
    checks.seen('rule', 'a');
    expect(checks.timesSeen('rule', 'a')).toBe(2);
    expect(checks.timesSeen('rule', 'b')).toBe(0);
    checks.seen('rule', 'b');
    expect(checks.timesSeen('rule', 'b')).toBe(1);
    checks.forget('rule');
    expect(checks.timesSeen('rule', 'b')).toBe(0);
  });
});
