import { fileURLToPath } from 'node:url';
import {
  aliveModuleGrantsNotExercised,
  capiResource,
  infraResource as infra,
  type LooseObject,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  type ClusterValues,
  clusterManifests,
  hostnameOf,
  KUBERNETES_FROM,
  KUBERNETES_TO,
  machineTemplate,
  objectNames,
  PASSWORD,
  POOLS,
  prerequisites,
  startVcsim,
  TEMPLATES,
  USERNAME,
  type Vcsim,
} from '@immutable-infra/vcsim';
import {
  bootstrapFiles,
  type ClusterE2e,
  type InfraMachineView,
  type MachineView,
  startClusterE2e,
} from '@immutable-infra/workload-sim';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import {
  cpiConfigMap,
  cpiImage,
  cpiImageTag,
  cpiManifestsConfigMap,
  cpiNames,
  cpiResourceSet,
} from '../../src/api/index.js';
import { type MoRef, VsphereClient, VsphereSession } from '../../src/cloud/index.js';
import { createVsphereProvider } from '../../src/provider.js';

const MACHINES = capiResource('machines');
let vcsim: Vcsim;
let e2e: ClusterE2e;
let v: ClusterValues;
let reader: VsphereClient;
const names = objectNames('e2e');
/** VMs (by BIOS UUID) seen booted with their Machine's bootstrap data: it leaves guestinfo after join. */
const booted = new Set<string>();
/** VMs whose guestinfo did not carry their Machine's bootstrap data, with what differed. */
const undelivered = new Map<string, string>();

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  const namespace = await createTestNamespace(kubeConfig, 'e2e');
  // A loopback /24 of its own (the DCS and HCS suites draw from 127.20-249.x): node addresses, the VIP.
  const subnet = `127.${250 + (process.pid % 5)}.${Math.floor(process.pid / 5) % 250}`;
  vcsim = await startVcsim({
    documentedNames: true,
    username: USERNAME,
    password: PASSWORD,
    extraTemplates: [TEMPLATES[KUBERNETES_TO]],
  });
  v = {
    namespace,
    cluster: 'e2e',
    subnet,
    server: new URL(vcsim.server).host,
    thumbprint: vcsim.sha1Thumbprint,
    workerPoolSize: 5,
    workers: 3,
  };
  reader = new VsphereClient(
    new VsphereSession({
      server: vcsim.server,
      username: USERNAME,
      password: PASSWORD,
      caCertificate: vcsim.caCertificate,
    }),
  );
  e2e = await startClusterE2e({
    kubeConfig,
    namespace,
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    logName: 'vsphere-e2e',
    providerLabel: 'vSphere',
    providers: [createVsphereProvider()],
    // The manager as the Helm chart installs it: its arguments and its ServiceAccount's permissions.
    chart: { path: fileURLToPath(new URL('../../charts/cluster-api-provider-vsphere', import.meta.url)) },
    auditLogPath: inject('iinfraAuditLogPath'),
    cluster: v.cluster,
    isBooted,
  });
  e2e.probe.shape = { controlPlane: names.controlPlane, workerPool: names.workerPool };
  e2e.live.say(`subnet ${subnet}.0/24, vcsim ${vcsim.server}`);
}, 300_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  // A passing run leaves no live logs behind; a failing one keeps them for its diagnostics.
  await e2e?.stop({ keepLogs: anyTestFailed(suite) });
  await reader?.session.close();
  await vcsim?.stop();
}, 120_000);

/** A VM's power state and guestinfo, read with our client from a session of its own. */
async function vmState(vmRef: string) {
  const [read] = await reader.properties(
    [{ type: 'VirtualMachine', value: vmRef } as MoRef],
    ['name', 'runtime.powerState', 'config.extraConfig', 'config.uuid'],
  );
  if (!read || read.gone) return undefined;
  const options = (read.properties['config.extraConfig'] ?? []) as { key?: string; value?: unknown }[];
  const extra = new Map(options.map((o) => [String(o.key), String(o.value ?? '')]));
  return {
    name: String(read.properties.name),
    power: String(read.properties['runtime.powerState']),
    uuid: String(read.properties['config.uuid']),
    userData: Buffer.from(extra.get('guestinfo.userdata') ?? '', 'base64').toString(),
  };
}

