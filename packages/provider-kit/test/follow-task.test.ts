import { setTimeout as sleep } from 'node:timers/promises';
import { done, isPlatformFailure, type StepResult } from '@immutable-infra/core';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialPool,
  followTaskStep,
  type JsonTransport,
  startTask,
  type TaskFollowing,
  type TaskState,
  taskReferenceAt,
  waitingMessage,
} from '../src/index.js';
import {
  type DcsTestCredential,
  type DcsTestSession,
  dcsCredential,
  dcsPoolOptions,
  dcsTransport,
} from './dcs-account.js';

/** What a reconcile's context holds for these steps: the status draft the host writes once. */
interface Reconcile {
  status: Record<string, unknown>;
}

interface DcsTask {
  status: string;
  progress?: number;
  reason?: string;
  reasonDes?: string;
  entityUrn?: string;
}

/** How the DCS provider reads its tasks' fields. */
function interpretDcsTask(task: DcsTask): TaskState {
  switch (task.status) {
    case 'success':
      return { state: 'succeeded' };
    case 'failed':
      return { state: 'failed', message: task.reasonDes ?? 'no reason given', platformCode: task.reason };
    default:
      return { state: 'running', progress: task.progress };
  }
}

const reference = taskReferenceAt<Reconcile>((context) => context.status, 'createVolumeTask');

describe('followTaskStep against dcs-sim', () => {
  let sim: DcsSimulator;
  let transport: JsonTransport;
  let pool: CredentialPool<DcsTestCredential, DcsTestSession>;
  let credential: DcsTestCredential;

  beforeEach(async () => {
    sim = await startDcsSimulator({ faults: { taskSeconds: 1 } });
    transport = dcsTransport(sim);
    pool = new CredentialPool(dcsPoolOptions(transport));
    credential = dcsCredential(sim);
  });

  afterEach(async () => {
    await pool.close();
    await transport.close();
    await sim.close();
  });

  const call = <T>(spec: Parameters<JsonTransport['request']>[0]) =>
    pool.use(credential, (session) =>
      transport.request<T>({ ...spec, headers: { ...spec.headers, 'X-Auth-Token': session.token } }),
    );

  const following = (finished: (DcsTask | undefined)[]): TaskFollowing<Reconcile, DcsTask> => ({
    name: 'wait-for-volume',
    taskNoun: 'DCS task',
    reference,
    // The URI comes from status: the transport follows it only under /service/sites/ on the VRM.
    read: async (_context, uri) => (await call<DcsTask>({ method: 'GET', link: uri })).body,
    interpret: interpretDcsTask,
    isNotFound: (error) => isPlatformFailure(error) && error.kind === 'NotFound',
    onFinished: (_context, task) => void finished.push(task),
    pollAfterMs: 1_000,
  });

  it('records the task before waiting, requeues with its progress while it runs, and clears it on success', async () => {
    const { body: sites } = await call<{ sites: { uri: string }[] }>({
      method: 'GET',
      path: '/service/sites',
    });
    const site = sites.sites[0]?.uri ?? '';
    const { body: stores } = await call<{ datastores: { urn: string }[] }>({
      method: 'GET',
      path: `${site}/datastores`,
    });
    const context: Reconcile = { status: {} };
    const started = await startTask(
      context,
      reference,
      async () =>
        (
          await call<{ taskUri: string }>({
            method: 'POST',
            path: `${site}/volumes`,
            body: { name: 'kit-volume', quantityGB: 10, datastoreUrn: stores.datastores[0]?.urn },
          })
        ).body.taskUri,
      { taskNoun: 'DCS task', what: 'creating volume kit-volume' },
    );
    const uri = context.status.createVolumeTask as string;
    expect(uri).toMatch(/^\/service\/sites\/\w+\/tasks\//);
    expect(started).toMatchObject({
      type: 'requeue',
      reason: `creating volume kit-volume: waiting for DCS task ${uri}`,
    });

    const finished: (DcsTask | undefined)[] = [];
    const step = followTaskStep(following(finished));
    const results: StepResult[] = [];
    for (;;) {
      const result = await step.run(context);
      results.push(result);
      if (result.type !== 'requeue') break;
      await sleep(50);
    }
    expect(results.at(-1)).toEqual({ type: 'done' });
    const waiting = results.filter((r) => r.type === 'requeue');
    expect(waiting.length).toBeGreaterThan(0);
    // The host keeps the Ready condition of the step that started the task while this one follows it.
    expect(waiting[0]).toMatchObject({ afterMs: 1_000, follows: uri });
    expect((waiting[0] as { reason: string }).reason).toMatch(
      new RegExp(`^waiting for DCS task ${uri} at \\d+ %$`),
    );
    expect(context.status).not.toHaveProperty('createVolumeTask');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.status).toBe('success');
    // Nothing recorded: nothing to follow.
    expect(await step.run(context)).toEqual({ type: 'done' });
  });

  it('counts a task the platform no longer knows as finished', async () => {
    const { body: sites } = await call<{ sites: { uri: string }[] }>({
      method: 'GET',
      path: '/service/sites',
    });
    const context: Reconcile = { status: { createVolumeTask: `${sites.sites[0]?.uri}/tasks/999999` } };
    const finished: (DcsTask | undefined)[] = [];
    expect(await followTaskStep(following(finished)).run(context)).toEqual({ type: 'done' });
    expect(finished).toEqual([undefined]);
    expect(context.status).not.toHaveProperty('createVolumeTask');
  });

  it('refuses a task reference in status that points away from the VRM, and keeps it', async () => {
    const context: Reconcile = {
      status: { createVolumeTask: 'https://attacker.example/service/sites/1/tasks/1' },
    };
    await expect(followTaskStep(following([])).run(context)).rejects.toThrow(
      /refused to follow the platform link/,
    );
    expect(context.status.createVolumeTask).toBe('https://attacker.example/service/sites/1/tasks/1');
  });
});

