// The storage how-to's tools on a real kube-apiserver: storagectl (run as the built bin) checks a
// declaration with the same fields the CRD refuses and renders the merge patch bound to the
// inventory's UID and resourceVersion; the storage admission policy, installed from the generated
// clusterctl components as clusterctl would install it, lets only an identity with update on the
// virtual machineinventories/storageinitialize subresource set an approval or submit
// InitializeIfBlank, refuses a counter not above the last consumed one, a declaration changed while
// the inventory is allocated, and a prepared volume changed in place. With the policy in force, the
// provider (the real Manager, as the components' ServiceAccount) and elemental (the simulated
// fleet, as an identity without the storageinitialize permission) run a host through prepare,
// activation, deactivation and release with none of their writes refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { type ChartIdentity, manifestIdentity } from '@immutable-infra/helm-tools';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually, readAuditedCalls } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { STORAGE_ADMISSION_POLICY_NAME } from '../src/api/index.js';
import {
  initializationApproval,
  type StorageStatus,
  type StorageVolume,
  validateStorageDeclaration,
} from '../src/cloud/index.js';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const BIN = fileURLToPath(new URL('../bin/storagectl.js', import.meta.url));
const COMPONENTS = fileURLToPath(new URL('../clusterctl/infrastructure-components.yaml', import.meta.url));
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ELEMENTAL = { group: 'elemental.cattle.io', version: 'v1beta1', plural: 'machineinventories' };
const APPROVAL_COUNTER = 'storage.baremetal.alauda.io/initialization-approval-counter';

// biome-ignore lint/suspicious/noExplicitAny: generated manifests, read field by field
type Manifest = Record<string, any>;

let admin: KubeConfig;
/** storagectl's inventories, which no controller touches. */
let namespace: string;
/** The provider's and the simulated hosts' namespace. */
let reconciled: string;
let dir: string;
let policyName: string;
const clients: Record<'operator' | 'formatter', CustomObjectsApi> = {} as never;

/**
 * The clusterctl components as `clusterctl generate provider --target-namespace <targetNamespace>`
 * gives them: the namespace variable set, every other variable at its default.
 */
function generatedComponents(targetNamespace: string): Manifest[] {
  const text = readFileSync(COMPONENTS, 'utf8').replace(
    /\$\{([A-Z0-9_]+):=([^}]*)\}/g,
    (_, variable: string, fallback: string) => (variable.endsWith('_NAMESPACE') ? targetNamespace : fallback),
  );
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const storagectl = (...args: string[]) => {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  return path;
};

const blankVolume: StorageVolume = {
  name: 'cpaas-data',
  source: { deviceID: 'wwn:0x5000c500a1b2c3d4', minimumSize: '100Gi' },
  filesystem: { policy: 'InitializeIfBlank', type: 'xfs' },
  mount: { path: '/var/cpaas', required: true, options: ['noatime'] },
};
const adoptVolume: StorageVolume = {
  name: 'application-data',
  source: { deviceID: 'partuuid:7c1e2d3f-01' },
  filesystem: { policy: 'Adopt', type: 'ext4', expectedUUID: '3f1b7e0a-2c4d-4e6f-8a9b-0c1d2e3f4a5b' },
  mount: { path: '/data/application', required: true },
};

/** A ServiceAccount `name` of `namespace` holding `rules` there, and a kubeconfig with a token of it. */
async function serviceAccount(namespace: string, name: string, rules: V1PolicyRule[]): Promise<KubeConfig> {
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  for (const object of [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ])
    await objects.create(object as KubernetesObject);
  const token = (
    await core.createNamespacedServiceAccountToken({
      namespace,
      name,
      body: {
        spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 },
      },
    })
  ).status?.token;
  const cluster = admin.getCurrentCluster();
  if (!token || !cluster) throw new Error(`no token for ${name}`);
  const config = new KubeConfig();
  config.loadFromClusterAndUser(cluster, { name, token });
  return config;
}

/** A user of `ns` who may read and patch inventories, and format disks when `format`. */
async function userClient(ns: string, name: string, format: boolean): Promise<CustomObjectsApi> {
  const rules = [
    {
      apiGroups: ['elemental.cattle.io'],
      resources: ['machineinventories'],
      verbs: ['get', 'patch', 'update'],
    },
    ...(format
      ? [
          {
            apiGroups: ['elemental.cattle.io'],
            resources: ['machineinventories/storageinitialize'],
            verbs: ['update'],
          },
        ]
      : []),
  ];
  return (await serviceAccount(ns, name, rules)).makeApiClient(CustomObjectsApi);
}

