import { UPGRADE_MESSAGES, type UpgradeObject } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import {
  controlPlaneConfig,
  KUBELET_PATCH_PATH,
  switchKubeletPatch,
  workerConfig,
} from '../../src/ui/cluster-create/kubeadm-config.js';
import {
  initialValues,
  NOTHING_TO_CHANGE,
  surgeOf,
  templateChoices,
  type UpgradeValues,
  upgradeView,
  type VsphereUpgradeFacts,
  valueProblems,
} from '../../src/ui/upgrade/upgrade-plan.js';

// The documented vSphere upgrade (docs/en/upgrade-cluster/vmware-vsphere.mdx) on the kit:
// a cluster `lab` at v1.34.3 made by the create workflow, going to v1.35.4 on a new VM template.

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of the objects written.
type Loose = Record<string, any>;

const OLD = '/dc-a/vm/microos-k8s-template';
const NEW = '/dc-a/vm/microos-k8s-template-v1-35';
const VM_TEMPLATES = [
  { name: 'microos-k8s-template', path: OLD },
  { name: 'microos-k8s-template-v1-35', path: NEW },
];
const cpConfig = (kubernetesVersion: string) =>
  controlPlaneConfig({
    namespace: 'ns',
    kubernetesVersion,
    sshAuthorizedKeys: [],
    dns: ['10.10.10.2'],
    encryptionConfigSecret: 'lab-encryption',
    registry: undefined,
  });
const wConfig = (kubernetesVersion: string) =>
  workerConfig({ kubernetesVersion, sshAuthorizedKeys: [], dns: ['10.10.10.2'] });

const machineTemplate = (name: string, template: string): UpgradeObject => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'VSphereMachineTemplate',
  metadata: { name, namespace: 'ns', labels: { 'cluster.x-k8s.io/cluster-name': 'lab' } },
  spec: {
    template: {
      spec: {
        datacenter: 'dc-a',
        template,
        numCPUs: 4,
        memoryMiB: 8192,
        network: { devices: [{ networkName: 'pg-business' }] },
        machineConfigPoolRef: { name: `${name}-pool` },
      },
    },
  },
});

function kcp(version: string, change: Loose = {}): UpgradeObject {
  return {
    metadata: { name: 'lab-kcp', namespace: 'ns', generation: 1 } as UpgradeObject['metadata'],
    spec: {
      version,
      replicas: 3,
      kubeadmConfigSpec: cpConfig('v1.34.3'),
      machineTemplate: { spec: { infrastructureRef: { name: 'lab-control-plane' } } },
      ...change,
    },
    status: { observedGeneration: 1, readyReplicas: 3, upToDateReplicas: 3, version },
  };
}

const md: UpgradeObject = {
  metadata: { name: 'lab-worker-1', namespace: 'ns', generation: 1 } as UpgradeObject['metadata'],
  spec: {
    replicas: 2,
    template: {
      spec: {
        version: 'v1.34.3',
        infrastructureRef: { name: 'lab-worker-1-template' },
        bootstrap: { configRef: { name: 'lab-worker-1-bootstrap' } },
      },
    },
  },
  status: { observedGeneration: 1, readyReplicas: 2, upToDateReplicas: 2, phase: 'Running' },
};

const bootstrap: UpgradeObject = {
  apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
  kind: 'KubeadmConfigTemplate',
  metadata: { name: 'lab-worker-1-bootstrap', namespace: 'ns' },
  spec: { template: { spec: wConfig('v1.34.3') } },
};

const cluster: UpgradeObject = {
  metadata: { name: 'lab', annotations: { 'cpaas.io/kube-ovn-version': 'v1.14.2' } },
};

function cpFacts(change: Partial<VsphereUpgradeFacts> = {}): VsphereUpgradeFacts {
  const template = machineTemplate('lab-control-plane', OLD);
  return {
    cluster,
    pool: kcp('v1.34.3'),
    controlPlane: kcp('v1.34.3'),
    template,
    bootstrap: undefined,
    controlPlaneTemplate: template,
    configPool: {
      name: 'cp-pool',
      cluster: 'lab',
      datacenter: 'dc-a',
      free: 1,
      total: 4,
      dns: [],
      hasPersistentDisks: false,
    },
    vmTemplates: { items: VM_TEMPLATES },
    ...change,
  };
}

