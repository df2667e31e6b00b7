/**
 * Upgrading the DCS provider in place (issue 19): the previous release runs a cluster, the
 * workspace release replaces it with the Helm chart, and nothing the cluster is made of notices.
 *
 * The previous release is the newest provider-dcs in releases.json, installed as it was released:
 * with its Helm chart (`git archive` of its release commit) when it had one, `helm install` then
 * `helm upgrade` to the workspace chart; without one (0.7.0 and older: the charts came after), with
 * its `clusterctl/infrastructure-components.yaml` from git, applied as `clusterctl init
 * --target-namespace` would (variables filled in, every object created), then `helm install` of the
 * workspace chart into the same namespace. Its manager runs as the previous release's own code:
 * `iinfra` of the manager released beside it, with that provider package, installed from a local
 * registry, with the install's arguments and a token of its ServiceAccount. The CRDs go in by the
 * documented step (Helm never upgrades a chart's `crds/`), and the new manager takes the Lease over.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import {
  type ChartManager,
  ensureHelm,
  manifestIdentity,
  startChartManager,
} from '@immutable-infra/helm-tools';
import {
  type ClusterApiControllers,
  ClusterProbe,
  capiResource,
  freePort,
  infraResource as infra,
  LiveLog,
  type LooseObject,
  plainHttpConsent,
  startNamespacedClusterApi,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  clusterApiManifests,
  clusterApiNames,
  type InfraMachineView,
  readIsoFile,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@immutable-infra/workload-sim';
import {
  CoordinationV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { installReleased, latestRelease, releasedFile, releasedFolder } from '../../src/previous-release.ts';
import { type RunningRegistry, startRegistry } from '../../src/verdaccio.ts';
import { repoRoot } from '../../src/workspace-packages.ts';

const run = promisify(execFile);
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const PROVIDER = '@immutable-infra/provider-dcs';
const CHART = join(repoRoot, 'providers', 'dcs', 'charts', 'cluster-api-provider-dcs');
const RELEASE = 'cluster-api-provider-dcs';
const KUBERNETES = 'v1.34.3';
const CLUSTER = 'up';
const DCS_CRDS = ['dcsclusters', 'dcsmachines', 'dcsmachinetemplates', 'dcsiphostnamepools'].map(
  (plural) => `${plural}.infrastructure.cluster.x-k8s.io`,
);

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let namespace: string;
let sim: DcsSimulator;
let registry: RunningRegistry | undefined;
let releasedHost: string | undefined;
let capi: ClusterApiControllers;
let workloads: WorkloadSimulator;
let probe: ClusterProbe;
let live: LiveLog;
let oldManager: ChartManager | undefined;
let newManager: ChartManager | undefined;
/** The previous release's components (their variables filled in), every object as created. */
let components: Record<string, unknown>[] = [];
const previous = latestRelease(PROVIDER);
/** Where the test's own files go (the previous release's chart, values files). */
const scratch = mkdtempSync(join(tmpdir(), 'provider-upgrade-'));
/** The previous release's chart, when it shipped one. */
const previousChart = releasedFolder(previous, 'charts/cluster-api-provider-dcs', scratch);
/** The previous release's CRDs by name, as its installer applied them. */
const previousCrds = new Map<string, unknown>();
/** The Helm revision the upgrade makes: an upgrade of the previous chart, or a first install. */
const upgradeRevision = previousChart ? 2 : 1;
const names = clusterApiNames(CLUSTER);
let subnet: string;
const timings: Record<string, number> = {};

const since = (start: number) => Math.round((Date.now() - start) / 100) / 10;

