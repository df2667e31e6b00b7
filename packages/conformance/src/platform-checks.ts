/**
 * The checks that need a platform: what a provider does there, run through the real host (the
 * manager) against a real API server, with the platform behind a small adapter the provider's author
 * writes for a simulator or a real site. Each check gets a namespace and a manager of its own and is
 * reported by name, passed or failed with what was expected and what was seen, so a provider's CI says
 * which promise broke. A broken provider never makes the suite throw, and every manager is stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Provider } from '@immutable-infra/core';
import { createLogger, type HostLogger, Manager } from '@immutable-infra/manager';
import { exited, killAtRandomPoints, type RandomNumberSource } from '@immutable-infra/testkit';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1OwnerReference as OwnerReference,
  PatchStrategy,
} from '@kubernetes/client-node';
import { recordChecks } from './check-record.js';
import type { ConformanceCheck } from './report.js';

/**
 * One machine as the platform knows it: `id` tells a new machine from one deleted and made again under
 * the same name; `name` is for the report.
 */
export interface PlatformThing {
  /** The platform's own id (a URN, an instance id): new for a machine made again under the same name. */
  id: string;
  /** The machine's name on the platform, for the report. */
  name: string;
}

/**
 * What a provider's author writes so the suite can drive its platform: how to set up what one
 * infrastructure machine needs, how to create that machine as Cluster API would, what exists on the
 * platform, and how to delete a machine there behind the provider's back.
 */
export interface PlatformAdapter {
  /**
   * Everything one infrastructure machine of the provider needs in `namespace` (a fresh one per
   * check): credential Secret, pools, the CAPI Cluster and the infrastructure cluster it references,
   * with owner references. The suite may call it before its manager runs.
   */
  prepare(namespace: string): Promise<void>;
  /**
   * Creates the infrastructure machine `name` (the provider's InfraMachine kind) with the CAPI
   * Machine owning it and its bootstrap data Secret, as Cluster API would.
   */
  createMachine(namespace: string, name: string): Promise<void>;
  /**
   * The machines that exist on the platform for `namespace` (including ones being deleted): how the
   * suite sees side effects, duplicates and leftovers. Must be cheap: the suite polls it quickly.
   */
  platformMachines(namespace: string): Promise<PlatformThing[]>;
  /** Deletes one machine on the platform directly, as an operator would, without the provider. */
  deleteOutOfBand(thing: PlatformThing): Promise<void>;
  /**
   * Pauses or resumes reconciliation of the namespace's machines. Optional: by default the suite sets
   * `spec.paused` on every CAPI Cluster of the namespace and the `cluster.x-k8s.io/paused` annotation
   * on every infrastructure machine there (and clears both to resume). The suite calls it before the
   * machine exists and again right after it is created.
   */
  pause?(namespace: string, paused: boolean): Promise<void>;
  /**
   * Optional, for a platform where a provider holds more than the machines it makes: what the
   * namespace's machines hold or changed there besides what `platformMachines` lists, each said for
   * the report (bare metal: a host claimed from a pool, an inventory not given back, one deleted).
   * The suite counts each as a side effect (`machine.pause-honoured`,
   * `machine.finalizer-before-side-effect`) and wants none left once the machines are gone
   * (`machine.delete-leaves-nothing`, `machine.kills`). Empty when nothing is held; polled like
   * `platformMachines`, so keep it cheap. Without it, the machines say it all.
   */
  traces?(namespace: string): Promise<string[]>;
}

/** What `runPlatformChecks` needs: the provider, its adapter and the management cluster. */
export interface PlatformCheckInput {
  /** The provider under test; the suite runs it in a `Manager` of its own per check. */
  provider: Provider;
  /** How the suite drives the provider's platform (a simulator or a real site). */
  adapter: PlatformAdapter;
  /** The management cluster, with Cluster API's CRDs and the provider's CRDs installed. */
  kubeConfig: KubeConfig;
  /** Each check's namespace starts with this (`conformance` by default) and a random suffix. */
  namespacePrefix?: string;
  /** How long to wait for anything to happen, e.g. a machine to be provisioned (120 s by default). */
  timeoutMs?: number;
  /**
   * How long the suite watches for something that must not happen: a platform machine while paused,
   * a providerID change after provisioning (3 s by default).
   */
  observeMs?: number;
  /** The managers' log; error level to stderr by default. */
  log?: HostLogger;
  /**
   * For `machine.kills`: how to run the provider in a host process of its own, which the suite
   * SIGKILLs at random points. Without it that check is reported skipped.
   */
  hostProcess?: HostProcessInput;
}

