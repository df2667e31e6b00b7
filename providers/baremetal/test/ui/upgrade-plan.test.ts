import { UPGRADE_MESSAGES } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import { workerConfig } from '../../src/ui/cluster-create/kubeadm-config.js';
import {
  type BaremetalUpgradeFacts,
  NOTHING_TO_CHANGE,
  upgradeChoices,
  upgradeView,
} from '../../src/ui/upgrade/upgrade-plan.js';

const IMAGE = 'registry.example.local/tkestack/baremetal-base-image';
const running = (replicas: number, version?: string) => ({
  replicas,
  readyReplicas: replicas,
  upToDateReplicas: replicas,
  observedGeneration: 1,
  ...(version ? { version } : {}),
});

function facts(change: (f: BaremetalUpgradeFacts) => void = () => {}): BaremetalUpgradeFacts {
  const kcp = {
    metadata: { name: 'demo-control-plane', generation: 1 },
    spec: {
      version: 'v1.33.7-2',
      replicas: 3,
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } } },
      machineTemplate: { spec: { infrastructureRef: { name: 'demo-control-plane-template' } } },
    },
    status: running(3, 'v1.33.7-2'),
  };
  const f: BaremetalUpgradeFacts = {
    cluster: { metadata: { name: 'demo', annotations: { 'cpaas.io/kube-ovn-version': 'v1.14.2' } } },
    pool: kcp,
    controlPlane: kcp,
    template: { metadata: { name: 'demo-control-plane-template' }, spec: { template: { spec: {} } } },
    bootstrap: undefined,
    imageCatalog: {
      'v1.33.7-2': `${IMAGE}:1.33.7-2`,
      'v1.34.3-1': `${IMAGE}:1.34.3-1`,
      'v1.35.1-1': `${IMAGE}:1.35.1-1`,
    },
    releases: [{ kubernetesVersion: 'v1.34.3-1', corednsTag: '1.12.1-v4.2.0', etcdTag: 'v3.5.24-251001' }],
  };
  change(f);
  return f;
}

function worker(version: string, maxSurge = 0) {
  return {
    metadata: { name: 'demo-worker-1', generation: 1 },
    spec: {
      replicas: 2,
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: 1 } } },
      template: { spec: { version, infrastructureRef: { name: 'demo-worker-1-template' } } },
    },
    status: { ...running(2), phase: 'Running' },
  };
}

