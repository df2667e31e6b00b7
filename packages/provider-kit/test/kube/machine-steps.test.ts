import {
  type ConditionInput,
  done,
  type EventRecorder,
  type KubeClient,
  type MachineProvisioned,
  machineProvisioned,
  requeue,
  type Step,
  type StepResult,
} from '@immutable-infra/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CreateRequests,
  claimSlotStep,
  connectMachineStep,
  createOnce,
  type MachineSlots,
  machineStepHooks,
  platformTasks,
  releaseSlotStep,
  type TaskState,
  taskReferenceAt,
  waitWhileUnlisted,
} from '../../src/index.js';
import {
  type TestPoolClaim as Claim,
  type TestPoolEntry as Entry,
  testPoolBed,
  testPoolClaims as testPoolKind,
} from './test-pool-bed.js';
import { TEST_POOL_API_VERSION, type TestPoolObject } from './test-pool-kind.js';

/**
 * A platform with VMs made by tasks, the way DCS, ECS and vCenter make them: a create answers a
 * task at once, the VM shows up (and the task succeeds) only when the test says the platform got
 * on with it. What a provider passes to the kit's steps.
 */
class TaskPlatform {
  vms = new Map<string, { id: string; name: string; power: 'on' | 'off'; disks: string[] }>();
  tasks = new Map<string, { state: 'running' | 'succeeded' | 'failed'; finish: () => void }>();
  calls: string[] = [];
  private next = 0;

  private task(finish: () => void): string {
    const id = `task-${++this.next}`;
    this.tasks.set(id, { state: 'running', finish });
    return id;
  }

  /** Every running task finishes. */
  work(): void {
    for (const task of this.tasks.values())
      if (task.state === 'running') {
        task.finish();
        task.state = 'succeeded';
      }
  }

  find(name: string) {
    return [...this.vms.values()].find((vm) => vm.name === name);
  }
  private existing(name: string) {
    const vm = this.find(name);
    if (!vm) throw new Error(`VM ${name} not found`);
    return vm;
  }
  create(name: string): string {
    this.calls.push(`create ${name}`);
    return this.task(() => this.vms.set(name, { id: `vm-${name}`, name, power: 'off', disks: ['data'] }));
  }
  powerOn(name: string): string {
    this.calls.push(`power-on ${name}`);
    return this.task(() => this.vms.set(name, { ...this.existing(name), power: 'on' }));
  }
  powerOff(name: string): string {
    this.calls.push(`power-off ${name}`);
    return this.task(() => this.vms.set(name, { ...this.existing(name), power: 'off' }));
  }
  detachDisks(name: string): string {
    this.calls.push(`detach ${name}`);
    return this.task(() => this.vms.set(name, { ...this.existing(name), disks: [] }));
  }
  destroy(name: string): string {
    this.calls.push(`destroy ${name}`);
    return this.task(() => this.vms.delete(name));
  }
  taskState(id: string): TaskState {
    const task = this.tasks.get(id);
    if (!task) throw Object.assign(new Error(`task ${id} not found`), { notFound: true });
    return task.state === 'running' ? { state: 'running', progress: 50 } : { state: 'succeeded' };
  }
}

interface Status {
  taskRef?: string;
  createRequestedAt?: CreateRequests;
  address?: string;
}

interface Run {
  ctx: {
    kube: KubeClient;
    events: EventRecorder;
    object: {
      metadata: {
        name: string;
        namespace: string;
        uid: string;
        labels?: Record<string, string>;
        deletionTimestamp?: string;
      };
    };
    infraCluster: Record<string, unknown> | undefined;
    status: Status;
    clock: { now(): Date };
    saveStatus(): Promise<void>;
    setCondition(condition: ConditionInput): void;
  };
  platform: TaskPlatform;
  cluster?: TestPoolObject;
  address?: string;
  vm?: ReturnType<TaskPlatform['find']>;
}

const LISTING_LAG_MS = 30_000;