/** How `machine.kills` runs the provider in a process the suite can SIGKILL. */
export interface HostProcessInput {
  /**
   * A module whose default export is the provider under test, or a function that returns it: a file
   * path (the built `dist/index.js`, say) or a package name. It must reach the platform the adapter
   * lists, as `provider` does.
   */
  providerModule: string;
  /** Variables added to the host process's environment (the suite's own environment is inherited). */
  env?: Record<string, string>;
  /** Machines created, and deleted, together (3 by default). */
  machines?: number;
  /** SIGKILLs while the machines are created, and again while they are deleted (3 each by default). */
  kills?: number;
  /** The latest a kill falls after the host says its controllers run, in ms (3,000 by default). */
  spreadMs?: number;
  /** Where kill points come from (Math.random by default); seed one to replay a failure's points. */
  random?: RandomNumberSource;
}

/** Every platform check by name, in the order a report lists them, with what it holds the provider to. */
export const PLATFORM_CHECKS: Readonly<Record<string, string>> = {
  'machine.status-fields':
    'a provisioned machine has status.ready (v1beta1) and status.initialization.provisioned (v1beta2) true, a Ready condition that is True, status.addresses and spec.providerID',
  'machine.provider-id-stable':
    'spec.providerID is set once and never changes afterwards, also when the machine is reconciled again',
  'machine.pause-honoured':
    'nothing is created or held on the platform while the cluster and the machine are paused; after resuming, the machine is provisioned',
  'machine.finalizer-before-side-effect':
    'when a machine (or anything the provider holds for it) first exists on the platform, the infrastructure machine already carries a finalizer',
  'machine.delete-leaves-nothing':
    'once the deleted infrastructure machine is gone, nothing the provider created or held for it is left on the platform',
  'machine.out-of-band-deletion':
    'a machine deleted on the platform behind the provider is made again, or the infrastructure machine stops reporting Ready',
  'machine.kills':
    'repeated SIGKILLs of the host at random points while machines are created, and again while they are deleted, leave no duplicate and no orphan on the platform',
};

/** Why `machine.kills` is reported skipped without `hostProcess`. */
export const KILLS_SKIPPED_WHY =
  'no hostProcess given: killing the host needs the provider in a process of its own (PlatformCheckInput.hostProcess)';

/** The manager's log line once its controllers run: kill points are counted from it. */
const CONTROLLERS_RUNNING = /controllers running/;

/** The host process script: built next to this module, or the source when the suite runs from it. */
function hostProcessScript(): string {
  const built = fileURLToPath(new URL('./host-process.js', import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL('./host-process.ts', import.meta.url));
}

const MACHINE = 'machine-1';
const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
const NUDGE_ANNOTATION = 'conformance.immutable-infra.dev/nudge';
const CAPI_CLUSTER = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster' };

interface MachineObject extends KubernetesObject {
  spec?: { providerID?: string };
  status?: {
    ready?: boolean;
    initialization?: { provisioned?: boolean };
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    addresses?: unknown[];
    failureReason?: string;
    failureMessage?: string;
  };
}

/** A check's expected failure: what was expected and what was seen, for `why`. */
class CheckFailed extends Error {}

/** A check that cannot run with what it was given; `why` says what it needs. */
class CheckSkipped extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));
const things = (list: PlatformThing[]) => list.map((t) => `${t.name} (${t.id})`).join(', ');

/** What the platform holds for a namespace: its machines and the adapter's traces. */
interface Holdings {
  machines: PlatformThing[];
  traces: string[];
}

const isEmpty = (held: Holdings) => held.machines.length === 0 && held.traces.length === 0;
const describeHoldings = (held: Holdings) =>
  [things(held.machines), ...held.traces].filter(Boolean).join(', ') || 'nothing';

function apiVersionOf(kind: Provider['infraMachine']['kind']): string {
  const storage = kind.versions.find((v) => v.storage) ?? kind.versions[0];
  return `${kind.group}/${storage?.name}`;
}