function workerFacts(controlPlane: UpgradeObject, cpImage: string): VsphereUpgradeFacts {
  return {
    ...cpFacts(),
    pool: md,
    controlPlane,
    template: machineTemplate('lab-worker-1-template', OLD),
    bootstrap,
    controlPlaneTemplate: machineTemplate('lab-control-plane-v1-35-4', cpImage),
  };
}

const values = (change: Partial<UpgradeValues> = {}): UpgradeValues => ({
  kubernetesVersion: 'v1.35.4',
  template: NEW,
  corednsTag: '',
  etcdTag: '',
  kubeOvnVersion: 'v1.14.2',
  ...change,
});

describe('the kubelet patch across Kubernetes 1.35', () => {
  test('an upgrade writes the patch the create workflow writes for the target, and only that file', () => {
    expect(switchKubeletPatch(wConfig('v1.34.3').files, 'v1.35.4')).toEqual(wConfig('v1.35.4').files);
    expect(switchKubeletPatch(cpConfig('v1.34.3').files, 'v1.35.4')).toEqual(cpConfig('v1.35.4').files);
    // Back below 1.35 (a rollback) the 1.35-only setting goes.
    expect(switchKubeletPatch(wConfig('v1.35.4').files, 'v1.34.3')).toEqual(wConfig('v1.34.3').files);
    expect(switchKubeletPatch(wConfig('v1.34.3').files, 'v1.34.9')).toBeUndefined();
    expect(switchKubeletPatch(wConfig('v1.35.1').files, 'v1.35.4')).toBeUndefined();
    expect(switchKubeletPatch(undefined, 'v1.35.4')).toBeUndefined();
  });

  test('an operator’s own settings in the patch are kept; a patch that is not JSON is left alone', () => {
    const own = `${JSON.stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', maxPods: 200 }, null, 2)}\n`;
    const [switched] = switchKubeletPatch([{ path: KUBELET_PATCH_PATH, content: own }], 'v1.35.4') ?? [];
    expect(JSON.parse(String(switched?.content))).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      imagePullCredentialsVerificationPolicy: 'NeverVerify',
      maxPods: 200,
    });
    expect(switchKubeletPatch([{ path: KUBELET_PATCH_PATH, content: 'kind: x' }], 'v1.35.4')).toBeUndefined();
  });
});

describe('what the user chooses', () => {
  test('the form starts from the cluster: versions, tags, Kube-OVN, a worker on the control plane’s VM template', () => {
    const tagged = kcp('v1.34.3', {
      kubeadmConfigSpec: {
        clusterConfiguration: { dns: { imageTag: 'c-1.34' }, etcd: { local: { imageTag: 'e-1.34' } } },
      },
    });
    expect(initialValues('KubeadmControlPlane', cpFacts({ pool: tagged, controlPlane: tagged }))).toEqual({
      kubernetesVersion: 'v1.34.3',
      template: OLD,
      corednsTag: 'c-1.34',
      etcdTag: 'e-1.34',
      kubeOvnVersion: 'v1.14.2',
    });
    expect(initialValues('MachineDeployment', workerFacts(kcp('v1.35.4'), NEW))).toMatchObject({
      kubernetesVersion: 'v1.35.4',
      template: NEW,
    });
    // A template named by name, as the documented manifests do, is offered under that name.
    expect(templateChoices(VM_TEMPLATES, 'microos-k8s-template')).toEqual([
      { value: 'microos-k8s-template', label: OLD },
      { value: NEW, label: NEW },
    ]);
  });

  test('each problem of the values at its field', () => {
    const problems = (change: Partial<UpgradeValues>, facts = cpFacts()) =>
      valueProblems('KubeadmControlPlane', facts, values(change));
    expect(problems({})).toEqual([]);
    expect(problems({ kubernetesVersion: '1.35' })).toEqual([
      { field: 'kubernetesVersion', message: 'a release such as v1.35.1 (v, major, minor and patch)' },
    ]);
    expect(problems({ kubernetesVersion: 'v1.36.0' })).toEqual([
      {
        field: 'kubernetesVersion',
        message: 'Kubernetes 1.36 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
      },
    ]);
    expect(problems({ kubernetesVersion: 'v1.33.9' })[0]?.message).toBe(
      'v1.33.9 is not an upgrade of v1.34.3: a newer release at most one minor above (Kubernetes upgrades one minor at a time)',
    );
    const tagged = kcp('v1.34.3', {
      kubeadmConfigSpec: { clusterConfiguration: { dns: { imageTag: 'c-1.34' } } },
    });
    expect(problems({ corednsTag: 'c-1.34' }, cpFacts({ controlPlane: tagged, pool: tagged }))).toEqual([
      {
        field: 'corednsTag',
        message:
          "c-1.34 is the CoreDNS tag of Kubernetes 1.34: give the target release's, or none for kubeadm's default",
      },
    ]);
    expect(problems({ template: '' })).toEqual([
      { field: 'template', message: 'choose the VM template of the target release' },
    ]);
    expect(problems({ template: '/dc-a/vm/gone' })).toEqual([
      { field: 'template', message: '/dc-a/vm/gone is not a VM template of datacenter dc-a' },
    ]);
    expect(problems({}, cpFacts({ vmTemplates: { error: 'login refused' } }))).toEqual([
      { field: 'template', message: 'vCenter could not list the VM templates: login refused' },
    ]);
  });
});