const adminApi = () => admin.makeApiClient(CustomObjectsApi);
const read = async (name: string) =>
  (await adminApi().getNamespacedCustomObject({ ...ELEMENTAL, namespace, name })) as {
    kind: string;
    metadata: { uid: string; resourceVersion: string; annotations?: Record<string, string> };
    spec?: { storage?: { volumes?: StorageVolume[] } };
  };

/** The API server's refusal message for a patch (of an inventory of `ns`), or undefined when it took it. */
async function refusal(
  api: CustomObjectsApi,
  name: string,
  body: unknown,
  ns = namespace,
): Promise<string | undefined> {
  try {
    await api.patchNamespacedCustomObject({ ...ELEMENTAL, namespace: ns, name, body }, MERGE);
    return undefined;
  } catch (error) {
    if (error instanceof ApiException) return `${error.code} ${String(error.body)}`;
    throw error;
  }
}

async function createInventory(name: string) {
  await adminApi().createNamespacedCustomObject({
    ...ELEMENTAL,
    namespace,
    body: {
      apiVersion: 'elemental.cattle.io/v1beta1',
      kind: 'MachineInventory',
      metadata: { name },
      spec: {},
    },
  });
  return read(name);
}

async function patchStatus(name: string, storage: Record<string, unknown>) {
  await adminApi().patchNamespacedCustomObjectStatus(
    { ...ELEMENTAL, namespace, name, body: { status: { storage } } },
    MERGE,
  );
}

/** Saves the live inventory as `kubectl get -o json` would and renders a patch with storagectl. */
async function renderPatch(inventory: string, volumes: StorageVolume[], ...extra: string[]) {
  const live = file(`${inventory}.json`, JSON.stringify(await read(inventory)));
  const storage = file(`${inventory}-storage.yaml`, { storage: { retryNonce: 0, volumes } });
  return storagectl('render-patch', '--inventory', live, '--storage', storage, ...extra);
}

beforeAll(async () => {
  admin = testKubeConfig();
  namespace = await createTestNamespace(admin, 'baremetal-storagectl');
  reconciled = await createTestNamespace(admin, 'baremetal-admission');
  dir = mkdtempSync(join(tmpdir(), 'storagectl-'));
  // The policy and its binding as the generated clusterctl components install them (the Helm chart
  // carries the same two objects: tools/helm's tests). Cluster-wide in the product; here the binding
  // selects this file's two namespaces only and both names carry the first, so the other test files
  // sharing the API server keep their own checks.
  const shipped = generatedComponents(reconciled);
  const policy = shipped.find((o) => o.kind === 'ValidatingAdmissionPolicy');
  const binding = shipped.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
  expect(policy?.metadata).toEqual({ name: STORAGE_ADMISSION_POLICY_NAME });
  expect(binding).toMatchObject({
    metadata: { name: STORAGE_ADMISSION_POLICY_NAME },
    spec: { policyName: STORAGE_ADMISSION_POLICY_NAME, validationActions: ['Deny'] },
  });
  expect(binding?.spec.matchResources).toBeUndefined();
  policyName = `${STORAGE_ADMISSION_POLICY_NAME}-${namespace}`;
  const objects = KubernetesObjectApi.makeApiClient(admin);
  await objects.create({ ...policy, metadata: { name: policyName } } as KubernetesObject);
  await objects.create({
    ...binding,
    metadata: { name: policyName },
    spec: {
      ...binding?.spec,
      policyName,
      matchResources: {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: [namespace, reconciled] },
          ],
        },
      },
    },
  } as KubernetesObject);
  clients.operator = await userClient(namespace, 'operator', false);
  clients.formatter = await userClient(namespace, 'formatter', true);
  // The API server loads a new policy asynchronously: wait until it refuses what it must.
  await createInventory('probe');
  // Each probe sets a new counter: one taken before the policy was in force is no change after.
  let probe = 0;
  await eventually('the storage admission policy to be in force', async () => {
    probe += 1;
    const annotations = initializationApproval('probe', [], probe);
    return (await refusal(clients.operator, 'probe', { metadata: { annotations } }))?.includes(
      'storageinitialize',
    );
  });
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const kind of ['ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy'])
    await objects
      .delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: policyName } })
      .catch(() => undefined);
});

