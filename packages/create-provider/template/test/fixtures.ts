// The objects a user and Cluster API would create for one Acme machine: the credential Secret, the
// Cluster and its AcmeCluster, then the AcmeMachine, its Machine and the bootstrap data Secret.
import { type ClusterApiObjects, clusterApiObjects } from '@immutable-infra/testkit';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import type { AcmeSimulator } from './simulator.js';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CLUSTER = 'demo';

export class AcmeFixtures {
  readonly objects: KubernetesObjectApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly sim: AcmeSimulator,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  private create(object: Record<string, unknown>) {
    return this.objects.create(object as KubernetesObject);
  }

  /** Cluster API's objects of the Cluster `demo` in `namespace` (testkit builds them as every provider's tests do). */
  private capi(namespace: string): ClusterApiObjects {
    return clusterApiObjects({
      namespace,
      cluster: CLUSTER,
      infrastructureKinds: { cluster: 'AcmeCluster', machine: 'AcmeMachine' },
    });
  }

  /** The credential Secret, the Cluster and its AcmeCluster `demo`. */
  async createCluster(namespace: string): Promise<void> {
    await this.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'acme-credentials', namespace },
      // The simulator speaks plain HTTP on loopback: the consent key says that is meant.
      stringData: { endpoint: this.sim.url, token: this.sim.token, allowPlainHTTP: 'true' },
    });
    const capi = this.capi(namespace);
    const cluster = await this.create(capi.cluster());
    await this.create({
      apiVersion: INFRA,
      kind: 'AcmeCluster',
      metadata: {
        name: CLUSTER,
        namespace,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(cluster)],
      },
      spec: { controlPlaneHost: '10.0.1.100', credentialSecretRef: { name: 'acme-credentials' } },
    });
  }

  /** The AcmeMachine `name`, its bootstrap data and the Machine owning it, as a MachineSet makes them. */
  async createMachine(namespace: string, name: string): Promise<void> {
    const capi = this.capi(namespace);
    await this.create({
      apiVersion: INFRA,
      kind: 'AcmeMachine',
      metadata: { name, namespace, labels: capi.labels },
      spec: { image: 'ubuntu-24.04' },
    });
    await this.create(capi.bootstrapSecret(name, '#cloud-config\n'));
    const machine = await this.create(capi.machine(name));
    await this.objects.patch(
      {
        apiVersion: INFRA,
        kind: 'AcmeMachine',
        metadata: { name, namespace, ownerReferences: [capi.ownerReference(machine)] },
      },
      undefined,
      undefined,
      'acme-fixtures',
      undefined,
      PatchStrategy.MergePatch,
    );
  }

  /** The object, or undefined when it does not exist. */
  async read<T>(kind: string, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion: INFRA, kind, metadata: { name, namespace } })) as T;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }
}
