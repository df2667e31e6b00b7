import { describe, expect, test } from 'vitest';
import type { KubeObject, VersionRecord } from '../../src/ui/catalog/resources.js';
import {
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  filesSecretsOf,
  MESSAGES,
  type PoolStatus,
  sameTemplate,
  switchFilesSecret,
  workerChange,
} from '../../src/ui/upgrade/upgrade-plan.js';
import { checkPool, planUpgrade, type UpgradeFacts } from '../../src/ui/upgrade/upgrade-steps.js';

function release(version: string, change: Partial<VersionRecord> = {}): VersionRecord {
  const minor = version.replace(/^v(\d+)\.(\d+).*/, '$1.$2');
  return {
    configMap: `dcs-vm-template-k8s-v${minor}`,
    vmTemplateName: `ubuntu-2204-k8s-v${minor}`,
    kubernetesVersion: version,
    distributionVersion: 'v4.4.0',
    vmImageVersion: 'alaudaos',
    corednsTag: `coredns-${minor}`,
    etcdTag: `etcd-${minor}`,
    ...change,
  };
}

const RELEASES = [release('v1.33.6'), release('v1.34.3'), release('v1.35.1'), release('v1.36.0')];
const SECRETS = new Set([
  'dcs-kubernetes-1.34-files',
  'dcs-kubernetes-1.35-files',
  'dcs-kubernetes-1.36-files',
  'dcs-kubernetes-1.33-files',
]);

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

const filesOf = (secret: string, keys: string[]) =>
  keys.map((key) => ({
    contentFrom: { secret: { key, name: secret } },
    owner: 'root:root',
    path: `/etc/kubernetes/${key}`,
    permissions: '0644',
  }));

const kcp: KubeObject = {
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
  kind: 'KubeadmControlPlane',
  metadata: { name: 'lab-kcp', namespace: 'ns' },
  spec: {
    version: 'v1.34.3',
    replicas: 3,
    kubeadmConfigSpec: {
      files: [
        ...filesOf('dcs-kubernetes-1.34-files', ['psa-config.yaml', 'audit-policy.yaml']),
        { content: 'x', path: '/etc/own-file' },
      ],
      clusterConfiguration: { dns: { imageTag: 'coredns-1.34' }, etcd: { local: { imageTag: 'etcd-1.34' } } },
    },
    machineTemplate: {
      spec: { infrastructureRef: { apiGroup: 'x', kind: 'DCSMachineTemplate', name: 'lab-cp' } },
    },
  },
};

const template = (name: string, vmTemplateName: string): KubeObject => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'DCSMachineTemplate',
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'cluster.x-k8s.io/cluster-name': 'lab' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    resourceVersion: '7',
    uid: 'u-1',
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: {
    template: {
      spec: {
        vmTemplateName,
        providerID: 'dcs://left-over',
        vmConfig: { dcsMachineCpuSpec: { quantity: 4 } },
      },
    },
  },
  status: { something: true },
});

