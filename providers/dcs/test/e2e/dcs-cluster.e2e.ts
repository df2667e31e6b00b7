import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import {
  aliveModuleGrantsNotExercised,
  capiResource,
  freePort,
  infraResource as infra,
  mostRepeated,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { newWorkerPool } from '@immutable-infra/ui-kit';
import {
  bootstrapFiles,
  type ClusterE2e,
  type GuestExpectation,
  type InfraMachineView,
  ignitionProblems,
  type MachineView,
  readIsoFile,
  startClusterE2e,
} from '@immutable-infra/workload-sim';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { persistentVolumeName } from '../../src/controllers/persistent-disks.js';
import { createDcsProvider } from '../../src/provider.js';
import { compareVersions, listVersions } from '../../src/ui/catalog/resources.js';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { type DcsClusterDraft, initialDraft, objectNames } from '../../src/ui/wizard/draft.js';
import { workflowLogic } from '../../src/ui/wizard/workflow-logic.js';
import { testHostApi } from '../ui/host-api.js';
import {
  CREDENTIAL,
  KUBERNETES_FILES,
  KUBERNETES_FROM,
  KUBERNETES_TO,
  machineTemplate,
  operatorPrerequisites,
  POOLS,
  releaseObjects,
} from './operator-prerequisites.ts';

const CAPI = 'cluster.x-k8s.io';
const MACHINES = capiResource('machines');

let kubeConfig: KubeConfig;
let sim: DcsSimulator;
let e2e: ClusterE2e;
let v: {
  namespace: string;
  name: string;
  /** The external load balancer's address: where the workload API server answers. */
  endpoint: { host: string; port: number };
  /** The first three octets of the loopback /24 the pools draw from. */
  subnet: string;
};
/** The wizard's names for the cluster's objects (set once the draft is filled). */
let names: ReturnType<typeof objectNames>;
const AUTH_KEY = 'Huawei@123';
/** Every DCS session token the simulator issued during the run (sampled: a logged-out one leaves its list). */
const issuedTokens = new Set<string>();
let tokenSampler: NodeJS.Timeout | undefined;
/** The volumes the site had before the cluster: anything else left after its deletion was made for it. */
let volumesBefore: Set<string>;
let workerPool: string;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  const namespace = await createTestNamespace(kubeConfig, 'e2e');
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  volumesBefore = new Set(sim.state().volumes.map((volume) => volume.urn));
  tokenSampler = setInterval(() => {
    for (const session of sim.state().sessions) issuedTokens.add(session.token);
  }, 200);
  const x = 100 + (process.pid % 150);
  const y = Math.floor(process.pid / 150) % 250;
  v = {
    namespace,
    name: 'e2e',
    endpoint: { host: `127.${x}.${y}.1`, port: await freePort() },
    subnet: `127.${x}.${y}`,
  };
  e2e = await startClusterE2e({
    kubeConfig,
    namespace,
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    logName: 'dcs-e2e',
    providerLabel: 'DCS',
    providers: [createDcsProvider()],
    // The manager as the Helm chart installs it: its arguments and its ServiceAccount's permissions.
    chart: { path: fileURLToPath(new URL('../../charts/cluster-api-provider-dcs', import.meta.url)) },
    auditLogPath: inject('iinfraAuditLogPath'),
    cluster: v.name,
    // DCS: the VM runs with its Ignition ISO attached.
    isBooted: (_machine, infra) => {
      const vm = sim.state().vms.find((candidate) => candidate.name === vmNameOf(infra));
      return vm?.status === 'running' && vm.cdRomStatus === 'attached';
    },
    // The guest boots from what its CD-ROM holds, and comes up only with every documented piece.
    deliveredBootstrapData: (_machine, infra) => {
      const iso = sim.bootMedia(vmNameOf(infra) ?? '');
      const config = iso && readIsoFile(iso, 'ignition/config.ign');
      return config ? { format: 'ignition', value: config.toString('utf8') } : undefined;
    },
    checkBootstrapData: async (data, machine, infra) => {
      const problems = ignitionProblems(data.value, await guestExpectation(machine, infra));
      if (problems.length === 0) ignitionChecked.add(machine.metadata.name);
      return problems;
    },
  });
  e2e.live.say(`endpoint https://${v.endpoint.host}:${v.endpoint.port}`);
}, 300_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  clearInterval(tokenSampler);
  await closePlatformSessions();
  // A passing run leaves no live logs behind; a failing one keeps them for its diagnostics.
  await e2e?.stop({ keepLogs: anyTestFailed(suite) });
  await sim?.close();
}, 120_000);

