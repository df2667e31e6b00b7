import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementalCrdFiles } from '@immutable-infra/baremetal-sim';
import { type DcsSimulator, defaultInventory, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import {
  bindToThisProcess,
  type ClusterApiControllers,
  createManagementPlane,
  freePort,
  MANAGEMENT_CONTROLLERS,
  type ManagementPlane,
  startClusterApiControllers,
  yamlFilesIn,
} from '@immutable-infra/management-plane';
import { createLogger, Manager } from '@immutable-infra/manager';
import { createDcsProvider } from '@immutable-infra/provider-dcs';
import { startWorkloadSimulator, type WorkloadSimulator } from '@immutable-infra/workload-sim';
import { CoreV1Api, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  BAREMETAL_CLUSTER,
  BAREMETAL_PACKAGE_DIR,
  BAREMETAL_RELEASES,
  type BaremetalDemoPart,
  startBaremetalDemoPart,
} from './baremetal-demo.ts';
import {
  HCS_CREDENTIAL,
  HCS_RELEASES,
  HCS_SECURITY_GROUP,
  HCS_SUBNET,
  HCS_TEMPLATES,
  HCS_VPC,
  type HcsDemoPart,
  startHcsDemoPart,
} from './hcs-demo.ts';
import {
  DEMO_NAMESPACE,
  machineTemplateName,
  releaseObjects,
  seedObjects,
  UPGRADE_RELEASE,
} from './seed-objects.ts';
import { createSignInToken } from './sign-in-token.ts';
import { startVsphereDemoPart, VSPHERE_CLUSTER, type VsphereDemoPart } from './vsphere-demo.ts';

export interface DemoOptions {
  /** Port of the Fleet Essentials UI on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Run the vSphere provider (against vcsim) next to DCS, in the same manager and Fleet Essentials. */
  vsphere?: boolean;
  /** Run the Huawei Cloud Stack provider (against hcs-sim) next to DCS, in the same manager and Fleet Essentials. */
  hcs?: boolean;
  /** Run the bare-metal provider (against baremetal-sim's hosts) next to DCS, in the same manager and Fleet Essentials. */
  baremetal?: boolean;
  progress: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  kubeconfigPath: string;
  /** File holding the bearer token to sign in with (mode 0600). */
  tokenFile: string;
  namespace: string;
  /** An address for the wizard's "API server address": a free loopback port the workload simulator can serve. */
  apiServerAddress: string;
  /** Where the manager's and the workload simulator's logs go (removed on stop). */
  logDir: string;
  /** The newer release the wizard does not offer yet, and how the operator offers it for upgrades. */
  upgradeRelease: UpgradeRelease;
  /** With `vsphere`: vcsim, and the documented vSphere cluster the operator applies. */
  vsphere?: VsphereDemo;
  /** With `hcs`: hcs-sim, and what the HCS wizard is given. */
  hcs?: HcsDemo;
  /** With `baremetal`: the simulated hosts, and the documented bare-metal cluster the operator applies. */
  baremetal?: BaremetalDemo;
  stop(): Promise<void>;
}

export interface BaremetalDemo {
  /** The registered hosts' MachineInventory names (control plane pool, then worker pool). */
  hosts: string[];
  /** The MachineInventoryPools, control plane then workers. */
  pools: [string, string];
  /** The image catalog's versions: the cluster is created at the first, upgraded to the second. */
  kubernetesVersion: string;
  upgradeVersion: string;
  cluster: string;
  vipAddress: string;
  /** The cluster's objects (a `v1` List) and the command that applies them. */
  clusterFile: string;
  command: string[];
}

export interface HcsDemo {
  /** hcs-sim's URL (its inspection endpoint is `/_sim/state`). */
  sim: string;
  credential: string;
  /** The machine templates seeded for the wizard, control plane then worker. */
  machineTemplates: [string, string];
  vpc: string;
  subnet: string;
  securityGroup: string;
  /** A control plane VIP in the subnet that the workload simulator can serve. */
  vipAddress: string;
  /** The version the wizard creates (its release ConfigMap is seeded), and the one the upgrade offers. */
  kubernetesVersion: string;
  upgradeVersion: string;
}

export interface VsphereDemo {
  /** vcsim's URL (its inventory named as the product documentation's manifests name it). */
  vcenter: string;
  credential: string;
  cluster: string;
  /** The cluster's objects (a `v1` List) and the command that applies them. */
  clusterFile: string;
  command: string[];
  /** The next release's machine templates (applied with the cluster), for a node pool upgrade. */
  upgradeTemplates: [string, string];
}

export interface UpgradeRelease {
  kubernetesVersion: string;
  /** Machine templates the release brings, control plane then worker. */
  machineTemplates: [string, string];
  /** A `v1` List of the release's objects (version ConfigMap, files Secret, machine templates). */
  file: string;
  /** The command that applies it, as argv (the kubectl built with the test environment when there is one). */
  command: string[];
}

const providerDir = dirname(fileURLToPath(import.meta.resolve('@immutable-infra/provider-dcs/package.json')));
const hcsDir = dirname(fileURLToPath(import.meta.resolve('@immutable-infra/provider-hcs/package.json')));
const vsphereDir = dirname(
  fileURLToPath(import.meta.resolve('@immutable-infra/provider-vsphere/package.json')),
);

/**
 * Starts every part of the demo in this process tree, in dependency order;
 * whatever started is stopped again if a later part fails. Each child process
 * is tied to this one by the management plane's watchdog, so even a SIGKILL leaves none.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const say = options.progress;
  const stateDir = await mkdtemp(join(tmpdir(), 'iinfra-demo-'));
  // Removes the directory if this process dies without stopping.
  const releaseDir = bindToThisProcess([], stateDir);
  const stops: { what: string; stop: () => Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const { what, stop } of stops.reverse()) {
      say(`stopping ${what}`);
      await stop().catch((error: unknown) => say(`stopping ${what}: ${String(error)}`));
    }
    stops.length = 0;
    await rm(stateDir, { recursive: true, force: true });
    releaseDir();
  };

  try {
    const plane: ManagementPlane = await createManagementPlane({
      name: 'iinfra-demo',
      crdFiles: [
        ...(await yamlFilesIn(join(providerDir, 'crds'))),
        ...(options.vsphere ? await yamlFilesIn(join(vsphereDir, 'crds')) : []),
        ...(options.hcs ? await yamlFilesIn(join(hcsDir, 'crds')) : []),
        ...(options.baremetal
          ? [...(await yamlFilesIn(join(BAREMETAL_PACKAGE_DIR, 'crds'))), ...elementalCrdFiles()]
          : []),
      ],
      // As in a real management cluster: the garbage collector removes what Cluster API leaves to it when
      // a cluster is deleted (certificates, bootstrap data, templates the cluster owned).
      controllers: MANAGEMENT_CONTROLLERS,
      onProgress: (message) => say(`management plane: ${message}`),
    });
    stops.push({ what: 'the management plane', stop: () => plane.controlPlane.stop() });
    const { kubeConfig, assets } = plane;
    const kubeconfigPath = plane.controlPlane.kubeconfigPath;

    const capi: ClusterApiControllers = await startClusterApiControllers(kubeConfig, {
      assets,
      kubeconfigPath,
      // A short sync period keeps the waits that are not watch-driven short.
      extraArgs: {
        core: ['--sync-period=1m'],
        'kubeadm-bootstrap': ['--sync-period=1m'],
        'kubeadm-control-plane': ['--sync-period=1m', '--etcd-dial-timeout-duration=3s'],
      },
      onProgress: (message) => say(`cluster api: ${message}`),
    });
    stops.push({ what: 'the Cluster API controllers', stop: () => capi.stop() });

    say('starting the DCS simulator');
    const inventory = defaultInventory();
    const user = inventory.users[0];
    if (!user) throw new Error('the DCS simulator inventory has no user');
    const sim: DcsSimulator = await startDcsSimulator({ inventory });
    stops.push({ what: 'the DCS simulator', stop: () => sim.close() });
    say(`DCS simulator at ${sim.url} (site ${inventory.site.id})`);

    // Loopback /24s of their own per run (node addresses, the control plane endpoint), so two demos
    // (or a demo and the e2e tests) never share addresses.
    const subnet = `127.88.${process.pid % 250}`;
    const vsphereSubnet = `127.89.${process.pid % 250}`;
    let vsphere: VsphereDemoPart | undefined;
    if (options.vsphere) {
      say('starting vcsim (the vSphere simulator; built once by tools/vcsim/ensure.sh)');
      vsphere = await startVsphereDemoPart({ namespace: DEMO_NAMESPACE, subnet: vsphereSubnet, stateDir });
      stops.push({ what: 'vcsim', stop: () => (vsphere as VsphereDemoPart).stop() });
      say(`vcsim at ${vsphere.vcsim.server}`);
    }

    let hcs: HcsDemoPart | undefined;
    if (options.hcs) {
      say('starting hcs-sim (the Huawei Cloud Stack simulator)');
      hcs = await startHcsDemoPart({ namespace: DEMO_NAMESPACE, subnet: `127.90.${process.pid % 250}` });
      stops.push({ what: 'hcs-sim', stop: () => (hcs as HcsDemoPart).stop() });
      say(`hcs-sim at ${hcs.sim.url}`);
    }
    // The hosts register as MachineInventories in the namespace the cluster goes to.
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: DEMO_NAMESPACE } } });
    let baremetal: BaremetalDemoPart | undefined;
    if (options.baremetal) {
      say('registering baremetal-sim hosts (the simulated elemental side)');
      baremetal = await startBaremetalDemoPart({
        kubeConfig,
        namespace: DEMO_NAMESPACE,
        subnet: `127.91.${process.pid % 250}`,
        stateDir,
      });
      stops.push({ what: 'the baremetal-sim hosts', stop: () => (baremetal as BaremetalDemoPart).stop() });
      say(`${baremetal.hosts.length} bare-metal hosts registered`);
    }
    const providerNames = [
      'DCS',
      ...(vsphere ? ['vSphere'] : []),
      ...(hcs ? ['HCS'] : []),
      ...(baremetal ? ['bare-metal'] : []),
    ];
    const named = (what: string) =>
      providerNames.length === 1 ? `the DCS ${what}` : `the ${providerNames.join(', ')} ${what}s`;

    const managerLog = createWriteStream(join(stateDir, 'manager.log'));
    say(`starting the manager with ${named('provider')}`);
    const manager = new Manager({
      kubeConfig,
      providers: [
        createDcsProvider(),
        ...(vsphere ? [vsphere.provider] : []),
        ...(hcs ? [hcs.provider] : []),
        ...(baremetal ? [baremetal.provider] : []),
      ],
      log: createLogger({ level: 'info', destination: managerLog }),
    });
    void manager.start();
    stops.push({
      what: 'the manager',
      stop: async () => {
        await manager.stop();
        managerLog.end();
      },
    });

    say('starting the workload-cluster simulator');
    const workloadLog = createWriteStream(join(stateDir, 'workload-sim.log'));
    const workloads: WorkloadSimulator = await startWorkloadSimulator({
      kubeConfig,
      assets,
      log: (line) => workloadLog.write(`${new Date().toISOString()} ${line}\n`),
      isBooted: (machine, infra) => {
        // A vSphere VM has booted with its bootstrap data once it runs with it in guestinfo.
        if (machine.spec.infrastructureRef.kind === 'VSphereMachine')
          return vsphere ? vsphere.isBooted(infra) : false;
        if (machine.spec.infrastructureRef.kind === 'HCSMachine') return hcs ? hcs.isBooted(infra) : false;
        // A host has booted with its bootstrap data once its agent applied the reprovision plan.
        if (machine.spec.infrastructureRef.kind === 'BaremetalMachine')
          return baremetal ? baremetal.isBooted(infra) : false;
        // A DCS VM has booted with its bootstrap data once it runs with the Ignition ISO attached.
        const vmName = (infra.status as { networkConfig?: { machineName?: string } } | undefined)
          ?.networkConfig?.machineName;
        const vm = sim.state().vms.find((candidate) => candidate.name === vmName);
        return vm?.status === 'running' && vm.cdRomStatus === 'attached';
      },
    });
    stops.push({
      what: 'the workload-cluster simulator',
      stop: async () => {
        await workloads.stop();
        workloadLog.end();
      },
    });

    say(
      `seeding ${DEMO_NAMESPACE}: credential, version ConfigMap, IP pools, machine templates, global Cluster`,
    );
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    for (const object of seedObjects({
      dcsEndpoint: sim.url,
      dcsUser: user.name,
      dcsPassword: user.password,
      subnet,
    })) {
      await objects.create(object as KubernetesObject);
    }
    if (vsphere) {
      say(`seeding ${DEMO_NAMESPACE} for vSphere: credential, config pools, machine templates`);
      for (const object of vsphere.seeds) await objects.create(object as KubernetesObject);
    }
    if (hcs) {
      say(
        `seeding ${DEMO_NAMESPACE} for HCS: credential, config pools, machine templates, release ConfigMaps`,
      );
      for (const object of hcs.seeds) await objects.create(object as KubernetesObject);
    }
    if (baremetal) {
      say(`seeding ${DEMO_NAMESPACE} for bare metal: image catalog, MachineInventoryPools`);
      for (const object of baremetal.seeds) await objects.create(object as KubernetesObject);
    }
    // The newer release waits in a file for the operator: offered from the start, it would be the only
    // version the wizard creates, and a wizard-made cluster would have nothing to upgrade to.
    const releaseFile = join(stateDir, `kubernetes-${UPGRADE_RELEASE.kubernetesVersion}.json`);
    await writeFile(
      releaseFile,
      `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: releaseObjects(UPGRADE_RELEASE) }, null, 2)}\n`,
    );
    const kubectl = join(assets.binDir, 'kubectl');
    const upgradeRelease: UpgradeRelease = {
      kubernetesVersion: UPGRADE_RELEASE.kubernetesVersion,
      machineTemplates: [
        machineTemplateName('control-plane', UPGRADE_RELEASE.kubernetesVersion),
        machineTemplateName('worker', UPGRADE_RELEASE.kubernetesVersion),
      ],
      file: releaseFile,
      command: [
        existsSync(kubectl) ? kubectl : 'kubectl',
        '--kubeconfig',
        kubeconfigPath,
        'apply',
        '-f',
        releaseFile,
      ],
    };

    const tokenFile = join(stateDir, 'sign-in-token');
    await writeFile(tokenFile, `${await createSignInToken(kubeConfig, DEMO_NAMESPACE)}\n`, { mode: 0o600 });

    say(`starting Fleet Essentials with ${named('extension')}`);
    // The HCS platform proxy runs in this process: the regional service names resolve to hcs-sim.
    if (hcs) process.env.IINFRA_HCS_GATEWAY_ADDRESS = hcs.gatewayAddress;
    const fleet = await createFleetServer({
      kubeConfig,
      // A package that ships no UI extension is listed as not loaded, and the rest works without it.
      extensionPackages: [
        providerDir,
        ...(vsphere ? [vsphereDir] : []),
        ...(hcs ? [hcsDir] : []),
        ...(baremetal ? [BAREMETAL_PACKAGE_DIR] : []),
      ],
    });
    stops.push({ what: 'Fleet Essentials', stop: () => fleet.close() });
    const address = await fleet.app.listen({ port: options.port, host: '127.0.0.1' });

    return {
      url: address,
      kubeconfigPath,
      tokenFile,
      namespace: DEMO_NAMESPACE,
      apiServerAddress: `https://${subnet}.1:${await freePort()}`,
      logDir: stateDir,
      upgradeRelease,
      ...(vsphere
        ? {
            vsphere: {
              vcenter: vsphere.vcsim.server,
              credential: vsphere.credential,
              cluster: VSPHERE_CLUSTER,
              clusterFile: vsphere.clusterFile,
              command: [
                upgradeRelease.command[0] as string,
                '--kubeconfig',
                kubeconfigPath,
                'apply',
                '-f',
                vsphere.clusterFile,
              ],
              upgradeTemplates: vsphere.upgradeTemplates,
            },
          }
        : {}),
      ...(hcs
        ? {
            hcs: {
              sim: hcs.sim.url,
              credential: HCS_CREDENTIAL,
              machineTemplates: [HCS_TEMPLATES.controlPlane, HCS_TEMPLATES.worker] as [string, string],
              vpc: HCS_VPC,
              subnet: HCS_SUBNET,
              securityGroup: HCS_SECURITY_GROUP,
              vipAddress: hcs.vipAddress,
              kubernetesVersion: HCS_RELEASES[0].kubernetesVersion,
              upgradeVersion: HCS_RELEASES[1].kubernetesVersion,
            },
          }
        : {}),
      ...(baremetal
        ? {
            baremetal: {
              hosts: baremetal.hosts,
              pools: baremetal.pools,
              kubernetesVersion: BAREMETAL_RELEASES[0].kubernetesVersion,
              upgradeVersion: BAREMETAL_RELEASES[1].kubernetesVersion,
              cluster: BAREMETAL_CLUSTER,
              vipAddress: baremetal.vipAddress,
              clusterFile: baremetal.clusterFile,
              command: [
                upgradeRelease.command[0] as string,
                '--kubeconfig',
                kubeconfigPath,
                'apply',
                '-f',
                baremetal.clusterFile,
              ],
            },
          }
        : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
