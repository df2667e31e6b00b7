import {
  CLUSTER_API_VERSION as CAPI,
  type ClusterApiObjects,
  clusterApiObjects,
  documentedManifests,
} from '@immutable-infra/testkit';
import { startVcsim, type Vcsim, type VcsimOptions } from '@immutable-infra/vcsim';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const DOCUMENTED = new URL('../fixtures/documented.yaml', import.meta.url);
/** The documented manifests' vCenter and thumbprint, which a test replaces with vcsim's. */
const DOCUMENTED_SERVER = 'vc.example.local';
const DOCUMENTED_THUMBPRINT = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD';

/** The account of the documented credential Secret. */
export const DOCUMENTED_ACCOUNT = { username: 'svc-capv@example.local', password: 'not-a-real-password' };

/** vcsim with the documented inventory names and account, so the documented manifests apply as they are. */
export function startDocumentedVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  return startVcsim({ documentedNames: true, ...DOCUMENTED_ACCOUNT, ...options });
}

export const CLUSTER = 'demo-cluster';
export const CONTROL_PLANE = 'demo-cluster-control-plane';
export const WORKERS = 'demo-cluster-md-0';

/** Cloud-init bootstrap data with the tokens the provider fills in. */
export const CLOUD_CONFIG =
  '#cloud-config\nwrite_files:\n- path: /etc/node-identity\n  content: "PROVIDER_ID NODE_IP"\n';

type Spec = Record<string, unknown>;

/**
 * The product documentation's vSphere manifests, applied as a user would (only the vCenter address
 * and thumbprint changed to vcsim's), plus what Cluster API would add around them: the Cluster, and
 * per machine a Machine with its bootstrap Secret and owner references.
 */
export class VsphereFixtures {
  readonly documented: KubernetesObject[];
  private readonly capi: ClusterApiObjects;

  constructor(
    private readonly objects: KubernetesObjectApi,
    vcsim: Vcsim,
    readonly namespace: string,
  ) {
    this.capi = clusterApiObjects({
      namespace,
      cluster: CLUSTER,
      infrastructureKinds: { cluster: 'VSphereCluster', machine: 'VSphereMachine' },
    });
    const server = new URL(vcsim.server).host;
    this.documented = documentedManifests(DOCUMENTED, namespace).map(
      (object) =>
        JSON.parse(
          JSON.stringify(object)
            .replaceAll(DOCUMENTED_SERVER, server)
            .replaceAll(DOCUMENTED_THUMBPRINT, vcsim.sha1Thumbprint),
        ) as KubernetesObject,
    );
  }

  apply(object: Record<string, unknown>): Promise<KubernetesObject> {
    return this.objects.create(object as KubernetesObject);
  }

  async read<T>(kind: string, name: string, apiVersion = INFRA): Promise<T | undefined> {
    try {
      return (await this.objects.read({
        apiVersion,
        kind,
        metadata: { name, namespace: this.namespace },
      })) as T;
    } catch {
      return undefined;
    }
  }

  documentedObject(kind: string, name: string): KubernetesObject & { spec: Spec } {
    const found = this.documented.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) throw new Error(`the documented manifests have no ${kind} ${name}`);
    return structuredClone(found) as KubernetesObject & { spec: Spec };
  }

  /**
   * The documented failure domain and deployment zone of datacenter dc-a, the domain's NICs set by
   * `networkConfigurations` (each with its IPAM pools, say) instead of `networks`. Returns them as made.
   */
  async createZoneA(networkConfigurations: Spec[]): Promise<KubernetesObject[]> {
    const made: KubernetesObject[] = [];
    for (const object of this.documented) {
      if (object.kind !== 'VSphereFailureDomain' && object.kind !== 'VSphereDeploymentZone') continue;
      if (!object.metadata?.name?.endsWith('-a')) continue;
      const zone = structuredClone(object) as KubernetesObject & { spec: { topology?: Spec } };
      if (zone.spec.topology) {
        delete zone.spec.topology.networks;
        zone.spec.topology.networkConfigurations = networkConfigurations;
      }
      made.push(await this.objects.create(zone));
    }
    return made;
  }

  /** The documented Secret and config pools as they are, then Cluster + documented VSphereCluster owned by it. */
  async createCluster(overrides: { password?: string; clusterSpec?: Spec } = {}): Promise<void> {
    const secret = this.documentedObject(
      'Secret',
      'demo-cluster-vsphere-credentials',
    ) as unknown as KubernetesObject & {
      stringData: Record<string, string>;
    };
    if (overrides.password) secret.stringData.password = overrides.password;
    await this.apply(secret as unknown as Record<string, unknown>);
    for (const pool of this.documented.filter((o) => o.kind === 'VSphereMachineConfigPool'))
      await this.apply(pool as unknown as Record<string, unknown>);
    const cluster = await this.apply(this.capi.cluster());
    const infra = this.documentedObject('VSphereCluster', CLUSTER);
    await this.apply({
      ...infra,
      metadata: {
        ...infra.metadata,
        labels: this.capi.labels,
        ownerReferences: [this.capi.ownerReference(cluster)],
      },
      spec: { ...infra.spec, ...overrides.clusterSpec },
    });
  }

  /**
   * A machine of the documented control plane (or worker) template: Machine, bootstrap Secret and
   * VSphereMachine with the template's spec, labelled as KubeadmControlPlane or a MachineDeployment does.
   */
  async createMachine(
    name: string,
    role: 'control-plane' | 'worker' = 'control-plane',
    specOverrides: Spec = {},
    /** The Machine's failure domain, as Cluster API sets it from the cluster's failure domains. */
    failureDomain?: string,
    /** The machine's bootstrap data, as the kubeadm bootstrap provider writes it. */
    bootstrapData = CLOUD_CONFIG,
    bootstrapFormat: 'cloud-config' | 'ignition' = 'cloud-config',
  ): Promise<void> {
    const labels: Record<string, string> =
      role === 'control-plane'
        ? {
            'cluster.x-k8s.io/cluster-name': CLUSTER,
            'cluster.x-k8s.io/control-plane': '',
            'cluster.x-k8s.io/control-plane-name': CONTROL_PLANE,
          }
        : { 'cluster.x-k8s.io/cluster-name': CLUSTER, 'cluster.x-k8s.io/deployment-name': WORKERS };
    const template = this.documentedObject(
      'VSphereMachineTemplate',
      role === 'control-plane' ? CONTROL_PLANE : 'demo-cluster-worker',
    ) as KubernetesObject & { spec: { template: { spec: Spec } } };
    await this.apply(this.capi.bootstrapSecret(name, bootstrapData, bootstrapFormat));
    const machine = await this.apply(this.capi.machine(name, { labels, failureDomain }));
    await this.apply({
      apiVersion: INFRA,
      kind: 'VSphereMachine',
      metadata: {
        name,
        namespace: this.namespace,
        labels,
        ownerReferences: [this.capi.ownerReference(machine)],
      },
      // Full clones: vcsim gives a linked clone the template's own disk file, and destroying the
      // clone deletes that file, so every later clone of the template would have no disk. (A linked
      // clone's request is checked in test/soap-xml.test.ts and accepted by vcsim in the client tests.)
      spec: { ...template.spec.template.spec, cloneMode: 'fullClone', ...specOverrides },
    });
  }

  async deleteMachine(name: string): Promise<void> {
    await this.objects.delete({
      apiVersion: INFRA,
      kind: 'VSphereMachine',
      metadata: { name, namespace: this.namespace },
    });
    await this.objects.delete({
      apiVersion: CAPI,
      kind: 'Machine',
      metadata: { name, namespace: this.namespace },
    });
  }
}
