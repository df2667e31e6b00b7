import { describe, expect, test } from 'vitest';
import { type DcsClusterDraft, initialDraft } from '../../src/ui/wizard/draft.js';
import { validateDraft } from '../../src/ui/wizard/validate.js';
import { draftWarnings } from '../../src/ui/wizard/warnings.js';
import { SSH_KEY, scenarioDraft, scenarioFacts } from './wizard-scenario.js';

function draft(change: (d: DcsClusterDraft) => void = () => {}): DcsClusterDraft {
  const d = scenarioDraft();
  change(d);
  return d;
}

function problemsOf(d: DcsClusterDraft, facts = scenarioFacts()) {
  return Object.fromEntries(validateDraft(d, facts).map((p) => [p.field, `${p.step}: ${p.message}`]));
}

describe('validate', () => {
  test('the scenario draft is valid and has no warnings', () => {
    expect(validateDraft(draft(), scenarioFacts())).toEqual([]);
    expect(draftWarnings(draft(), scenarioFacts())).toEqual([]);
  });

  test('the initial (empty) draft reports every required field at once, each with its step', () => {
    // The draft the wizard starts from: nothing chosen or typed yet.
    const empty = initialDraft();
    expect(problemsOf(empty)).toEqual({
      credential: 'basic-info: choose a cloud credential',
      name: 'basic-info: the cluster name is required',
      apiServerAddress: 'basic-info: the cluster API address is required',
      kubernetesVersion: 'basic-info: the Kubernetes version is required',
      'controlPlane.machineTemplate': 'control-plane: choose a machine template',
      'workers.0.name': 'worker-pools: the pool name is required',
      'workers.0.machineTemplate': 'worker-pools: choose a machine template',
      'networking.podsCidr': 'networking: Pods CIDR is required',
      'networking.servicesCidr': 'networking: Services CIDR is required',
      'networking.joinCidr': 'networking: Join CIDR is required',
    });
  });

  test('names: DNS label, reserved global, existing cluster', () => {
    expect(problemsOf(draft((d) => (d.name = 'Demo_1'))).name).toMatch(/lowercase letters/);
    expect(problemsOf(draft((d) => (d.name = 'global'))).name).toMatch(/reserved/);
    expect(problemsOf(draft((d) => (d.name = 'global-dr'))).name).toMatch(/global- prefix/);
    expect(problemsOf(draft(), scenarioFacts({ existing: ['Cluster/demo'] })).name).toBe(
      'basic-info: a cluster named demo already exists in cpaas-system',
    );
  });

  test('only the newest Kubernetes version the ConfigMaps offer can be created', () => {
    expect(problemsOf(draft((d) => (d.kubernetesVersion = 'v1.34.3'))).kubernetesVersion).toBe(
      'basic-info: only the newest version, v1.35.1, can be created',
    );
    expect(problemsOf(draft((d) => (d.kubernetesVersion = 'v1.36.0'))).kubernetesVersion).toBe(
      'basic-info: no VM template ConfigMap offers Kubernetes v1.36.0',
    );
    expect(
      problemsOf(
        draft((d) => (d.kubernetesVersion = '')),
        scenarioFacts({ versions: [] }),
      ).kubernetesVersion,
    ).toMatch(/no VM template version ConfigMap \(label cpaas.io\/dcs-vm-template\) in cpaas-system/);
  });

  test('credential must exist and reach the platform', () => {
    expect(problemsOf(draft((d) => (d.credential = 'other'))).credential).toBe(
      'basic-info: credential other does not exist in cpaas-system',
    );
    expect(
      problemsOf(draft(), scenarioFacts({ site: { error: 'wrong user or key for DCS' } })).credential,
    ).toBe('basic-info: the platform could not be reached with this credential: wrong user or key for DCS');
  });

  test('the cluster API address must be https://host:port', () => {
    for (const bad of [
      '192.0.2.100:6443',
      'http://192.0.2.100:6443',
      'https://bad_host:6443',
      'https://192.0.2.100:70000',
    ])
      expect(problemsOf(draft((d) => (d.apiServerAddress = bad))).apiServerAddress, bad).toBeDefined();
    expect(problemsOf(draft((d) => (d.apiServerAddress = 'https://api.demo.example:6443')))).toEqual({});
  });

  test('machine templates: the right type and a Kubernetes version of the cluster’s minor', () => {
    expect(
      problemsOf(draft((d) => (d.controlPlane.machineTemplate = 'worker-135')))[
        'controlPlane.machineTemplate'
      ],
    ).toBe('control-plane: worker-135 is a worker node template; choose a control plane one');
    expect(
      problemsOf(draft((d) => ((d.workers[0] as { machineTemplate: string }).machineTemplate = 'cp-135')))[
        'workers.0.machineTemplate'
      ],
    ).toMatch(/control plane template; choose a worker node one/);
    expect(
      problemsOf(
        draft((d) => ((d.workers[0] as { machineTemplate: string }).machineTemplate = 'worker-134')),
      )['workers.0.machineTemplate'],
    ).toBe('worker-pools: VM template ubuntu-2204-k8s-v1.34 carries Kubernetes v1.34.3, not 1.35');
    expect(
      problemsOf(draft((d) => (d.controlPlane.machineTemplate = 'gone')))['controlPlane.machineTemplate'],
    ).toBe('control-plane: machine template gone does not exist');
  });

  test('pool capacity: free entries at least the replicas, pools shared by node pools count together', () => {
    const wide = draft((d) => ((d.workers[0] as { replicas: number }).replicas = 5));
    expect(problemsOf(wide)['workers.0.replicas']).toBe(
      'worker-pools: IP pool worker-pool has 4 free of 4 entries; 5 needed',
    );
    const shared = draft((d) =>
      d.workers.push({
        ...(d.workers[0] as DcsClusterDraft['workers'][0]),
        name: 'demo-worker-2',
        replicas: 2,
      }),
    );
    const problems = problemsOf(shared);
    expect(problems['workers.0.replicas']).toBe(
      'worker-pools: IP pool worker-pool has 4 free of 4 entries; 5 needed (shared by 2 node pools)',
    );
    expect(problems['workers.1.replicas']).toBe(problems['workers.0.replicas']);
    // Entries held by other machines are not free.
    const held = draft(
      (d) => ((d.workers[0] as { machineTemplate: string }).machineTemplate = 'worker-small'),
    );
    expect(problemsOf(held)['workers.0.replicas']).toBe(
      'worker-pools: IP pool small-pool has 2 free of 3 entries; 3 needed',
    );
    // Worker pools that overflow the control plane's IP pool are the ones to shrink: the control
    // plane (3, fixed) fits on its own, so its step has nothing to fix and must not hold the user.
    const overflow = draft((d) => {
      (d.workers[0] as { machineTemplate: string }).machineTemplate = d.controlPlane.machineTemplate;
      (d.workers[0] as { replicas: number }).replicas = 1;
    });
    expect(problemsOf(overflow)['workers.0.replicas']).toBe(
      'worker-pools: IP pool cp-pool has 3 free of 3 entries; 4 needed (shared by 2 node pools)',
    );
    expect(problemsOf(overflow)['controlPlane.replicas']).toBeUndefined();
    const cp = draft((d) => (d.controlPlane.replicas = 4));
    expect(problemsOf(cp)['controlPlane.replicas']).toBe(
      'control-plane: IP pool cp-pool has 3 free of 3 entries; 4 needed',
    );
  });

  test('maxSurge and maxUnavailable', () => {
    const pool = (change: Partial<DcsClusterDraft['workers'][0]>) =>
      problemsOf(draft((d) => Object.assign(d.workers[0] as object, change)));
    expect(pool({ maxSurge: -1 })['workers.0.maxSurge']).toBe(
      'worker-pools: max surge must be a whole number of at least 0',
    );
    expect(pool({ maxUnavailable: -1 })['workers.0.maxUnavailable']).toMatch(/at least 0/);
    expect(pool({ maxSurge: 0, maxUnavailable: 0 })['workers.0.maxUnavailable']).toBe(
      'worker-pools: with max surge 0, max unavailable must be at least 1, or no node can be replaced',
    );
    expect(pool({ maxSurge: 0, maxUnavailable: 4 })['workers.0.maxUnavailable']).toBe(
      'worker-pools: with max surge 0, max unavailable must not exceed the replicas (3)',
    );
    expect(pool({ maxSurge: 1, maxUnavailable: 0 })).toEqual({});
    expect(pool({ replicas: 0 })['workers.0.replicas']).toMatch(/at least 1/);
    expect(pool({ replicas: 1.5 })['workers.0.replicas']).toMatch(/whole number/);
  });

  test('pool names are unique, well formed and free', () => {
    const dup = draft((d) =>
      d.workers.push({ ...(d.workers[0] as DcsClusterDraft['workers'][0]), replicas: 1 }),
    );
    expect(problemsOf(dup)['workers.1.name']).toBe(
      'worker-pools: pool name demo-worker-1 is already used by pool 1',
    );
    expect(
      problemsOf(draft((d) => ((d.workers[0] as { name: string }).name = 'Pool 1')))['workers.0.name'],
    ).toMatch(/lowercase/);
    expect(
      problemsOf(draft(), scenarioFacts({ existing: ['MachineDeployment/demo-worker-1'] }))['workers.0.name'],
    ).toBe(
      'worker-pools: MachineDeployment/demo-worker-1 already exists; prefix the pool name with the cluster name',
    );
  });

  test('SSH keys must be single-line OpenSSH public keys', () => {
    const bad = draft((d) => (d.controlPlane.sshAuthorizedKeys = [SSH_KEY, 'not a key']));
    expect(problemsOf(bad)['controlPlane.sshAuthorizedKeys.1']).toMatch(/OpenSSH public key/);
  });

  test('CIDRs: well formed, no host bits, pods and services (and join) not overlapping', () => {
    const net = (change: Partial<DcsClusterDraft['networking']>) =>
      problemsOf(draft((d) => Object.assign(d.networking, change)));
    expect(net({ podsCidr: '10.3.0.0' })['networking.podsCidr']).toBe(
      'networking: Pods CIDR must be an IPv4 CIDR such as 10.3.0.0/16',
    );
    expect(net({ podsCidr: '10.3.0.1/16' })['networking.podsCidr']).toBe(
      'networking: Pods CIDR has host bits set; the network is 10.3.0.0/16',
    );
    expect(net({ servicesCidr: '10.3.128.0/20' })['networking.servicesCidr']).toBe(
      'networking: Services CIDR overlaps Pods CIDR 10.3.0.0/16',
    );
    expect(net({ podsCidr: '10.0.0.0/8' })['networking.servicesCidr']).toMatch(
      /overlaps Pods CIDR 10.0.0.0\/8/,
    );
    expect(net({ joinCidr: '10.4.0.0/24' })['networking.joinCidr']).toBe(
      'networking: Join CIDR overlaps Services CIDR 10.4.0.0/16',
    );
    expect(net({ servicesCidr: '10.5.0.0/16' })).toEqual({});
  });
});

