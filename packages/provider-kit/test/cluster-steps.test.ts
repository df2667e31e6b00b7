import {
  type ConditionInput,
  clusterProvisioned,
  done,
  requeue,
  type StepPlan,
  type StepResult,
} from '@immutable-infra/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CREDENTIAL_RETRY_MS,
  clusterStepHooks,
  connectStep,
  controlPlaneEndpointStep,
  controlPlaneSelector,
  credentialLenders,
  endpointMismatch,
  logInStep,
  notConnectedYet,
  providerSettings,
  reconciledClusterName,
  syncMembers,
  withBorrowedCredential,
} from '../src/index.js';

/** What a step shows and tells, kept to look at. */
function reporting() {
  const conditions: ConditionInput[] = [];
  const events: { type: string; reason: string; message: string }[] = [];
  return {
    conditions,
    events,
    setCondition: (condition: ConditionInput) => conditions.push(condition),
    recorder: {
      normal: (reason: string, message: string) => events.push({ type: 'Normal', reason, message }),
      warning: (reason: string, message: string) => events.push({ type: 'Warning', reason, message }),
    },
  };
}

type Lookup = { ok: true; client: string } | { ok: false; reason: string; message: string };

describe('connectStep', () => {
  const step = (announce: boolean, lookup: Lookup) =>
    connectStep<{ ctx: ReturnType<typeof contextOf>; client?: string }, Lookup>({
      conditionType: 'CredentialsReady',
      announce,
      lookup: async () => lookup,
      connected: (run, found) => {
        run.client = found.client;
      },
    });
  const contextOf = (seen: ReturnType<typeof reporting>) => ({
    setCondition: seen.setCondition,
    events: seen.recorder,
  });

  it('keeps what the lookup found for the steps after', async () => {
    const seen = reporting();
    const run: { ctx: ReturnType<typeof contextOf>; client?: string } = { ctx: contextOf(seen) };
    expect(await step(true, { ok: true, client: 'session-1' }).run(run)).toMatchObject({ type: 'done' });
    expect(run.client).toBe('session-1');
    expect(seen.conditions).toEqual([]);
  });

  it('shows and tells a credential problem on reconcile, and waits for it to be fixed', async () => {
    const seen = reporting();
    const failure = {
      ok: false as const,
      reason: 'CredentialSecretNotFound',
      message: 'Secret ns/x not found',
    };
    const result = await step(true, failure).run({ ctx: contextOf(seen) });
    expect(result).toMatchObject({ type: 'requeue', afterMs: CREDENTIAL_RETRY_MS, reason: failure.message });
    expect(seen.conditions).toEqual([
      expect.objectContaining({
        type: 'CredentialsReady',
        status: 'False',
        reason: failure.reason,
        message: failure.message,
        severity: 'Error',
      }),
    ]);
    expect(seen.events).toEqual([{ type: 'Warning', reason: failure.reason, message: failure.message }]);
  });

  it('only waits when it does not announce (a delete)', async () => {
    const seen = reporting();
    const result = await step(false, { ok: false, reason: 'CredentialSecretInvalid', message: 'm' }).run({
      ctx: contextOf(seen),
    });
    expect(result).toMatchObject({ type: 'requeue' });
    expect(seen.conditions).toEqual([]);
    expect(seen.events).toEqual([]);
  });
});

describe('logInStep', () => {
  const step = (logIn: () => Promise<void>) =>
    logInStep<{
      ctx: { setCondition(c: ConditionInput): void; events: ReturnType<typeof reporting>['recorder'] };
    }>({
      conditionType: 'VCenterAvailable',
      logIn,
      describe: (error) => `refused: ${(error as Error).message}`,
    });

  it('shows the login on its condition', async () => {
    const seen = reporting();
    const result = await step(async () => {}).run({
      ctx: { setCondition: seen.setCondition, events: seen.recorder },
    });
    expect(result).toMatchObject({ type: 'done' });
    expect(seen.conditions).toEqual([
      expect.objectContaining({ type: 'VCenterAvailable', status: 'True', reason: 'LoggedIn' }),
    ]);
  });

  it('shows and tells a refused login in words, and does not ask again soon', async () => {
    const seen = reporting();
    const result = await step(async () => {
      throw new Error('wrong password');
    }).run({ ctx: { setCondition: seen.setCondition, events: seen.recorder } });
    expect(result).toMatchObject({
      type: 'requeue',
      afterMs: CREDENTIAL_RETRY_MS,
      reason: 'refused: wrong password',
    });
    expect(seen.conditions).toEqual([
      expect.objectContaining({
        type: 'VCenterAvailable',
        status: 'False',
        reason: 'LoginFailed',
        severity: 'Error',
      }),
    ]);
    expect(seen.events).toEqual([
      { type: 'Warning', reason: 'LoginFailed', message: 'refused: wrong password' },
    ]);
  });
});

