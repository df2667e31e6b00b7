import type { ConditionInput, KubeClient } from '@immutable-infra/core';
import { installCrds, platformModuleCrds } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALIVE_PLATFORM_API_VERSION,
  ALIVE_READY_RECHECK_MS,
  ALIVE_WAIT_RECHECK_MS,
  aliveModuleInfoName,
  aliveModuleStep,
  clusterIdentitySecret,
  controlPlaneMachines,
  type PlatformObject,
  wantedControlPlaneMembers,
} from '../../src/index.js';
import { customObjectClient } from './custom-object-client.ts';
import {
  CLUSTER_SCOPED_KINDS,
  CLUSTER_STEP_PLURALS,
  TEST_MACHINE_API_VERSION,
} from './test-cluster-kinds.ts';

const CONTROL_PLANE = 'cluster.x-k8s.io/control-plane';
const CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';
const machineKind = { apiVersion: TEST_MACHINE_API_VERSION, kind: 'TestMachine' };

let kube: KubeClient;
let namespace: string;

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  kube = customObjectClient(kubeConfig, (kind) => CLUSTER_STEP_PLURALS[kind] ?? '', CLUSTER_SCOPED_KINDS);
  namespace = await createTestNamespace(kubeConfig, 'cluster-steps');
});

/** An infrastructure machine of `cluster`, labelled as Cluster API labels it. */
const testMachine = (
  name: string,
  cluster: string,
  options: { controlPlane?: boolean; address?: string; finalizer?: boolean } = {},
) =>
  kube.create({
    ...machineKind,
    metadata: {
      name,
      namespace,
      labels: { [CLUSTER_NAME]: cluster, ...(options.controlPlane ? { [CONTROL_PLANE]: '' } : {}) },
      ...(options.finalizer ? { finalizers: ['kit.test/hold'] } : {}),
    },
    spec: {},
    ...(options.address
      ? {
          status: {
            addresses: [
              { type: 'Hostname', address: name },
              { type: 'InternalIP', address: options.address },
            ],
          },
        }
      : {}),
  });

describe('control plane machines and load balancer members', () => {
  it("lists only the cluster's control plane machines of the kind", async () => {
    await testMachine('a-cp-0', 'a', { controlPlane: true, address: '10.0.0.10' });
    await testMachine('a-cp-1', 'a', { controlPlane: true });
    await testMachine('a-worker-0', 'a', { address: '10.0.0.20' });
    await testMachine('b-cp-0', 'b', { controlPlane: true, address: '10.0.1.10' });
    const listed = await controlPlaneMachines<{ metadata: { name: string } }>(kube, machineKind, {
      namespace,
      cluster: 'a',
    });
    expect(listed.map((m) => m.metadata.name).sort()).toEqual(['a-cp-0', 'a-cp-1']);
  });

  it('wants the control plane machines with an InternalIP that are not being deleted', async () => {
    await testMachine('c-cp-0', 'c', { controlPlane: true, address: '10.0.2.10' });
    await testMachine('c-cp-1', 'c', { controlPlane: true, address: '10.0.2.11', finalizer: true });
    await testMachine('c-cp-2', 'c', { controlPlane: true });
    // Held by its finalizer: the API server keeps it with a deletionTimestamp.
    await kube.delete({ ...machineKind, namespace, name: 'c-cp-1' });
    expect(await wantedControlPlaneMembers(kube, machineKind, { namespace, cluster: 'c' })).toEqual([
      { machineName: 'c-cp-0', address: '10.0.2.10' },
    ]);
    await kube.patch({ ...machineKind, namespace, name: 'c-cp-1' }, { metadata: { finalizers: null } });
  });
});