/**
 * vSphere: the VM is powered on and its guestinfo carries the Machine's bootstrap data: every file
 * of the bootstrap Secret at its path with the same content (PROVIDER_ID and NODE_IP replaced as
 * the provider must), and the same kubeadm commands.
 */
async function isBooted(machine: MachineView, infraMachine: InfraMachineView): Promise<boolean> {
  const status = infraMachine.status as
    | { vmRef?: string; biosUUID?: string; addresses?: LooseObject[] }
    | undefined;
  const secretName = machine.spec.bootstrap?.dataSecretName;
  if (!status?.vmRef || !secretName) return false;
  if (status.biosUUID && booted.has(status.biosUUID)) return true;
  const vm = await vmState(status.vmRef);
  if (vm?.power !== 'poweredOn') return false;
  const secret = await e2e.probe.core.readNamespacedSecret({ namespace: v.namespace, name: secretName });
  const ip = status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
  const problem = deliveryProblem(
    vm.userData,
    Buffer.from(secret.data?.value ?? '', 'base64').toString(),
    `vsphere://${vm.uuid}`,
    ip,
  );
  if (problem && undelivered.get(vm.name) !== problem) e2e.live.say(`${vm.name}: ${problem}`);
  if (problem) undelivered.set(vm.name, problem);
  else {
    undelivered.delete(vm.name);
    booted.add(vm.uuid);
  }
  return problem === undefined;
}

function deliveryProblem(
  userData: string,
  bootstrap: string,
  providerID: string,
  ip: string,
): string | undefined {
  const substituted = bootstrap.replaceAll('PROVIDER_ID', providerID).replaceAll('NODE_IP', ip);
  const delivered = bootstrapFiles(userData, 'cloud-config');
  const wanted = bootstrapFiles(substituted, 'cloud-config');
  if (wanted.size === 0) return 'the bootstrap Secret has no files';
  for (const [path, content] of wanted)
    if (delivered.get(path) !== content) return `${path} missing or different in guestinfo.userdata`;
  const runcmd = (text: string) => JSON.stringify((parse(text) as { runcmd?: unknown }).runcmd ?? null);
  if (runcmd(userData) !== runcmd(substituted)) return 'runcmd differs from the bootstrap data';
  return undefined;
}

/** The cluster's VMs as govc (govmomi's own client) lists them: name by inventory path. */
async function clusterVms(): Promise<string[]> {
  const found = await vcsim.govc('find', '/dc-a/vm', '-type', 'm', '-name', '*-0*');
  return found
    .split('\n')
    .filter(Boolean)
    .map((path) => path.slice(path.lastIndexOf('/') + 1))
    .sort();
}

/**
 * The clones vcsim was asked for (its VmBeingClonedEvent, 1,000 at most) that match: `to cp-01 `
 * (the VM made) or `Cloning <template> ` (the source; vcsim names a renamed template by its first
 * name, so the documented template shows as the name vcsim gave it).
 */
async function clones(match: RegExp): Promise<number> {
  const events = await vcsim.govc('events', '-n', '1000', '-type', 'VmBeingClonedEvent', '/');
  return events.split('\n').filter((line) => match.test(line)).length;
}
const TO_CLUSTER_VM = / to (cp|worker)-\d\d on host /;

/** The VMs in the cluster's control plane anti-affinity rule (govc), none when there is no rule. */
async function antiAffinityVms(): Promise<string[]> {
  const rule = `iinfra-${v.namespace}-${v.cluster}-control-plane`;
  const listed = await vcsim
    .govc('cluster.rule.ls', '-cluster', '/dc-a/host/compute-a', '-name', rule)
    .catch(() => '');
  return listed.split('\n').filter(Boolean).sort();
}

