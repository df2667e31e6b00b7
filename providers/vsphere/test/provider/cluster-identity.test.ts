import type { Manager } from '@immutable-infra/manager';
import { credentialFinalizerName } from '@immutable-infra/provider-kit';
import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, INFRA, VsphereFixtures } from './vsphere-fixtures.js';
import { startVsphereManager } from './vsphere-manager.js';

const USERNAME = 'svc-capv@example.local';
const PASSWORD = 'not-a-real-password';
/** CAPV's finalizer on an identity's Secret, and on a Secret a VSphereCluster's identityRef names. */
const SECRET_FINALIZER = 'vspherecluster/infrastructure.cluster.x-k8s.io';
/** The finalizer earlier releases of the provider put on a cluster's Secret instead. */
const LEGACY_FINALIZER = credentialFinalizerName('vmware-vsphere');
/** The documented credential Secret, which the documented VSphereCluster names (`identityRef.kind: Secret`). */
const CREDENTIALS = 'demo-cluster-vsphere-credentials';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
const managers: Manager[] = [];
const managerLog = captureLog();

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  vcsim = await startVcsim({ documentedNames: true, username: USERNAME, password: PASSWORD });
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await vcsim?.stop();
});

type Condition = { type: string; status: string; reason?: string; message?: string };
type Identity = {
  metadata: { uid: string };
  status?: { ready?: boolean; conditions?: Condition[] };
};
type Secret = {
  metadata: {
    finalizers?: string[];
    deletionTimestamp?: Date;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
};

/** A manager of a new namespace whose provider namespace (where identity Secrets live) is another new one. */
async function setUp(prefix: string) {
  const namespace = await createTestNamespace(kubeConfig, prefix);
  const providerNamespace = await createTestNamespace(kubeConfig, `${prefix}-p`);
  managers.push(
    startVsphereManager({ kubeConfig, namespace, log: managerLog, identityNamespace: providerNamespace }),
  );
  const fixtures = new VsphereFixtures(objects, vcsim, namespace);
  const identityName = `${namespace}-identity`;
  // Every identity is cluster-wide: a later test's manager reconciles the earlier tests' ones too,
  // against its own provider namespace, so each test's Secret has a name no other identity names.
  const secretName = `${namespace}-admin`;
  return {
    namespace,
    providerNamespace,
    fixtures,
    identityName,
    secret: (stringData: Record<string, string>, name = secretName) =>
      objects.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: providerNamespace },
        stringData,
      } as KubernetesObject),
    readSecret: (name = secretName) =>
      objects.read({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: providerNamespace },
      }) as Promise<KubernetesObject & Secret>,
    secretName,
    identity: (spec: Record<string, unknown>) =>
      objects.create({
        apiVersion: INFRA,
        kind: 'VSphereClusterIdentity',
        metadata: { name: identityName },
        spec: { secretName, ...spec },
      } as KubernetesObject),
    readIdentity: async () =>
      (await objects.read({
        apiVersion: INFRA,
        kind: 'VSphereClusterIdentity',
        metadata: { name: identityName },
      })) as KubernetesObject & Identity,
    clusterCondition: async (type: string) => {
      const c = await fixtures.read<{ status?: { conditions?: Condition[] } }>('VSphereCluster', CLUSTER);
      return c?.status?.conditions?.find((cond) => cond.type === type);
    },
  };
}

const credentials = (identity: Identity) =>
  identity.status?.conditions?.find((c) => c.type === 'CredentialsAvailable');

function mergePatch(object: Record<string, unknown>): Promise<KubernetesObject> {
  return objects.patch(
    object as KubernetesObject,
    undefined,
    undefined,
    'test',
    undefined,
    PatchStrategy.MergePatch,
  );
}