describe('constraints', () => {
  test('a running control plane with a next release can be upgraded', () => {
    const check = checkControlPlane(pool('KubeadmControlPlane'), RELEASES, SECRETS);
    expect(check).toMatchObject({ ok: true, target: { kubernetesVersion: 'v1.35.1' } });
  });

  test('the control plane check returns every problem', () => {
    const check = checkControlPlane(
      pool('KubeadmControlPlane', { readyReplicas: 2 }),
      [release('v1.34.3'), release('v1.35.1', { corednsTag: '', etcdTag: '' })],
      new Set(),
    );
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.problems).toEqual([
      MESSAGES.controlPlaneNotRunning,
      'Secret dcs-kubernetes-1.35-files (the kubelet, PSA and audit files of Kubernetes 1.35) does not exist',
      'version ConfigMap dcs-vm-template-k8s-v1.35 has no corednsTag',
      'version ConfigMap dcs-vm-template-k8s-v1.35 has no etcdTag',
    ]);
    expect(
      checkControlPlane(
        pool('KubeadmControlPlane', { version: 'v1.36.0', runningVersion: 'v1.36.0' }),
        RELEASES,
        SECRETS,
      ),
    ).toEqual({
      ok: false,
      problems: ['No version ConfigMap offers a Kubernetes version after v1.36.0'],
      target: undefined,
    });
  });

  test('the documented worker states: not running, control plane not started, upgrading, upgraded', () => {
    const cp = pool('KubeadmControlPlane');
    const worker = pool('MachineDeployment');
    const problems = (w: PoolStatus, c: PoolStatus) => {
      const check = checkWorker(w, c, RELEASES, SECRETS);
      return check.ok ? [] : check.problems;
    };
    expect(problems(worker, cp)).toEqual([MESSAGES.controlPlaneFirst]);
    expect(problems({ ...worker, phase: 'ScalingUp' }, cp)).toEqual([
      MESSAGES.workerNotRunning,
      MESSAGES.controlPlaneFirst,
    ]);
    // The control plane asked for v1.35.1, its controller not yet done.
    const upgrading = { ...cp, version: 'v1.35.1', observed: false };
    expect(problems(worker, upgrading)).toEqual([MESSAGES.waitForControlPlane]);
    expect(problems(worker, { ...upgrading, observed: true, upToDateReplicas: 1 })).toEqual([
      MESSAGES.waitForControlPlane,
    ]);
    expect(problems(worker, { ...upgrading, observed: true, runningVersion: 'v1.34.3' })).toEqual([
      MESSAGES.waitForControlPlane,
    ]);
    const upgraded = { ...upgrading, observed: true, runningVersion: 'v1.35.1' };
    expect(checkWorker(worker, upgraded, RELEASES, SECRETS)).toMatchObject({
      ok: true,
      target: { kubernetesVersion: 'v1.35.1' },
    });
    // The control plane at a version no ConfigMap offers.
    expect(problems(worker, { ...upgraded, version: 'v1.35.9', runningVersion: 'v1.35.9' })).toEqual([
      "No version ConfigMap offers v1.35.9, the control plane's version",
    ]);
  });
});

describe('the writes', () => {
  test('the control plane: one patch with version, CoreDNS and etcd tags, new template and files Secret', () => {
    const change = controlPlaneChange(kcp, template('lab-cp', 'ubuntu-2204-k8s-v1.34'), release('v1.35.1'));
    expect(change.templateName).toBe('lab-cp-v1-35-1');
    expect(change.patch).toEqual({
      spec: {
        version: 'v1.35.1',
        kubeadmConfigSpec: {
          clusterConfiguration: {
            dns: { imageTag: 'coredns-1.35' },
            etcd: { local: { imageTag: 'etcd-1.35' } },
          },
          files: [
            ...filesOf('dcs-kubernetes-1.35-files', ['psa-config.yaml', 'audit-policy.yaml']),
            { content: 'x', path: '/etc/own-file' },
          ],
        },
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-cp-v1-35-1' } } },
      },
    });
    // A new template, never the old one edited: server fields, status and providerID gone.
    expect(change.create).toEqual([
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'DCSMachineTemplate',
        metadata: {
          name: 'lab-cp-v1-35-1',
          namespace: 'ns',
          labels: { 'cluster.x-k8s.io/cluster-name': 'lab' },
          annotations: { 'infrastructure.cluster.x-k8s.io/dcs-revision-of': 'lab-cp' },
        },
        spec: {
          template: {
            spec: {
              vmTemplateName: 'ubuntu-2204-k8s-v1.35',
              vmConfig: { dcsMachineCpuSpec: { quantity: 4 } },
            },
          },
        },
      },
    ]);
  });

  test('a patch release on the same VM template keeps the template', () => {
    const change = controlPlaneChange(
      { ...kcp, spec: { ...kcp.spec, version: 'v1.35.1' } },
      template('lab-cp', 'ubuntu-2204-k8s-v1.35'),
      release('v1.35.4'),
    );
    expect(change.create).toEqual([]);
    expect(change.templateName).toBe('lab-cp');
  });

  test('a worker pool: version, new template, and a new bootstrap template for the new files Secret', () => {
    const md: KubeObject = {
      metadata: { name: 'lab-worker-1' },
      spec: {
        template: {
          spec: {
            version: 'v1.34.3',
            infrastructureRef: { name: 'lab-worker-1' },
            bootstrap: {
              configRef: {
                apiGroup: 'bootstrap.cluster.x-k8s.io',
                kind: 'KubeadmConfigTemplate',
                name: 'lab-worker-1',
              },
            },
          },
        },
      },
    };
    const bootstrap: KubeObject = {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmConfigTemplate',
      metadata: { name: 'lab-worker-1', namespace: 'ns', resourceVersion: '3' },
      spec: {
        template: {
          spec: {
            format: 'ignition',
            files: filesOf('dcs-kubernetes-1.34-files', ['worker-kubelet-patch.json']),
          },
        },
      },
    };
    const change = workerChange(
      md,
      template('lab-worker-1', 'ubuntu-2204-k8s-v1.34'),
      bootstrap,
      release('v1.35.1'),
    );
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
      'DCSMachineTemplate/lab-worker-1-v1-35-1',
      'KubeadmConfigTemplate/lab-worker-1-v1-35',
    ]);
    expect(change.create[1]?.spec).toEqual({
      template: {
        spec: {
          format: 'ignition',
          files: filesOf('dcs-kubernetes-1.35-files', ['worker-kubelet-patch.json']),
        },
      },
    });
    // Bootstrap already on the new minor's Secret: the configRef stays.
    const same = workerChange(
      md,
      template('lab-worker-1', 'ubuntu-2204-k8s-v1.34'),
      bootstrap,
      release('v1.34.9'),
    );
    expect(same.bootstrapName).toBe('lab-worker-1');
    expect(same.patch).toEqual({
      spec: {
        template: { spec: { version: 'v1.34.9', infrastructureRef: { name: 'lab-worker-1' } } },
      },
    });
  });

  test('files Secrets: only the plugin Secret of another minor is switched', () => {
    const files = filesOf('dcs-kubernetes-1.34-files', ['a']);
    expect(switchFilesSecret(files, 'dcs-kubernetes-1.34-files')).toBeUndefined();
    expect(switchFilesSecret(filesOf('my-secret', ['a']), 'dcs-kubernetes-1.35-files')).toBeUndefined();
    expect(switchFilesSecret(undefined, 'dcs-kubernetes-1.35-files')).toBeUndefined();
    expect(filesSecretsOf([...files, ...filesOf('my-secret', ['b'])])).toEqual(['dcs-kubernetes-1.34-files']);
  });

  test('a template left by an interrupted run is used only when it is the same', () => {
    const wanted = controlPlaneChange(kcp, template('lab-cp', 'ubuntu-2204-k8s-v1.34'), release('v1.35.1'))
      .create[0];
    if (!wanted) throw new Error('no template planned');
    expect(sameTemplate(template('lab-cp-v1-35-1', 'ubuntu-2204-k8s-v1.35'), wanted)).toBe(true);
    expect(sameTemplate(template('lab-cp-v1-35-1', 'other'), wanted)).toBe(false);
  });
});