describe('storagectl', () => {
  it('prints help, and refuses wrong usage with exit code 2', () => {
    const help = storagectl('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('render-patch');
    expect(help.out).toContain('--counter');
    expect(storagectl().code).toBe(2);
    const unknown = storagectl('format-all');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command format-all');
    const counter = storagectl('render-patch', '--counter', 'two', '--storage', 'x', '--inventory', 'y');
    expect(counter.code).toBe(2);
    expect(counter.err).toContain('--counter must be a positive integer');
  });

  it('hashes a declaration independently of volume order and retryNonce', () => {
    const a = file('a.yaml', { storage: { retryNonce: 0, volumes: [blankVolume, adoptVolume] } });
    const b = file(
      'b.json',
      JSON.stringify({ storage: { retryNonce: 4, volumes: [adoptVolume, blankVolume] } }),
    );
    const first = storagectl('hash', '--storage', a);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^v1:[0-9a-f]{64}\n$/);
    expect(storagectl('hash', '--storage', b).out).toBe(first.out);
    const json = JSON.parse(storagectl('hash', '--storage', a, '--json').out);
    expect(json).toEqual({ storageHash: first.out.trim(), volumes: 2, initializeIfBlank: ['cpaas-data'] });
  });

  it('refuses a bad declaration with every field, as the API server does', async () => {
    const bad: StorageVolume[] = [
      { ...blankVolume, source: { deviceID: '/dev/sdb' } },
      { ...adoptVolume, name: 'logs', mount: { path: '/var/log/app', options: ['suid'] } },
      {
        ...blankVolume,
        name: 'copy',
        source: { deviceID: 'wwn:0x1' },
        filesystem: { ...blankVolume.filesystem, expectedUUID: 'u' },
        mount: { path: '/data/copy' },
      },
    ];
    const path = file('bad.yaml', { storage: { volumes: bad } });
    const run = storagectl('hash', '--storage', path);
    expect(run.code).toBe(1);
    const fields = validateStorageDeclaration({ volumes: bad }).map((problem) => problem.field);
    expect(fields).toEqual([
      'spec.storage.volumes[0].source.deviceID',
      'spec.storage.volumes[1].mount.path',
      'spec.storage.volumes[1].mount.options',
      'spec.storage.volumes[2].filesystem.expectedUUID',
    ]);
    for (const field of fields) expect(run.err).toContain(field);
    const json = JSON.parse(storagectl('hash', '--storage', path, '--json').out);
    expect(json.problems.map((p: { field: string }) => p.field)).toEqual(fields);
    // The CRD refuses the same fields.
    await createInventory('parity');
    const refused = await refusal(adminApi(), 'parity', { spec: { storage: { volumes: bad } } });
    for (const field of new Set(fields)) expect(refused).toContain(field);
    expect(storagectl('hash', '--storage', file('none.yaml', 'volumes: []\n')).err).toContain(
      'top-level "storage:" key',
    );
    expect(storagectl('hash', '--storage', join(dir, 'missing.yaml')).err).toContain(
      'cannot read it (ENOENT)',
    );
  });
});

