import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pollingLoop } from './polling-loop.js';

/** API group of the stand-in infrastructure provider. */
export const TEST_INFRASTRUCTURE_GROUP = 'infrastructure.testkit.immutable-infra.dev';
const VERSION = 'v1alpha1';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function crd(kind: string, plural: string, status: boolean) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${TEST_INFRASTRUCTURE_GROUP}`,
      // The contract labels: Cluster API resolves references to these kinds through them.
      labels: { 'cluster.x-k8s.io/v1beta1': VERSION, 'cluster.x-k8s.io/v1beta2': VERSION },
    },
    spec: {
      group: TEST_INFRASTRUCTURE_GROUP,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(status ? { subresources: { status: {} } } : {}),
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

/**
 * CRDs of a stand-in infrastructure provider (TestCluster, TestMachine,
 * TestMachineTemplate: any spec and status) for tests of the Cluster API
 * controllers that need no real platform.
 */
export function testInfrastructureCrds(): object[] {
  return [
    crd('TestCluster', 'testclusters', true),
    crd('TestMachine', 'testmachines', true),
    crd('TestMachineTemplate', 'testmachinetemplates', false),
  ];
}

export interface TestInfrastructureProviderOptions {
  namespace: string;
  /** The control plane endpoint every TestCluster gets. */
  endpoint: { host: string; port: number };
  /** The InternalIP of the n-th provisioned machine (n from 0); its Hostname is the machine's name. */
  machineAddress: (n: number) => string;
  pollMs?: number;
}

export interface TestInfrastructureProvider {
  stop(): Promise<void>;
}

interface Loose {
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * The stand-in provider's controller, minimal but on the v1beta2 contract:
 * a TestCluster gets the endpoint and `initialization.provisioned`; a
 * TestMachine, once its Machine's bootstrap data exists, a providerID
 * (`test://<name>`), addresses and `initialization.provisioned`.
 */
export function startTestInfrastructureProvider(
  kubeConfig: KubeConfig,
  options: TestInfrastructureProviderOptions,
): TestInfrastructureProvider {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace } = options;
  const infra = (plural: string) => ({
    group: TEST_INFRASTRUCTURE_GROUP,
    version: VERSION,
    namespace,
    plural,
  });
  const list = async (plural: string) =>
    ((await api.listNamespacedCustomObject(infra(plural))) as { items: Loose[] }).items;
  const assigned = new Map<string, string>();
  let next = 0;

  const tick = async () => {
    for (const cluster of await list('testclusters')) {
      if (cluster.status?.initialization) continue;
      const name = cluster.metadata.name;
      await api.patchNamespacedCustomObject(
        { ...infra('testclusters'), name, body: { spec: { controlPlaneEndpoint: options.endpoint } } },
        MERGE,
      );
      await api.patchNamespacedCustomObjectStatus(
        { ...infra('testclusters'), name, body: { status: { initialization: { provisioned: true } } } },
        MERGE,
      );
    }
    for (const machine of await list('testmachines')) {
      if (machine.status?.initialization) continue;
      const name = machine.metadata.name;
      const owner = machine.metadata.ownerReferences?.find((o) => o.kind === 'Machine');
      if (!owner) continue;
      const capiMachine = (await api.getNamespacedCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace,
        plural: 'machines',
        name: owner.name,
      })) as { spec?: { bootstrap?: { dataSecretName?: string } } };
      if (!capiMachine.spec?.bootstrap?.dataSecretName) continue;
      let address = assigned.get(name);
      if (!address) {
        address = options.machineAddress(next++);
        assigned.set(name, address);
      }
      await api.patchNamespacedCustomObject(
        { ...infra('testmachines'), name, body: { spec: { providerID: `test://${name}` } } },
        MERGE,
      );
      await api.patchNamespacedCustomObjectStatus(
        {
          ...infra('testmachines'),
          name,
          body: {
            status: {
              initialization: { provisioned: true },
              addresses: [
                { type: 'InternalIP', address },
                { type: 'Hostname', address: name },
              ],
            },
          },
        },
        MERGE,
      );
    }
  };

  return pollingLoop(tick, options.pollMs ?? 250);
}
