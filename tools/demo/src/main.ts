#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type RunningDemo, startDemo } from './start-demo.ts';

const HELP = `Usage: tools/run.sh demo [options]   (or: npm run demo -- [options])

Starts, in this one process tree: a management plane (etcd and kube-apiserver
with Cluster API's and the DCS provider's CRDs), Cluster API's core, kubeadm
bootstrap and kubeadm control plane controllers, the manager with the DCS
provider, a DCS simulator with a seeded inventory, the workload-cluster
simulator, and Fleet Essentials with the DCS extension. The namespace
cpaas-system holds what the DCS wizard needs (credential dcs-auth, the
Kubernetes v1.34.3 version ConfigMap, IP pools, machine templates cp-1-34 and
worker-1-34, the global Cluster). The wizard creates only the newest version
offered, so Kubernetes v1.35.4 (its version ConfigMap and the machine templates
cp-1-35, worker-1-35) waits in a file until the operator applies it with the
kubectl command printed at start; then the cluster page upgrades to it.

The last line is the URL and how to sign in. Ctrl-C stops everything and
removes every temporary directory.

With --provider vsphere, the vSphere provider runs next to DCS in the same
manager and Fleet Essentials, against vcsim (govmomi's vCenter simulator, built
once by tools/vcsim/ensure.sh) with the inventory the product documentation's
vSphere manifests name. cpaas-system then also holds a vCenter credential,
VSphereMachineConfigPools and VSphereMachineTemplates, and a documented 3 + 1
vSphere cluster waits in a file for the kubectl command printed at start.

With --provider hcs, the Huawei Cloud Stack provider runs next to DCS in the
same manager and Fleet Essentials, against hcs-sim (a region whose subnet is a
loopback /24, reached through IINFRA_HCS_GATEWAY_ADDRESS). cpaas-system then
also holds the HCS credential hcs-auth, HCSMachineConfigPools, the
HCSMachineTemplates hcs-cp and hcs-worker and release ConfigMaps of Kubernetes
v1.34.3 and v1.35.4: the HCS wizard creates a cluster (VPC vpc-demo, subnet
subnet-a, security group sg-demo, the VIP printed at start), and the Node Pools
tab scales and upgrades it.

With --provider baremetal, the bare-metal provider runs next to DCS in the
same manager and Fleet Essentials, against baremetal-sim (simulated hosts
playing elemental's side: each registers a MachineInventory and its agent runs
the reprovision and clean plans in seconds). cpaas-system then also holds six
registered hosts, the MachineInventoryPools baremetal-demo-control-plane-pool
(3 hosts) and baremetal-demo-worker-pool (3 hosts: 1 worker and 2 spares), and
the image catalog ConfigMap elemental-image-catalog with v1.33.7-2 and
v1.34.5-1. The documented 3 + 1 bare-metal cluster (Internal VIP printed at
start) at v1.33.7-2 waits in a file for the kubectl command printed at start;
changing the version of its KubeadmControlPlane and MachineDeployment to
v1.34.5-1 reprovisions every host with that version's image.

Options:
  --port <port>  port of the UI on 127.0.0.1 (default 8080; 0 picks a free one)
  --provider <name>
                 also run this provider next to DCS: vsphere, hcs or baremetal
                 (repeatable; dcs is always there)
  --json         print one JSON object (url, kubeconfig, tokenFile, namespace,
                 apiServerAddress, upgradeRelease) when started, instead of the
                 sign-in line
  -h, --help     show this help
`;

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '8080' },
        provider: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
})();

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`demo: --port "${values.port}" is not a TCP port\n`);
  process.exit(2);
}

const KNOWN_PROVIDERS = ['dcs', 'vsphere', 'hcs', 'baremetal'];
const unknown = (values.provider ?? []).filter((name) => !KNOWN_PROVIDERS.includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `demo: --provider ${unknown.join(', ')}: not a provider the demo runs (it runs ${KNOWN_PROVIDERS.join(', ')})\n`,
  );
  process.exit(2);
}
const withVsphere = (values.provider ?? []).includes('vsphere');
const withHcs = (values.provider ?? []).includes('hcs');
const withBaremetal = (values.provider ?? []).includes('baremetal');

