import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bindToThisProcess,
  type CertificateAuthority,
  type ControlPlane,
  type EnvtestAssets,
  loadCertificateAuthority,
  type ManagedProcess,
  spawnLogged,
  startControlPlane,
  terminate,
} from '@immutable-infra/management-plane';
import { startTcpProxy, type TcpProxy } from '@immutable-infra/testkit';
import { ApiException, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { type BootstrapFiles, type KubeadmDocuments, pkiFile } from './bootstrap-data.js';
import { type EtcdMember, startEtcdMember, type TlsMaterial } from './etcd-member.js';

const KUBELET_PORT = 10250;
const STATIC_PODS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;

/** What a booting node is, as kubeadm and the kubelet would learn it on the VM. */
export interface NodeSpec {
  name: string;
  ip: string;
  providerID: string;
  kubeletVersion: string;
  controlPlane: boolean;
  taints?: { key: string; value?: string; effect: string }[] | undefined;
}

interface RunningNode {
  spec: NodeSpec;
  /** The Machine it runs for: a replacement may reuse the name and address (same pool slot). */
  machine: string;
  etcd?: EtcdMember;
  kubelet?: ManagedProcess;
  apiServerPort?: TcpProxy;
}

export interface WorkloadClusterOptions {
  assets: EnvtestAssets;
  /** `<namespace>/<name>` of the Cluster, for logs and directories. */
  id: string;
  endpoint: { host: string; port: number };
  stateDir: string;
  log: (message: string) => void;
}

/**
 * One simulated workload cluster: the kube-apiserver answering at the
 * cluster's control plane endpoint with the cluster's own CA (as the load
 * balancer in front of kubeadm's API servers would), a real stacked etcd member
 * and the kubelet's port-forward endpoint per control plane node, and the
 * objects kubeadm and the kubelet write.
 */
export class WorkloadCluster {
  private controlPlane: ControlPlane | undefined;
  private client?: CoreV1Api;
  private readonly nodes = new Map<string, RunningNode>();
  private etcdCa?: CertificateAuthority;
  private etcdClient?: TlsMaterial;
  private release = () => {};

  constructor(private readonly options: WorkloadClusterOptions) {}

  get started(): boolean {
    return this.controlPlane !== undefined;
  }

  get nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** `kubeadm init`: the API server at the endpoint, the kubeadm ConfigMaps, the first etcd member. */
  async init(
    files: BootstrapFiles,
    kubeadm: KubeadmDocuments,
    node: NodeSpec,
    machine: string,
  ): Promise<void> {
    const caCert = pkiFile(files, 'ca.crt');
    const caKey = pkiFile(files, 'ca.key');
    if (!caCert || !caKey) throw new Error('init bootstrap data carries no /etc/kubernetes/pki/ca.{crt,key}');
    const saKey = pkiFile(files, 'sa.key');
    const saPub = pkiFile(files, 'sa.pub');
    const { host, port } = this.options.endpoint;
    this.options.log(
      `${this.options.id}: kubeadm init on ${node.name}: kube-apiserver at https://${host}:${port}`,
    );
    this.controlPlane = await startControlPlane({
      assets: this.options.assets,
      stateDir: join(this.options.stateDir, 'api-server'),
      name: this.options.id.replace('/', '-'),
      certificateAuthority: await loadCertificateAuthority(caCert, caKey),
      serviceAccountKeys: saKey && saPub ? { privateKey: saKey, publicKey: saPub } : undefined,
      host,
      port,
      // kubeadm's own default: reach kubelets by address, not by a hostname nobody resolves.
      apiServerFlags: ['--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname'],
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.controlPlane.kubeconfigPath);
    this.client = kubeConfig.makeApiClient(CoreV1Api);
    await this.writeKubeadmConfigMaps(kubeadm, node.kubeletVersion);
    await this.loadEtcdCa(files);
    await this.join(node, machine);
  }

  /** Checks the token a joining node presents, as the API server's bootstrap authenticator would. */
  async bootstrapTokenValid(token: string | undefined): Promise<boolean> {
    const match = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token ?? '');
    if (!match || !this.client) return false;
    const secret = await this.client
      .readNamespacedSecret({ namespace: 'kube-system', name: `bootstrap-token-${match[1]}` })
      .catch(() => undefined);
    const data = secret?.data ?? {};
    const field = (key: string) => Buffer.from(data[key] ?? '', 'base64').toString();
    if (field('token-secret') !== match[2]) return false;
    const expiration = field('expiration');
    return expiration === '' || Date.parse(expiration) > Date.now();
  }

  /** `kubeadm join` (and the kubelet starting): etcd member and static pods for control plane nodes, then the Node. */
  async join(node: NodeSpec, machine: string, files?: BootstrapFiles): Promise<void> {
    if (!this.client) throw new Error(`${this.options.id}: no control plane yet`);
    const previous = this.nodes.get(node.name);
    if (previous?.machine === machine) return;
    // Same name from another Machine: the old VM is gone and its pool slot reused.
    if (previous) await this.remove(node.name, previous.machine);
    const running: RunningNode = { spec: node, machine };
    this.nodes.set(node.name, running);
    try {
      if (node.controlPlane) {
        if (files) await this.loadEtcdCa(files);
        await this.startControlPlaneNode(running);
      }
      await this.registerNode(node);
      if (node.controlPlane) for (const component of STATIC_PODS) await this.writeStaticPod(component, node);
      this.options.log(`${this.options.id}: node ${node.name} (${node.ip}) registered`);
    } catch (error) {
      await this.stopNode(running);
      this.nodes.delete(node.name);
      throw error;
    }
  }

  /** The VM is gone: its processes stop (the Node object is the Machine controller's to delete). */
  async remove(nodeName: string, machine: string): Promise<void> {
    const running = this.nodes.get(nodeName);
    if (!running || running.machine !== machine) return;
    this.nodes.delete(nodeName);
    await this.stopNode(running);
    this.rebind();
    this.options.log(`${this.options.id}: node ${nodeName} stopped`);
  }

  async stop(): Promise<void> {
    for (const running of this.nodes.values()) await this.stopNode(running);
    this.nodes.clear();
    this.release();
    await this.controlPlane?.stop();
    this.controlPlane = undefined;
    await rm(this.options.stateDir, { recursive: true, force: true });
  }

  private async loadEtcdCa(files: BootstrapFiles): Promise<void> {
    if (this.etcdCa) return;
    const cert = pkiFile(files, 'etcd/ca.crt');
    const key = pkiFile(files, 'etcd/ca.key');
    if (!cert || !key)
      throw new Error('control plane bootstrap data carries no /etc/kubernetes/pki/etcd/ca.{crt,key}');
    this.etcdCa = await loadCertificateAuthority(cert, key);
    // kubeadm's apiserver-etcd-client / healthcheck-client: what the node itself uses to talk to etcd.
    const client = await this.etcdCa.issue({ subject: 'CN=kube-apiserver-etcd-client', usage: 'client' });
    this.etcdClient = { ...client, ca: cert };
  }

  private async startControlPlaneNode(running: RunningNode): Promise<void> {
    const { name, ip } = running.spec;
    const etcdCa = this.etcdCa;
    const client = this.etcdClient;
    if (!etcdCa || !client) throw new Error('no etcd CA');
    const dir = join(this.options.stateDir, 'nodes', name);
    // A replacement on the same slot starts from an empty disk, as a fresh VM does.
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const existing = [...this.nodes.values()].find((n) => n.etcd && n !== running)?.etcd;
    running.etcd = await startEtcdMember({
      binary: join(this.options.assets.binDir, 'etcd'),
      name,
      ip,
      dir: join(dir, 'etcd'),
      etcdCa,
      client,
      join: existing ? { clientUrl: existing.clientUrl } : undefined,
    });
    this.rebind();
    const binary = this.options.assets.kubeletPortForward;
    if (!binary) throw new Error('the envtest assets name no kubelet-portforward binary');
    running.kubelet = spawnLogged({
      name: `kubelet-${name}`,
      binary,
      logFile: join(dir, 'kubelet.log'),
      detached: false,
      args: [`--node-ip=${ip}`, `--port=${KUBELET_PORT}`],
    }).process;
    this.rebind();
    // The node's own kube-apiserver port: the cluster's one API server answers there too.
    running.apiServerPort = await startTcpProxy(this.options.endpoint, {
      host: ip,
      port: this.options.endpoint.port,
    });
  }

  private async stopNode(running: RunningNode): Promise<void> {
    await running.apiServerPort?.close();
    if (running.kubelet) await terminate(running.kubelet, 2_000);
    await running.etcd?.stop();
  }

  /** Every process started here dies with this one, like testkit's own. */
  private rebind(): void {
    this.release();
    const processes: ManagedProcess[] = [];
    for (const node of this.nodes.values()) {
      if (node.etcd) processes.push(node.etcd.process);
      if (node.kubelet) processes.push(node.kubelet);
    }
    this.release = processes.length > 0 ? bindToThisProcess(processes) : () => {};
  }

  private async writeKubeadmConfigMaps(kubeadm: KubeadmDocuments, version: string): Promise<void> {
    const cluster = {
      ...(kubeadm.cluster ?? {}),
      kubernetesVersion: kubeadm.cluster?.kubernetesVersion ?? version,
    };
    const { stringify } = await import('yaml');
    await this.upsertConfigMap('kube-system', 'kubeadm-config', {
      ClusterConfiguration: stringify({
        apiVersion: 'kubeadm.k8s.io/v1beta4',
        kind: 'ClusterConfiguration',
        ...cluster,
      }),
    });
    await this.upsertConfigMap('kube-system', 'kubelet-config', {
      kubelet: stringify({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        cgroupDriver: 'systemd',
        clusterDNS: ['10.96.0.10'],
        clusterDomain: 'cluster.local',
      }),
    });
    const { host, port } = this.options.endpoint;
    await this.upsertConfigMap('kube-public', 'cluster-info', {
      kubeconfig: stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: '', cluster: { server: `https://${host}:${port}` } }],
      }),
    });
  }

  private async upsertConfigMap(
    namespace: string,
    name: string,
    data: Record<string, string>,
  ): Promise<void> {
    const client = this.requireClient();
    try {
      await client.createNamespacedConfigMap({ namespace, body: { metadata: { name, namespace }, data } });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  }

  private async registerNode(node: NodeSpec): Promise<void> {
    const client = this.requireClient();
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': node.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
    };
    if (node.controlPlane) {
      labels['node-role.kubernetes.io/control-plane'] = '';
      labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    }
    const taints =
      node.taints ??
      (node.controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []);
    const body = { metadata: { name: node.name, labels }, spec: { providerID: node.providerID, taints } };
    await client.createNode({ body }).catch(async (error: unknown) => {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
      // A Node left by an earlier VM of the same name: the kubelet of the new one registers afresh.
      const existing = await client.readNode({ name: node.name });
      if (existing.spec?.providerID === node.providerID) return;
      await client.deleteNode({ name: node.name });
      await client.createNode({ body });
    });
    // The Machine controller labels and annotates the Node as soon as it exists: retry on conflicts.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writeNodeStatus(node);
        return;
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409) || attempt >= 10) throw error;
        await sleep(100);
      }
    }
  }

  private async writeNodeStatus(node: NodeSpec): Promise<void> {
    const client = this.requireClient();
    const now = new Date();
    const current = await client.readNode({ name: node.name });
    current.status = {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure' },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ].map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now })),
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: node.providerID,
        containerRuntimeVersion: 'containerd://2.1.0',
        kernelVersion: '6.8.0',
        kubeProxyVersion: node.kubeletVersion,
        kubeletVersion: node.kubeletVersion,
        machineID: node.name,
        operatingSystem: 'linux',
        osImage: 'workload-sim',
        systemUUID: node.providerID,
      },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    };
    await client.replaceNodeStatus({ name: node.name, body: current });
  }

  /** The mirror pod the kubelet posts for a kubeadm static pod manifest, Running and Ready. */
  private async writeStaticPod(component: (typeof STATIC_PODS)[number], node: NodeSpec): Promise<void> {
    const client = this.requireClient();
    const name = `${component}-${node.name}`;
    const body: V1Pod = {
      metadata: {
        name,
        namespace: 'kube-system',
        labels: { component, tier: 'control-plane' },
        annotations: { 'kubernetes.io/config.mirror': name, 'kubernetes.io/config.source': 'file' },
      },
      spec: {
        nodeName: node.name,
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        containers: [{ name: component, image: `registry.k8s.io/${component}:${node.kubeletVersion}` }],
      },
    };
    await client.createNamespacedPod({ namespace: 'kube-system', body }).catch((error: unknown) => {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    });
    const now = new Date();
    for (let attempt = 0; attempt < 5; attempt++) {
      const pod = await client.readNamespacedPod({ namespace: 'kube-system', name });
      pod.status = {
        phase: 'Running',
        hostIP: node.ip,
        podIP: node.ip,
        startTime: now,
        conditions: [
          'PodReadyToStartContainers',
          'Initialized',
          'Ready',
          'ContainersReady',
          'PodScheduled',
        ].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
        containerStatuses: [
          {
            name: component,
            image: `registry.k8s.io/${component}:${node.kubeletVersion}`,
            imageID: '',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: now } },
          },
        ],
      };
      try {
        await client.replaceNamespacedPodStatus({ namespace: 'kube-system', name, body: pod });
        return;
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
        await sleep(100);
      }
    }
  }

  private requireClient(): CoreV1Api {
    if (!this.client) throw new Error(`${this.options.id}: no control plane yet`);
    return this.client;
  }
}