/** What a reader of the report needs to know of a machine's state: ready, Ready condition, finalizers. */
function describeMachine(machine: MachineObject | undefined): string {
  if (!machine) return 'the infrastructure machine does not exist';
  const ready = machine.status?.conditions?.find((c) => c.type === 'Ready');
  return [
    `status.ready ${machine.status?.ready}`,
    `initialization.provisioned ${machine.status?.initialization?.provisioned}`,
    ready
      ? `Ready ${ready.status} (${ready.reason ?? ''}${ready.message ? `: ${ready.message}` : ''})`
      : 'no Ready condition',
    `finalizers [${(machine.metadata?.finalizers ?? []).join(', ')}]`,
    machine.spec?.providerID ? `providerID ${machine.spec.providerID}` : 'no providerID',
  ].join(', ');
}

/** One check's namespace, manager and API access; `close` cleans up and always stops the manager. */
class Scene {
  readonly objects: KubernetesObjectApi;
  readonly machineApiVersion: string;
  readonly machineKind: string;
  private manager: Manager | undefined;
  private managerError: unknown;
  namespace = '';

  constructor(
    private readonly input: PlatformCheckInput,
    private readonly log: HostLogger,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(input.kubeConfig);
    this.machineApiVersion = apiVersionOf(input.provider.infraMachine.kind);
    this.machineKind = input.provider.infraMachine.kind.kind;
  }

  get adapter(): PlatformAdapter {
    return this.input.adapter;
  }

  get timeoutMs(): number {
    return this.input.timeoutMs ?? 120_000;
  }

  get observeMs(): number {
    return this.input.observeMs ?? 3_000;
  }

  get hostProcess(): HostProcessInput | undefined {
    return this.input.hostProcess;
  }

  get kubeConfig(): KubeConfig {
    return this.input.kubeConfig;
  }

