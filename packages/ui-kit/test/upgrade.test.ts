import type { HostApi } from '@immutable-infra/core';
import { describe, expect, test } from 'vitest';
import {
  applyUpgrade,
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  isRunning,
  isUpgradeStep,
  kubeOvnPatch,
  loadPoolObjects,
  MISSING_TEMPLATE,
  nextRelease,
  type PlatformUpgradeSpec,
  type PoolStatus,
  poolStatusOf,
  progressText,
  sameRevision,
  UPGRADE_MESSAGES,
  type UpgradeObject,
  upgradedName,
  withTemplateCheck,
  workerChange,
} from '../src/index.js';

// The node pool upgrade every provider shares, with a made-up platform: its
// machine template kind `LabMachineTemplate` names its image in `image`, and a
// release changes the `/etc/release` file of kubeadm's files.

const release = (kubernetesVersion: string) => ({ kubernetesVersion });
const RELEASES = [release('v1.33.6'), release('v1.34.3'), release('v1.35.1'), release('v1.36.0')];

const LAB: PlatformUpgradeSpec = {
  machineTemplateKind: 'LabMachineTemplate',
  imageField: 'image',
  revisionAnnotation: 'lab.example/revision-of',
  files(files, target) {
    if (!Array.isArray(files)) return undefined;
    const content = `release ${target.kubernetesVersion.replace(/\.\d+$/, '')}\n`;
    if (!files.some((f) => f.path === '/etc/release' && f.content !== content)) return undefined;
    return files.map((f) => (f.path === '/etc/release' ? { ...f, content } : f));
  },
};

function pool(kind: PoolStatus['kind'], change: Partial<PoolStatus> = {}): PoolStatus {
  return {
    kind,
    name: kind === 'KubeadmControlPlane' ? 'lab-kcp' : 'lab-worker-1',
    version: 'v1.34.3',
    replicas: 3,
    readyReplicas: 3,
    upToDateReplicas: 3,
    observed: true,
    runningVersion: kind === 'KubeadmControlPlane' ? 'v1.34.3' : undefined,
    phase: kind === 'MachineDeployment' ? 'Running' : undefined,
    deleting: false,
    ...change,
  };
}

const template = (name: string, image: string): UpgradeObject & { spec: unknown } => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'LabMachineTemplate',
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'cluster.x-k8s.io/cluster-name': 'lab' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'kept' },
    resourceVersion: '7',
    uid: 'u-1',
  } as UpgradeObject['metadata'],
  spec: { template: { spec: { image, providerID: 'lab://left-over', cpus: 4 } } },
  status: { ready: true },
});

const kcp: UpgradeObject = {
  metadata: { name: 'lab-kcp', namespace: 'ns' },
  spec: {
    version: 'v1.34.3',
    replicas: 3,
    kubeadmConfigSpec: {
      files: [
        { path: '/etc/release', content: 'release v1.34\n' },
        { path: '/etc/own', content: 'x' },
      ],
    },
    machineTemplate: { spec: { infrastructureRef: { kind: 'LabMachineTemplate', name: 'lab-cp' } } },
  },
};

const rules = {
  noTarget: (version: string) => `nothing after ${version}`,
  problemsOf: (target: { kubernetesVersion: string }, controlPlane: boolean) =>
    target.kubernetesVersion === 'v1.35.9'
      ? [`v1.35.9 is withdrawn (${controlPlane ? 'cp' : 'worker'})`]
      : [],
};