/** A machine's steps as a provider writes them with the kit, the platform's calls passed in. */
function testMachineSteps() {
  const tasks = platformTasks<Run, TaskState>({
    name: 'FollowTask',
    taskNoun: 'test task',
    reference: taskReferenceAt((run: Run) => run.ctx.status as Record<string, unknown>, 'taskRef'),
    read: async (run, id) => run.platform.taskState(id),
    interpret: (state) => state,
    isNotFound: (error) => (error as { notFound?: boolean }).notFound === true,
    pollAfterMs: 1_000,
    async onFinished(run) {
      run.vm = run.platform.find(run.ctx.object.metadata.name);
    },
  });
  const connect = connectMachineStep<Run, TestPoolObject>({
    infraCluster: { apiVersion: TEST_POOL_API_VERSION, kind: 'TestPool' },
    async connect(run, cluster) {
      run.cluster = cluster;
      return done();
    },
  });
  const slots: MachineSlots<Run, TestPoolObject, Entry, Claim> = {
    pool: testPoolKind,
    poolName: () => 'addresses',
    conditionType: 'VMReady',
    onClaimed(run, entry) {
      run.address = entry.address;
      run.ctx.status.address = entry.address;
    },
  };
  const name = (run: Run) => run.ctx.object.metadata.name;
  const findVm: Step<Run> = {
    name: 'FindVM',
    async run(run) {
      run.vm ??= run.platform.find(name(run));
      return done();
    },
  };
  const createVm: Step<Run> = {
    name: 'CreateVM',
    when: (run) => !run.vm,
    async run(run) {
      const thing = { key: 'vm', what: `VM ${name(run)}`, listingLagMs: LISTING_LAG_MS };
      const asked = await createOnce(run.ctx, thing, () =>
        tasks.start(run, 'creating the VM', async () => run.platform.create(name(run))),
      );
      return asked.sent ? asked.result : asked.wait;
    },
  };
  const powerOn: Step<Run> = {
    name: 'PowerOn',
    when: (run) => run.vm?.power !== 'on',
    run: (run) => tasks.start(run, 'powering on', async () => run.platform.powerOn(name(run))),
  };
  const findForDelete: Step<Run> = {
    name: 'FindVM',
    async run(run) {
      run.vm = run.platform.find(name(run));
      const thing = { key: 'vm', what: `VM ${name(run)}`, listingLagMs: LISTING_LAG_MS };
      return (!run.vm && waitWhileUnlisted(run.ctx, thing, 1_000)) || done();
    },
  };
  const onVm = (step: string, when: (vm: NonNullable<Run['vm']>) => boolean, call: keyof TaskPlatform) => ({
    name: step,
    when: (run: Run) => run.vm !== undefined && when(run.vm),
    run: (run: Run) =>
      tasks.start(run, step, async () => (run.platform[call] as (n: string) => string)(name(run))),
  });
  return machineStepHooks({
    kind: { kind: 'TestMachine' } as never,
    newRun: (ctx) => ({ ctx, platform }) as unknown as Run,
    reconcile: [connect, claimSlotStep('ClaimSlot', slots), tasks.follow, findVm, createVm, powerOn],
    provisioned: (run): MachineProvisioned =>
      machineProvisioned({
        providerID: `test://${run.vm?.id}`,
        addresses: [{ type: 'InternalIP', address: run.address ?? '' }],
      }),
    delete: [
      connect,
      tasks.follow,
      findForDelete,
      onVm('PowerOff', (vm) => vm.power === 'on', 'powerOff'),
      onVm('DetachDisks', (vm) => vm.power === 'off' && vm.disks.length > 0, 'detachDisks'),
      onVm('DestroyVM', (vm) => vm.power === 'off' && vm.disks.length === 0, 'destroy'),
      releaseSlotStep('ReleaseSlot', slots),
    ],
  });
}

let platform: TaskPlatform;

/** What the host does with a plan: runs its steps in order until one is not done, else finishes. */
async function drive(outcome: unknown): Promise<StepResult | MachineProvisioned> {
  const plan = outcome as {
    steps: { name: string; run(): Promise<StepResult> }[];
    finish(): Promise<StepResult | MachineProvisioned>;
  };
  for (const step of plan.steps) {
    const result = await step.run();
    if (result.type !== 'done') return result;
  }
  return plan.finish();
}