  async open(check: string): Promise<void> {
    const suffix = Math.random().toString(16).slice(2, 10);
    const prefix = this.input.namespacePrefix ?? 'conformance';
    const short = check.replace(/^machine\./, '').slice(0, 20);
    this.namespace = `${prefix}-${short}-${suffix}`.slice(0, 63).replace(/-+$/, '');
    await this.input.kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: this.namespace } } });
  }

  startManager(): void {
    this.manager = new Manager({
      kubeConfig: this.input.kubeConfig,
      namespace: this.namespace,
      providers: [this.input.provider],
      log: this.log,
    });
    this.manager.start().catch((error: unknown) => {
      this.managerError = error;
    });
  }

  /** Throws when the manager could not start: waiting on it would only time out. */
  assertManagerRunning(): void {
    if (this.managerError !== undefined)
      throw new CheckFailed(`the manager stopped: ${describeError(this.managerError)}`);
  }

  async readMachine(name = MACHINE): Promise<MachineObject | undefined> {
    try {
      return (await this.objects.read({
        apiVersion: this.machineApiVersion,
        kind: this.machineKind,
        metadata: { name, namespace: this.namespace },
      })) as MachineObject;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async platform(): Promise<PlatformThing[]> {
    return this.adapter.platformMachines(this.namespace);
  }

  /** The machines on the platform and whatever else the adapter says the provider holds there. */
  async holdings(): Promise<Holdings> {
    const machines = await this.platform();
    const traces = this.adapter.traces ? await this.adapter.traces(this.namespace) : [];
    return { machines, traces };
  }

  /** Polls `probe` until it answers something, or undefined when `ms` passed first. */
  async poll<T>(probe: () => Promise<T | undefined>, ms = this.timeoutMs, everyMs = 100) {
    const deadline = Date.now() + ms;
    for (;;) {
      this.assertManagerRunning();
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() >= deadline) return undefined;
      await sleep(everyMs);
    }
  }

  /**
   * Waits until the machine reports itself provisioned by either contract (`status.ready` or
   * `status.initialization.provisioned`; `machine.status-fields` holds it to both); fails the check
   * with its state otherwise.
   */
  async provisioned(): Promise<MachineObject> {
    const machine = await this.poll(async () => {
      const m = await this.readMachine();
      return m?.status?.ready === true || m?.status?.initialization?.provisioned === true ? m : undefined;
    });
    if (!machine)
      throw new CheckFailed(
        `expected ${this.machineKind} ${MACHINE} to be provisioned (status.ready or status.initialization.provisioned true) within ${this.timeoutMs / 1000} s; saw ${describeMachine(await this.readMachine())}`,
      );
    return machine;
  }

  async mergePatch(object: KubernetesObject): Promise<void> {
    await this.objects.patch(
      object,
      undefined,
      undefined,
      'iinfra-conformance',
      undefined,
      PatchStrategy.MergePatch,
    );
  }

  /** Changes an annotation on the machine: a watch event, so the provider gets a reconcile. */
  async nudge(): Promise<void> {
    await this.mergePatch({
      apiVersion: this.machineApiVersion,
      kind: this.machineKind,
      metadata: {
        name: MACHINE,
        namespace: this.namespace,
        annotations: { [NUDGE_ANNOTATION]: String(Date.now()) },
      },
    });
  }

  async pause(paused: boolean): Promise<void> {
    if (this.adapter.pause) return this.adapter.pause(this.namespace, paused);
    const clusters = await this.objects.list(CAPI_CLUSTER.apiVersion, CAPI_CLUSTER.kind, this.namespace);
    for (const cluster of clusters.items) {
      await this.mergePatch({
        ...CAPI_CLUSTER,
        metadata: { name: cluster.metadata?.name, namespace: this.namespace },
        spec: { paused },
      } as KubernetesObject);
    }
    const machines = await this.objects.list(this.machineApiVersion, this.machineKind, this.namespace);
    for (const machine of machines.items) {
      await this.mergePatch({
        apiVersion: this.machineApiVersion,
        kind: this.machineKind,
        metadata: {
          name: machine.metadata?.name ?? '',
          namespace: this.namespace,
          annotations: { [PAUSED_ANNOTATION]: paused ? 'true' : null } as Record<string, string>,
        },
      });
    }
  }

  /** Deletes the machine and, once it is gone, the CAPI Machine owning it; false if it stayed. */
  async deleteMachine(name = MACHINE, waitMs = this.timeoutMs): Promise<boolean> {
    const owners = await this.requestDelete(name);
    const gone = await this.poll(async () => ((await this.readMachine(name)) ? undefined : true), waitMs);
    await this.deleteOwners(owners);
    return gone === true;
  }

  /**
   * Asks the API server to delete the infrastructure machine, without waiting; answers the CAPI
   * Machines owning it, for `deleteOwners` once it is gone.
   */
  async requestDelete(name: string): Promise<OwnerReference[]> {
    const machine = await this.readMachine(name);
    if (!machine) return [];
    await this.objects.delete({
      apiVersion: this.machineApiVersion,
      kind: this.machineKind,
      metadata: { name, namespace: this.namespace },
    });
    return (machine.metadata?.ownerReferences ?? []).filter(
      (owner) => owner.kind === 'Machine' && owner.apiVersion.startsWith('cluster.x-k8s.io/'),
    );
  }

  async deleteOwners(owners: readonly OwnerReference[]): Promise<void> {
    for (const owner of owners) {
      await this.objects
        .delete({
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          metadata: { name: owner.name, namespace: this.namespace },
        })
        .catch(() => undefined);
    }
  }

  /**
   * Best effort, bounded: lets the provider release what it made (the machines, then the
   * infrastructure cluster), deletes the namespace, and stops the manager whatever happened.
   */
  async close(): Promise<void> {
    try {
      if (!this.namespace) return;
      if (this.manager && this.managerError === undefined) {
        const machines = await this.objects.list(this.machineApiVersion, this.machineKind, this.namespace);
        for (const machine of machines.items) {
          if (machine.metadata?.name)
            await this.deleteMachine(machine.metadata.name, 30_000).catch(() => false);
        }
        const cluster = this.input.provider.infraCluster.kind;
        const ref = { apiVersion: apiVersionOf(cluster), kind: cluster.kind };
        const clusters = await this.objects.list(ref.apiVersion, ref.kind, this.namespace);
        for (const item of clusters.items) {
          await this.objects
            .delete({ ...ref, metadata: { name: item.metadata?.name ?? '', namespace: this.namespace } })
            .catch(() => undefined);
        }
        await this.poll(async () => {
          const left = await this.objects.list(ref.apiVersion, ref.kind, this.namespace);
          return left.items.length > 0 ? undefined : true;
        }, 30_000);
      }
    } catch {
      // Cleanup never turns a check's outcome around.
    } finally {
      await this.manager?.stop().catch(() => undefined);
      await this.input.kubeConfig
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: this.namespace })
        .catch(() => undefined);
    }
  }
}