beforeAll(async () => {
  const start = Date.now();
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  namespace = await createTestNamespace(kubeConfig, 'upgrade');
  live = new LiveLog('provider-upgrade');
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  // The previous release's host: its manager and provider packages, installed from a registry.
  registry = await startRegistry();
  const manager = latestReleaseBeside(previous.commit, '@immutable-infra/manager');
  releasedHost = installReleased([manager, previous], registry, live.say);
  await registry.stop();
  timings['previous release installed from the registry'] = since(start);
  capi = await startNamespacedClusterApi(kubeConfig, {
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    namespace,
  });
  workloads = await startWorkloadSimulator({
    kubeConfig,
    assets: inject('iinfraEnvtestAssets'),
    namespace,
    log: live.say,
    // DCS: the VM runs with its Ignition ISO attached, and boots from what the CD-ROM holds.
    isBooted: (_machine, infraMachine) => {
      const vm = sim.state().vms.find((candidate) => candidate.name === vmNameOf(infraMachine));
      return vm?.status === 'running' && vm.cdRomStatus === 'attached';
    },
    deliveredBootstrapData: (_machine, infraMachine) => {
      const iso = sim.bootMedia(vmNameOf(infraMachine) ?? '');
      const config = iso && readIsoFile(iso, 'ignition/config.ign');
      return config ? { format: 'ignition', value: config.toString('utf8') } : undefined;
    },
  });
  probe = new ClusterProbe({
    kubeConfig,
    namespace,
    cluster: CLUSTER,
    diagnostics: () => live.diagnostics('DCS', capi),
  });
  probe.shape = { controlPlane: names.controlPlane, workerPool: names.workerPool, controlPlaneReplicas: 1 };
  const x = 100 + (process.pid % 150);
  subnet = `127.${x}.${Math.floor(process.pid / 150) % 250}`;
  values = { watchNamespace: namespace, probes: { port: await freePort() } };
  previousValues = { watchNamespace: namespace, probes: { port: await freePort() } };
  live.say(`namespace ${namespace}; previous release ${previous.name}@${previous.version}`);
}, 600_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  await workloads?.stop();
  await oldManager?.remove();
  await newManager?.remove();
  await capi?.stop();
  await sim?.close();
  await registry?.stop();
  if (registry) rmSync(registry.dir, { recursive: true, force: true });
  if (releasedHost) rmSync(releasedHost, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  if (namespace) await helm(['uninstall', RELEASE, '--namespace', namespace]).catch(() => undefined);
  // The previous release's cluster-scoped objects (its CRDs go with the API server at the end of the run).
  for (const object of components.filter((o) => ['ClusterRole', 'ClusterRoleBinding'].includes(kindOf(o))))
    await objects.delete(object as KubernetesObject).catch(() => undefined);
  console.log(`provider upgrade timings (s): ${JSON.stringify(timings)}`);
  if (!anyTestFailed(suite)) live.discard();
}, 120_000);

/** The manager released from the same commit as the provider: the host a site of that release runs. */
function latestReleaseBeside(commit: string, name: string) {
  const beside = latestRelease(name);
  if (beside.commit !== commit)
    throw new Error(`${name}@${beside.version} was not released with ${previous.name}@${previous.version}`);
  return beside;
}

const kindOf = (object: Record<string, unknown>) => String(object.kind);
const vmNameOf = (infraMachine: InfraMachineView) =>
  (infraMachine.status as { networkConfig?: { machineName?: string } } | undefined)?.networkConfig
    ?.machineName;
const clusterVms = () => sim.state().vms.filter((vm) => vm.name.startsWith(`${namespace}-${CLUSTER}-`));

async function helm(args: string[]): Promise<string> {
  const { stdout } = await run(
    await ensureHelm(),
    [...args, '--kubeconfig', inject('iinfraKubeconfigPath')],
    { maxBuffer: 16 << 20 },
  );
  return stdout;
}

/** `${NAME:=default}` filled in as clusterctl does. */
const fillVariables = (text: string, values: Record<string, string>) =>
  text.replace(/\$\{([A-Z0-9_]+)(?::=([^}]*))?\}/g, (_all, name: string, fallback?: string) => {
    const value = values[name] ?? fallback;
    if (value === undefined) throw new Error(`the components need \${${name}}`);
    return value;
  });

/** A CRD as the API server holds it, as plain JSON (the typed client renames schema keys). */
async function crd(name: string): Promise<CrdJson> {
  return (await kubeConfig.makeApiClient(CustomObjectsApi).getClusterCustomObject({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    name,
  })) as CrdJson;
}

interface CrdJson {
  spec: { versions: { name: string; served: boolean }[] };
  status?: { storedVersions?: string[]; conditions?: { type: string; status: string }[] };
}

async function waitEstablished(): Promise<void> {
  await probe.waitFor('the DCS CRDs established', async () => {
    for (const name of DCS_CRDS) {
      const conditions = (await crd(name).catch(() => undefined))?.status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    }
    return true;
  });
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await kubeConfig
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'iinfra-manager-dcs', namespace })
    .catch(() => undefined);
  return lease?.spec?.holderIdentity ?? undefined;
}