describe('the control plane', () => {
  test('one patch with version, tags, the new template and the kubelet patch of 1.35; a new VSphereMachineTemplate', () => {
    const view = upgradeView(
      'KubeadmControlPlane',
      cpFacts(),
      values({ corednsTag: 'c-1.35', etcdTag: 'e-1.35', kubeOvnVersion: 'v1.15.1' }),
    );
    expect(view.problems).toEqual([]);
    expect(view.target).toBe('v1.35.4');
    expect(view.changes).toEqual([
      'version v1.35.4',
      `machine template lab-control-plane-v1-35-4 (VM template ${NEW})`,
      'CoreDNS c-1.35',
      'etcd e-1.35',
      'kubelet configuration of Kubernetes 1.35',
      'Kube-OVN v1.15.1',
    ]);
    const plan = view.plan as Loose;
    expect(plan.patch).toEqual({
      spec: {
        version: 'v1.35.4',
        kubeadmConfigSpec: {
          clusterConfiguration: { dns: { imageTag: 'c-1.35' }, etcd: { local: { imageTag: 'e-1.35' } } },
          files: cpConfig('v1.35.4').files,
        },
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-control-plane-v1-35-4' } } },
      },
    });
    expect(plan.create).toEqual([
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'VSphereMachineTemplate',
        metadata: {
          name: 'lab-control-plane-v1-35-4',
          namespace: 'ns',
          labels: { 'cluster.x-k8s.io/cluster-name': 'lab' },
          annotations: { 'infrastructure.cluster.x-k8s.io/vsphere-revision-of': 'lab-control-plane' },
        },
        spec: {
          template: {
            spec: {
              ...(machineTemplate('x', NEW).spec as Loose).template.spec,
              machineConfigPoolRef: { name: 'lab-control-plane-pool' },
            },
          },
        },
      },
    ]);
    expect(plan.clusterPatch).toEqual({
      metadata: { annotations: { 'cpaas.io/kube-ovn-version': 'v1.15.1' } },
    });
  });

  test('a patch release on the same VM template keeps the template; tags left empty stay out', () => {
    const view = upgradeView(
      'KubeadmControlPlane',
      cpFacts(),
      values({ kubernetesVersion: 'v1.34.5', template: OLD }),
    );
    expect(view.changes).toEqual([
      'version v1.34.5',
      `machine template lab-control-plane (VM template ${OLD})`,
    ]);
    expect((view.plan as Loose).create).toEqual([]);
    expect((view.plan as Loose).patch).toEqual({
      spec: {
        version: 'v1.34.5',
        machineTemplate: { spec: { infrastructureRef: { name: 'lab-control-plane' } } },
      },
    });
  });

  test('what keeps Confirm unavailable: nothing to change, a pool not running, no free slot, the template gone', () => {
    const same = upgradeView(
      'KubeadmControlPlane',
      cpFacts(),
      values({ kubernetesVersion: 'v1.34.3', template: OLD }),
    );
    expect([same.problems, same.plan]).toEqual([[NOTHING_TO_CHANGE], undefined]);
    const rolling = kcp('v1.34.3');
    (rolling.status as Loose).upToDateReplicas = 2;
    const full = {
      name: 'cp-pool',
      cluster: 'lab',
      datacenter: 'dc-a',
      free: 0,
      total: 3,
      dns: [],
      hasPersistentDisks: false,
    };
    const blocked = upgradeView(
      'KubeadmControlPlane',
      cpFacts({ pool: rolling, controlPlane: rolling, configPool: full, template: undefined }),
      values(),
    );
    expect(blocked.problems).toEqual([
      UPGRADE_MESSAGES.controlPlaneNotRunning,
      'Machine config pool cp-pool has 0 free slots; the rolling update needs 1 (maxSurge) for the machines it makes before deleting old ones',
      'The machine template this pool uses does not exist',
    ]);
    // A rollout that deletes first (maxSurge 0, as the create workflow's worker pools) needs no free slot.
    const deletesFirst = kcp('v1.34.3', { rollout: { strategy: { rollingUpdate: { maxSurge: 0 } } } });
    expect(
      upgradeView('KubeadmControlPlane', cpFacts({ pool: deletesFirst, configPool: full }), values())
        .problems,
    ).toEqual([]);
    expect(surgeOf({ spec: { replicas: 3, strategy: { rollingUpdate: { maxSurge: '50%' } } } })).toBe(2);
    expect(surgeOf({ spec: {} })).toBe(1);
    // Field problems show at their fields, not again as the pool's.
    const typed = upgradeView('KubeadmControlPlane', cpFacts(), values({ kubernetesVersion: 'v1.3' }));
    expect([typed.problems, typed.fieldProblems?.map((p) => p.field), typed.plan]).toEqual([
      [],
      ['kubernetesVersion'],
      undefined,
    ]);
  });
});