type CheckBody = (scene: Scene) => Promise<void>;

async function statusFields(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  scene.startManager();
  await scene.adapter.createMachine(scene.namespace, MACHINE);
  const machine = await scene.provisioned();
  const status = machine.status ?? {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const missing = [
    status.ready !== true && `status.ready is ${status.ready}, expected true (v1beta1)`,
    status.initialization?.provisioned !== true &&
      `status.initialization.provisioned is ${status.initialization?.provisioned}, expected true (v1beta2)`,
    !ready && 'status.conditions has no Ready condition, expected one that is True',
    ready &&
      ready.status !== 'True' &&
      `the Ready condition is ${ready.status} (${ready.reason}), expected True`,
    !(status.addresses && status.addresses.length > 0) &&
      "status.addresses is empty, expected the machine's addresses",
    !machine.spec?.providerID && "spec.providerID is not set, expected the machine's id on the platform",
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0) throw new CheckFailed(`once provisioned, ${missing.join('; ')}`);
}

async function providerIdStable(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  scene.startManager();
  const seen: string[] = [];
  let watching = true;
  const record = (machine: MachineObject | undefined) => {
    if (!machine) return;
    const id = machine?.spec?.providerID ?? '';
    if (seen.at(-1) !== id && (seen.length > 0 || id)) seen.push(id);
  };
  const watcher = (async () => {
    while (watching) {
      record(await scene.readMachine().catch(() => undefined));
      await sleep(50);
    }
  })();
  try {
    await scene.adapter.createMachine(scene.namespace, MACHINE);
    record(await scene.provisioned());
    // Reconciles after provisioning: each annotation change is a watch event for the machine.
    const nudges = 3;
    for (let i = 0; i < nudges; i++) {
      await scene.nudge();
      await sleep(scene.observeMs / nudges);
    }
    record(await scene.readMachine());
  } finally {
    watching = false;
    await watcher;
  }
  if (seen.length > 1) {
    const shown = seen.slice(0, 4).map((id) => (id ? `"${id}"` : 'unset'));
    const more = seen.length > shown.length ? ` → … (${seen.length} values in all)` : '';
    throw new CheckFailed(
      `expected spec.providerID to be set once and kept; it went ${shown.join(' → ')}${more}`,
    );
  }
}

async function pauseHonoured(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  // Paused before the manager starts, so its caches never see the cluster unpaused.
  await scene.pause(true);
  scene.startManager();
  await scene.adapter.createMachine(scene.namespace, MACHINE);
  await scene.pause(true);
  const appeared = await scene.poll(async () => {
    const held = await scene.holdings();
    return isEmpty(held) ? undefined : held;
  }, scene.observeMs);
  if (appeared)
    throw new CheckFailed(
      `expected nothing on the platform while paused; within ${scene.observeMs / 1000} s of pausing, ${describeHoldings(appeared)} appeared`,
    );
  await scene.pause(false);
  await scene.provisioned();
}

async function finalizerBeforeSideEffect(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  scene.startManager();
  const before = await scene.holdings();
  if (!isEmpty(before))
    throw new CheckFailed(
      `expected nothing on the platform before the machine exists; found ${describeHoldings(before)}`,
    );
  const creating = scene.adapter.createMachine(scene.namespace, MACHINE);
  let created = false;
  void creating.then(
    () => {
      created = true;
    },
    () => undefined,
  );
  const first = await scene.poll(
    async () => {
      const found = await scene.holdings();
      if (isEmpty(found)) return undefined;
      return { found, machine: await scene.readMachine() };
    },
    scene.timeoutMs,
    20,
  );
  await creating;
  if (!first)
    throw new CheckFailed(
      `expected a machine on the platform within ${scene.timeoutMs / 1000} s of creating ${MACHINE}${created ? '' : ' (the adapter had not finished creating it)'}; saw none; ${describeMachine(await scene.readMachine())}`,
    );
  const finalizers = first.machine?.metadata?.finalizers ?? [];
  if (finalizers.length === 0)
    throw new CheckFailed(
      `expected a finalizer on ${scene.machineKind} ${MACHINE} before anything exists on the platform; when ${describeHoldings(first.found)} first existed, ${first.machine ? 'it had no finalizer' : 'it did not exist yet'}`,
    );
}

async function deleteLeavesNothing(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  scene.startManager();
  await scene.adapter.createMachine(scene.namespace, MACHINE);
  await scene.provisioned();
  const made = await scene.holdings();
  if (!(await scene.deleteMachine()))
    throw new CheckFailed(
      `expected ${scene.machineKind} ${MACHINE} to be gone within ${scene.timeoutMs / 1000} s of its deletion; ${describeMachine(await scene.readMachine())}`,
    );
  // A short settle for a platform whose listing lags behind its deletes.
  const clean = await scene.poll(
    async () => (isEmpty(await scene.holdings()) ? true : undefined),
    scene.observeMs,
  );
  if (!clean)
    throw new CheckFailed(
      `expected nothing on the platform once ${MACHINE} was gone (it had ${describeHoldings(made)}); left: ${describeHoldings(await scene.holdings())}`,
    );
}

async function outOfBandDeletion(scene: Scene): Promise<void> {
  await scene.adapter.prepare(scene.namespace);
  scene.startManager();
  await scene.adapter.createMachine(scene.namespace, MACHINE);
  await scene.provisioned();
  const existing = await scene.platform();
  if (existing.length === 0)
    throw new CheckFailed(`expected a machine on the platform once ${MACHINE} was provisioned; saw none`);
  for (const thing of existing) await scene.adapter.deleteOutOfBand(thing);
  const deletedIds = new Set(existing.map((t) => t.id));
  let lastNudge = 0;
  const handled = await scene.poll(async () => {
    const replacement = (await scene.platform()).filter((t) => !deletedIds.has(t.id));
    if (replacement.length > 0) return `made again: ${things(replacement)}`;
    const machine = await scene.readMachine();
    const ready = machine?.status?.conditions?.find((c) => c.type === 'Ready');
    if (machine?.status?.ready === false) return 'status.ready false';
    if (ready && ready.status !== 'True') return `Ready ${ready.status}`;
    if (machine?.status?.failureReason) return `failureReason ${machine.status.failureReason}`;
    // Any resync would reconcile it again; an annotation change does so now.
    if (Date.now() - lastNudge > 1_000) {
      lastNudge = Date.now();
      await scene.nudge();
    }
    return undefined;
  });
  if (!handled)
    throw new CheckFailed(
      `after ${things(existing)} was deleted on the platform, expected it made again or the machine no longer Ready within ${scene.timeoutMs / 1000} s; nothing is on the platform and ${describeMachine(await scene.readMachine())}`,
    );
}

/** The last lines a host process printed, for a report when it failed to start or work. */
class OutputTail {
  private text = '';

  follow(child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.text = (this.text + chunk.toString()).slice(-4_000);
      });
    }
  }

  lines(count = 8): string {
    return this.text.trim().split('\n').slice(-count).join('\n');
  }
}