describe('an approved initialization through the storage admission policy', () => {
  it('needs the storageinitialize permission; the rendered patch is bound to the live object', async () => {
    const inventory = await createInventory('blank-host');
    expect((await renderPatch('blank-host', [blankVolume])).err).toContain(
      'volumes cpaas-data use InitializeIfBlank and are not prepared yet',
    );
    expect((await renderPatch('blank-host', [adoptVolume], '--counter', '1')).err).toContain(
      'omit --counter',
    );
    const rendered = await renderPatch('blank-host', [blankVolume], '--counter', '1');
    expect(rendered.code).toBe(0);
    const patch = JSON.parse(rendered.out);
    expect(patch.metadata).toEqual({
      uid: inventory.metadata.uid,
      resourceVersion: inventory.metadata.resourceVersion,
      annotations: initializationApproval(inventory.metadata.uid, [blankVolume], 1),
    });
    expect(await refusal(clients.operator, 'blank-host', patch)).toContain(
      'needs update on the virtual machineinventories/storageinitialize subresource, which system:serviceaccount:',
    );
    // Without the approval, InitializeIfBlank is refused to the operator as well.
    expect(
      await refusal(clients.operator, 'blank-host', { spec: { storage: { volumes: [blankVolume] } } }),
    ).toContain('a declaration with InitializeIfBlank');
    expect(await refusal(clients.formatter, 'blank-host', patch)).toBeUndefined();
    const applied = await read('blank-host');
    expect(applied.spec?.storage?.volumes?.[0]?.name).toBe('cpaas-data');
    // Applying the same patch again: the resourceVersion it carries is gone.
    expect(await refusal(clients.formatter, 'blank-host', patch)).toMatch(/^409 /);
    // A patch made for another inventory is refused too: its UID cannot be written over.
    const other = await createInventory('other-host');
    const foreign = {
      ...patch,
      metadata: { ...patch.metadata, resourceVersion: other.metadata.resourceVersion },
    };
    expect(await refusal(clients.formatter, 'other-host', foreign)).toMatch(
      /^422 .*metadata.uid: Invalid value.*field is immutable/,
    );
  });

  it('an Adopt-only declaration needs no permission beyond patch', async () => {
    await createInventory('adopt-host');
    const rendered = await renderPatch('adopt-host', [adoptVolume]);
    expect(rendered.code).toBe(0);
    const patch = JSON.parse(rendered.out);
    expect(patch.metadata.annotations).toBeUndefined();
    expect(await refusal(clients.operator, 'adopt-host', patch)).toBeUndefined();
  });

  it('refuses a used counter, a change while allocated and a prepared volume changed in place', async () => {
    const live = await createInventory('used-host');
    await patchStatus('used-host', {
      lastConsumedInitializationApprovalCounter: 5,
      appliedVolumes: [
        {
          name: 'application-data',
          deviceID: adoptVolume.source.deviceID,
          mountPath: '/data/application',
          required: true,
          effectiveRequired: true,
          filesystemType: 'ext4',
          filesystemPolicy: 'Adopt',
          filesystemUUID: adoptVolume.filesystem.expectedUUID,
        },
      ],
    });
    expect((await renderPatch('used-host', [blankVolume], '--counter', '5')).err).toContain(
      'greater than status.storage.lastConsumedInitializationApprovalCounter (5)',
    );
    // Hand-made, past storagectl: the policy refuses it.
    const stale = {
      metadata: { annotations: initializationApproval(live.metadata.uid, [blankVolume], 3) },
      spec: { storage: { volumes: [blankVolume] } },
    };
    expect(await refusal(clients.formatter, 'used-host', stale)).toContain(
      'must be a positive integer greater than status.storage.lastConsumedInitializationApprovalCounter',
    );
    const moved = { ...adoptVolume, source: { deviceID: 'partuuid:another-01' } };
    expect(
      await refusal(clients.operator, 'used-host', { spec: { storage: { volumes: [moved] } } }),
    ).toContain("a prepared volume's deviceID, filesystem policy and type cannot change in place");
    expect(
      await refusal(clients.operator, 'used-host', { spec: { storage: { volumes: [adoptVolume] } } }),
    ).toBeUndefined();
    await adminApi().patchNamespacedCustomObject(
      {
        ...ELEMENTAL,
        namespace,
        name: 'used-host',
        body: { metadata: { annotations: { 'baremetal.alauda.io/allocation-state': 'Allocated' } } },
      },
      MERGE,
    );
    expect(await refusal(clients.operator, 'used-host', { spec: { storage: { volumes: [] } } })).toContain(
      'cannot change while the inventory is allocated',
    );
  });
});

