import { describe, expect, it } from 'vitest';
import { falseCondition, isPaused, setCondition, trueCondition } from '../src/index.js';

describe('setCondition', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');

  it('moves lastTransitionTime only when the status changes', () => {
    const first = setCondition([], falseCondition('VMReady', 'Cloning', 'cloning from template'), t0);
    const same = setCondition(first, falseCondition('VMReady', 'PoweringOn', 'powering on'), t1);
    expect(same[0]?.lastTransitionTime).toBe(t0.toISOString());
    expect(same[0]?.reason).toBe('PoweringOn');
    const flipped = setCondition(same, trueCondition('VMReady', 'Running'), t1);
    expect(flipped[0]?.lastTransitionTime).toBe(t1.toISOString());
  });

  it('keeps Ready first', () => {
    let list = setCondition([], trueCondition('VMReady', 'Running'), t0);
    list = setCondition(list, trueCondition('Ready', 'Provisioned'), t0);
    list = setCondition(list, trueCondition('Addressed', 'Assigned'), t0);
    expect(list.map((c) => c.type)).toEqual(['Ready', 'Addressed', 'VMReady']);
  });
});

describe('isPaused', () => {
  it('honours spec.paused and the paused annotation on the cluster or the object', () => {
    expect(isPaused({ spec: { paused: true } })).toBe(true);
    expect(isPaused({ metadata: { annotations: { 'cluster.x-k8s.io/paused': '' } } })).toBe(true);
    expect(isPaused({ spec: {} }, { metadata: { annotations: { 'cluster.x-k8s.io/paused': 'true' } } })).toBe(
      true,
    );
    expect(isPaused({ spec: { paused: false } }, { metadata: {} })).toBe(false);
  });
});