/**
 * `machine.kills`: several machines created and then deleted while the host is SIGKILLed at random
 * points; a last host must converge with exactly one platform machine per infrastructure machine, and
 * nothing left once they are deleted. The host runs in a process of its own (`hostProcess`).
 */
async function kills(scene: Scene): Promise<void> {
  const host = scene.hostProcess;
  if (!host) throw new CheckSkipped(KILLS_SKIPPED_WHY);
  const names = Array.from({ length: host.machines ?? 3 }, (_, i) => `machine-${i + 1}`);
  const killCount = host.kills ?? 3;
  const spreadMs = host.spreadMs ?? 3_000;
  const random = host.random ?? { next: Math.random };
  // The kill points, in ms after the host's start line, for the report.
  const points: number[] = [];
  const recording = {
    next: () => {
      const value = random.next();
      points.push(Math.round(value * spreadMs));
      return value;
    },
  };
  const tail = new OutputTail();
  // The kubeconfig for the host processes: credentials, so readable by this user only, removed after.
  const dir = mkdtempSync(join(tmpdir(), 'iinfra-conformance-host-'));
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, scene.kubeConfig.exportConfig(), { mode: 0o600 });
  let running: ChildProcess | undefined;
  const start = () => {
    running = spawn(
      process.execPath,
      [hostProcessScript(), kubeconfigFile, scene.namespace, host.providerModule],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...host.env },
      },
    );
    tail.follow(running);
    return running;
  };
  const killing = {
    start,
    kills: killCount,
    random: recording,
    earliestMs: 0,
    spreadMs,
    readyLine: CONTROLLERS_RUNNING,
    readyTimeoutMs: scene.timeoutMs,
  };
  const stopHost = async () => {
    running?.kill('SIGKILL');
    if (running) await exited(running);
  };
  const hostExited = () =>
    running !== undefined && (running.exitCode !== null || running.signalCode !== null);
  const after = (phase: string) =>
    `after ${killCount} SIGKILLs of the host while ${phase} (at ${points.join(', ')} ms after its controllers ran)`;
  const states = async () =>
    (await Promise.all(names.map(async (n) => `${n}: ${describeMachine(await scene.readMachine(n))}`))).join(
      '; ',
    );
  const hostLog = () => (hostExited() ? `; the last host exited; its output ends:\n${tail.lines()}` : '');
  try {
    await scene.adapter.prepare(scene.namespace);
    for (const name of names) await scene.adapter.createMachine(scene.namespace, name);
    await killAtRandomPoints(killing);
    start().stdout?.resume();
    const provisioned = await scene.poll(async () => {
      if (hostExited()) return false;
      for (const name of names) {
        const m = await scene.readMachine(name);
        if (m?.status?.ready !== true && m?.status?.initialization?.provisioned !== true) return undefined;
      }
      return true;
    });
    if (provisioned !== true) {
      throw new CheckFailed(
        `${after('creating')}, expected ${names.length} machines provisioned by a last host within ${scene.timeoutMs / 1000} s; ${await states()}${hostLog()}`,
      );
    }
    const made = await scene.platform();
    if (made.length !== names.length)
      throw new CheckFailed(
        `${after('creating')}, expected exactly ${names.length} machines on the platform, one per infrastructure machine; found ${made.length}: ${things(made)}`,
      );
    points.length = 0;
    await stopHost();
    const owners = [];
    for (const name of names) owners.push(...(await scene.requestDelete(name)));
    await killAtRandomPoints(killing);
    start().stdout?.resume();
    const gone = await scene.poll(async () => {
      if (hostExited()) return false;
      for (const name of names) if (await scene.readMachine(name)) return undefined;
      return true;
    });
    if (gone !== true) {
      throw new CheckFailed(
        `${after('deleting')}, expected every infrastructure machine gone within ${scene.timeoutMs / 1000} s; ${await states()}${hostLog()}`,
      );
    }
    await scene.deleteOwners(owners);
    const clean = await scene.poll(
      async () => (isEmpty(await scene.holdings()) ? true : undefined),
      scene.observeMs,
    );
    if (!clean)
      throw new CheckFailed(
        `${after('deleting')}, expected nothing left on the platform once the machines were gone; left: ${describeHoldings(await scene.holdings())}`,
      );
  } finally {
    await stopHost();
    rmSync(dir, { recursive: true, force: true });
    // Whatever the kills left, an in-process host lets the scene's cleanup delete it.
    scene.startManager();
  }
}