const started = Date.now();
const progress = (line: string) => process.stderr.write(`demo: ${line}\n`);
let demo: RunningDemo | undefined;
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  progress(`${signal}: stopping everything`);
  if (!demo) {
    // Still starting: every process started so far is tied to this one by a watchdog, which stops it
    // and removes its directory once this process is gone.
    process.exit(130);
  }
  // A part that does not stop in time must not keep the terminal: the watchdogs stop the rest.
  setTimeout(() => {
    progress('stopping took longer than 60 s; exiting, the watchdogs stop what is left');
    process.exit(1);
  }, 60_000).unref();
  await demo.stop();
  progress('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// Started by npm or a shell that is killed outright: stop with it rather than run on as an orphan.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process gone');
}, 1_000).unref();

try {
  demo = await startDemo({ port, progress, vsphere: withVsphere, hcs: withHcs, baremetal: withBaremetal });
} catch (error) {
  progress(`could not start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
progress(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${demo.logDir}`);
progress(
  `create a cluster: Create cluster, namespace ${demo.namespace}, credential dcs-auth, API server address ${demo.apiServerAddress}`,
);
progress(`management cluster kubeconfig: ${demo.kubeconfigPath}`);
const release = demo.upgradeRelease;
progress(
  `to upgrade a cluster, first offer Kubernetes ${release.kubernetesVersion} (its version ConfigMap and the machine templates ${release.machineTemplates.join(', ')}): ${release.command.join(' ')}`,
);
if (demo.vsphere) {
  progress(
    `vSphere: vcsim at ${demo.vsphere.vcenter}, credential ${demo.vsphere.credential}; create the documented cluster ${demo.vsphere.cluster}: ${demo.vsphere.command.join(' ')}`,
  );
}
if (demo.hcs) {
  const hcs = demo.hcs;
  progress(
    `HCS: hcs-sim at ${hcs.sim}; create a cluster: Create cluster, Huawei Cloud Stack, credential ${hcs.credential}, Kubernetes ${hcs.kubernetesVersion}, VPC ${hcs.vpc}, subnet ${hcs.subnet}, security group ${hcs.securityGroup}, VIP subnet ${hcs.subnet}, VIP ${hcs.vipAddress}, machine templates ${hcs.machineTemplates.join(' and ')}; the Node Pools tab upgrades it to ${hcs.upgradeVersion}`,
  );
}
if (demo.baremetal) {
  const baremetal = demo.baremetal;
  progress(
    `bare metal: ${baremetal.hosts.length} baremetal-sim hosts in the pools ${baremetal.pools.join(' and ')}, image catalog ${baremetal.kubernetesVersion} and ${baremetal.upgradeVersion}; create the documented cluster ${baremetal.cluster} (VIP ${baremetal.vipAddress}): ${baremetal.command.join(' ')}; upgrade it by setting the version of its KubeadmControlPlane and MachineDeployment to ${baremetal.upgradeVersion}`,
  );
}
if (values.json) {
  process.stdout.write(
    `${JSON.stringify({
      url: demo.url,
      kubeconfig: demo.kubeconfigPath,
      tokenFile: demo.tokenFile,
      namespace: demo.namespace,
      apiServerAddress: demo.apiServerAddress,
      upgradeRelease: demo.upgradeRelease,
      ...(demo.vsphere ? { vsphere: demo.vsphere } : {}),
      ...(demo.hcs ? { hcs: demo.hcs } : {}),
      ...(demo.baremetal ? { baremetal: demo.baremetal } : {}),
    })}\n`,
  );
} else {
  process.stdout.write(`${demo.url}  (sign in with the token in ${demo.tokenFile}; Ctrl-C stops)\n`);
}
