import { describe, expect, it } from 'vitest';
import { describeStatusChange } from '../src/host/status-change.js';

const at = '2026-01-01T00:00:00Z';
const later = '2026-01-01T00:01:00Z';

describe('describeStatusChange', () => {
  it('names the fields a write changes, and of conditions each type and part, without values', () => {
    const before = {
      taskUrn: 'urn:task:1',
      conditions: [
        {
          type: 'Ready',
          status: 'False' as const,
          reason: 'CloneVM',
          message: 'cloning',
          lastTransitionTime: at,
        },
        { type: 'VMReady', status: 'False' as const, reason: 'Cloning', lastTransitionTime: at },
      ],
    };
    const after = {
      vmUri: '/vms/1',
      conditions: [
        {
          type: 'Ready',
          status: 'False' as const,
          reason: 'PowerOn',
          message: 'starting',
          lastTransitionTime: at,
        },
        { type: 'VMReady', status: 'True' as const, reason: 'Cloning', lastTransitionTime: later },
        { type: 'Paused', status: 'False' as const, reason: 'NotPaused', lastTransitionTime: later },
      ],
    };
    expect(describeStatusChange(before, after)).toBe(
      'conditions(Paused:new Ready:reason+message VMReady:status) taskUrn vmUri',
    );
  });

  it('tells a condition removed, a time alone and an order alone apart, and nothing from nothing', () => {
    const ready = { type: 'Ready', status: 'True' as const, reason: 'Provisioned', lastTransitionTime: at };
    const paused = { type: 'Paused', status: 'False' as const, reason: 'NotPaused', lastTransitionTime: at };
    expect(describeStatusChange({ conditions: [ready, paused] }, { conditions: [ready] })).toBe(
      'conditions(Paused:removed)',
    );
    expect(
      describeStatusChange(
        { conditions: [ready] },
        { conditions: [{ ...ready, lastTransitionTime: later }] },
      ),
    ).toBe('conditions(Ready:time)');
    expect(describeStatusChange({ conditions: [ready, paused] }, { conditions: [paused, ready] })).toBe(
      'conditions(order)',
    );
    expect(describeStatusChange({ ready: true }, { ready: true })).toBe('');
  });
});
