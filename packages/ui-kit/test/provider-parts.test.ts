import type { StrictAnchorExport } from '@immutable-infra/core';
import { describe, expect, test } from 'vitest';
import {
  type CredentialBundle,
  configPoolNodePools,
  credentialProblemCollector,
  credentialValidator,
  hardenedControlPlaneComponents,
  KEEP_STORED_VALUE,
  kubernetesVersionProblem,
  type PlatformBundle,
  platformExtensions,
  platformUpgradeSpec,
  problemCollector,
  revisionOfAnnotation,
  slotPoolCapacity,
  templateSourceOf,
  upgradeVersionProblem,
} from '../src/index.js';

// The pieces the HCS and vSphere extensions (and DCS's credential form) took
// out of their copies: each with a made-up platform, as a provider uses it.

describe('the create workflow', () => {
  test('a Kubernetes version is required, a release, of a supported minor', () => {
    const minors = ['1.34', '1.35'];
    expect(kubernetesVersionProblem('', minors)).toBe('the Kubernetes version is required');
    expect(kubernetesVersionProblem('1.35.1', minors)).toMatch(/a release such as/);
    expect(kubernetesVersionProblem('v1.33.2', minors)).toBe(
      'Kubernetes 1.33 is not supported; choose 1.34, 1.35',
    );
    expect(kubernetesVersionProblem('v1.35.1', minors)).toBeUndefined();
  });

  test('a chosen template names a config pool that exists, passes the platform check and serves one node pool', () => {
    const { problems, report } = problemCollector();
    const rules = configPoolNodePools(
      {
        existing: [],
        machineTemplates: [
          { name: 'a', configPool: 'pool-a' },
          { name: 'b', configPool: undefined },
          { name: 'c', configPool: 'gone' },
          { name: 'd', configPool: 'pool-other' },
        ],
        configPools: [
          { name: 'pool-a', free: 3, total: 3 },
          { name: 'pool-other', free: 3, total: 3 },
        ],
      },
      {
        machineTemplateKind: 'LabMachineTemplate',
        suffixes: { workerTemplate: '-t', bootstrapTemplate: '-b' },
        slotNoun: 'lab pool',
        noPool: (name) => `${name} names no lab pool`,
        poolProblem: (pool) => (pool.name === 'pool-other' ? 'serves another cluster' : undefined),
      },
      report,
    );
    for (const [i, name] of ['a', 'a', 'b', 'c', 'd', '', 'x'].entries())
      rules.checkTemplate('step', `f${i}`, name, 'worker', `pool ${i}`);
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['f1', 'lab pool pool-a is already used by pool 0'],
      ['f2', 'b names no lab pool'],
      ['f3', 'lab pool gone of c does not exist'],
      ['f4', 'serves another cluster'],
      ['f5', 'choose a machine template'],
      ['f6', 'machine template x does not exist'],
    ]);
    expect(rules.slotPoolOf('a')).toBe('pool-a');
  });

  test('a chosen template is copied with its labels and machine spec', () => {
    const templates = [{ name: 'a', labels: { tier: 'x' }, machineSpec: { image: 'i' } }];
    expect(templateSourceOf(templates, 'a')).toEqual({ labels: { tier: 'x' }, spec: { image: 'i' } });
    expect(templateSourceOf(templates, 'b')).toBeUndefined();
  });

  test('the control plane hardening takes a platform’s flags and writes them in name order', () => {
    const components = hardenedControlPlaneComponents({
      controllerManager: { 'cloud-provider': 'external' },
    });
    const flags = Object.keys(components.controllerManager.extraArgs);
    expect(flags).toEqual([...flags].sort());
    expect(components.controllerManager.extraArgs['cloud-provider']).toBe('external');
    expect(components.apiServer.extraArgs['audit-policy-file']).toBe('/etc/kubernetes/audit/policy.yaml');
  });
});

describe('the node pool upgrade', () => {
  test('the control plane’s target is a release of a supported minor, one step from the current one', () => {
    const rules = { pattern: /^v\d+\.\d+\.\d+$/, minors: ['1.34', '1.35'] };
    expect(upgradeVersionProblem('v1.34.3', 'v1.35', rules)).toMatch(/a release such as/);
    expect(upgradeVersionProblem('v1.34.3', 'v1.36.0', rules)).toMatch(/1.36 is not supported/);
    expect(upgradeVersionProblem('v1.35.1', 'v1.34.3', rules)).toMatch(/is not an upgrade of v1.35.1/);
    expect(upgradeVersionProblem('v1.34.3', 'v1.35.1', rules)).toBeUndefined();
    expect(upgradeVersionProblem('v1.34.3', 'v1.34.3', rules)).toBeUndefined();
  });
});

describe('the credential form', () => {
  test('keeps the first problem of each field', () => {
    const { problems, add, addAll } = credentialProblemCollector();
    add('name', 'first');
    addAll([
      { field: 'name', message: 'second' },
      { field: 'caBundle', message: 'not PEM' },
    ]);
    expect(problems).toEqual([
      { field: 'name', message: 'first' },
      { field: 'caBundle', message: 'not PEM' },
    ]);
  });
});

