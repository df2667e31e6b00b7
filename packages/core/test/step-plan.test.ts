import { describe, expect, it } from 'vitest';
import {
  describeWaitingOn,
  done,
  finishEarly,
  isStepPlan,
  machineProvisioned,
  PlatformFailure,
  platformFailed,
  requeue,
  runSteps,
  type Step,
  stepPlan,
} from '../src/index.js';

interface Run {
  seen: string[];
  vm?: { id: string };
}

const find: Step<Run> = {
  name: 'FindVM',
  run: async (run) => {
    run.seen.push('FindVM');
    run.vm = { id: 'vm-1' };
    return done();
  },
};
const powerOn: Step<Run> = {
  name: 'PowerOn',
  run: async (run) => {
    run.seen.push('PowerOn');
    return requeue(2_000, 'powering on', { task: 'task-17', platform: 'DCS', progress: 40 });
  },
};

describe('step plans', () => {
  it('binds every step and the finish to the value the provider built', async () => {
    const run: Run = { seen: [] };
    const plan = stepPlan(run, [find, powerOn], (r) =>
      machineProvisioned({ providerID: `acme://${r.vm?.id}` }),
    );
    expect(isStepPlan(plan)).toBe(true);
    expect(plan.steps.map((s) => s.name)).toEqual(['FindVM', 'PowerOn']);
    expect(await plan.steps[0]?.run()).toEqual(done());
    expect(run.vm).toEqual({ id: 'vm-1' });
    expect(await plan.finish()).toEqual({ type: 'provisioned', providerID: 'acme://vm-1' });
  });

  it('reports done() when the plan has no finish, as a delete wants', async () => {
    const plan = stepPlan({ seen: [] } as Run, [find]);
    expect(await plan.finish()).toEqual({ type: 'done' });
  });

  it('refuses a step without a name or a name used twice', () => {
    expect(() => stepPlan({ seen: [] } as Run, [find, find])).toThrow(/FindVM appears twice/);
    expect(() => stepPlan({ seen: [] } as Run, [{ ...find, name: '' }])).toThrow(/needs a name/);
  });

  it('tells a plan from a result', () => {
    expect(isStepPlan(done())).toBe(false);
    expect(isStepPlan(machineProvisioned({ providerID: 'x://1' }))).toBe(false);
    expect(isStepPlan(undefined)).toBe(false);
  });
});

describe('what a step waits on and how it fails', () => {
  it('puts what a requeue waits on into words', () => {
    expect(describeWaitingOn({ task: 'urn:sites:1:tasks:17', platform: 'DCS', progress: 40 })).toBe(
      'DCS task urn:sites:1:tasks:17 at 40 %',
    );
    expect(describeWaitingOn({ task: 'job-9', name: 'create server m1' })).toBe(
      'platform task create server m1 (job-9)',
    );
    expect(
      describeWaitingOn({
        object: {
          apiVersion: 'ipam.cluster.x-k8s.io/v1beta2',
          kind: 'IPAddressClaim',
          name: 'm1',
          namespace: 'ns',
        },
      }),
    ).toBe('IPAddressClaim ns/m1');
    expect(requeue(1_000, 'waiting')).toEqual({ type: 'requeue', afterMs: 1_000, reason: 'waiting' });
  });

  it('gives a thrown PlatformFailure an equivalent result', () => {
    const retryAfter = new Date('2026-01-01T00:00:00Z');
    expect(platformFailed(new PlatformFailure('Throttled', 'HTTP 429', { retryAfter }))).toEqual({
      type: 'platformFailure',
      kind: 'Throttled',
      message: 'HTTP 429',
      retryAfter,
    });
    expect(platformFailed(new PlatformFailure('Unreachable', 'ECONNREFUSED'))).toEqual({
      type: 'platformFailure',
      kind: 'Unreachable',
      message: 'ECONNREFUSED',
    });
  });

  it('skips a step whose `when` is false, counting it as done', async () => {
    const run: Run = { seen: [] };
    const onlyWithoutVm: Step<Run> = { ...find, when: (r) => r.vm === undefined };
    const plan = stepPlan(run, [
      onlyWithoutVm,
      { ...find, name: 'FindAgain', when: (r) => r.vm === undefined },
    ]);
    expect(await plan.steps[0]?.run()).toEqual(done());
    expect(await plan.steps[1]?.run()).toEqual(done());
    // The second step did not run: the first found the VM, so its `when` was false.
    expect(run.seen).toEqual(['FindVM']);
  });

  it('skips every later step after a finishEarly, in a plan and in runSteps', async () => {
    const keep: Step<Run> = {
      name: 'KeepVM',
      run: async (r) => {
        r.seen.push('KeepVM');
        return finishEarly();
      },
    };
    const run: Run = { seen: [] };
    const plan = stepPlan(run, [keep, find, powerOn], () => 'finished');
    // A host runs every bound step in order; those after KeepVM answer done without running.
    for (const step of plan.steps) expect((await step.run()).type).toBe('done');
    expect(await plan.finish()).toBe('finished');
    expect(run.seen).toEqual(['KeepVM']);

    const direct: Run = { seen: [] };
    expect(await runSteps(direct, [keep, find, powerOn])).toEqual(done());
    expect(direct.seen).toEqual(['KeepVM']);
  });
});