describe('bare-metal node pool upgrade', () => {
  test('the control plane may go to the catalog versions one minor above at most, newest first', () => {
    expect(upgradeChoices('v1.33.7-2', facts().imageCatalog)).toEqual(['v1.34.3-1']);
    expect(upgradeChoices('v1.34.3-1', facts().imageCatalog)).toEqual(['v1.35.1-1']);
  });

  test('the control plane: one edit of its version and the release tags; no new machine template', () => {
    const view = upgradeView('KubeadmControlPlane', facts(), {
      kubernetesVersion: 'v1.34.3-1',
      kubeOvnVersion: 'v1.15.0',
    });
    expect(view.problems).toEqual([]);
    expect(view.plan).toEqual({
      create: [],
      patch: {
        spec: {
          version: 'v1.34.3-1',
          kubeadmConfigSpec: {
            clusterConfiguration: {
              dns: { imageTag: '1.12.1-v4.2.0' },
              etcd: { local: { imageTag: 'v3.5.24-251001' } },
            },
          },
        },
      },
      clusterPatch: { metadata: { annotations: { 'cpaas.io/kube-ovn-version': 'v1.15.0' } } },
      templateName: 'demo-control-plane-template',
    });
    expect(view.changes[0]).toBe(`version v1.34.3-1 (OS image ${IMAGE}:1.34.3-1)`);
  });

  test('a version missing from the catalog, a pool with maxSurge, or nothing to change is refused', () => {
    const missing = upgradeView(
      'KubeadmControlPlane',
      facts((f) => delete f.imageCatalog?.['v1.34.3-1']),
      { kubernetesVersion: 'v1.34.3-1', kubeOvnVersion: '' },
    );
    expect(missing.plan).toBeUndefined();
    expect(missing.problems).toEqual([
      'v1.34.3-1 is not a key of elemental-image-catalog: add it before upgrading (the new machines would fail with ImageCatalogMiss)',
    ]);
    const same = upgradeView('KubeadmControlPlane', facts(), {
      kubernetesVersion: 'v1.33.7-2',
      kubeOvnVersion: '',
    });
    expect(same.fieldProblems).toEqual([
      {
        field: 'kubernetesVersion',
        message: 'v1.33.7-2 is not an upgrade of v1.33.7-2: a newer release at most one minor above',
      },
    ]);
    const surging = upgradeView(
      'MachineDeployment',
      facts((f) => {
        f.pool = worker('v1.33.7-2', 1);
        (f.controlPlane.spec as { version: string }).version = 'v1.34.3-1';
        (f.controlPlane.status as { version: string }).version = 'v1.34.3-1';
      }),
      { kubernetesVersion: '', kubeOvnVersion: '' },
    );
    expect(surging.problems).toEqual([
      "maxSurge is 1: bare metal replaces one node at a time from the same pool, so set the pool's maxSurge to 0 first",
    ]);
    expect(NOTHING_TO_CHANGE).toContain('already runs');
  });

  test('a worker pool follows its control plane: first the control plane, then its version', () => {
    const first = upgradeView(
      'MachineDeployment',
      facts((f) => (f.pool = worker('v1.33.7-2'))),
      {
        kubernetesVersion: '',
        kubeOvnVersion: '',
      },
    );
    expect(first.problems).toEqual([UPGRADE_MESSAGES.controlPlaneFirst]);
    const next = upgradeView(
      'MachineDeployment',
      facts((f) => {
        f.pool = worker('v1.33.7-2');
        (f.controlPlane.spec as { version: string }).version = 'v1.34.3-1';
        (f.controlPlane.status as { version: string }).version = 'v1.34.3-1';
      }),
      { kubernetesVersion: '', kubeOvnVersion: '' },
    );
    expect(next.problems).toEqual([]);
    expect(next.plan?.patch).toEqual({ spec: { template: { spec: { version: 'v1.34.3-1' } } } });
    expect(next.plan?.create).toEqual([]);
    expect(next.plan?.clusterPatch).toBeUndefined();
  });

  test('a worker pool crossing 1.35 gets a new bootstrap template with that kubelet patch, named in the same edit', () => {
    const view = upgradeView(
      'MachineDeployment',
      facts((f) => {
        f.pool = worker('v1.34.3-1');
        f.bootstrap = {
          apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
          kind: 'KubeadmConfigTemplate',
          metadata: { name: 'demo-worker-1-bootstrap' },
          spec: { template: { spec: workerConfig([], 'v1.34.3-1') } },
        };
        (f.controlPlane.spec as { version: string }).version = 'v1.35.1-1';
        (f.controlPlane.status as { version: string }).version = 'v1.35.1-1';
      }),
      { kubernetesVersion: '', kubeOvnVersion: '' },
    );
    expect(view.problems).toEqual([]);
    expect(view.plan?.create.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'KubeadmConfigTemplate/demo-worker-1-bootstrap-v1-35',
    ]);
    expect(view.plan?.create[0]?.spec).toEqual({ template: { spec: workerConfig([], 'v1.35.1-1') } });
    expect(view.plan?.patch).toEqual({
      spec: {
        template: {
          spec: { version: 'v1.35.1-1', bootstrap: { configRef: { name: 'demo-worker-1-bootstrap-v1-35' } } },
        },
      },
    });
    expect(JSON.stringify(workerConfig([], 'v1.35.1-1'))).toContain('imagePullCredentialsVerificationPolicy');
    expect(JSON.stringify(workerConfig([], 'v1.34.3-1'))).not.toContain(
      'imagePullCredentialsVerificationPolicy',
    );
  });
});