const vmNameOf = (infra: InfraMachineView) =>
  (infra.status as { networkConfig?: { machineName?: string } } | undefined)?.networkConfig?.machineName;

/** The Machines whose VM booted with an Ignition that passed the workload simulator's check. */
const ignitionChecked = new Set<string>();

const prefixOf = (mask: string | undefined) =>
  (mask ?? '255.255.255.0')
    .split('.')
    .reduce((bits, octet) => bits + Number(octet).toString(2).replaceAll('0', '').length, 0);

/**
 * What the documentation says a DCS node gets, read from its DCSMachine and its pool entry (not from
 * the provider's code): the template's data disks and the entry's persistent disks mounted, each
 * NIC's address and DNS in a NetworkManager keyfile, the hostname, the kubelet serving certificate,
 * and on control plane nodes the encryption configuration; PROVIDER_ID and NODE_IP replaced.
 */
async function guestExpectation(machine: MachineView, infra: InfraMachineView): Promise<GuestExpectation> {
  type Nic = { ip?: string; mask?: string; gateway?: string; dns?: string };
  const dcsMachine = infra as unknown as {
    spec: {
      ipHostPoolRef: { name: string };
      vmConfig?: { dcsMachineDiskSpec?: { path?: string; systemVolume?: boolean }[] };
    };
    status?: { networkConfig?: Nic & { hostname?: string; additionNic?: Nic[] } };
  };
  const slot = dcsMachine.status?.networkConfig ?? {};
  const pool = await e2e.objects.read({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSIpHostnamePool',
    metadata: { name: dcsMachine.spec.ipHostPoolRef.name, namespace: v.namespace },
  });
  const entry = (
    pool as unknown as { spec: { pool: { ip: string; persistentDisk?: { path?: string }[] }[] } }
  ).spec.pool.find((candidate) => candidate.ip === slot.ip);
  const controlPlane = machine.metadata.labels?.[`${CAPI}/control-plane`] !== undefined;
  return {
    mounts: [
      ...(dcsMachine.spec.vmConfig?.dcsMachineDiskSpec ?? []).flatMap((d) =>
        d.path && !d.systemVolume ? [d.path] : [],
      ),
      ...(entry?.persistentDisk ?? []).flatMap((d) => (d.path ? [d.path] : [])),
    ],
    files: [
      '/etc/kubernetes/pki/kubelet.crt',
      '/etc/kubernetes/pki/kubelet.key',
      ...(controlPlane ? ['/etc/kubernetes/encryption-provider.conf'] : []),
    ],
    nics: [slot, ...(slot.additionNic ?? [])].flatMap((nic) =>
      nic.ip
        ? [
            {
              ip: nic.ip,
              prefix: prefixOf(nic.mask),
              gateway: nic.gateway,
              dns: nic.dns ? nic.dns.split(',').map((d) => d.trim()) : [],
            },
          ]
        : [],
    ),
    hostname: slot.hostname,
    tokens: ['PROVIDER_ID', 'NODE_IP'],
  };
}

const clusterVms = () => sim.state().vms.filter((vm) => vm.name.startsWith(`${v.namespace}-${v.name}-`));

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGp0ZXN0a2V5Zm9ydGhlZTJlc3VpdGVvbmx5bm90cmVhbA e2e';

/**
 * The draft as the wizard's steps leave it: basic info (credential, name, the
 * newest version the version ConfigMaps offer, the load balancer address, DRS
 * mutual exclusion), the control plane pool (its template; 3 replicas is the
 * fixed default), one worker pool of 3 on its template (the step's
 * `<cluster>-worker-1` name), and networking.
 */