/** The documented CPI delivery for this cluster: its two ConfigMaps and the ClusterResourceSet. */
function cpiDelivery(): Record<string, unknown>[] {
  return [
    cpiConfigMap(v.cluster, v.namespace, { server: v.server, datacenters: ['dc-a'] }),
    cpiManifestsConfigMap(v.cluster, v.namespace, cpiImage(undefined, cpiImageTag(KUBERNETES_FROM))),
    cpiResourceSet(v.cluster, v.namespace),
  ];
}

const addressOf = (machine: LooseObject) =>
  machine.status?.addresses?.find((a: LooseObject) => a.type === 'InternalIP')?.address;

describe('a vSphere cluster with the real Cluster API controllers, vcsim and the workload-cluster simulator', () => {
  it('creates 3 control plane + 3 worker machines from the documented manifests and reaches Ready at the endpoint', async () => {
    for (const object of prerequisites(v)) await e2e.objects.create(object as KubernetesObject);
    const started = Date.now();
    // The documented CPI delivery, before the Cluster its ClusterResourceSet selects; its Secret
    // (the vCenter account) is the provider's to make from the identity.
    for (const object of cpiDelivery()) await e2e.objects.create(object as KubernetesObject);
    for (const object of clusterManifests(v)) await e2e.objects.create(object as KubernetesObject);
    await e2e.probe.reachSettled('create to Ready', 3, KUBERNETES_FROM, started);

    const cluster = await e2e.probe.get(capiResource('clusters'), v.cluster);
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: `${v.subnet}.100`, port: 6443 });
    const workload = await e2e.probe.workloadApi();

    // Six VMs named by their slots, with the slots' addresses, one per machine.
    expect(await clusterVms()).toEqual(
      [1, 2, 3].flatMap((n) => [hostnameOf('cp', n), hostnameOf('worker', n)]).sort(),
    );
    const machines = await e2e.probe.list(infra('vspheremachines'));
    expect(machines).toHaveLength(6);
    for (const machine of machines) {
      const vm = await vmState(machine.status?.vmRef);
      expect(machine.spec.providerID).toBe(`vsphere://${vm?.uuid}`);
      expect(vm?.name).toBe(
        machine.status?.addresses?.find((a: LooseObject) => a.type === 'Hostname')?.address,
      );
    }
    const nodes = (await workload.listNode()).items;
    expect(nodes.map((n) => n.spec?.providerID).sort()).toEqual(
      machines.map((m) => m.spec.providerID).sort(),
    );
    expect(undelivered).toEqual(new Map());
    const cpPool = await e2e.probe.get(infra('vspheremachineconfigpools'), POOLS.cp);
    expect(cpPool.status?.consumerRef).toMatchObject({
      kind: 'KubeadmControlPlane',
      name: names.controlPlane,
    });
    const workerPool = await e2e.probe.get(infra('vspheremachineconfigpools'), POOLS.worker);
    expect(workerPool.status?.consumerRef).toMatchObject({
      kind: 'MachineDeployment',
      name: names.workerPool,
    });
    // The control plane VMs are kept on different hosts.
    await e2e.probe.waitFor(
      'control plane anti-affinity rule',
      async () => (await antiAffinityVms()).length === 3,
    );
    expect(await antiAffinityVms()).toEqual(['cp-01', 'cp-02', 'cp-03']);
    // One clone per machine, none asked twice.
    expect(await clones(TO_CLUSTER_VM)).toBe(6);
  }, 1_000_000);

  it("delivers the vSphere CPI through Cluster API's ClusterResourceSet controller, with the account the provider made", async () => {
    const workload = await e2e.probe.workloadApi();
    const applied = async () => {
      const [config, account, serviceAccount] = await Promise.all([
        workload
          .readNamespacedConfigMap({ namespace: 'kube-system', name: 'cloud-config' })
          .catch(() => undefined),
        workload
          .readNamespacedSecret({ namespace: 'kube-system', name: 'vsphere-cloud-secret' })
          .catch(() => undefined),
        workload
          .readNamespacedServiceAccount({ namespace: 'kube-system', name: 'cloud-controller-manager' })
          .catch(() => undefined),
      ]);
      return config && account && serviceAccount ? { config, account } : undefined;
    };
    await e2e.probe.waitFor(
      'the CPI objects in the workload cluster',
      async () => (await applied()) !== undefined,
    );
    const { config, account } = (await applied()) as NonNullable<Awaited<ReturnType<typeof applied>>>;
    // vcsim listens on host:port; the CPI names the vCenter by its host and keeps the port in its section.
    const [host, port] = v.server.split(':');
    expect(config.data?.['vsphere.conf']).toContain(`[VirtualCenter "${host}"]\nport = "${port}"`);
    // The account the provider wrote from the identity Secret (compared, never printed).
    const decoded = (key: string) => Buffer.from(account.data?.[key] ?? '', 'base64').toString('utf8');
    expect(decoded(`${host}.username`)).toBe(USERNAME);
    expect(decoded(`${host}.password`) === PASSWORD).toBe(true);
    // Cluster API records what it applied to this cluster, and from which resource set.
    const binding = await e2e.probe.get(
      ['addons.cluster.x-k8s.io', 'v1beta2', 'clusterresourcesetbindings'],
      v.cluster,
    );
    const resources = (binding.spec?.bindings ?? []).flatMap((b: LooseObject) =>
      b.clusterResourceSetName === cpiNames(v.cluster).resourceSet ? (b.resources ?? []) : [],
    );
    expect(resources.map((r: LooseObject) => `${r.kind}/${r.name}:${r.applied}`).sort()).toEqual(
      [
        `ConfigMap/${cpiNames(v.cluster).config}:true`,
        `ConfigMap/${cpiNames(v.cluster).manifests}:true`,
        `Secret/${cpiNames(v.cluster).secret}:true`,
      ].sort(),
    );
  }, 1_000_000);

  it('scales the workers 3 -> 5 -> 2: slots released with their disks kept, VMs destroyed', async () => {
    for (const replicas of [5, 2]) {
      await e2e.probe.patch(capiResource('machinedeployments'), names.workerPool, { spec: { replicas } });
      await e2e.probe.waitFor(`MD ${replicas}/${replicas}`, () =>
        e2e.probe.settled(replicas, KUBERNETES_FROM),
      );
      await e2e.probe.waitFor(
        `${3 + replicas} VMs`,
        async () => (await clusterVms()).length === 3 + replicas,
      );
      const pool = await e2e.probe.get(infra('vspheremachineconfigpools'), POOLS.worker);
      const inUse = (pool.status?.configStatuses ?? []).filter((s: LooseObject) => s.state === 'InUse');
      expect(inUse).toHaveLength(replicas);
    }
    const pool = await e2e.probe.get(infra('vspheremachineconfigpools'), POOLS.worker);
    expect(
      (pool.status?.configStatuses ?? []).filter((s: LooseObject) => s.state === 'Released'),
    ).toHaveLength(3);
    // The released slots' disks stay on the datastore for the next machines.
    const files = await vcsim.govc(
      'datastore.ls',
      '-dc',
      'dc-a',
      '-ds',
      'datastore-worker',
      '-R',
      `iinfra-persistent/${v.namespace}/${POOLS.worker}`,
    );
    expect(files.match(/var-cpaas\.vmdk/g)).toHaveLength(5);
  }, 1_000_000);

  it('upgrades (new VSphereMachineTemplate and Kubernetes version) one machine at a time, each replacement taking its slot and disk', async () => {
    const cpBefore = (await e2e.probe.list(infra('vspheremachines'), 'cluster.x-k8s.io/control-plane'))
      .map(addressOf)
      .sort();
    const cpTemplate = machineTemplate(v, 'cp', KUBERNETES_TO);
    const workerTemplate = machineTemplate(v, 'worker', KUBERNETES_TO);
    for (const template of [cpTemplate, workerTemplate])
      await e2e.objects.create(template as KubernetesObject);

    const { most } = await e2e.probe.upgrade({
      version: KUBERNETES_TO,
      templateKind: 'VSphereMachineTemplate',
      controlPlaneTemplate: cpTemplate.metadata.name,
      workerTemplate: workerTemplate.metadata.name,
      workers: 2,
    });
    // maxSurge 0: never a fourth control plane machine, never a third worker.
    expect(most).toEqual({ cp: 3, worker: 2 });
    expect(await clusterVms()).toHaveLength(5);
    // Five VMs cloned from the new release's template; the control plane kept its addresses (slots).
    expect(await clones(new RegExp(`Cloning ${TEMPLATES[KUBERNETES_TO]} `))).toBe(5);
    expect(await clones(TO_CLUSTER_VM)).toBe(6 + 2 + 5);
    const cpAfter = (await e2e.probe.list(infra('vspheremachines'), 'cluster.x-k8s.io/control-plane'))
      .map(addressOf)
      .sort();
    expect(cpAfter).toEqual(cpBefore);
    expect(undelivered).toEqual(new Map());
    const workload = await e2e.probe.workloadApi();
    const versions = (await workload.listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion);
    expect(versions).toEqual(Array(5).fill(KUBERNETES_TO));
  }, 1_500_000);

  it('leaves no password in any log line, Event or condition', async () => {
    expect(e2e.live.managerText().length).toBeGreaterThan(0);
    expect(
      await e2e.probe.credentialLeaks(
        { password: PASSWORD, 'password base64': Buffer.from(PASSWORD).toString('base64') },
        { 'manager log': e2e.live.managerText() },
        [
          capiResource('clusters'),
          MACHINES,
          infra('vsphereclusters'),
          infra('vspheremachines'),
          infra('vspheremachineconfigpools'),
        ],
      ),
    ).toEqual([]);
  });

  it('deletes the cluster: no VM left in vcsim, every slot released with its disk kept', async () => {
    await e2e.probe.deleteCluster();
    expect(await e2e.probe.list(MACHINES)).toEqual([]);
    expect(await e2e.probe.list(infra('vspheremachines'))).toEqual([]);
    expect(await clusterVms()).toEqual([]);
    // The control plane's DRS rule went with the cluster.
    expect(await vcsim.govc('cluster.rule.ls', '-cluster', '/dc-a/host/compute-a')).not.toContain(
      `iinfra-${v.namespace}-${v.cluster}`,
    );
    for (const pool of await e2e.probe.list(infra('vspheremachineconfigpools')))
      expect((pool.status?.configStatuses ?? []).filter((s: LooseObject) => s.state === 'InUse')).toEqual([]);
    await e2e.probe.awaitGarbageCollected(infra('vspheremachinetemplates'));
  }, 1_000_000);
  it("needed no permission beyond the Helm chart's, and the chart grants nothing it did not use", () => {
    expect(
      e2e.permissionProblems({
        // This cluster's load balancer is external: the alive ModuleInfo is made only for a
        // self-built VIP (type internal) on a platform serving the module kinds (self-built-vip.test.ts).
        ...aliveModuleGrantsNotExercised('self-built VIP (type internal) only'),
        // This cluster's addresses come from its config pools; machine-lifecycle.test.ts claims from IPAM pools.
        'ipam.cluster.x-k8s.io ipaddressclaims get': 'addressesFromPools',
        'ipam.cluster.x-k8s.io ipaddressclaims create': 'addressesFromPools',
        'ipam.cluster.x-k8s.io ipaddressclaims patch': 'addressesFromPools',
        'ipam.cluster.x-k8s.io ipaddressclaims delete': 'addressesFromPools',
        'ipam.cluster.x-k8s.io ipaddresses get': 'addressesFromPools',
      }),
    ).toEqual([]);
  });
});