describe('what every provider declares alike', () => {
  // A bundle's type, as a provider's declaration imports it: the exports are never called here.
  type Bundle = PlatformBundle &
    CredentialBundle & {
      examplePoolList: StrictAnchorExport<'ip-pool.list'>;
      examplePoolForm: StrictAnchorExport<'ip-pool.form'>;
    };

  test('the extensions of a platform provider: ids under its name, one title, the upgrade and capacity their own', () => {
    const declared = platformExtensions<Bundle>({
      provider: 'example',
      title: 'Example Cloud',
      anchorApi: '^1.1.0',
      credentials: true,
      pools: { listId: 'pools', formId: 'pool-form', list: 'examplePoolList', form: 'examplePoolForm' },
      capacityTitle: 'Example pool capacity',
    });
    expect(declared).toMatchObject({
      provider: 'example',
      anchorApi: '^1.1.0',
      bundle: 'dist/ui/extension.js',
      platformProxy: 'dist/ui/platform-proxy.js',
    });
    expect(declared.extensions.map((entry) => [entry.anchor, entry.id, entry.title, entry.export])).toEqual([
      ['credential.list', 'example.credentials', 'Example Cloud', 'credentialList'],
      ['credential.form', 'example.credential-form', 'Example Cloud', 'credentialForm'],
      ['ip-pool.list', 'example.pools', 'Example Cloud', 'examplePoolList'],
      ['ip-pool.form', 'example.pool-form', 'Example Cloud', 'examplePoolForm'],
      ['machine-template.list', 'example.machine-templates', 'Example Cloud', 'machineTemplateList'],
      ['machine-template.form', 'example.machine-template-form', 'Example Cloud', 'machineTemplateForm'],
      ['cluster.create', 'example.create-cluster', 'Example Cloud', 'createClusterWorkflow'],
      ['node-pool.action', 'example.node-pool-upgrade', 'Upgrade', 'nodePoolUpgrade'],
      ['node-pool.capacity', 'example.node-pool-capacity', 'Example pool capacity', 'nodePoolCapacity'],
    ]);
  });

  test('a pool export must serve its anchor (checked by typecheck)', () => {
    const pools = (list: 'examplePoolList' | 'examplePoolForm') =>
      platformExtensions<Bundle>({
        provider: 'example',
        title: 'Example',
        anchorApi: '^1.1.0',
        credentials: false,
        // @ts-expect-error a form is not a list: the pools list must be an `ip-pool.list` export
        pools: { listId: 'pools', formId: 'pool-form', list, form: 'examplePoolForm' },
        capacityTitle: 'Example capacity',
      });
    expect(pools('examplePoolList').extensions).toHaveLength(7);
  });

  test('a platform without credentials declares no credential pages and no platform proxy', () => {
    const declared = platformExtensions<Bundle>({
      provider: 'example',
      title: 'Example',
      anchorApi: '^1.1.0',
      credentials: false,
      pools: { listId: 'pools', formId: 'pool-form', list: 'examplePoolList', form: 'examplePoolForm' },
      capacityTitle: 'Example capacity',
    });
    expect(declared.platformProxy).toBeUndefined();
    expect(declared.extensions.map((entry) => entry.anchor)).not.toContain('credential.list');
    expect(declared.extensions[0]?.anchor).toBe('ip-pool.list');
  });

  test('the upgrade spec names its copies with the platform’s revision annotation', () => {
    expect(revisionOfAnnotation('example')).toBe('infrastructure.cluster.x-k8s.io/example-revision-of');
    expect(
      platformUpgradeSpec('example', { machineTemplateKind: 'ExampleMachineTemplate', imageField: 'image' }),
    ).toEqual({
      machineTemplateKind: 'ExampleMachineTemplate',
      imageField: 'image',
      revisionAnnotation: 'infrastructure.cluster.x-k8s.io/example-revision-of',
    });
  });

  test('a slot pool is the one the machine spec’s reference names; none when empty or missing', () => {
    const source = {
      templateKind: 'ExampleMachineTemplate',
      poolKind: 'ExamplePool',
      poolRef: 'configPoolRef',
      count: () => ({ free: 2, total: 3 }),
    };
    const request = {
      namespace: 'ns',
      clusterName: 'c',
      nodePoolName: 'c-workers',
      machineTemplate: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: 'ExampleMachineTemplate',
        name: 't',
      },
      replicas: 1,
      maxSurge: 0,
    };
    const naming = (ref: unknown) => ({ spec: { template: { spec: { configPoolRef: ref } } } });
    expect(slotPoolCapacity(source, request, naming({ name: 'pool-a' }), {})?.pools).toEqual([
      { kind: 'ExamplePool', name: 'pool-a', free: 2, total: 3 },
    ]);
    expect(slotPoolCapacity(source, request, naming({ name: '' }), {})).toBeUndefined();
    expect(slotPoolCapacity(source, request, naming(undefined), {})).toBeUndefined();
  });

  test('a credential is checked by name first, then the provider’s own rules, then the CA bundle', () => {
    const validate = credentialValidator<Record<string, string>>((input, creating, { add }) => {
      if (creating && !input.token) add('token', 'the token is required');
      add('token', 'a second problem of the same field is not shown');
    });
    expect(validate({ name: 'Bad_Name', caBundle: 'not a PEM' }, true)).toEqual([
      { field: 'name', message: expect.stringMatching(/lowercase/) },
      { field: 'token', message: 'the token is required' },
      { field: 'caBundle', message: expect.stringMatching(/PEM/) },
    ]);
    // On update the name is the Secret's own, and what is left empty keeps its stored value.
    expect(validate({ name: 'Bad_Name' }, false)).toEqual([
      { field: 'token', message: 'a second problem of the same field is not shown' },
    ]);
  });

  test('an update keeps a stored credential value the user leaves empty, and says so', () => {
    expect(KEEP_STORED_VALUE.hint).toBe('Leave empty to keep the stored value');
  });
});