describe('target release', () => {
  test('the next release is the newest at most one minor above, never a skipped minor', () => {
    expect(nextRelease('v1.34.3', RELEASES)?.kubernetesVersion).toBe('v1.35.1');
    expect(nextRelease('v1.33.1', RELEASES)?.kubernetesVersion).toBe('v1.34.3');
    expect(nextRelease('v1.36.0', RELEASES)).toBeUndefined();
    // A newer patch of the same minor when no next minor is offered.
    expect(nextRelease('v1.36.0', [...RELEASES, release('v1.36.2')])?.kubernetesVersion).toBe('v1.36.2');
    // The newest patch of the next minor.
    expect(nextRelease('v1.34.3', [...RELEASES, release('v1.35.4')])?.kubernetesVersion).toBe('v1.35.4');
  });

  test('an upgrade step is newer and at most one minor above', () => {
    expect(isUpgradeStep('v1.34.3', 'v1.34.4')).toBe(true);
    expect(isUpgradeStep('v1.34.3', 'v1.35.0')).toBe(true);
    expect(isUpgradeStep('v1.34.3', 'v1.34.3')).toBe(false);
    expect(isUpgradeStep('v1.34.3', 'v1.33.9')).toBe(false);
    expect(isUpgradeStep('v1.34.3', 'v1.36.0')).toBe(false);
  });
});

describe('pool state', () => {
  test('a pool is running when every machine is ready and up to date with the spec its controller has seen', () => {
    expect(isRunning(pool('KubeadmControlPlane'))).toBe(true);
    expect(isRunning(pool('KubeadmControlPlane', { deleting: true }))).toBe(false);
    expect(isRunning(pool('KubeadmControlPlane', { runningVersion: 'v1.33.6' }))).toBe(false);
    expect(isRunning(pool('MachineDeployment', { upToDateReplicas: 2 }))).toBe(false);
    expect(isRunning(pool('MachineDeployment', { phase: undefined }))).toBe(true);
    expect(isRunning(pool('MachineDeployment', { phase: 'ScalingUp' }))).toBe(false);
  });

  test('pool status is read from the v1beta2 objects', () => {
    const status = poolStatusOf('KubeadmControlPlane', {
      ...kcp,
      metadata: { ...kcp.metadata, generation: 4 } as never,
      status: { readyReplicas: 3, upToDateReplicas: 2, observedGeneration: 3, version: 'v1.34.3' },
    });
    expect(status).toMatchObject({ version: 'v1.34.3', replicas: 3, upToDateReplicas: 2, observed: false });
    const md = poolStatusOf('MachineDeployment', {
      metadata: { name: 'w', generation: 2 } as never,
      spec: { replicas: 2, template: { spec: { version: 'v1.34.3' } } },
      status: { readyReplicas: 2, upToDateReplicas: 2, observedGeneration: 2, phase: 'Running' },
    });
    expect(isRunning(md)).toBe(true);
    expect(progressText(md)).toBe('v1.34.3: 2/2 ready, 2/2 up to date (done)');
    expect(progressText({ ...md, upToDateReplicas: 1 })).toBe('v1.34.3: 2/2 ready, 1/2 up to date');
  });
});

describe('constraints', () => {
  test('the control plane: running, with a target the provider accepts', () => {
    expect(checkControlPlane(pool('KubeadmControlPlane'), release('v1.35.1'), rules)).toEqual({
      ok: true,
      target: release('v1.35.1'),
    });
    expect(checkControlPlane(pool('KubeadmControlPlane', { readyReplicas: 2 }), undefined, rules)).toEqual({
      ok: false,
      problems: [UPGRADE_MESSAGES.controlPlaneNotRunning, 'nothing after v1.34.3'],
      target: undefined,
    });
    expect(checkControlPlane(pool('KubeadmControlPlane'), release('v1.35.9'), rules)).toMatchObject({
      ok: false,
      problems: ['v1.35.9 is withdrawn (cp)'],
    });
  });

  test('the documented worker states: not running, control plane not started, upgrading, upgraded', () => {
    const cp = pool('KubeadmControlPlane');
    const worker = pool('MachineDeployment');
    const find = (version: string) => RELEASES.find((r) => r.kubernetesVersion === version);
    const problems = (w: PoolStatus, c: PoolStatus) => {
      const check = checkWorker(w, c, find, rules);
      return check.ok ? [] : check.problems;
    };
    expect(problems(worker, cp)).toEqual([UPGRADE_MESSAGES.controlPlaneFirst]);
    expect(problems({ ...worker, phase: 'ScalingUp' }, cp)).toEqual([
      UPGRADE_MESSAGES.workerNotRunning,
      UPGRADE_MESSAGES.controlPlaneFirst,
    ]);
    const upgrading = { ...cp, version: 'v1.35.1', observed: false };
    expect(problems(worker, upgrading)).toEqual([UPGRADE_MESSAGES.waitForControlPlane]);
    expect(problems(worker, { ...upgrading, observed: true, runningVersion: 'v1.34.3' })).toEqual([
      UPGRADE_MESSAGES.waitForControlPlane,
    ]);
    const upgraded = { ...upgrading, observed: true, runningVersion: 'v1.35.1' };
    expect(checkWorker(worker, upgraded, find, rules)).toEqual({ ok: true, target: release('v1.35.1') });
    expect(problems(worker, { ...upgraded, version: 'v1.35.7', runningVersion: 'v1.35.7' })).toEqual([
      'nothing after v1.35.7',
    ]);
    // A worker at the control plane's version may change its image when the provider allows it.
    expect(checkWorker(worker, cp, find, { ...rules, sameVersion: true })).toEqual({
      ok: true,
      target: release('v1.34.3'),
    });
    // Never a worker ahead of its control plane.
    expect(problems({ ...worker, version: 'v1.35.1' }, cp)).toEqual([UPGRADE_MESSAGES.controlPlaneFirst]);
  });
});

