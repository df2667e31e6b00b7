import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace } from '@immutable-infra/testkit/vitest';
import { PatchStrategy } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { createHcsProvider } from '../../src/provider.js';
import { clientFor, simLookup } from '../cloud/simulator.js';
import { INFRA } from './hcs-fixtures.ts';
import { hcsTestBed, startHcsManager } from './hcs-manager.ts';

const bed = hcsTestBed();
const managerLog = captureLog();

type Condition = { type: string; status: string };
type Cluster = { status?: { conditions?: Condition[]; loadBalancer?: { poolId?: string } } };
type Machine = { status?: { ready?: boolean; addresses?: { type: string; address: string }[] } };

it("removes only its own ELB member on delete: a member of the same name at another machine's address stays", async () => {
  const namespace = await createTestNamespace(bed.kubeConfig, 'hcs-twin');
  const provider = createHcsProvider({ http: { lookup: simLookup(), timeoutMs: 5_000 } });
  startHcsManager(bed, { namespace, provider, log: managerLog });
  const { objects, sim, fixtures } = bed;
  await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 60, poolSize: 1 });
  await fixtures.createMachine(namespace, 'cp-1');
  const machine = await eventually('HCSMachine cp-1 ready', async () => {
    const m = await fixtures.read<Machine>('HCSMachine', namespace, 'cp-1');
    return m?.status?.ready ? m : undefined;
  });
  const own = machine.status?.addresses?.find((a) => a.type === 'InternalIP')?.address as string;
  const cluster = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
  const poolId = cluster?.status?.loadBalancer?.poolId as string;
  const members = () => sim.state().members.filter((m) => m.pool_id === poolId);
  await eventually('cp-1 is a member', async () => members().some((m) => m.address === own) || undefined);

  // The HCSCluster keeps the pool's members equal to its control plane machines, and would take out
  // any member the test adds: paused, it stays out while the machine's own delete runs.
  await objects.patch(
    {
      apiVersion: INFRA,
      kind: 'HCSCluster',
      metadata: { name: 'demo', namespace, annotations: { 'cluster.x-k8s.io/paused': 'true' } },
    },
    undefined,
    undefined,
    'test',
    undefined,
    PatchStrategy.MergePatch,
  );
  await eventually('HCSCluster paused', async () => {
    const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
    return c?.status?.conditions?.some((x) => x.type === 'Paused' && x.status === 'True') || undefined;
  });
  // What a new HCSMachine `cp-1` registers (a name re-applied, or one a MachineDeployment reuses),
  // at its own server's address, while a stale copy of the old machine runs its delete steps again.
  const other = own.replace(/\.\d+$/, '.199');
  await clientFor(sim).createMember(poolId, { name: 'cp-1', address: other, protocol_port: 6443 });

  await fixtures.delete('HCSMachine', namespace, 'cp-1');
  await eventually(
    'HCSMachine cp-1 gone',
    async () => (await fixtures.read('HCSMachine', namespace, 'cp-1')) === undefined,
    120_000,
  );
  expect(members().filter((m) => m.address === own)).toEqual([]);
  expect(members().map((m) => `${m.name}@${m.address}`)).toEqual([`cp-1@${other}`]);
}, 240_000);