const CHECK_BODIES: readonly [string, CheckBody][] = [
  ['machine.status-fields', statusFields],
  ['machine.provider-id-stable', providerIdStable],
  ['machine.pause-honoured', pauseHonoured],
  ['machine.finalizer-before-side-effect', finalizerBeforeSideEffect],
  ['machine.delete-leaves-nothing', deleteLeavesNothing],
  ['machine.out-of-band-deletion', outOfBandDeletion],
  ['machine.kills', kills],
];

/**
 * Runs every platform check, one after the other, each in a fresh namespace with a manager of its
 * own, and answers them in `PLATFORM_CHECKS` order. Never throws for a broken provider or adapter:
 * the check fails with why instead.
 */
export async function runPlatformChecks(input: PlatformCheckInput): Promise<ConformanceCheck[]> {
  const log = input.log ?? createLogger({ level: 'error' });
  const checks: ConformanceCheck[] = [];
  for (const [name, body] of CHECK_BODIES) {
    const scene = new Scene(input, log);
    try {
      await scene.open(name);
      await body(scene);
      checks.push({ name, status: 'passed' });
    } catch (error) {
      if (error instanceof CheckSkipped) checks.push({ name, status: 'skipped', why: error.message });
      else {
        const why =
          error instanceof CheckFailed ? error.message : `the check could not run: ${describeError(error)}`;
        checks.push({ name, status: 'failed', why });
      }
    } finally {
      await scene.close();
    }
  }
  recordChecks(checks);
  return checks;
}