describe('the pool check with what the action read', () => {
  const facts = (change: Partial<UpgradeFacts> = {}): UpgradeFacts => ({
    cluster: { metadata: { name: 'lab' } },
    pool: {
      metadata: { name: 'lab-kcp', generation: 2 } as never,
      spec: kcp.spec ?? {},
      status: { readyReplicas: 3, upToDateReplicas: 3, observedGeneration: 2, version: 'v1.34.3' },
    },
    controlPlane: { metadata: { name: 'lab-kcp' } },
    template: template('lab-cp', 'ubuntu-2204-k8s-v1.34'),
    bootstrap: undefined,
    releases: RELEASES,
    secrets: SECRETS,
    ...change,
  });

  test('a running control plane with its template goes to the next release', () => {
    expect(checkPool('KubeadmControlPlane', facts())).toMatchObject({
      ok: true,
      target: { kubernetesVersion: 'v1.35.1' },
    });
  });

  test('a missing machine template is a problem besides the others', () => {
    const check = checkPool('KubeadmControlPlane', facts({ template: undefined, secrets: new Set() }));
    expect(check.ok ? [] : check.problems).toEqual([
      'Secret dcs-kubernetes-1.35-files (the kubelet, PSA and audit files of Kubernetes 1.35) does not exist',
      'The machine template this pool uses does not exist',
    ]);
  });

  test('the plan of the control plane carries the Kube-OVN patch of its release', () => {
    const target = release('v1.35.1', { kubeOvnVersion: 'v1.15.1' });
    const planned = planUpgrade('KubeadmControlPlane', facts(), target);
    expect(planned.clusterPatch).toEqual({
      metadata: { annotations: { 'cpaas.io/kube-ovn-version': 'v1.15.1' } },
    });
    expect(planned.create.map((m) => m.metadata.name)).toEqual(['lab-cp-v1-35-1']);
  });
});