describe('VSphereClusterIdentity on the real host, against vcsim', { timeout: 180_000 }, () => {
  it('becomes ready and the owner of its Secret, which no other identity may use; a cluster of any namespace ({} allows all) logs in with it', async () => {
    const t = await setUp('vsid-ready');
    await t.secret({ username: USERNAME, password: PASSWORD });
    await t.identity({ allowedNamespaces: {} });
    const ready = await eventually('the identity ready', async () => {
      const identity = await t.readIdentity();
      return identity.status?.ready ? identity : undefined;
    });
    expect(credentials(ready)).toMatchObject({ status: 'True', reason: 'SecretAvailable' });
    expect((await t.readSecret()).metadata.ownerReferences).toEqual([
      {
        apiVersion: INFRA,
        kind: 'VSphereClusterIdentity',
        name: t.identityName,
        uid: ready.metadata.uid,
        controller: true,
      },
    ]);
    // A second identity naming the same Secret is refused: the Secret is the first one's.
    await objects.create({
      apiVersion: INFRA,
      kind: 'VSphereClusterIdentity',
      metadata: { name: `${t.identityName}-second` },
      spec: { secretName: t.secretName, allowedNamespaces: {} },
    } as KubernetesObject);
    const inUse = await eventually('SecretAlreadyInUse', async () => {
      const second = (await objects.read({
        apiVersion: INFRA,
        kind: 'VSphereClusterIdentity',
        metadata: { name: `${t.identityName}-second` },
      })) as KubernetesObject & Identity;
      return credentials(second)?.reason === 'SecretAlreadyInUse' ? second : undefined;
    });
    expect(credentials(inUse)?.message).toBe(
      `Secret ${t.providerNamespace}/${t.secretName} is owned by VSphereClusterIdentity ${t.identityName}`,
    );
    expect(inUse.status?.ready).toBe(false);
    await t.fixtures.createCluster({
      clusterSpec: { identityRef: { kind: 'VSphereClusterIdentity', name: t.identityName } },
    });
    await eventually('the cluster logged in', async () =>
      (await t.clusterCondition('VCenterAvailable'))?.status === 'True' ? true : undefined,
    );
  });

  it('says which Secret is missing, or which keys it lacks without showing a value, and becomes ready once it is complete', async () => {
    const t = await setUp('vsid-missing');
    await t.identity({ allowedNamespaces: {} });
    const missing = await eventually('SecretNotAvailable', async () => {
      const condition = credentials(await t.readIdentity());
      return condition?.reason === 'SecretNotAvailable' ? condition : undefined;
    });
    expect(missing).toMatchObject({
      status: 'False',
      message: `Secret ${t.providerNamespace}/${t.secretName} not found`,
    });
    expect((await t.readIdentity()).status?.ready).toBe(false);
    // A cluster naming it is told so, and does not log in with it.
    await t.fixtures.createCluster({
      clusterSpec: { identityRef: { kind: 'VSphereClusterIdentity', name: t.identityName } },
    });
    const notReady = await eventually('IdentityNotReady', async () => {
      const condition = await t.clusterCondition('VCenterAvailable');
      return condition?.reason === 'IdentityNotReady' ? condition : undefined;
    });
    expect(notReady.message).toBe(
      `VSphereClusterIdentity ${t.identityName} is not ready (status.ready): its conditions say why`,
    );

    await t.secret({ username: USERNAME });
    const lacking = await eventually('SecretKeysMissing', async () => {
      const condition = credentials(await t.readIdentity());
      return condition?.reason === 'SecretKeysMissing' ? condition : undefined;
    });
    expect(lacking.message).toBe(
      `Secret ${t.providerNamespace}/${t.secretName} has no password (data.password)`,
    );
    expect(JSON.stringify(await t.readIdentity())).not.toContain(USERNAME);
    // Not owned while unusable: the owner reference comes with a usable Secret.
    expect((await t.readSecret()).metadata.ownerReferences).toBeUndefined();

    await mergePatch({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: t.secretName, namespace: t.providerNamespace },
      stringData: { password: PASSWORD },
    });
    await eventually('ready once complete', async () =>
      (await t.readIdentity()).status?.ready ? true : undefined,
    );
  });

  it('refuses a cluster of a namespace the identity does not allow, without a login', async () => {
    const t = await setUp('vsid-refused');
    await t.secret({ username: USERNAME, password: PASSWORD });
    // No allowedNamespaces: no namespace may use it.
    await t.identity({});
    await eventually('the identity ready', async () =>
      (await t.readIdentity()).status?.ready ? true : undefined,
    );
    // The cluster names a vCenter nothing listens on: had the provider tried to log in before the
    // namespace check, the condition would say so (Unreachable), never IdentityNotAllowed. (Counting
    // logins would not do: identities and deployment zones are cluster-wide, so this manager also
    // serves other test files' ones.)
    await t.fixtures.createCluster({
      clusterSpec: {
        identityRef: { kind: 'VSphereClusterIdentity', name: t.identityName },
        server: '127.0.0.1:9',
      },
    });
    const refused = await eventually('IdentityNotAllowed', async () => {
      const condition = await t.clusterCondition('VCenterAvailable');
      return condition?.reason === 'IdentityNotAllowed' ? condition : undefined;
    });
    expect(refused).toMatchObject({
      status: 'False',
      message: `VSphereClusterIdentity ${t.identityName} does not allow namespace ${t.namespace} (spec.allowedNamespaces.selector)`,
    });
  });

  it('logs in with the rotated password once the Secret is changed, and keeps owning it', async () => {
    const t = await setUp('vsid-rotate');
    const old = 'Old-Passw0rd-4711';
    await t.secret({ username: USERNAME, password: old });
    await t.identity({
      allowedNamespaces: { selector: { matchLabels: { 'kubernetes.io/metadata.name': t.namespace } } },
    });
    await eventually('the identity ready', async () =>
      (await t.readIdentity()).status?.ready ? true : undefined,
    );
    await t.fixtures.createCluster({
      clusterSpec: { identityRef: { kind: 'VSphereClusterIdentity', name: t.identityName } },
    });
    const refused = await eventually('LoginFailed with the old password', async () => {
      const condition = await t.clusterCondition('VCenterAvailable');
      return condition?.reason === 'LoginFailed' ? condition : undefined;
    });
    expect(JSON.stringify(refused)).not.toContain(old);
    const owner = (await t.readSecret()).metadata.ownerReferences;

    await mergePatch({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: t.secretName, namespace: t.providerNamespace },
      stringData: { password: PASSWORD },
    });
    // A Secret is not watched; a touch of the cluster (any change) makes it read the Secret now.
    await mergePatch({
      apiVersion: INFRA,
      kind: 'VSphereCluster',
      metadata: { name: CLUSTER, namespace: t.namespace, annotations: { 'test/rotated': 'yes' } },
    });
    await eventually('logged in with the new password', async () =>
      (await t.clusterCondition('VCenterAvailable'))?.status === 'True' ? true : undefined,
    );
    expect((await t.readSecret()).metadata.ownerReferences).toEqual(owner);
    expect((await t.readIdentity()).status?.ready).toBe(true);
    expect(managerLog.text()).not.toContain(old);
  });

  it('holds its Secret with a finalizer, so a delete of the Secret waits until the identity is deleted', async () => {
    const t = await setUp('vsid-held');
    await t.secret({ username: USERNAME, password: PASSWORD });
    await t.identity({ allowedNamespaces: {} });
    await eventually('the identity ready', async () =>
      (await t.readIdentity()).status?.ready ? true : undefined,
    );
    expect((await t.readSecret()).metadata.finalizers).toEqual([SECRET_FINALIZER]);
    const secretRef = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: t.secretName, namespace: t.providerNamespace },
    };
    await objects.delete(secretRef);
    // Held: marked for deletion, still there for the identity.
    const held = await t.readSecret();
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual([SECRET_FINALIZER]);

    await objects.delete({
      apiVersion: INFRA,
      kind: 'VSphereClusterIdentity',
      metadata: { name: t.identityName },
    });
    await eventually('the identity and its Secret gone', async () => {
      const identity = await t.readIdentity().catch(() => undefined);
      const secret = await t.readSecret().catch(() => undefined);
      return identity === undefined && secret === undefined ? true : undefined;
    });
  });
  it("holds the Secret a cluster's identityRef names with CAPV's finalizer, so its delete waits for the cluster's", async () => {
    const t = await setUp('vsid-secret');
    await t.fixtures.createCluster();
    await eventually('the cluster logged in', async () =>
      (await t.clusterCondition('VCenterAvailable'))?.status === 'True' ? true : undefined,
    );
    const secretRef = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CREDENTIALS, namespace: t.namespace },
    };
    const readSecret = () => objects.read(secretRef) as Promise<KubernetesObject & Secret>;
    const held = await eventually('the Secret owned and held', async () => {
      const secret = await readSecret();
      return secret.metadata.finalizers?.includes(SECRET_FINALIZER) ? secret : undefined;
    });
    // Held, not owned: a credential outlives its clusters (Fleet Essentials lists it for reuse), so
    // the garbage collector must never take it with the last one.
    expect(held.metadata.ownerReferences).toBeUndefined();
    expect(held.metadata.finalizers).toEqual([SECRET_FINALIZER]);

    // A Secret held by an earlier release has the provider's own finalizer: it is swapped for CAPV's.
    await mergePatch({
      ...secretRef,
      metadata: { ...secretRef.metadata, finalizers: [SECRET_FINALIZER, LEGACY_FINALIZER] },
    });
    await mergePatch({
      apiVersion: INFRA,
      kind: 'VSphereCluster',
      metadata: { name: CLUSTER, namespace: t.namespace, annotations: { 'test/touched': 'yes' } },
    });
    await eventually('the earlier finalizer swapped for CAPV’s', async () =>
      JSON.stringify((await readSecret()).metadata.finalizers) === JSON.stringify([SECRET_FINALIZER])
        ? true
        : undefined,
    );

    // Deleted while in use: marked, and still there for the cluster.
    await objects.delete(secretRef);
    const deleting = await readSecret();
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.finalizers).toEqual([SECRET_FINALIZER]);

    // The cluster's deletion lets it go: nothing is left of either.
    await objects.delete({
      apiVersion: INFRA,
      kind: 'VSphereCluster',
      metadata: { name: CLUSTER, namespace: t.namespace },
    });
    await eventually('the cluster and its Secret gone', async () => {
      const left = await Promise.all([
        t.fixtures.read('VSphereCluster', CLUSTER),
        readSecret().catch(() => undefined),
      ]);
      return left.every((object) => object === undefined) ? true : undefined;
    });
  });
});