describe('a normal reconcile under the storage admission policy', () => {
  const VERSION = 'v1.33.7-2';
  const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
  const POOL = 'admission-pool';
  const HOST = 'adm-1';
  let fleet: BaremetalFleet;
  let fixtures: BaremetalFixtures;
  let manager: Manager;
  let provider: ChartIdentity;
  let elemental: string;
  const users: Record<'operator' | 'formatter', CustomObjectsApi> = {} as never;

  interface Inventory {
    metadata: { uid: string; annotations?: Record<string, string> };
    spec?: { storage?: { volumes?: StorageVolume[] } };
    status?: { storage?: StorageStatus };
  }
  const inventory = async () =>
    (await fixtures.read<Inventory>(
      'elemental.cattle.io/v1beta1',
      'MachineInventory',
      reconciled,
      HOST,
    )) as Inventory;
  const storagePhase = async () => (await inventory()).status?.storage?.phase;
  const deviceID = (path: string) => fleet.host(HOST).devices.find((d) => d.path === path)?.id ?? '';

  beforeAll(async () => {
    fixtures = new BaremetalFixtures(admin);
    // Elemental's side (registration, plan Secrets, status) as an identity of its own, which may
    // write inventories but not format disks.
    elemental = 'elemental-operator';
    const elementalConfig = await serviceAccount(reconciled, elemental, [
      {
        apiGroups: ['elemental.cattle.io'],
        resources: ['machineinventories', 'machineinventories/status'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ]);
    fleet = await BaremetalFleet.start({
      kubeConfig: elementalConfig,
      namespace: reconciled,
      hosts: 1,
      namePrefix: 'adm',
      pollMs: 50,
      durations: { reprovisionMs: 300, cleanMs: 100, otherMs: 100 },
    });
    users.operator = await userClient(reconciled, 'operator', false);
    users.formatter = await userClient(reconciled, 'formatter', true);
    // The provider as the generated components install it: their ServiceAccount, ClusterRole and
    // binding (the cluster-scoped names given this file's namespace, so no other test's collide).
    const components = generatedComponents(reconciled)
      .filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment'].includes(o.kind))
      .map((o) => {
        if (o.kind === 'ClusterRole')
          return { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${reconciled}` } };
        if (o.kind === 'ClusterRoleBinding')
          return {
            ...o,
            metadata: { ...o.metadata, name: `${o.metadata.name}-${reconciled}` },
            roleRef: { ...o.roleRef, name: `${o.roleRef.name}-${reconciled}` },
          };
        return o;
      });
    provider = await manifestIdentity({
      kubeConfig: admin,
      namespace: reconciled,
      manifests: components.map((o) => stringify(o)).join('---\n'),
      source: COMPONENTS,
    });
    const providerConfig = new KubeConfig();
    providerConfig.loadFromFile(provider.kubeconfigPath);
    await fixtures.imageCatalog(reconciled, { [VERSION]: IMAGE });
    manager = new Manager({
      kubeConfig: providerConfig,
      namespace: reconciled,
      providers: [
        createBaremetalProvider({ imageCatalogNamespace: reconciled, pollMs: 100, poolRecheckMs: 200 }),
      ],
      log: createLogger({ level: 'error' }),
    });
    void manager.start();
    await fixtures.cluster(reconciled);
    await fixtures.pool(reconciled, POOL, [{ name: HOST }]);
  });

  afterAll(async () => {
    await manager?.stop();
    fleet?.stop();
    await provider?.remove();
  });

  it('a format needs the storageinitialize permission; granted, the provider prepares the volumes', async () => {
    const host = await inventory();
    const withData = fleet.host(HOST).devices.find((d) => d.path === '/dev/sdc');
    const volumes: StorageVolume[] = [
      { ...blankVolume, source: { deviceID: deviceID('/dev/sdb'), minimumSize: '100Gi' } },
      {
        ...adoptVolume,
        source: { deviceID: withData?.id ?? '' },
        filesystem: {
          ...adoptVolume.filesystem,
          type: 'xfs',
          expectedUUID: withData?.filesystem?.uuid ?? '',
        },
      },
    ];
    const approved = {
      metadata: { annotations: initializationApproval(host.metadata.uid, volumes, 1) },
      spec: { storage: { retryNonce: 0, volumes } },
    };
    // Refused to the operator, naming the field: the approval, then the declaration alone.
    expect(await refusal(users.operator, HOST, approved, reconciled)).toContain(
      `setting or changing the initialization approval (metadata.annotations[${APPROVAL_COUNTER}])`,
    );
    expect(await refusal(users.operator, HOST, { spec: approved.spec }, reconciled)).toContain(
      'a declaration with InitializeIfBlank (spec.storage.volumes) needs update on the virtual machineinventories/storageinitialize subresource',
    );
    expect((await inventory()).spec?.storage).toBeUndefined();
    expect(await refusal(users.formatter, HOST, approved, reconciled)).toBeUndefined();
    await eventually('volumes prepared', async () => (await storagePhase()) === 'Prepared');
    expect(fleet.host(HOST).executed.map((p) => [p.type, p.outcome])).toEqual([
      ['storage-prepare', 'Applied'],
    ]);
  });

  it('a machine takes the host and activates the volumes; the declaration is frozen for everyone meanwhile; its delete deactivates them', async () => {
    await fixtures.machine(reconciled, 'adm-machine', POOL, VERSION);
    await eventually('machine running', async () => {
      const m = await fixtures.read<{ status?: { phase?: string } }>(
        INFRA,
        'BaremetalMachine',
        reconciled,
        'adm-machine',
      );
      return m?.status?.phase === 'Running';
    });
    const active = await inventory();
    expect(active.status?.storage?.phase).toBe('Active');
    expect(active.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Allocated');
    const declared = active.spec?.storage?.volumes ?? [];
    // Dropping the InitializeIfBlank volume (left Adopt-only, a change the operator may make on an
    // unallocated inventory): refused to both users, naming the field.
    const frozen =
      'spec.storage.volumes cannot change while the inventory is allocated or a managed volume is active';
    const dropped = {
      spec: { storage: { volumes: declared.filter((v) => v.filesystem.policy !== 'InitializeIfBlank') } },
    };
    expect(dropped.spec.storage.volumes).toHaveLength(1);
    expect(await refusal(users.operator, HOST, dropped, reconciled)).toContain(frozen);
    expect(await refusal(users.formatter, HOST, dropped, reconciled)).toContain(frozen);

    await fixtures.delete(INFRA, 'BaremetalMachine', reconciled, 'adm-machine');
    await eventually(
      'machine gone',
      async () => (await fixtures.read(INFRA, 'BaremetalMachine', reconciled, 'adm-machine')) === undefined,
    );
    // The machine can be gone a moment before its host reads Available: a delete pass on a stale
    // copy of it annotates the host Preparing (with its owners) once more, then Available again.
    const after = await eventually('host available again', async () => {
      const host = await inventory();
      return host.metadata.annotations?.['baremetal.alauda.io/allocation-state'] === 'Available'
        ? host
        : undefined;
    });
    expect(after.metadata.annotations?.['baremetal.alauda.io/owner-machine']).toBeUndefined();
    expect(after.status?.storage?.phase).toBe('Prepared');
    expect(after.status?.storage?.conditions?.find((c) => c.type === 'StorageActive')).toMatchObject({
      status: 'False',
      reason: 'Inactive',
    });
    expect(
      fleet
        .host(HOST)
        .executed.map((p) => [p.type, p.outcome])
        .slice(1),
    ).toEqual([
      ['reprovision', 'Applied'],
      ['clean', 'Applied'],
    ]);
  });

  it('an operator without the permission releases the volumes (no format asked)', async () => {
    // Needs no storageinitialize permission: the only refusal the operator can meet is the freeze
    // while the host reads allocated (see the delete pass above), until it reads Available.
    const refusals = new Set<string>();
    await eventually('release accepted', async () => {
      const refused = await refusal(users.operator, HOST, { spec: { storage: { volumes: [] } } }, reconciled);
      if (refused)
        refusals.add(refused.includes('cannot change while the inventory is allocated') ? 'frozen' : refused);
      return refused === undefined;
    });
    expect([...refusals].filter((r) => r !== 'frozen')).toEqual([]);
    await eventually('volumes released', async () => (await storagePhase()) === 'Unmanaged');
    expect(fleet.host(HOST).executed.at(-1)).toMatchObject({ type: 'storage-release', outcome: 'Applied' });
  });

  it("refused none of the provider's or elemental's writes to the inventory", () => {
    const auditLog = inject('iinfraAuditLogPath');
    const writes = (username: string) =>
      readAuditedCalls(auditLog, username).filter(
        (call) =>
          call.apiGroup === 'elemental.cattle.io' &&
          call.resource?.startsWith('machineinventories') === true &&
          ['create', 'update', 'patch'].includes(call.verb),
      );
    const made = (username: string) =>
      [...new Set(writes(username).map((c) => `${c.verb} ${c.resource}`))].sort();
    // The provider: pool, allocation and owner annotations; status.storage through /status.
    expect(made(provider.username)).toEqual(['patch machineinventories', 'patch machineinventories/status']);
    // Elemental: registration, plan state and storage observations in status.
    expect(made(`system:serviceaccount:${reconciled}:${elemental}`)).toEqual([
      'create machineinventories',
      'patch machineinventories/status',
    ]);
    for (const username of [provider.username, `system:serviceaccount:${reconciled}:${elemental}`])
      expect(writes(username).filter((call) => call.code >= 400)).toEqual([]);
  });
});