describe('the control plane endpoint', () => {
  const balancer = { host: '10.0.0.100', port: 6443 };

  it('agrees with the load balancer when it names the same address or is still empty', () => {
    expect(endpointMismatch({ controlPlaneLoadBalancer: balancer })).toBeUndefined();
    expect(
      endpointMismatch({ controlPlaneEndpoint: { host: '', port: 0 }, controlPlaneLoadBalancer: balancer }),
    ).toBeUndefined();
    expect(
      endpointMismatch({ controlPlaneEndpoint: balancer, controlPlaneLoadBalancer: balancer }),
    ).toBeUndefined();
    expect(endpointMismatch({ controlPlaneEndpoint: { host: '10.0.0.5', port: 6443 } })).toBeUndefined();
  });

  it('names both addresses when they differ, and the step waits with a warning Event', async () => {
    const spec = {
      controlPlaneEndpoint: { host: '10.0.0.5', port: 6443 },
      controlPlaneLoadBalancer: balancer,
    };
    const message =
      'spec.controlPlaneEndpoint 10.0.0.5:6443 and spec.controlPlaneLoadBalancer 10.0.0.100:6443 must name the same address';
    expect(endpointMismatch(spec)).toBe(message);
    const seen = reporting();
    const step = controlPlaneEndpointStep();
    const run = { ctx: { setCondition: seen.setCondition, events: seen.recorder, object: { spec } } };
    expect(step.when?.(run)).toBe(true);
    expect(await step.run(run)).toMatchObject({
      type: 'requeue',
      afterMs: CREDENTIAL_RETRY_MS,
      reason: message,
    });
    expect(seen.events).toEqual([{ type: 'Warning', reason: 'ControlPlaneEndpointMismatch', message }]);
    expect(step.when?.({ ctx: { ...run.ctx, object: { spec: {} } } })).toBe(false);
  });

  it('selects control plane machines by the labels Cluster API puts on them', () => {
    expect(controlPlaneSelector('demo')).toBe(
      'cluster.x-k8s.io/cluster-name=demo,cluster.x-k8s.io/control-plane',
    );
  });

  it("takes the Cluster's name, else the infrastructure object's", () => {
    const object = { metadata: { name: 'infra' } };
    expect(reconciledClusterName({ object, cluster: { metadata: { name: 'demo' } } })).toBe('demo');
    expect(reconciledClusterName({ object })).toBe('infra');
  });
});

describe('notConnectedYet', () => {
  it('names the platform and the call a step made before Connect', () => {
    const cloud = notConnectedYet<{ listServers(): Promise<string[]> }>('HCS');
    expect(() => cloud.listServers()).toThrow(
      'HCS listServers called before the Connect step found the cloud',
    );
  });
});

describe('syncMembers', () => {
  it('removes members whose machine is gone or moved, then adds the missing ones', async () => {
    const calls: string[] = [];
    await syncMembers({
      wanted: [
        { machineName: 'cp-0', address: '10.0.0.10' },
        { machineName: 'cp-1', address: '10.0.0.12' },
        { machineName: 'cp-2', address: '10.0.0.13' },
      ],
      current: [
        { id: 'm0', name: 'cp-0', address: '10.0.0.10' },
        { id: 'm1', name: 'cp-1', address: '10.0.0.11' },
        { id: 'm9', name: 'cp-9', address: '10.0.0.19' },
      ],
      add: async (member) => calls.push(`add ${member.machineName} ${member.address}`),
      remove: async (member) => calls.push(`remove ${member.id}`),
    });
    expect(calls).toEqual(['remove m1', 'remove m9', 'add cp-1 10.0.0.12', 'add cp-2 10.0.0.13']);
  });
});

describe('providerSettings', () => {
  const packageJson = {
    name: '@immutable-infra/provider-acme',
    version: '1.2.3',
    peerDependencies: { '@immutable-infra/core': '^0.5.0' },
    immutableInfra: {
      platform: 'acme',
      displayName: 'Acme Cloud',
      capiContracts: ['v1beta2'],
      kubernetesVersions: ['1.33'],
    },
  };
  const variable = 'KIT_TEST_PLUGIN_ALIVE_VERSION';
  afterEach(() => {
    delete process.env[variable];
  });

  it('derives the manifest and the credential finalizer from package.json', () => {
    const settings = providerSettings(packageJson);
    expect(settings.manifest).toMatchObject({
      name: packageJson.name,
      platform: 'acme',
      displayName: 'Acme Cloud',
    });
    expect(settings.credentialFinalizer).toBe('acme.infrastructure.immutable-infra.dev/credential-in-use');
    expect(settings.aliveVersion).toBeUndefined();
  });

  it('takes the alive version from the option, else the environment, and an empty variable as none', () => {
    const alive = { environmentVariable: variable };
    process.env[variable] = '';
    expect(providerSettings(packageJson, alive).aliveVersion).toBeUndefined();
    process.env[variable] = 'v4.0.9';
    expect(providerSettings(packageJson, alive).aliveVersion).toBe('v4.0.9');
    expect(providerSettings(packageJson, { ...alive, option: 'v4.1.0' }).aliveVersion).toBe('v4.1.0');
  });
});