describe('clusterIdentitySecret', () => {
  const identity = { apiVersion: TEST_MACHINE_API_VERSION, kind: 'TestClusterIdentity' };
  const ask = (name: string, kind = 'TestClusterIdentity') =>
    clusterIdentitySecret(kube, {
      identityRef: { kind, name },
      namespace,
      identity,
      identityNamespace: 'provider-system',
    });
  const createIdentity = (name: string, spec: Record<string, unknown>) =>
    kube.create({ ...identity, metadata: { name }, spec });

  it('takes a Secret of the cluster namespace as it is', async () => {
    expect(await ask('vcenter-credentials', 'Secret')).toEqual({
      ok: true,
      ref: { namespace, name: 'vcenter-credentials' },
    });
  });

  it('names an identity that is missing, or names no Secret', async () => {
    expect(await ask(`${namespace}-missing`)).toMatchObject({
      ok: false,
      reason: 'IdentityNotFound',
      message: `TestClusterIdentity ${namespace}-missing not found`,
    });
    await createIdentity(`${namespace}-no-secret`, { allowedNamespaces: { selector: {} } });
    expect(await ask(`${namespace}-no-secret`)).toMatchObject({
      reason: 'IdentityNotFound',
      message: `TestClusterIdentity ${namespace}-no-secret names no Secret (spec.secretName)`,
    });
  });

  it("allows only the namespaces the identity's selector selects: none when unset, every one when {}", async () => {
    await createIdentity(`${namespace}-closed`, { secretName: 'closed' });
    // As CAPV: allowedNamespaces without a selector is the empty selector, which selects every namespace.
    await createIdentity(`${namespace}-any`, { secretName: 'any', allowedNamespaces: {} });
    expect(await ask(`${namespace}-any`)).toEqual({
      ok: true,
      ref: { namespace: 'provider-system', name: 'any' },
    });
    await createIdentity(`${namespace}-open`, { secretName: 'open', allowedNamespaces: { selector: {} } });
    await createIdentity(`${namespace}-team`, {
      secretName: 'team',
      allowedNamespaces: { selector: { matchLabels: { team: 'blue' } } },
    });
    expect(await ask(`${namespace}-closed`)).toMatchObject({
      ok: false,
      reason: 'IdentityNotAllowed',
      message: `TestClusterIdentity ${namespace}-closed does not allow namespace ${namespace} (spec.allowedNamespaces.selector)`,
    });
    expect(await ask(`${namespace}-open`)).toEqual({
      ok: true,
      ref: { namespace: 'provider-system', name: 'open' },
    });
    expect(await ask(`${namespace}-team`)).toMatchObject({ ok: false, reason: 'IdentityNotAllowed' });
    await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .patchNamespace(
        { name: namespace, body: { metadata: { labels: { team: 'blue' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    expect(await ask(`${namespace}-team`)).toEqual({
      ok: true,
      ref: { namespace: 'provider-system', name: 'team' },
    });
  });

  it('uses, when asked to, only an identity its controller found ready, after its namespace is allowed', async () => {
    const askReady = (name: string) =>
      clusterIdentitySecret(kube, {
        identityRef: { kind: 'TestClusterIdentity', name },
        namespace,
        identity,
        identityNamespace: 'provider-system',
        requireReady: true,
      });
    // The test kind has no status subresource: status is written with the object, as its controller would.
    const withStatus = (name: string, status: Record<string, unknown> | undefined, allowed: boolean) =>
      kube.create({
        ...identity,
        metadata: { name },
        spec: { secretName: name, ...(allowed ? { allowedNamespaces: {} } : {}) },
        ...(status ? { status } : {}),
      });
    await withStatus(`${namespace}-new`, undefined, true);
    await withStatus(`${namespace}-unready`, { ready: false }, true);
    await withStatus(`${namespace}-ready`, { ready: true }, true);
    await withStatus(`${namespace}-ready-closed`, { ready: true }, false);
    await withStatus(`${namespace}-unready-closed`, { ready: false }, false);
    for (const name of [`${namespace}-new`, `${namespace}-unready`])
      expect(await askReady(name)).toEqual({
        ok: false,
        reason: 'IdentityNotReady',
        message: `TestClusterIdentity ${name} is not ready (status.ready): its conditions say why`,
      });
    expect(await askReady(`${namespace}-ready`)).toEqual({
      ok: true,
      ref: { namespace: 'provider-system', name: `${namespace}-ready` },
    });
    expect(await askReady(`${namespace}-ready-closed`)).toMatchObject({ reason: 'IdentityNotAllowed' });
    expect(await askReady(`${namespace}-unready-closed`)).toMatchObject({ reason: 'IdentityNotAllowed' });
  });
});

describe('aliveModuleStep', () => {
  const balancer = { host: '10.0.9.100', port: 6443, vrid: 42 };
  const conditions: ConditionInput[] = [];
  let cluster: string;
  const run = (recheckAfterMs?: number) => ({
    ctx: {
      kube,
      object: { metadata: { name: cluster, namespace } },
      cluster: { metadata: { name: cluster } },
      setCondition: (condition: ConditionInput) => conditions.push(condition),
    },
    recheckAfterMs,
  });
  const platform = (kind: string, name: string) => ({ apiVersion: ALIVE_PLATFORM_API_VERSION, kind, name });

  beforeAll(async () => {
    await installCrds(testKubeConfig(), platformModuleCrds());
    cluster = namespace;
    // The platform's part: alive delivered (plugin and a ready config) and the cluster's module.
    await kube.create({ ...platform('ModulePlugin', 'alive'), metadata: { name: 'alive' }, spec: {} });
    await kube.patchStatus(platform('ModulePlugin', 'alive'), { status: { latestVersion: 'v4.1.0' } });
    await kube.create({ ...platform('ModuleConfig', ''), metadata: { name: 'alive-v4.1.0' }, spec: {} });
    await kube.patchStatus(platform('ModuleConfig', 'alive-v4.1.0'), { status: { readyForDeploy: true } });
    await kube.create({
      ...platform('ClusterModule', ''),
      metadata: { name: cluster },
      spec: { version: 'v4.0.3' },
    });
  });

  const step = aliveModuleStep<ReturnType<typeof run>>({
    balancer: () => balancer,
    conditionType: 'EndpointReady',
  });

  it('is skipped for a cluster without a self-built load balancer', () => {
    const none = aliveModuleStep<ReturnType<typeof run>>({ balancer: () => undefined });
    expect(none.when?.(run())).toBe(false);
    expect(step.when?.(run())).toBe(true);
  });

  it('waits for the control plane nodes, on the provider condition, and only lowers the recheck', async () => {
    const soon = run(5_000);
    expect(await step.run(soon)).toMatchObject({ type: 'done' });
    expect(conditions.at(-1)).toMatchObject({
      type: 'EndpointReady',
      status: 'False',
      reason: 'WaitingForControlPlaneNodes',
    });
    expect(soon.recheckAfterMs).toBe(5_000);
    const later = run();
    await step.run(later);
    expect(later.recheckAfterMs).toBe(ALIVE_WAIT_RECHECK_MS);
  });

  it("reports the provider's precheck instead of asking for alive", async () => {
    const checked = aliveModuleStep<ReturnType<typeof run>>({
      balancer: () => balancer,
      precheck: async () => ({
        condition: { type: 'EndpointReady', status: 'False', reason: 'VIPConflictsWithSlot', message: 'x' },
        recheckAfterMs: 1_000,
      }),
    });
    const r = run();
    await checked.run(r);
    expect(conditions.at(-1)).toMatchObject({ reason: 'VIPConflictsWithSlot' });
    expect(r.recheckAfterMs).toBe(1_000);
    expect(await kube.get(platform('ModuleInfo', aliveModuleInfoName(cluster)))).toBeUndefined();
  });

  it('reports a call the API server refuses as AliveModuleCallFailed, and does not stop the cluster', async () => {
    // The same API server, asked with a token it does not know: every read is refused (401).
    const base = testKubeConfig();
    const refused = new KubeConfig();
    refused.loadFromOptions({
      clusters: base.clusters,
      contexts: base.contexts,
      currentContext: base.currentContext,
      users: [{ name: base.getCurrentUser()?.name ?? 'user', token: 'not-a-token' }],
    });
    const failing = run();
    const client = customObjectClient(
      refused,
      (kind) => CLUSTER_STEP_PLURALS[kind] ?? '',
      CLUSTER_SCOPED_KINDS,
    );
    expect(await step.run({ ...failing, ctx: { ...failing.ctx, kube: client } })).toMatchObject({
      type: 'done',
    });
    expect(conditions.at(-1)).toMatchObject({
      type: 'EndpointReady',
      status: 'False',
      reason: 'AliveModuleCallFailed',
      message: expect.stringMatching(/trying again/),
    });
  });

  it('creates the ModuleInfo once the control plane nodes registered, and is ready once alive runs', async () => {
    for (const name of [`${cluster}-cp-0`, `${cluster}-cp-1`])
      await kube.create({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Machine',
        metadata: { name, namespace, labels: { [CLUSTER_NAME]: cluster, [CONTROL_PLANE]: '' } },
        spec: { clusterName: cluster },
        status: { nodeRef: { name } },
      });
    await step.run(run());
    const ref = platform('ModuleInfo', aliveModuleInfoName(cluster));
    const created = await kube.get<PlatformObject>(ref);
    expect(created?.spec).toMatchObject({
      version: 'v4.1.0',
      config: { vip: balancer.host, vrid: balancer.vrid, apiserverPort: balancer.port },
    });
    expect(conditions.at(-1)).toMatchObject({ type: 'EndpointReady', status: 'False' });
    await kube.patchStatus(ref, { status: { version: 'v4.1.0' } });
    const ready = run();
    await step.run(ready);
    expect(conditions.at(-1)).toMatchObject({ type: 'EndpointReady', status: 'True' });
    expect(ready.recheckAfterMs).toBe(ALIVE_READY_RECHECK_MS);
  });
});