describe('the writes', () => {
  test('names are deterministic and do not grow with each upgrade', () => {
    expect(upgradedName('lab-cp', 'v1.35.1')).toBe('lab-cp-v1-35-1');
    expect(upgradedName('lab-cp-v1-35-1', 'v1.36.0')).toBe('lab-cp-v1-36-0');
    expect(upgradedName('lab-worker-1-bootstrap', 'v1.35.1', true)).toBe('lab-worker-1-bootstrap-v1-35');
    expect(upgradedName('x'.repeat(70), 'v1.35.1')).toHaveLength(63);
    // Another image at the same version: a tag of the image keeps the name apart from the current one.
    const tagged = upgradedName('lab-cp-v1-35-1', 'v1.35.1', false, '/dc/vm/image-b');
    expect(tagged).toMatch(/^lab-cp-v1-35-1-[0-9a-f]{6}$/);
    expect(upgradedName('lab-cp-v1-35-1', 'v1.35.1', false, '/dc/vm/image-b')).toBe(tagged);
    expect(upgradedName(tagged, 'v1.35.1', false, '/dc/vm/image-c')).not.toBe(tagged);
    expect(upgradedName(tagged, 'v1.36.0')).toBe('lab-cp-v1-36-0');
  });

  test('a new image at the version the pool runs gets a template of its own name', () => {
    const named = {
      ...kcp,
      spec: {
        ...(kcp.spec as object),
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-cp-v1-34-3' } } },
      },
    };
    const change = controlPlaneChange(
      named,
      template('lab-cp-v1-34-3', 'image-a'),
      { kubernetesVersion: 'v1.34.3', image: 'image-b' },
      LAB,
    );
    expect(change.templateName).toMatch(/^lab-cp-v1-34-3-[0-9a-f]{6}$/);
    expect(change.create.map((m) => m.metadata.name)).toEqual([change.templateName]);
  });

  test('the control plane: one patch with version, image tags, the new template and the changed files', () => {
    const change = controlPlaneChange(
      kcp,
      template('lab-cp', 'image-1.34'),
      { kubernetesVersion: 'v1.35.1', image: 'image-1.35', corednsTag: 'c-1.35', etcdTag: 'e-1.35' },
      LAB,
    );
    expect(change.patch).toEqual({
      spec: {
        version: 'v1.35.1',
        kubeadmConfigSpec: {
          clusterConfiguration: { dns: { imageTag: 'c-1.35' }, etcd: { local: { imageTag: 'e-1.35' } } },
          files: [
            { path: '/etc/release', content: 'release v1.35\n' },
            { path: '/etc/own', content: 'x' },
          ],
        },
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-cp-v1-35-1' } } },
      },
    });
    // A new template, never the old one edited: server fields, status and providerID gone.
    expect(change.create).toEqual([
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'LabMachineTemplate',
        metadata: {
          name: 'lab-cp-v1-35-1',
          namespace: 'ns',
          labels: { 'cluster.x-k8s.io/cluster-name': 'lab' },
          annotations: { note: 'kept', 'lab.example/revision-of': 'lab-cp' },
        },
        spec: { template: { spec: { image: 'image-1.35', cpus: 4 } } },
      },
    ]);
  });

  test('tags left alone are not in the patch; null drops one; the same image keeps the template', () => {
    const change = controlPlaneChange(
      kcp,
      template('lab-cp', 'image-1.34'),
      { kubernetesVersion: 'v1.34.4', image: 'image-1.34', etcdTag: null },
      { ...LAB, files: undefined },
    );
    expect(change).toEqual({
      create: [],
      templateName: 'lab-cp',
      patch: {
        spec: {
          version: 'v1.34.4',
          kubeadmConfigSpec: { clusterConfiguration: { etcd: { local: { imageTag: null } } } },
          machineTemplate: { spec: { infrastructureRef: { name: 'lab-cp' } } },
        },
      },
    });
    const plain = controlPlaneChange(
      kcp,
      template('lab-cp', 'image-1.34'),
      { kubernetesVersion: 'v1.34.4', image: 'image-2' },
      LAB,
    );
    expect(plain.patch).toEqual({
      spec: {
        version: 'v1.34.4',
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-cp-v1-34-4' } } },
      },
    });
  });

  test('a worker pool: version, new template, and a new bootstrap template when the files change', () => {
    const md: UpgradeObject = {
      metadata: { name: 'lab-worker-1' },
      spec: {
        template: {
          spec: {
            version: 'v1.34.3',
            infrastructureRef: { name: 'lab-worker-1' },
            bootstrap: { configRef: { kind: 'KubeadmConfigTemplate', name: 'lab-worker-1' } },
          },
        },
      },
    };
    const bootstrap: UpgradeObject = {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmConfigTemplate',
      metadata: { name: 'lab-worker-1', namespace: 'ns' },
      spec: {
        template: {
          spec: { format: 'cloud-config', files: [{ path: '/etc/release', content: 'release v1.34\n' }] },
        },
      },
    };
    const target = { kubernetesVersion: 'v1.35.1', image: 'image-1.35' };
    const change = workerChange(md, template('lab-worker-1', 'image-1.34'), bootstrap, target, LAB);
    expect(change.patch).toEqual({
      spec: {
        template: {
          spec: {
            version: 'v1.35.1',
            infrastructureRef: { name: 'lab-worker-1-v1-35-1' },
            bootstrap: { configRef: { name: 'lab-worker-1-v1-35' } },
          },
        },
      },
    });
    expect(change.create.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'LabMachineTemplate/lab-worker-1-v1-35-1',
      'KubeadmConfigTemplate/lab-worker-1-v1-35',
    ]);
    expect(change.create[1]?.spec).toEqual({
      template: {
        spec: { format: 'cloud-config', files: [{ path: '/etc/release', content: 'release v1.35\n' }] },
      },
    });
    expect(change.create[1]?.metadata.annotations).toEqual({ 'lab.example/revision-of': 'lab-worker-1' });
    // Files unchanged by the target: the configRef stays.
    const same = workerChange(
      md,
      template('lab-worker-1', 'image-1.34'),
      bootstrap,
      { kubernetesVersion: 'v1.34.9', image: 'image-1.34' },
      LAB,
    );
    expect([same.bootstrapName, same.templateName, same.create]).toEqual([
      'lab-worker-1',
      'lab-worker-1',
      [],
    ]);
  });

  test('Kube-OVN: the Cluster is patched only when the target names another version', () => {
    const cluster: UpgradeObject = {
      metadata: { name: 'lab', annotations: { 'cpaas.io/kube-ovn-version': 'v1.14.2' } },
    };
    expect(kubeOvnPatch(cluster, undefined)).toBeUndefined();
    expect(kubeOvnPatch(cluster, 'v1.14.2')).toBeUndefined();
    expect(kubeOvnPatch(cluster, 'v1.15.0')).toEqual({
      metadata: { annotations: { 'cpaas.io/kube-ovn-version': 'v1.15.0' } },
    });
  });

  test('a template left by an interrupted run is used only when it is the same', () => {
    const wanted = controlPlaneChange(
      kcp,
      template('lab-cp', 'image-1.34'),
      { kubernetesVersion: 'v1.35.1', image: 'image-1.35' },
      LAB,
    ).create[0];
    if (!wanted) throw new Error('no template planned');
    expect(sameRevision(template('lab-cp-v1-35-1', 'image-1.35'), wanted, LAB)).toBe(true);
    expect(sameRevision(template('lab-cp-v1-35-1', 'other'), wanted, LAB)).toBe(false);
  });
});