describe('borrowed credentials', () => {
  const cluster = (namespace: string, name: string, server: string, loggedIn: boolean, deleting = false) => ({
    metadata: { namespace, name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { server },
    status: { conditions: [{ type: 'VCenterAvailable', status: loggedIn ? 'True' : 'False' }] },
  });

  it('lends from clusters on the endpoint, not being deleted, those whose login works first', () => {
    const lenders = credentialLenders(
      [
        cluster('b', 'x', 'vc1', false),
        cluster('a', 'y', 'vc1', false),
        cluster('c', 'z', 'vc1', true),
        cluster('a', 'other', 'vc2', true),
        cluster('a', 'gone', 'vc1', true, true),
      ],
      { loggedInCondition: 'VCenterAvailable', accepts: (c) => c.spec.server === 'vc1' },
    );
    expect(lenders.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['c/z', 'a/y', 'b/x']);
  });

  it("uses the first lender whose credential and call work, else answers the last one's problem", async () => {
    const tried: string[] = [];
    const borrow = (clouds: Record<string, 'no-secret' | 'fails' | 'works'>) =>
      withBorrowedCredential(Object.keys(clouds), {
        connect: async (name) => {
          tried.push(name);
          return clouds[name] === 'no-secret'
            ? { ok: false as const, message: `Secret of ${name} not found` }
            : { ok: true as const, name };
        },
        use: async (cloud) => {
          if (clouds[cloud.name] === 'fails') throw new Error(`${cloud.name} refused`);
          return `checked with ${cloud.name}`;
        },
        describe: (error) => (error as Error).message,
      });
    expect(await borrow({ a: 'no-secret', b: 'fails', c: 'works', d: 'works' })).toEqual({
      ok: true,
      value: 'checked with c',
    });
    expect(tried).toEqual(['a', 'b', 'c']);
    expect(await borrow({ a: 'fails', b: 'no-secret' })).toEqual({
      ok: false,
      failure: 'Secret of b not found',
    });
    expect(await borrow({})).toEqual({ ok: false, failure: '' });
  });
});

describe('clusterStepHooks', () => {
  /** What the host does with a plan: runs its steps in order until one is not done, else finishes. */
  async function drive(outcome: unknown) {
    const plan = outcome as StepPlan<unknown>;
    for (const step of plan.steps) {
      const result = await step.run();
      if (result.type !== 'done') return result;
    }
    return plan.finish();
  }

  type Run = { ctx: { object: { name: string } }; log: string[]; host?: string };
  const runs: Run[] = [];
  const step = (name: string, wait = false) => ({
    name,
    run: async (run: Run): Promise<StepResult> => {
      run.log.push(name);
      if (name === 'Endpoint') run.host = `${run.ctx.object.name}.example`;
      return wait ? requeue(1_000, `${name} waits`) : done();
    },
  });
  const hooks = (waitOnDelete = false) =>
    clusterStepHooks({
      kind: { kind: 'TestCluster' } as never,
      newRun: (ctx) => {
        const run: Run = { ctx: ctx as unknown as Run['ctx'], log: [] };
        runs.push(run);
        return run;
      },
      reconcile: [step('Connect'), step('Endpoint')],
      provisioned: (run) =>
        clusterProvisioned({ controlPlaneEndpoint: { host: run.host ?? '', port: 6443 } }),
      delete: [step('Connect'), step('RemoveLoadBalancer', waitOnDelete), step('ReleaseCredential')],
    });
  const ctx = { object: { name: 'c1' } } as never;

  it('reconciles through the steps in order on a fresh run, then reports what provisioned says', async () => {
    runs.length = 0;
    const cluster = hooks();
    expect(cluster.kind).toEqual({ kind: 'TestCluster' });
    expect(await drive(await cluster.reconcile(ctx))).toMatchObject({
      type: 'provisioned',
      controlPlaneEndpoint: { host: 'c1.example', port: 6443 },
    });
    await drive(await cluster.reconcile(ctx));
    expect(runs.map((run) => run.log)).toEqual([
      ['Connect', 'Endpoint'],
      ['Connect', 'Endpoint'],
    ]);
  });

  it('deletes through the delete steps, stopping at the one that waits', async () => {
    runs.length = 0;
    expect(await drive(await hooks().delete(ctx))).toEqual(done());
    expect(await drive(await hooks(true).delete(ctx))).toMatchObject({ type: 'requeue' });
    expect(runs.map((run) => run.log)).toEqual([
      ['Connect', 'RemoveLoadBalancer', 'ReleaseCredential'],
      ['Connect', 'RemoveLoadBalancer'],
    ]);
  });
});