async function fillDraft(context: { namespace: string; api: ReturnType<typeof testHostApi> }) {
  const draft: DcsClusterDraft = initialDraft();
  const newest = (await listVersions(context.api, context.namespace)).sort((a, b) =>
    compareVersions(b.kubernetesVersion, a.kubernetesVersion),
  )[0];
  Object.assign(draft, {
    credential: CREDENTIAL,
    name: v.name,
    displayName: 'end to end',
    kubernetesVersion: newest?.kubernetesVersion ?? '',
    distributionVersion: newest?.distributionVersion ?? '',
    apiServerAddress: `https://${v.endpoint.host}:${v.endpoint.port}`,
    controlPlaneHA: true,
  });
  draft.controlPlane = {
    ...draft.controlPlane,
    machineTemplate: machineTemplate(v.namespace, 'cp', KUBERNETES_FROM).metadata.name,
    sshAuthorizedKeys: [SSH_KEY],
  };
  draft.workers = [
    {
      ...newWorkerPool(v.name, 0),
      machineTemplate: machineTemplate(v.namespace, 'worker', KUBERNETES_FROM).metadata.name,
      sshAuthorizedKeys: [SSH_KEY],
    },
  ];
  draft.networking = { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' };
  return draft;
}

describe('a DCS cluster with the real Cluster API controllers, the DCS simulator and the workload-cluster simulator', () => {
  it('creates 3 control plane + 3 worker machines from the manifests the wizard generates and reaches Ready', async () => {
    for (const object of operatorPrerequisites({
      namespace: v.namespace,
      clusterName: v.name,
      subnet: v.subnet,
      simUrl: sim.url,
      authKey: AUTH_KEY,
      workerPoolSize: 5,
    }))
      await e2e.objects.create(object as KubernetesObject);

    // The wizard's data half, with the host's API as the browser side would have it.
    const context = { namespace: v.namespace, api: testHostApi(kubeConfig) };
    const draft = await fillDraft(context);
    expect(draft.kubernetesVersion).toBe(KUBERNETES_FROM);
    expect(draft.controlPlane.replicas).toBe(3);
    expect(draft.workers.map((w) => [w.replicas, w.maxSurge, w.maxUnavailable])).toEqual([[3, 0, 1]]);
    names = objectNames(draft);
    workerPool = draft.workers[0]?.name ?? '';
    e2e.probe.shape = { controlPlane: names.controlPlane, workerPool };
    expect(await workflowLogic.validate({ ...draft }, context)).toEqual([]);
    expect(await workflowLogic.warnings({ ...draft }, context)).toEqual([]);
    // What the review step shows and Create applies, in that order.
    const manifests = await workflowLogic.manifests({ ...draft }, context);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      `DCSCluster/${v.name}`,
      `DCSMachineTemplate/${names.controlPlaneTemplate}`,
      `KubeadmControlPlane/${names.controlPlane}`,
      `DCSMachineTemplate/${workerPool}-template`,
      `MachineDeployment/${workerPool}`,
      `KubeadmConfigTemplate/${workerPool}-kct`,
      `Cluster/${v.name}`,
    ]);

    const started = Date.now();
    for (const manifest of manifests) await e2e.objects.create(manifest as KubernetesObject);
    await e2e.probe.reachSettled('create to Ready', 3, KUBERNETES_FROM, started);

    expect(clusterVms().filter((vm) => vm.status === 'running')).toHaveLength(6);
    const workload = await e2e.probe.workloadApi();
    const nodes = (await workload.listNode()).items;
    expect(nodes.map((n) => n.spec?.providerID).sort()).toEqual(
      (await e2e.probe.list(infra('dcsmachines'))).map((m) => m.spec.providerID).sort(),
    );
    // The plugin's files, which the wizard's kubeadm configs take from its Secret, are in every node's
    // bootstrap data (Ignition's literal blocks end a file with exactly one newline).
    for (const machine of await e2e.probe.machines()) {
      const data = await kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespacedSecret({ namespace: v.namespace, name: machine.spec.bootstrap.dataSecretName });
      const files = bootstrapFiles(
        Buffer.from(data.data?.value ?? '', 'base64').toString(),
        Buffer.from(data.data?.format ?? '', 'base64').toString(),
      );
      const file = (path: string) => files.get(path)?.trimEnd();
      const controlPlane = machine.metadata.labels?.[`${CAPI}/control-plane`] !== undefined;
      const want = (key: keyof typeof KUBERNETES_FILES) => KUBERNETES_FILES[key].trimEnd();
      expect(
        file('/etc/kubernetes/patches/kubeletconfiguration0+strategic.json'),
        machine.metadata.name,
      ).toBe(want(controlPlane ? 'control-plane-kubelet-patch.json' : 'worker-kubelet-patch.json'));
      if (controlPlane) {
        expect(file('/etc/kubernetes/admission/psa-config.yaml')).toBe(want('psa-config.yaml'));
        expect(file('/etc/kubernetes/audit/policy.yaml')).toBe(want('audit-policy.yaml'));
      }
    }
    // Every machine booted with an Ignition that holds each documented piece (the check fails a boot otherwise).
    expect([...ignitionChecked].sort()).toEqual(
      (await e2e.probe.machines()).map((m) => m.metadata.name).sort(),
    );
    expect(e2e.workloads.bootFailures()).toEqual({});
    // The v1beta1 view (the documented manifests' version) reads the same state through the conversion webhook.
    const old = await e2e.probe.get(capiResource('clusters', 'v1beta1'), v.name);
    expect(old.status?.phase).toBe('Provisioned');
    expect(old.status?.controlPlaneReady).toBe(true);
  }, 1_000_000);

  it('scales the workers 3 -> 5 -> 2', async () => {
    for (const replicas of [5, 2]) {
      await e2e.probe.patch(capiResource('machinedeployments'), workerPool, { spec: { replicas } });
      await e2e.probe.waitFor(`MD ${replicas}/${replicas}`, () =>
        e2e.probe.settled(replicas, KUBERNETES_FROM),
      );
      await e2e.probe.waitFor(`${3 + replicas} VMs`, async () => clusterVms().length === 3 + replicas);
      const pool = await e2e.probe.get(infra('dcsiphostnamepools'), POOLS.worker);
      expect(pool.status?.used).toBe(replicas);
    }
  }, 1_000_000);

  // In the spirit of Cluster API's own e2e (owner references and finalizers resilience): strip them, and
  // the controllers that own them put them back, without touching the platform.
  it('puts back owner references and finalizers that were removed', async () => {
    const vms = await e2e.probe.ownershipResilience({
      infraKinds: [infra('dcsclusters'), infra('dcsmachines')],
      workers: 2,
      version: KUBERNETES_FROM,
      platformIds: () => clusterVms().map((vm) => vm.urn),
    });
    expect(vms.after).toEqual(vms.before);
  }, 1_000_000);

  it('upgrades (new DCSMachineTemplate and Kubernetes version) one machine at a time, re-attaching persistent disks', async () => {
    const diskOwners = () =>
      new Map(
        sim
          .state()
          .volumes.filter(
            (vol) => vol.name.startsWith(`${POOLS.cp}-`) || vol.name.startsWith(`${POOLS.worker}-`),
          )
          .map((vol) => [vol.name, vol.urn]),
      );
    const before = diskOwners();
    // The new release's version ConfigMap, files Secret and machine templates, as an operator adds them.
    for (const object of releaseObjects(v.namespace, KUBERNETES_TO))
      await e2e.objects.create(object as KubernetesObject);
    const cpTemplate = machineTemplate(v.namespace, 'cp', KUBERNETES_TO);
    const workerTemplate = machineTemplate(v.namespace, 'worker', KUBERNETES_TO);

    const { most } = await e2e.probe.upgrade({
      version: KUBERNETES_TO,
      templateKind: 'DCSMachineTemplate',
      controlPlaneTemplate: cpTemplate.metadata.name,
      workerTemplate: workerTemplate.metadata.name,
      workers: 2,
    });

    // maxSurge 0: never a fourth control plane machine, never a third worker.
    expect(most).toEqual({ cp: 3, worker: 2 });
    const vms = clusterVms();
    expect(vms).toHaveLength(5);
    // The same persistent volumes, now on the new VMs.
    const after = diskOwners();
    expect(after).toEqual(before);
    const cpPool = await e2e.probe.get(infra('dcsiphostnamepools'), POOLS.cp);
    for (const entry of cpPool.spec.pool) {
      const volume = sim
        .state()
        .volumes.find((vol) => vol.name === persistentVolumeName(POOLS.cp, entry.ip, 0));
      const holder = vms.find((vm) => vm.urn === volume?.vmUrn);
      expect(holder?.name).toBe(entry.machineName);
    }
    const workload = await e2e.probe.workloadApi();
    const versions = (await workload.listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion);
    expect(versions).toEqual(Array(5).fill(KUBERNETES_TO));
  }, 1_500_000);

  it('leaves no credential value in any log line, Event or condition after create, scale and upgrade', async () => {
    // The run logged in: there are tokens to look for, and the log has lines.
    expect(issuedTokens.size).toBeGreaterThan(0);
    expect(e2e.live.managerText().length).toBeGreaterThan(0);
    expect(await credentialLeaks()).toEqual([]);
  });

  it('deletes the cluster: every VM and non-persistent volume gone, every pool slot free', async () => {
    await e2e.probe.deleteCluster();
    // The paused global Cluster, a prerequisite, stays.
    expect((await e2e.probe.list(capiResource('clusters'))).map((c) => c.metadata.name)).toEqual(['global']);
    expect(clusterVms()).toEqual([]);
    expect(await e2e.probe.list(MACHINES)).toEqual([]);
    expect(await e2e.probe.list(infra('dcsmachines'))).toEqual([]);
    const persistent = new Set<string>();
    for (const pool of await e2e.probe.list(infra('dcsiphostnamepools'))) {
      expect(pool.status?.used ?? 0).toBe(0);
      for (const entry of pool.spec.pool)
        persistent.add(persistentVolumeName(pool.metadata.name, entry.ip, 0));
    }
    // Only the pool-owned persistent disks outlive the machines, each once and detached: every VM's
    // own disks (named after the VM's id, not the cluster) went with it.
    const left = sim.state().volumes.filter((volume) => !volumesBefore.has(volume.urn));
    expect(left.filter((volume) => !persistent.has(volume.name)).map((volume) => volume.name)).toEqual([]);
    expect(left.length).toBeGreaterThan(0);
    expect(mostRepeated(left.map((volume) => volume.name))).toBe(1);
    expect(left.filter((volume) => volume.status !== 'FREE')).toEqual([]);
    // Created once each: the site made as many volumes through the API as are left.
    expect(sim.state().creates.volumes).toBe(left.length);
    expect(sim.state().uploads.filter((u) => u.fileName.startsWith(v.name))).toEqual([]);
    // What Cluster API leaves to the management cluster's garbage collector goes too: the certificate,
    // kubeconfig and bootstrap Secrets, and the templates the Cluster became an owner of.
    await e2e.probe.awaitGarbageCollected(infra('dcsmachinetemplates'));
  }, 1_000_000);

  it('leaves no credential value in the log lines and Events of the delete either', async () => {
    expect(await credentialLeaks()).toEqual([]);
  });

  it("needed no permission beyond the Helm chart's, and the chart grants nothing it did not use", () => {
    // This cluster's load balancer is external: the alive ModuleInfo of a self-built VIP is created
    // only for type internal, on a platform that serves the module kinds (test/provider/self-built-vip.test.ts).
    const alive = 'self-built VIP (type internal) only';
    expect(e2e.permissionProblems(aliveModuleGrantsNotExercised(alive))).toEqual([]);
  });
});

/**
 * Where a credential value (the DCS key, the SHA-256 of it that DCS logs in with, its base64, a
 * session token) appears in the manager's log, an Event of the namespace, or a condition of any
 * object the controllers wrote (issue 15 item 6). Each hit names the place and the form found.
 */
async function credentialLeaks(): Promise<string[]> {
  const forms: Record<string, string> = {
    key: AUTH_KEY,
    'key SHA-256': createHash('sha256').update(AUTH_KEY).digest('hex'),
    'key base64': Buffer.from(AUTH_KEY).toString('base64'),
  };
  for (const token of issuedTokens) forms[`session token ${token.slice(0, 4)}…`] = token;
  return e2e.probe.credentialLeaks(forms, { 'manager log': e2e.live.managerText() }, [
    capiResource('clusters'),
    MACHINES,
    infra('dcsclusters'),
    infra('dcsmachines'),
    infra('dcsiphostnamepools'),
  ]);
}