/** A pool entry as the documentation writes one: address, hostname, the VM's name and a persistent disk. */
function poolEntry(role: 'cp' | 'worker', n: number) {
  return {
    ip: `${subnet}.${(role === 'cp' ? 10 : 20) + n}`,
    mask: '255.255.255.0',
    gateway: `${subnet}.254`,
    dns: '10.0.0.2',
    hostname: `${CLUSTER}-${role}-${n}`,
    machineName: `${namespace}-${CLUSTER}-${role}-${n}`,
    persistentDisk: [
      { slot: 0, quantityGB: 20, datastoreClusterName: 'ssd-pool', path: '/var/cpaas', format: 'xfs' },
    ],
  };
}

function machineTemplate(role: 'cp' | 'worker') {
  return {
    apiVersion: INFRA,
    kind: 'DCSMachineTemplate',
    metadata: { name: `${CLUSTER}-${role}`, namespace },
    spec: {
      template: {
        spec: {
          vmTemplateName: 'ubuntu-2204-k8s-v1.34',
          location: { type: 'folder', name: 'kubernetes' },
          vmConfig: {
            dvSwitchName: 'DVS-Business',
            portGroupName: 'business-vlan100',
            dcsMachineCpuSpec: { quantity: 4 },
            dcsMachineMemorySpec: { quantity: 8192 },
            dcsMachineDiskSpec: [{ quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true }],
          },
          ipHostPoolRef: { name: `${role}-pool` },
        },
      },
    },
  };
}

/** The cluster in the documented v1beta1 form: 1 control plane machine and 1 worker, Ignition bootstrap. */
async function clusterManifests(): Promise<Record<string, unknown>[]> {
  const endpoint = { host: `${subnet}.1`, port: await freePort() };
  const pool = (role: 'cp' | 'worker', size: number) => ({
    apiVersion: INFRA,
    kind: 'DCSIpHostnamePool',
    metadata: {
      name: `${role}-pool`,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': CLUSTER },
    },
    spec: { pool: Array.from({ length: size }, (_, i) => poolEntry(role, i + 1)) },
  });
  const capiObjects = clusterApiManifests({
    namespace,
    cluster: CLUSTER,
    version: KUBERNETES,
    workers: 1,
    infraApiVersion: INFRA,
    infraClusterKind: 'DCSCluster',
    machineTemplateKind: 'DCSMachineTemplate',
    controlPlaneTemplate: `${CLUSTER}-cp`,
    workerTemplate: `${CLUSTER}-worker`,
    names,
  }) as LooseObject[];
  // DCS VMs boot with Ignition from a CD-ROM; one control plane machine keeps the run short.
  for (const object of capiObjects) {
    if (object.kind === 'KubeadmControlPlane') {
      object.spec.replicas = 1;
      // A single control plane machine is replaced by surging (Cluster API refuses maxSurge 0 below 3).
      object.spec.rolloutStrategy = undefined;
      object.spec.kubeadmConfigSpec.format = 'ignition';
    }
    if (object.kind === 'KubeadmConfigTemplate') object.spec.template.spec.format = 'ignition';
  }
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'dcs-auth', namespace },
      type: 'Opaque',
      stringData: {
        authUser: 'cluster-api',
        authKey: 'Huawei@123',
        endpoint: sim.url,
        ...plainHttpConsent(sim.url),
      },
    },
    pool('cp', 1),
    pool('worker', 3),
    machineTemplate('cp'),
    machineTemplate('worker'),
    {
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: { name: CLUSTER, namespace, labels: { 'cluster.x-k8s.io/cluster-name': CLUSTER } },
      spec: {
        controlPlaneLoadBalancer: { ...endpoint, type: 'external' },
        credentialSecretRef: { name: 'dcs-auth' },
        controlPlaneEndpoint: endpoint,
        networkType: 'kube-ovn',
      },
    },
    ...capiObjects,
  ];
}

/**
 * The DCS plugin's files Secret for the cluster's Kubernetes minor, which the documented prerequisites
 * have the operator create before the first cluster; the chart now ships it (release data).
 */
const FILES_SECRET = 'dcs-kubernetes-1.34-files';
/** What a clusterctl install of the provider made besides its CRDs and namespace. */
const OLD_INSTALLER_KINDS = [
  'Deployment',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
];
type ChartValues = { watchNamespace: string; probes: { port: number } };
/** The chart values of the upgrade; the previous chart's differ in the probe port only (one host here, not two Pods). */
let values: ChartValues;
let previousValues: ChartValues;

