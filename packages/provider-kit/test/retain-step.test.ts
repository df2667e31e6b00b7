import { done, finishEarly } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { retainStep } from '../src/index.js';

const step = retainStep({
  annotation: 'example.io/retain',
  reason: 'Retained',
  message: 'kept on the platform',
});

function runWith(objectAnnotations?: Record<string, string>, machine?: Record<string, string> | 'gone') {
  const events: [string, string][] = [];
  const run = {
    ctx: {
      object: { metadata: { annotations: objectAnnotations } },
      machine: machine === 'gone' ? undefined : { metadata: { annotations: machine } },
      events: { normal: (reason: string, message: string) => void events.push([reason, message]) },
    },
  };
  return { run, events };
}

describe('retainStep', () => {
  it('goes on with the delete when neither object carries the annotation as "true"', async () => {
    for (const [object, machine] of [
      [undefined, undefined],
      [{ 'example.io/retain': 'false' }, { other: 'true' }],
      [{}, 'gone'],
    ] as const) {
      const { run, events } = runWith(object, machine);
      expect(await step.run(run)).toEqual(done());
      expect(events).toEqual([]);
    }
    expect(step.name).toBe('Retain');
  });

  it('finishes the delete early, with an Event, when the machine or its Machine says "true"', async () => {
    for (const [object, machine] of [
      [{ 'example.io/retain': 'true' }, undefined],
      [undefined, { 'example.io/retain': 'true' }],
      [{ 'example.io/retain': 'true' }, 'gone'],
    ] as const) {
      const { run, events } = runWith(object, machine);
      expect(await step.run(run)).toEqual(finishEarly());
      expect(events).toEqual([['Retained', 'kept on the platform']]);
    }
  });

  it('takes the step name it is given', () => {
    expect(retainStep({ annotation: 'a', reason: 'r', message: 'm', name: 'RetainVM' }).name).toBe(
      'RetainVM',
    );
  });
});
