// The storage how-to's tools on a real kube-apiserver: storagectl (run as the built bin) checks a
// declaration with the same fields the CRD refuses and renders the merge patch bound to the
// inventory's UID and resourceVersion; the storage admission policy lets only an identity with
// update on the virtual machineinventories/storageinitialize subresource set an approval or submit
// InitializeIfBlank, refuses a counter not above the last consumed one, a declaration changed while
// the inventory is allocated, and a prepared volume changed in place.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@immutable-infra/testkit';
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
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { storageAdmissionObjects } from '../src/api/index.js';
import {
  initializationApproval,
  type StorageVolume,
  validateStorageDeclaration,
} from '../src/cloud/index.js';

const BIN = fileURLToPath(new URL('../bin/storagectl.js', import.meta.url));
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ELEMENTAL = { group: 'elemental.cattle.io', version: 'v1beta1', plural: 'machineinventories' };

let admin: KubeConfig;
let namespace: string;
let dir: string;
let policyName: string;
const clients: Record<'operator' | 'formatter', CustomObjectsApi> = {} as never;

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

/** A user of `namespace` who may read and patch inventories, and format disks when `format`. */
async function userClient(name: string, format: boolean): Promise<CustomObjectsApi> {
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
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
  return config.makeApiClient(CustomObjectsApi);
}

const adminApi = () => admin.makeApiClient(CustomObjectsApi);
const read = async (name: string) =>
  (await adminApi().getNamespacedCustomObject({ ...ELEMENTAL, namespace, name })) as {
    kind: string;
    metadata: { uid: string; resourceVersion: string; annotations?: Record<string, string> };
    spec?: { storage?: { volumes?: StorageVolume[] } };
  };

/** The API server's refusal message for a patch, or undefined when it took it. */
async function refusal(api: CustomObjectsApi, name: string, body: unknown): Promise<string | undefined> {
  try {
    await api.patchNamespacedCustomObject({ ...ELEMENTAL, namespace, name, body }, MERGE);
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
  dir = mkdtempSync(join(tmpdir(), 'storagectl-'));
  // The policy is cluster-wide in the product; here it is bound to this test's namespace only, so
  // the other test files sharing the API server keep their own checks.
  policyName = `baremetal-machineinventory-storage-${namespace}`;
  const [policy, binding] = storageAdmissionObjects();
  const objects = KubernetesObjectApi.makeApiClient(admin);
  await objects.create({ ...policy, metadata: { name: policyName } } as KubernetesObject);
  await objects.create({
    ...binding,
    metadata: { name: policyName },
    spec: {
      ...binding.spec,
      policyName,
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
    },
  } as KubernetesObject);
  clients.operator = await userClient('operator', false);
  clients.formatter = await userClient('formatter', true);
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
