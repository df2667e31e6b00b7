// The VSphereVM the documentation's runtime chain (Machine -> VSphereMachine -> VSphereVM) and its
// troubleshooting read: made by the machine's reconcile before the clone, showing the VM's status
// from what that reconcile already read of vCenter, and gone with the machine after the VM.
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import { type KubeConfig, KubernetesObjectApi, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVsphereProvider } from '../../src/provider.js';
import { CLUSTER, INFRA, VsphereFixtures } from './vsphere-fixtures.js';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
let manager: Manager | undefined;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  vcsim = await startVcsim({
    documentedNames: true,
    username: 'svc-capv@example.local',
    password: 'not-a-real-password',
  });
});

afterAll(async () => {
  await manager?.stop();
  await vcsim?.stop();
});

type Condition = { type: string; status: string; reason?: string; message?: string };
type VSphereVM = {
  metadata: {
    uid?: string;
    labels?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  spec: {
    template?: string;
    server?: string;
    biosUUID?: string;
    bootstrapRef?: { kind: string; name: string };
  };
  status?: {
    ready?: boolean;
    addresses?: string[];
    vmRef?: string;
    cloneMode?: string;
    network?: { macAddr: string; ipAddrs?: string[] }[];
    conditions?: Condition[];
  };
};
type VSphereMachine = {
  metadata: { uid: string };
  status?: { ready?: boolean; vmRef?: string; biosUUID?: string; conditions?: Condition[] };
};

describe('the VSphereVM of each VSphereMachine, against vcsim on the real host', { timeout: 300_000 }, () => {
  it('is made before the clone, shows the VM as CAPV does, holds until the VM is destroyed, and goes with the machine', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-vmrec');
    manager = new Manager({
      kubeConfig,
      namespace,
      providers: [createVsphereProvider({ sessions: { requestTimeoutMs: 5_000 }, listingLagMs: 2_000 })],
      log: createLogger({ level: 'error' }),
    });
    void manager.start();
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();
    await eventually('VSphereCluster ready', async () => {
      const c = await fixtures.read<{ status?: { ready?: boolean } }>('VSphereCluster', CLUSTER);
      return c?.status?.ready || undefined;
    });

    // Every write to the record, counted from the API server's own watch.
    const writes: string[] = [];
    const watch = await new Watch(kubeConfig).watch(
      `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${namespace}/vspherevms`,
      { fieldSelector: 'metadata.name=rec-a' },
      (phase) => writes.push(phase),
      () => undefined,
    );

    // A template vCenter does not have: nothing is cloned, and the record already tells why.
    await fixtures.createMachine('rec-bad', 'worker', { template: 'no-such-template' });
    const stuck = await eventually('the VSphereVM shows TemplateNotFound', async () => {
      const vm = await fixtures.read<VSphereVM>('VSphereVM', 'rec-bad');
      const provisioned = vm?.status?.conditions?.find((c) => c.type === 'VMProvisioned');
      return provisioned?.reason === 'TemplateNotFound' ? vm : undefined;
    });
    expect(stuck?.status?.ready).toBe(false);
    expect(stuck?.status?.vmRef).toBeUndefined();
    expect(stuck?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'TemplateNotFound' }),
    );

    await fixtures.createMachine('rec-a');
    const machine = await eventually('VSphereMachine ready', async () => {
      const m = await fixtures.read<VSphereMachine>('VSphereMachine', 'rec-a');
      return m?.status?.ready ? m : undefined;
    });
    const record = await eventually('VSphereVM ready', async () => {
      const vm = await fixtures.read<VSphereVM>('VSphereVM', 'rec-a');
      return vm?.status?.ready ? vm : undefined;
    });
    // Named like the machine, owned by it (as the controller), labelled with the cluster.
    expect(record.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'VSphereMachine',
        name: 'rec-a',
        uid: machine.metadata.uid,
        controller: true,
      }),
    ]);
    expect(record.metadata.labels).toEqual({ 'cluster.x-k8s.io/cluster-name': CLUSTER });
    expect(record.metadata.finalizers).toEqual(['vspherevm.infrastructure.cluster.x-k8s.io']);
    // The clone spec of the documented control plane template, the vCenter and the bootstrap Secret.
    const template = fixtures.documentedObject(
      'VSphereMachineTemplate',
      'demo-cluster-control-plane',
    ) as unknown as {
      spec: { template: { spec: { template: string; server: string } } };
    };
    expect(record.spec.template).toBe(template.spec.template.spec.template);
    expect(record.spec.server).toBe(template.spec.template.spec.server);
    expect(record.spec.bootstrapRef).toEqual(
      expect.objectContaining({ kind: 'Secret', name: 'rec-a-bootstrap' }),
    );
    // The VM as vCenter has it: BIOS UUID (in the spec, as CAPV keeps it), reference, address, NICs.
    const uuid = (await vcsim.govc('vm.info', '-json', '/dc-a/vm/cp-01')).match(/"uuid":\s*"([^"]+)"/)?.[1];
    expect(record.spec.biosUUID).toBe(uuid);
    expect(record.status?.vmRef).toBe(machine.status?.vmRef);
    expect(record.status?.addresses).toEqual(['10.10.10.11']);
    expect(record.status?.cloneMode).toBe('fullClone');
    expect(record.status?.network?.length).toBeGreaterThan(0);
    expect(record.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'True' }),
        expect.objectContaining({ type: 'VMProvisioned', status: 'True' }),
      ]),
    );
    // One create, the BIOS UUID, and a status write only when what it shows changed: far fewer
    // than the reconciles that brought the VM up.
    expect(writes[0]).toBe('ADDED');
    expect(writes.length).toBeLessThanOrEqual(10);

    // Deleting the record alone leaves it (and the VM) until the machine's delete destroyed the VM.
    await objects.delete({ apiVersion: INFRA, kind: 'VSphereVM', metadata: { name: 'rec-a', namespace } });
    const held = await fixtures.read<VSphereVM>('VSphereVM', 'rec-a');
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    expect((await vcsim.govc('find', '/', '-type', 'm', '-name', 'cp-01')).trim()).not.toBe('');

    for (const name of ['rec-a', 'rec-bad']) await fixtures.deleteMachine(name);
    for (const name of ['rec-a', 'rec-bad'])
      await eventually(
        `VSphereMachine and VSphereVM ${name} gone`,
        async () =>
          (await fixtures.read('VSphereMachine', name)) === undefined &&
          (await fixtures.read('VSphereVM', name)) === undefined,
      );
    expect((await vcsim.govc('find', '/', '-type', 'm', '-name', 'cp-01')).trim()).toBe('');
    watch.abort();
  });
});
