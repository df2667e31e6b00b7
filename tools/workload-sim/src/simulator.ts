import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bindToThisProcess, type EnvtestAssets } from '@immutable-infra/management-plane';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import {
  bootstrapFiles,
  type KubeadmNodeConfiguration,
  kubeadmDocuments,
  kubeletArg,
} from './bootstrap-data.js';
import { type NodeSpec, WorkloadCluster } from './workload-cluster.js';

/** The parts of a Cluster API Machine the simulator reads. */
export interface MachineView {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: {
    clusterName: string;
    version?: string;
    providerID?: string;
    bootstrap?: { dataSecretName?: string };
    infrastructureRef: { apiGroup: string; kind: string; name: string };
  };
}

/** An infrastructure machine (DCSMachine, ...), read without knowing its kind. */
export interface InfraMachineView {
  metadata: { name: string; namespace: string };
  spec?: { providerID?: string };
  status?: {
    ready?: boolean;
    initialization?: { provisioned?: boolean };
    addresses?: { type: string; address: string }[];
  };
}

export interface WorkloadSimulatorOptions {
  /** The management cluster, where the Cluster API objects are. */
  kubeConfig: KubeConfig;
  assets: EnvtestAssets;
  /** Only Machines in this namespace; all namespaces when omitted. */
  namespace?: string;
  stateDir?: string;
  pollMs?: number;
  /**
   * True once the VM behind the infrastructure machine has booted with its
   * bootstrap data; a platform simulator knows (DCS: the VM runs with its
   * Ignition ISO attached). Default: the infrastructure machine reports provisioned.
   */
  isBooted?: (machine: MachineView, infraMachine: InfraMachineView) => boolean | Promise<boolean>;
  /**
   * The bootstrap data as the booted VM received it (DCS: the Ignition in the ISO its CD-ROM holds),
   * read instead of the Machine's data Secret: what the provider delivers is what kubeadm runs.
   * Undefined: nothing delivered yet, the boot waits.
   */
  deliveredBootstrapData?: (
    machine: MachineView,
    infraMachine: InfraMachineView,
  ) => DeliveredBootstrapData | undefined | Promise<DeliveredBootstrapData | undefined>;
  /**
   * What is wrong with the delivered data (a documented mount, file or network setting missing, see
   * `ignitionProblems`); any problem fails the boot with it as the reason (`bootFailures`).
   */
  checkBootstrapData?: (
    data: DeliveredBootstrapData,
    machine: MachineView,
    infraMachine: InfraMachineView,
  ) => string[] | Promise<string[]>;
  log?: (message: string) => void;
}

/** Bootstrap data as a VM received it. */
export interface DeliveredBootstrapData {
  /** `ignition` or `cloud-config`. */
  format: string;
  value: string;
}

export interface WorkloadSimulator {
  /** Node names per cluster (`namespace/name`), for tests. */
  nodes(): Record<string, string[]>;
  /** Why the boot of a Machine (`namespace/name`) failed the last time it was tried; gone once it boots. */
  bootFailures(): Record<string, string>;
  stop(): Promise<void>;
}

interface BootedMachine {
  clusterKey: string;
  nodeName: string;
}

const defaultIsBooted = (_machine: MachineView, infra: InfraMachineView) =>
  Boolean(infra.status?.initialization?.provisioned ?? infra.status?.ready);

const PLAIN_NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A kubelet flag's value unless it is still a provider token (PROVIDER_ID, NODE_IP, ...). */
const literal = (value: string | undefined) =>
  value === undefined || /^[A-Z][A-Z0-9_]*$/.test(value) ? undefined : value;

/**
 * Watches Machines whose bootstrap data exists and whose VM has booted, and
 * does what kubeadm and the kubelet would do there, as the management side can
 * observe it: the first control plane node brings up the workload API server at
 * the cluster's control plane endpoint, every node registers its Node, control
 * plane nodes run a real etcd member and answer port-forwards. Never touches a
 * Cluster API object: the real controllers see only the workload cluster.
 */