describe('the machine step skeleton on a real kube-apiserver', () => {
  let namespace: string;
  let kube: KubeClient;
  const conditions: ConditionInput[] = [];
  const warnings: string[] = [];
  let now = new Date('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    const bed = await testPoolBed('machine-steps');
    ({ namespace, kube } = bed);
    await bed.createPool('cluster-a', { entries: [] });
    await bed.createPool('addresses', {
      entries: ['10.0.0.5', '10.0.0.6', '10.0.0.7'].map((address) => ({ address })),
    });
  });

  /** The host's context of machine `name`, whose status outlives each reconcile as the host's does. */
  function machine(name: string, infraCluster: Record<string, unknown> | undefined, status: Status = {}) {
    return {
      kube,
      events: {
        normal: () => undefined,
        warning: (_reason: string, message: string) => warnings.push(message),
      } as unknown as EventRecorder,
      object: {
        metadata: {
          name,
          namespace,
          uid: `uid-${name}`,
          labels: { 'cluster.x-k8s.io/cluster-name': 'cluster-a' },
        } as Run['ctx']['object']['metadata'],
      },
      infraCluster,
      status,
      clock: { now: () => now },
      saveStatus: async () => undefined,
      setCondition: (condition: ConditionInput) => conditions.push(condition),
    };
  }

  it('creates once, follows each task, powers on and reports the providerID and addresses', async () => {
    platform = new TaskPlatform();
    const hooks = testMachineSteps();
    const ctx = machine('m1', { metadata: { name: 'cluster-a' } });
    const reconcile = async () => drive(await hooks.reconcile(ctx as never));

    const first = await reconcile();
    expect(first).toMatchObject({ type: 'requeue', reason: 'creating the VM: waiting for test task task-1' });
    expect(ctx.status.taskRef).toBe('task-1');
    expect(ctx.status.address).toBe('10.0.0.5');
    // The task runs: the next reconcile waits on it and sends nothing.
    expect(await reconcile()).toMatchObject({ reason: 'waiting for test task task-1 at 50 %' });
    platform.work();
    expect(await reconcile()).toMatchObject({ reason: 'powering on: waiting for test task task-2' });
    platform.work();
    expect(await reconcile()).toEqual(
      machineProvisioned({
        providerID: 'test://vm-m1',
        addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
      }),
    );
    expect(ctx.status.taskRef).toBeUndefined();
    expect(platform.calls).toEqual(['create m1', 'power-on m1']);
  });

  it('does not create a second VM while the first may still be unlisted, nor leave it behind on delete', async () => {
    platform = new TaskPlatform();
    const hooks = testMachineSteps();
    const ctx = machine('m2', { metadata: { name: 'cluster-a' } });
    await drive(await hooks.reconcile(ctx as never));
    // The task reference is lost (a status write that never landed) and the VM is not listed yet.
    delete ctx.status.taskRef;
    expect(await drive(await hooks.reconcile(ctx as never))).toMatchObject({
      type: 'requeue',
      reason: expect.stringContaining('VM m2 was asked for at'),
    });
    expect(await drive(await hooks.delete(ctx as never))).toMatchObject({
      type: 'requeue',
      reason: 'VM m2 was asked for recently and is not listed yet',
    });
    expect(platform.calls).toEqual(['create m2']);
    now = new Date(now.getTime() + LISTING_LAG_MS);
  });

  it('deletes a machine whose Cluster is gone: its infrastructure cluster by label, power off, detach, destroy, release', async () => {
    platform = new TaskPlatform();
    const hooks = testMachineSteps();
    const created = machine('m3', { metadata: { name: 'cluster-a' } });
    for (let i = 0; i < 3; i++) {
      await drive(await hooks.reconcile(created as never));
      platform.work();
    }
    expect(platform.find('m3')?.power).toBe('on');
    now = new Date(now.getTime() + LISTING_LAG_MS);
    // The namespace is going: no infrastructure cluster from the host, the label names it.
    const deleting = machine('m3', undefined, created.status);
    deleting.object.metadata.deletionTimestamp = now.toISOString();
    const steps: string[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await drive(await hooks.delete(deleting as never));
      if (result.type === 'done') break;
      steps.push((result as { reason: string }).reason);
      platform.work();
    }
    expect(steps).toEqual([
      'PowerOff: waiting for test task task-3',
      'DetachDisks: waiting for test task task-4',
      'DestroyVM: waiting for test task task-5',
    ]);
    expect(platform.vms.size).toBe(0);
    const pool = await kube.get<TestPoolObject>({
      apiVersion: TEST_POOL_API_VERSION,
      kind: 'TestPool',
      namespace,
      name: 'addresses',
    });
    expect(pool?.status?.claims?.map((claim) => claim.holder)).toEqual(['m1', 'm2']);
  });

  it('waits for an infrastructure cluster it cannot find', async () => {
    platform = new TaskPlatform();
    const hooks = testMachineSteps();
    const orphan = machine('m4', undefined);
    expect(await drive(await hooks.reconcile(orphan as never))).toEqual(
      requeue(10_000, 'waiting for the TestPool of this machine'),
    );
    orphan.object.metadata.deletionTimestamp = now.toISOString();
    orphan.object.metadata.labels = { 'cluster.x-k8s.io/cluster-name': 'no-such-cluster' };
    expect(await drive(await hooks.delete(orphan as never))).toEqual(
      requeue(10_000, 'waiting for the TestPool of this machine'),
    );
    expect(platform.calls).toEqual([]);
  });
});