describe('followTaskStep outcomes', () => {
  const fixed = (task: TaskState): TaskFollowing<Reconcile, TaskState> => ({
    name: 'wait',
    taskNoun: 'ECS job',
    reference: taskReferenceAt<Reconcile>((context) => context.status, 'jobID'),
    read: async () => task,
    interpret: (t) => t,
    isNotFound: () => false,
  });

  it('clears the reference and throws a PlatformError for a failed task', async () => {
    const context: Reconcile = { status: { jobID: 'job-1' } };
    const step = followTaskStep(
      fixed({ state: 'failed', message: 'Ecs.0013: quota', platformCode: 'Ecs.0013' }),
    );
    await expect(step.run(context)).rejects.toMatchObject({
      kind: 'PlatformError',
      message: 'ECS job job-1 failed: Ecs.0013: quota',
      details: { platformCode: 'Ecs.0013' },
    });
    expect(context.status).not.toHaveProperty('jobID');
  });

  it('throws the kind the provider gives a failed task', async () => {
    const context: Reconcile = { status: { jobID: 'job-3' } };
    const step = followTaskStep(
      fixed({ state: 'failed', message: 'quota', platformCode: 'Ecs.0001', kind: 'QuotaExceeded' }),
    );
    await expect(step.run(context)).rejects.toMatchObject({
      kind: 'QuotaExceeded',
      details: { platformCode: 'Ecs.0001' },
    });
  });

  it('answers what onFailed returns instead of throwing, after clearing the reference', async () => {
    const context: Reconcile = { status: { jobID: 'job-4' } };
    const seen: string[] = [];
    const step = followTaskStep({
      ...fixed({ state: 'failed', message: 'volume busy', platformCode: 'EVS.1003' }),
      onFailed: (_context, failure) => {
        seen.push(`${failure.kind}: ${failure.message}`);
        return failure.details.platformCode === 'EVS.1003' ? done() : undefined;
      },
    });
    expect(await step.run(context)).toEqual({ type: 'done' });
    expect(seen).toEqual(['PlatformError: ECS job job-4 failed: volume busy']);
    expect(context.status).not.toHaveProperty('jobID');
    const throwing = followTaskStep({
      ...fixed({ state: 'failed', message: 'no host', platformCode: 'Ecs.0000' }),
      onFailed: () => undefined,
    });
    await expect(throwing.run({ status: { jobID: 'job-5' } })).rejects.toMatchObject({
      message: 'ECS job job-5 failed: no host',
    });
  });

  it('returns failed for a failure the provider calls permanent', async () => {
    const context: Reconcile = { status: { jobID: 'job-2' } };
    const step = followTaskStep(
      fixed({ state: 'failed', message: 'image gone', permanent: true, reason: 'ImageNotFound' }),
    );
    expect(await step.run(context)).toEqual({
      type: 'failed',
      reason: 'ImageNotFound',
      message: 'ECS job job-2 failed: image gone',
    });
    expect(context.status).not.toHaveProperty('jobID');
  });

  it('words the wait with or without progress', () => {
    expect(waitingMessage('DCS task', 't-1', 39.6)).toBe('waiting for DCS task t-1 at 40 %');
    expect(waitingMessage('DCS task', 't-1', 140)).toBe('waiting for DCS task t-1 at 100 %');
    expect(waitingMessage('ECS job', 'j-1', undefined)).toBe('waiting for ECS job j-1');
  });
});