export async function startWorkloadSimulator(options: WorkloadSimulatorOptions): Promise<WorkloadSimulator> {
  const log = options.log ?? ((message: string) => process.stderr.write(`workload-sim: ${message}\n`));
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'iinfra-workload-sim-')));
  // If this process is killed, the clusters' own watchdogs stop their processes and this one removes the directory.
  const releaseDir = temporary ? bindToThisProcess([], stateDir) : () => {};
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const crds = options.kubeConfig.makeApiClient(ApiextensionsV1Api);
  const isBooted = options.isBooted ?? defaultIsBooted;
  const clusters = new Map<string, WorkloadCluster>();
  const booted = new Map<string, BootedMachine>();
  const versions = new Map<string, string>();
  const lastError = new Map<string, string>();

  const apiVersionOf = async (group: string, kind: string): Promise<string> => {
    const key = `${kind}.${group}`;
    const known = versions.get(key);
    if (known) return known;
    const crd = (await crds.listCustomResourceDefinition()).items.find(
      (c) => c.spec.group === group && c.spec.names.kind === kind,
    );
    const version = crd?.spec.versions.find((v) => v.storage)?.name;
    if (!version) throw new Error(`no CRD for ${key}`);
    versions.set(key, `${group}/${version}`);
    return `${group}/${version}`;
  };

  const clusterFor = async (namespace: string, name: string): Promise<WorkloadCluster> => {
    const key = `${namespace}/${name}`;
    let cluster = clusters.get(key);
    if (cluster) return cluster;
    const object = (await custom.getNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace,
      plural: 'clusters',
      name,
    })) as { spec?: { controlPlaneEndpoint?: { host?: string; port?: number } } };
    const endpoint = object.spec?.controlPlaneEndpoint;
    if (!endpoint?.host || !endpoint.port)
      throw new Error(`Cluster ${key} has no control plane endpoint yet`);
    cluster = new WorkloadCluster({
      assets: options.assets,
      id: key,
      endpoint: { host: endpoint.host, port: endpoint.port },
      stateDir: join(stateDir, namespace, name),
      log,
    });
    clusters.set(key, cluster);
    return cluster;
  };

  const nodeSpec = (
    machine: MachineView,
    infra: InfraMachineView,
    config: KubeadmNodeConfiguration | undefined,
  ): NodeSpec | undefined => {
    const registered = config?.nodeRegistration?.name;
    const hostname = infra.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
    const name =
      registered && PLAIN_NODE_NAME.test(registered) ? registered : (hostname ?? machine.metadata.name);
    // The address and provider ID the VM came up with, as the infrastructure provider reports them
    // (the data secret still holds tokens such as NODE_IP that the provider substitutes on the way).
    const ip =
      infra.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ??
      literal(kubeletArg(config, 'node-ip'));
    const providerID =
      infra.spec?.providerID ?? machine.spec.providerID ?? literal(kubeletArg(config, 'provider-id'));
    if (!ip || !providerID) return undefined;
    const controlPlane = machine.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined;
    if (controlPlane && !ip.startsWith('127.')) {
      throw new Error(
        `control plane Machine ${machine.metadata.name} has address "${ip}": the simulator runs its etcd and kubelet there, so it must be a loopback address (127.0.0.0/8)`,
      );
    }
    return {
      name,
      ip,
      providerID,
      kubeletVersion: machine.spec.version ?? 'v0.0.0',
      controlPlane,
      taints: config?.nodeRegistration?.taints ?? undefined,
    };
  };

  const boot = async (machine: MachineView): Promise<BootedMachine | undefined> => {
    const { namespace, name } = machine.metadata;
    const key = `${namespace}/${name}`;
    const dataSecretName = machine.spec.bootstrap?.dataSecretName;
    if (!dataSecretName || machine.metadata.deletionTimestamp) return undefined;
    const ref = machine.spec.infrastructureRef;
    const infra = (await objects.read({
      apiVersion: await apiVersionOf(ref.apiGroup, ref.kind),
      kind: ref.kind,
      metadata: { name: ref.name, namespace },
    })) as unknown as InfraMachineView;
    if (!(await isBooted(machine, infra))) return undefined;
    let data: DeliveredBootstrapData;
    if (options.deliveredBootstrapData) {
      const delivered = await options.deliveredBootstrapData(machine, infra);
      if (!delivered) return undefined;
      data = delivered;
    } else {
      const secret = await core.readNamespacedSecret({ namespace, name: dataSecretName });
      const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString();
      data = { value: decode('value'), format: decode('format') };
    }
    const problems = (await options.checkBootstrapData?.(data, machine, infra)) ?? [];
    if (problems.length > 0)
      throw new Error(
        `boot failed: the bootstrap data the VM received is incomplete: ${problems.join('; ')}`,
      );
    const files = bootstrapFiles(data.value, data.format || undefined);
    const kubeadm = kubeadmDocuments(files);
    const cluster = await clusterFor(namespace, machine.spec.clusterName);
    if (kubeadm.init && !cluster.started) {
      const node = nodeSpec(machine, infra, kubeadm.init);
      if (!node) return undefined;
      await cluster.init(files, kubeadm, node, key);
      return { clusterKey: `${namespace}/${machine.spec.clusterName}`, nodeName: node.name };
    }
    if (!kubeadm.join)
      throw new Error(`Machine ${name}: init data for a cluster that is already initialized`);
    if (!cluster.started) return undefined;
    if (!(await cluster.bootstrapTokenValid(kubeadm.join.discovery?.bootstrapToken?.token))) {
      throw new Error(`Machine ${name}: kubeadm join refused: the bootstrap token is unknown or expired`);
    }
    const node = nodeSpec(machine, infra, kubeadm.join);
    if (!node) return undefined;
    await cluster.join(node, key, files);
    return { clusterKey: `${namespace}/${machine.spec.clusterName}`, nodeName: node.name };
  };

  const tick = async () => {
    const listed = (
      options.namespace
        ? await custom.listNamespacedCustomObject({
            group: 'cluster.x-k8s.io',
            version: 'v1beta2',
            namespace: options.namespace,
            plural: 'machines',
          })
        : await custom.listClusterCustomObject({
            group: 'cluster.x-k8s.io',
            version: 'v1beta2',
            plural: 'machines',
          })
    ) as { items: MachineView[] };
    const present = new Set(listed.items.map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
    for (const [key, entry] of booted) {
      if (present.has(key)) continue;
      booted.delete(key);
      await clusters.get(entry.clusterKey)?.remove(entry.nodeName, key);
    }
    // Control plane machines first: workers join a control plane that exists.
    const ordered = [...listed.items].sort(
      (a, b) =>
        Number(b.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined) -
        Number(a.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined),
    );
    for (const machine of ordered) {
      const key = `${machine.metadata.namespace}/${machine.metadata.name}`;
      if (booted.has(key)) continue;
      try {
        const result = await boot(machine);
        if (result) {
          booted.set(key, result);
          lastError.delete(key);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (lastError.get(key) !== message) log(`${key}: ${message}`);
        lastError.set(key, message);
      }
    }
  };

  let running = true;
  const loop = (async () => {
    while (running) {
      await tick().catch((error: unknown) => log(`poll failed: ${String(error)}`));
      await sleep(options.pollMs ?? 500);
    }
  })();

  return {
    nodes: () => Object.fromEntries([...clusters].map(([key, cluster]) => [key, cluster.nodeNames])),
    bootFailures: () => Object.fromEntries(lastError),
    stop: async () => {
      running = false;
      await loop;
      for (const cluster of clusters.values()) await cluster.stop();
      clusters.clear();
      if (temporary) await rm(stateDir, { recursive: true, force: true });
      releaseDir();
    },
  };
}
