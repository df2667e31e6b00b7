import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createVsphereProvider,
  type MoRef,
  VsphereClient,
  VsphereSession,
} from '@immutable-infra/provider-vsphere';
import {
  type ClusterValues,
  CREDENTIAL,
  clusterManifests,
  KUBERNETES_TO,
  machineTemplate,
  PASSWORD,
  prerequisites,
  startVcsim,
  TEMPLATES,
  USERNAME,
  type Vcsim,
} from '@immutable-infra/vcsim';

/** The vSphere cluster the operator applies (the demo has no vSphere create wizard yet). */
export const VSPHERE_CLUSTER = 'vsphere-demo';

export interface VsphereDemoPart {
  vcsim: Vcsim;
  provider: ReturnType<typeof createVsphereProvider>;
  /** The credential Secret the cluster names. */
  credential: string;
  /** What the namespace gets at start: the credential, the config pools, the first release's machine templates. */
  seeds: Record<string, unknown>[];
  /** A `v1` List of the cluster (VSphereCluster and Cluster API objects), and the command that applies it. */
  clusterFile: string;
  /** The next release's machine templates, applied with the cluster so the node pools can be upgraded. */
  upgradeTemplates: [string, string];
  isBooted(infra: { status?: unknown }): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * vcsim with the documented inventory (and the next release's VM template), the vSphere provider,
 * and the documented objects of a 3 + 1 cluster on a loopback /24 of its own, so the workload
 * simulator can serve its nodes.
 */
export async function startVsphereDemoPart(options: {
  namespace: string;
  subnet: string;
  stateDir: string;
}): Promise<VsphereDemoPart> {
  const vcsim = await startVcsim({
    documentedNames: true,
    username: USERNAME,
    password: PASSWORD,
    extraTemplates: [TEMPLATES[KUBERNETES_TO]],
  });
  const values: ClusterValues = {
    namespace: options.namespace,
    cluster: VSPHERE_CLUSTER,
    subnet: options.subnet,
    server: new URL(vcsim.server).host,
    thumbprint: vcsim.sha1Thumbprint,
    workerPoolSize: 3,
    workers: 1,
  };
  const clusterFile = join(options.stateDir, `${VSPHERE_CLUSTER}.json`);
  const upgrade = [
    machineTemplate(values, 'cp', KUBERNETES_TO),
    machineTemplate(values, 'worker', KUBERNETES_TO),
  ];
  const [cpUpgrade, workerUpgrade] = upgrade.map((template) => template.metadata.name) as [string, string];
  await writeFile(
    clusterFile,
    `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...clusterManifests(values), ...upgrade] }, null, 2)}\n`,
  );
  // A reader of its own: what the VM's guest would see, not what the provider remembers.
  const reader = new VsphereClient(
    new VsphereSession({
      server: vcsim.server,
      username: USERNAME,
      password: PASSWORD,
      caCertificate: vcsim.caCertificate,
    }),
  );
  // The bootstrap data leaves guestinfo once the node registered: a VM seen booted stays booted.
  const booted = new Set<string>();
  return {
    vcsim,
    provider: createVsphereProvider({ identityNamespace: options.namespace }),
    credential: CREDENTIAL,
    seeds: prerequisites(values),
    clusterFile,
    upgradeTemplates: [cpUpgrade, workerUpgrade],
    // Booted once powered on with bootstrap data in guestinfo.userdata (as cloud-init's VMware datasource reads it).
    async isBooted(infra) {
      const status = infra.status as { vmRef?: string } | undefined;
      if (!status?.vmRef) return false;
      if (booted.has(status.vmRef)) return true;
      const [read] = await reader.properties(
        [{ type: 'VirtualMachine', value: status.vmRef } as MoRef],
        ['runtime.powerState', 'config.extraConfig'],
      );
      if (!read || read.gone || read.properties['runtime.powerState'] !== 'poweredOn') return false;
      const extra = (read.properties['config.extraConfig'] ?? []) as { key?: string; value?: unknown }[];
      const userData = extra.find((option) => option.key === 'guestinfo.userdata')?.value;
      if (!userData) return false;
      booted.add(status.vmRef);
      return true;
    },
    async stop() {
      await reader.session.close();
      await vcsim.stop();
    },
  };
}