describe('warnings beyond the documentation', () => {
  test('template and Kubernetes version mismatch, unknown template, template missing on the platform', () => {
    const facts = scenarioFacts();
    const patch = draft((d) => (d.kubernetesVersion = 'v1.35.2'));
    expect(draftWarnings(patch, facts)).toContain(
      'control plane: VM template ubuntu-2204-k8s-v1.35 carries Kubernetes v1.35.1 but the cluster will run v1.35.2',
    );
    const noConfigMap = scenarioFacts({ versions: [] });
    expect(draftWarnings(draft(), noConfigMap)[0]).toMatch(/has no version ConfigMap/);
    expect(draftWarnings(draft(), scenarioFacts({ platformTemplates: [] }))).toContain(
      'control plane: VM template ubuntu-2204-k8s-v1.35 does not exist on the DCS platform; cloning will fail',
    );
  });

  test('endpoint not set', () => {
    expect(
      draftWarnings(draft(), scenarioFacts({ credentials: { 'dcs-auth': ['authUser', 'authKey'] } })),
    ).toContain('credential dcs-auth has no endpoint, so no DCS call can be made for this cluster');
    expect(
      draftWarnings(
        draft((d) => (d.apiServerAddress = '')),
        scenarioFacts(),
      ),
    ).toContain('the control plane endpoint is not set; Cluster API and kubeadm cannot reach the API server');
  });

  test('too few free entries for a rolling upgrade with the chosen maxSurge', () => {
    const surge = draft((d) =>
      Object.assign(d.workers[0] as object, { replicas: 3, maxSurge: 2, maxUnavailable: 0 }),
    );
    expect(draftWarnings(surge, scenarioFacts())).toEqual([
      'IP pool worker-pool has 4 free entries; a rolling upgrade of worker pool demo-worker-1 with max surge 2 needs 5, so it will stall until entries are added',
    ]);
    const enough = draft((d) => Object.assign(d.workers[0] as object, { replicas: 3, maxSurge: 1 }));
    expect(draftWarnings(enough, scenarioFacts())).toEqual([]);
  });

  test('plugin files Secret, global Cluster, SSH keys, worker pools', () => {
    const warnings = draftWarnings(
      draft((d) => {
        d.workers = [];
        d.controlPlane.sshAuthorizedKeys = [];
      }),
      scenarioFacts({ filesSecretPresent: false, globalCluster: undefined }),
    );
    expect(warnings).toEqual([
      'no worker node pool: the control plane alone runs no workloads',
      'control plane: no SSH key, so nobody can log in to those nodes',
      expect.stringMatching(/^Secret dcs-kubernetes-1.35-files is missing from cpaas-system/),
      'the global Cluster could not be read, so the kube-ovn version and registry address annotations are left out',
    ]);
  });
});