function valuesFile(chartValues: object): string {
  const file = join(scratch, `values-${Date.now()}.yaml`);
  writeFileSync(file, JSON.stringify(chartValues));
  return file;
}

/** The workspace manager as the installed chart runs it (Helm made its RBAC). */
function startWorkspaceManager(chartValues: Record<string, unknown>): Promise<ChartManager> {
  return startChartManager({
    kubeConfig,
    chartPath: CHART,
    namespace,
    release: RELEASE,
    values: chartValues,
    applyRbac: false,
    logFile: live.managerPath,
  });
}

async function readyz(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/readyz`).then(
    (response) => response.text(),
    () => '',
  );
}

/** Until the manager on `port` answers that it waits for the Lease. */
const standingBy = (port: number) =>
  probe.waitFor('the new manager standing by for the Lease', async () =>
    (await readyz(port)).includes('standby for Lease'),
  );

/** Until the manager on `port` holds the Lease. */
const leading = (port: number) =>
  probe.waitFor('the new manager holding the Lease', async () =>
    (await readyz(port)).includes('leader of Lease'),
  );

async function conditionTypes(): Promise<string[]> {
  const dcsCluster = await probe.get(infra('dcsclusters'), CLUSTER);
  return (dcsCluster.status?.conditions ?? []).map((c: { type: string }) => c.type);
}

async function helmStatus(): Promise<[string, number]> {
  const status = JSON.parse(await helm(['status', RELEASE, '--namespace', namespace, '-o', 'json'])) as {
    version: number;
    info: { status: string };
  };
  return [status.info.status, status.version];
}

/** Every CEL rule of a CRD's schemas, sorted: what tells one release's CRD from another's here. */
function celRules(definition: unknown): string[] {
  const rules: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'rule' && typeof inner === 'string') rules.push(inner);
        else visit(inner);
      }
    }
  };
  visit((definition as { spec?: unknown }).spec);
  return rules.sort();
}

const crdsOfFolder = (folder: string) =>
  new Map(
    readdirSync(folder).map((file) => {
      const definition = parseAllDocuments(readFileSync(join(folder, file), 'utf8'))[0]?.toJS() as {
        metadata: { name: string };
      };
      return [definition.metadata.name, definition] as const;
    }),
  );

interface Snapshot {
  machines: Record<string, string>;
  infraMachines: Record<string, string>;
  vms: Record<string, string>;
  vmCreates: number;
}

async function snapshot(): Promise<Snapshot> {
  const byName = (list: LooseObject[]) =>
    Object.fromEntries(list.map((o) => [String(o.metadata?.name), String(o.metadata?.uid)]));
  return {
    machines: byName(await probe.machines()),
    infraMachines: byName(await probe.list(infra('dcsmachines'))),
    vms: Object.fromEntries(clusterVms().map((vm) => [vm.name, vm.urn])),
    vmCreates: sim.state().creates.vms,
  };
}

let before: Snapshot;
/** The DCSCluster's condition types as the previous release's manager writes them. */
let previousConditionTypes: string[] = [];
/** Set once the upgrade step passed: the steps after it build on it (and would wait on a Lease the old manager still holds). */
let upgraded = false;
const requireUpgrade = () => {
  if (!upgraded) throw new Error('the upgrade step failed; nothing to check after it');
};

describe(`${PROVIDER}: the previous release, upgraded in place to the workspace release under a running cluster`, () => {
  it(`runs a cluster to Ready with ${PROVIDER}@${previous.version} as that release installs it`, async () => {
    const start = Date.now();
    if (previousChart) {
      await helm([
        'install',
        RELEASE,
        previousChart,
        '--namespace',
        namespace,
        '-f',
        valuesFile(previousValues),
      ]);
      for (const [name, definition] of crdsOfFolder(join(previousChart, 'crds')))
        previousCrds.set(name, definition);
      await waitEstablished();
      oldManager = await startChartManager({
        kubeConfig,
        chartPath: previousChart,
        namespace,
        release: RELEASE,
        values: previousValues,
        applyRbac: false,
        from: releasedHost ?? '',
        logFile: live.managerPath,
      });
    } else {
      // No chart: its install artifact is the clusterctl components.
      const text = fillVariables(releasedFile(previous, 'clusterctl/infrastructure-components.yaml'), {
        IINFRA_DCS_NAMESPACE: namespace,
      });
      // Loaded into the client's typed objects: it sends a plain YAML object's schema keys it does
      // not know by their wire names (x-kubernetes-validations) not at all.
      components = (loadAllYaml(text) as (Record<string, unknown> | null)[]).filter(
        (o): o is Record<string, unknown> => o !== null && o.kind !== 'Namespace',
      );
      for (const object of components) await objects.create(object as KubernetesObject);
      for (const doc of parseAllDocuments(text)) {
        const object = doc.toJS() as { kind?: string; metadata: { name: string } } | null;
        if (object?.kind === 'CustomResourceDefinition') previousCrds.set(object.metadata.name, object);
      }
      await waitEstablished();
      const identity = await manifestIdentity({
        kubeConfig,
        namespace,
        manifests: text,
        source: `${previous.name}@${previous.version} clusterctl components`,
        applyRbac: false,
      });
      // The test's namespace only, and a free probe port instead of the Pod's.
      identity.args = [
        ...identity.args.filter((arg) => !arg.startsWith('--probe-address=')),
        `--probe-address=127.0.0.1:${previousValues.probes.port}`,
        `--namespace=${namespace}`,
      ];
      oldManager = await startChartManager({
        kubeConfig,
        namespace,
        identity,
        from: releasedHost ?? '',
        logFile: live.managerPath,
      });
      // The documented prerequisites have the operator create the plugin's files Secret; the chart
      // now ships it.
      await objects.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: FILES_SECRET, namespace },
        type: 'Opaque',
        stringData: {
          'psa-config.yaml': 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n',
        },
      } as KubernetesObject);
    }
    expect([...previousCrds.keys()].sort()).toEqual([...DCS_CRDS].sort());
    for (const object of await clusterManifests()) await objects.create(object as KubernetesObject);
    await probe.reachSettled('previous release: create to Ready', 1, KUBERNETES, start);
    timings['previous release: create to Ready'] = since(start);
    expect(clusterVms().filter((vm) => vm.status === 'running')).toHaveLength(2);
    previousConditionTypes = await conditionTypes();
    expect(await leaseHolder()).toBeTruthy();
  });

  it('brings the workspace chart in with helm (upgrade, or install into the same namespace), the CRDs by the documented step; its manager stands by, then takes the Lease over and scales the workers: no machine replaced, no reconcile lost', async () => {
    const start = Date.now();
    before = await snapshot();
    expect(Object.keys(before.machines)).toHaveLength(2);
    const oldHolder = await leaseHolder();

    if (previousChart) {
      await helm(['upgrade', RELEASE, CHART, '--namespace', namespace, '-f', valuesFile(values)]);
    } else {
      const install = ['install', RELEASE, CHART, '--namespace', namespace, '-f', valuesFile(values)];
      // The chart's release data includes the files Secret the site already has: Helm refuses to take
      // over an object it did not make, and installs nothing...
      await expect(helm(install)).rejects.toThrow(
        new RegExp(`Secret "${FILES_SECRET}" in namespace "${namespace}" exists and cannot be imported`),
      );
      // ...unless told to adopt it (the chart's copy then replaces the operator's).
      await helm([...install, '--take-ownership']);
      const adopted = await objects.read({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: FILES_SECRET, namespace },
      });
      expect(adopted.metadata?.annotations?.['meta.helm.sh/release-name']).toBe(RELEASE);
    }
    // Helm leaves CRDs that exist as they are (it never upgrades a chart's crds/): still the previous release's.
    for (const [name, definition] of previousCrds)
      expect(celRules(await crd(name)), name).toEqual(celRules(definition));
    // The documented step: the chart's CRDs applied server side, taking over the fields the previous
    // installer wrote (hence --force-conflicts).
    const kubectl = join(inject('iinfraEnvtestAssets').binDir, 'kubectl');
    await run(kubectl, [
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(CHART, 'crds'),
      '--kubeconfig',
      inject('iinfraKubeconfigPath'),
    ]);
    const workspaceCrds = crdsOfFolder(join(CHART, 'crds'));
    for (const [name, definition] of workspaceCrds)
      expect(celRules(await crd(name)), name).toEqual(celRules(definition));
    await waitEstablished();

    // As a rolling update runs it: the new manager starts while the old one still holds the Lease
    // (the same Lease id and namespace as the previous install's), and stands by.
    newManager = await startWorkspaceManager(values);
    await standingBy(values.probes.port);
    expect(await leaseHolder()).toBe(oldHolder);
    expect(await conditionTypes()).toEqual(previousConditionTypes);

    // The old one leaves: what `clusterctl delete --infrastructure dcs` removes (not the CRDs nor
    // their objects), its Deployment and RBAC.
    await oldManager?.stop();
    // A scale of the workers by one asked for as the old manager left: the new one must make its VM.
    await probe.patch(capiResource('machinedeployments'), names.workerPool, { spec: { replicas: 2 } });
    // (A chart's upgrade replaced its RBAC already.)
    for (const object of components.filter((o) => OLD_INSTALLER_KINDS.includes(kindOf(o))))
      await objects.delete(object as KubernetesObject);
    await leading(values.probes.port);
    expect(await leaseHolder()).not.toBe(oldHolder);
    // It reconciles with the new code: the DCSCluster gets the SecureConnection condition (0.7.0 wrote none).
    await probe.waitFor('the DCSCluster reconciled by the new code', async () =>
      (await conditionTypes()).includes('SecureConnection'),
    );
    await probe.reachSettled('after the upgrade, scaled to 2 workers', 2, KUBERNETES, start);
    timings['upgrade: helm, CRDs, manager handover, scale to Ready'] = since(start);

    // Every machine of the previous release kept its Machine, DCSMachine and VM; the one VM created
    // since is the new worker's.
    const after = await snapshot();
    for (const key of ['machines', 'infraMachines', 'vms'] as const) {
      expect(Object.keys(after[key]), key).toHaveLength(Object.keys(before[key]).length + 1);
      for (const [name, id] of Object.entries(before[key]))
        expect(after[key][name], `${key} ${name}`).toBe(id);
    }
    expect(after.vmCreates).toBe(before.vmCreates + 1);
    before = after;
    expect(await helmStatus()).toEqual(['deployed', upgradeRevision]);
    upgraded = true;
  });

  it('upgrades the release again with helm upgrade and rolls the manager the same way: no machine replaced', async () => {
    requireUpgrade();
    const start = Date.now();
    const upgraded = { ...values, logLevel: 'debug', probes: { port: await freePort() } };
    await helm(['upgrade', RELEASE, CHART, '--namespace', namespace, '-f', valuesFile(upgraded)]);
    expect(await helmStatus()).toEqual(['deployed', upgradeRevision + 1]);
    const first = newManager;
    const holder = await leaseHolder();
    newManager = await startWorkspaceManager(upgraded);
    await standingBy(upgraded.probes.port);
    expect(await leaseHolder()).toBe(holder);
    await first?.stop();
    // Its identity's kubeconfig (a token) goes too; remove() would also delete the ClusterRole the
    // next manager shares, so only the folder is removed.
    if (first) rmSync(dirname(first.identity.kubeconfigPath), { recursive: true, force: true });
    await leading(upgraded.probes.port);
    await probe.reachSettled('after helm upgrade', 2, KUBERNETES, start);
    timings['helm upgrade and manager roll to reconciled'] = since(start);
    expect(await snapshot()).toEqual(before);
  });

  it('serves every stored object under the new CRDs, whose schema is in effect', async () => {
    requireUpgrade();
    for (const name of DCS_CRDS) {
      const definition = await crd(name);
      const served = definition.spec.versions.filter((v) => v.served).map((v) => v.name);
      expect(definition.status?.storedVersions, name).toBeDefined();
      for (const stored of definition.status?.storedVersions ?? []) expect(served, name).toContain(stored);
    }
    for (const plural of ['dcsclusters', 'dcsmachines', 'dcsmachinetemplates', 'dcsiphostnamepools'])
      expect((await probe.list(infra(plural))).length, plural).toBeGreaterThan(0);
    // A transition rule the previous CRD did not have: a declared persistent disk's format cannot change.
    const pool = await probe.get(infra('dcsiphostnamepools'), 'worker-pool');
    const changed = structuredClone(pool.spec.pool);
    changed[0].persistentDisk[0].format = 'ext4';
    await expect(
      probe.patch(infra('dcsiphostnamepools'), 'worker-pool', { spec: { pool: changed } }),
    ).rejects.toThrow(/format cannot change once the persistent disk is declared/);
  });
});