/** A host that answers GETs from `objects` by path (404 otherwise) and records every request. */
function fakeHost(objects: Record<string, unknown>) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const api = {
    async kubernetes(request: { method: string; path: string; body?: unknown }) {
      requests.push(request);
      if (request.method !== 'GET') return {};
      const found = objects[request.path];
      if (found === undefined) throw { code: 404, message: 'not found' };
      return found;
    },
  } as unknown as HostApi;
  return { api, requests };
}

describe('reads and writes through the host', () => {
  const TEMPLATES = '/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/ns/labmachinetemplates';
  const md = {
    metadata: { name: 'w' },
    spec: {
      template: { spec: { infrastructureRef: { name: 'w-t' }, bootstrap: { configRef: { name: 'w-b' } } } },
    },
  };

  test('a worker pool is read with its cluster, control plane, machine template and bootstrap template', async () => {
    const { api } = fakeHost({
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/lab': {
        metadata: { name: 'lab' },
        spec: { controlPlaneRef: { name: 'lab-kcp' } },
      },
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machinedeployments/w': md,
      '/apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/ns/kubeadmcontrolplanes/lab-kcp': kcp,
      '/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces/ns/kubeadmconfigtemplates/w-b': {
        metadata: { name: 'w-b' },
      },
    });
    const objects = await loadPoolObjects(
      api,
      'ns',
      'lab',
      { kind: 'MachineDeployment', name: 'w' },
      TEMPLATES,
    );
    expect(objects.controlPlane).toBe(kcp);
    expect(objects.bootstrap?.metadata.name).toBe('w-b');
    // The machine template is gone: a problem besides the others.
    expect(objects.template).toBeUndefined();
    expect(withTemplateCheck({ ok: true, target: 1 }, objects.template)).toEqual({
      ok: false,
      target: 1,
      problems: [MISSING_TEMPLATE],
    });
  });

  test('templates first (one left by an earlier run reused, another refused), then the pool, then the Cluster', async () => {
    const wanted = controlPlaneChange(
      kcp,
      template('lab-cp', 'image-1.34'),
      { kubernetesVersion: 'v1.35.1', image: 'image-1.35' },
      LAB,
    );
    const planned = { ...wanted, clusterPatch: { metadata: { annotations: { a: 'b' } } } };
    const target = {
      namespace: 'ns',
      clusterName: 'lab',
      nodePool: { kind: 'KubeadmControlPlane', name: 'lab-kcp' },
    };
    const platform = { ...LAB, machineTemplatesPath: TEMPLATES };
    const fresh = fakeHost({});
    await applyUpgrade(fresh.api, target, planned, platform);
    expect(fresh.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${TEMPLATES}`,
      'PATCH /apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/ns/kubeadmcontrolplanes/lab-kcp',
      'PATCH /apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/lab',
    ]);
    const rerun = fakeHost({ [`${TEMPLATES}/lab-cp-v1-35-1`]: template('lab-cp-v1-35-1', 'image-1.35') });
    await applyUpgrade(rerun.api, target, planned, platform);
    expect(rerun.requests.filter((r) => r.method === 'POST')).toEqual([]);
    const other = fakeHost({ [`${TEMPLATES}/lab-cp-v1-35-1`]: template('lab-cp-v1-35-1', 'image-x') });
    await expect(applyUpgrade(other.api, target, planned, platform)).rejects.toThrow(
      'LabMachineTemplate lab-cp-v1-35-1 already exists with other settings; it is not replaced',
    );
    expect(other.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
