import { done, requeue, type Step } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { reportingStops } from '../src/index.js';

type Run = { reports: number; failReport?: boolean };

describe('reportingStops', () => {
  const report = async (run: Run) => {
    run.reports++;
    if (run.failReport) throw new Error('record write failed');
  };
  const steps: Step<Run>[] = [
    { name: 'Goes', run: async () => done() },
    { name: 'Waits', when: () => true, run: async () => requeue(1_000, 'waiting') },
    {
      name: 'Throws',
      run: async () => {
        throw new Error('platform down');
      },
    },
  ];
  const [goes, waits, throws] = reportingStops(steps, report) as [Step<Run>, Step<Run>, Step<Run>];

  it('keeps names and conditions, and reports a step that waits but not one that is done', async () => {
    expect([goes.name, waits.name, throws.name]).toEqual(['Goes', 'Waits', 'Throws']);
    expect(waits.when).toBe(steps[1]?.when);
    const run: Run = { reports: 0 };
    expect((await goes.run(run)).type).toBe('done');
    expect(run.reports).toBe(0);
    expect((await waits.run(run)).type).toBe('requeue');
    expect(run.reports).toBe(1);
  });

  it("reports a step that throws, and the step's error is the one that goes on even when the report fails", async () => {
    const run: Run = { reports: 0, failReport: true };
    await expect(throws.run(run)).rejects.toThrow('platform down');
    expect(run.reports).toBe(1);
  });
});