describe('a worker pool', () => {
  test('goes after its control plane, and waits while the control plane rolls out', () => {
    const first = workerFacts(kcp('v1.34.3'), OLD);
    const start = upgradeView('MachineDeployment', first, initialValues('MachineDeployment', first));
    expect(start.problems).toEqual([UPGRADE_MESSAGES.controlPlaneFirst]);
    const rolling = kcp('v1.35.4');
    (rolling.status as Loose).version = 'v1.34.3';
    expect(upgradeView('MachineDeployment', workerFacts(rolling, NEW), values()).problems).toEqual([
      UPGRADE_MESSAGES.waitForControlPlane,
    ]);
  });

  test('follows the upgraded control plane: its version, its VM template, a new bootstrap template', () => {
    const facts = workerFacts(kcp('v1.35.4'), NEW);
    const view = upgradeView('MachineDeployment', facts, initialValues('MachineDeployment', facts));
    expect(view.problems).toEqual([]);
    expect(view.changes).toEqual([
      'version v1.35.4',
      `machine template lab-worker-1-template-v1-35-4 (VM template ${NEW})`,
      'new KubeadmConfigTemplate lab-worker-1-bootstrap-v1-35 (kubelet configuration of Kubernetes 1.35)',
    ]);
    const plan = view.plan as Loose;
    expect(plan.patch).toEqual({
      spec: {
        template: {
          spec: {
            version: 'v1.35.4',
            infrastructureRef: { name: 'lab-worker-1-template-v1-35-4' },
            bootstrap: { configRef: { name: 'lab-worker-1-bootstrap-v1-35' } },
          },
        },
      },
    });
    expect(plan.create.map((m: Loose) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'VSphereMachineTemplate/lab-worker-1-template-v1-35-4',
      'KubeadmConfigTemplate/lab-worker-1-bootstrap-v1-35',
    ]);
    expect(plan.create[1].spec).toEqual({ template: { spec: wConfig('v1.35.4') } });
    expect(plan.clusterPatch).toBeUndefined();
  });

  test('may change only its VM template at the control plane’s version', () => {
    const facts = workerFacts(kcp('v1.34.3'), OLD);
    const view = upgradeView('MachineDeployment', facts, values({ template: NEW }));
    expect(view.problems).toEqual([]);
    const plan = view.plan as Loose;
    expect(plan.patch.spec.template.spec.version).toBe('v1.34.3');
    expect(plan.templateName).toMatch(/^lab-worker-1-template-v1-34-3$/);
    expect(plan.create.map((m: Loose) => m.kind)).toEqual(['VSphereMachineTemplate']);
  });
});
