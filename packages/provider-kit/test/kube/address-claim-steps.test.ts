import type { ConditionInput, KubeClient } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AddressClaimContext,
  addressClaimRequests,
  addressClaimSteps,
  IPAM_API_VERSION,
} from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';

const FINALIZER = 'kit.test/ip-claim-protection';
const POOL = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' };

type Run = { ctx: AddressClaimContext & { conditions: ConditionInput[]; saves: number } };

describe('the address claim steps on the real API server', () => {
  let kube: KubeClient;
  let namespace: string;
  const claimRef = (name: string) => ({
    apiVersion: IPAM_API_VERSION,
    kind: 'IPAddressClaim',
    namespace,
    name,
  });
  const runOf = (name: string, uid: string): Run => {
    const ctx: Run['ctx'] = {
      kube,
      object: { metadata: { name, namespace, uid } },
      cluster: { metadata: { name: 'c1' } },
      status: {},
      conditions: [],
      saves: 0,
      async saveStatus() {
        ctx.saves++;
      },
      setCondition(condition) {
        ctx.conditions.push(condition);
      },
    };
    return { ctx };
  };
  const waiting: string[] = [];
  const steps = addressClaimSteps<Run>({
    owner: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'KitMachine' },
    finalizer: FINALIZER,
    requests: (run) => addressClaimRequests(run.ctx.object.metadata.name, [{ addressesFromPools: [POOL] }]),
    conditionType: 'IPAddressClaimed',
    onWaiting: (_run, message) => waiting.push(message),
  });

  beforeAll(async () => {
    kube = customObjectClient(testKubeConfig(), (kind) =>
      kind === 'IPAddress' ? 'ipaddresses' : 'ipaddressclaims',
    );
    namespace = await createTestNamespace(testKubeConfig(), 'ip-claim-steps');
  });

  it('records the claims before making them, waits for the address, then records it and runs no more', async () => {
    const run = runOf('m1', 'uid-1');
    expect(steps.claim.when?.(run)).toBe(true);
    const first = await steps.claim.run(run);
    expect(first.type).toBe('requeue');
    expect(run.ctx.saves).toBe(1);
    expect(run.ctx.status.addressClaims?.map((c) => c.claim)).toEqual(['m1-0-0']);
    expect(run.ctx.conditions[0]).toMatchObject({ type: 'IPAddressClaimed', status: 'False' });
    expect(waiting).toHaveLength(1);

    await kube.create({
      apiVersion: IPAM_API_VERSION,
      kind: 'IPAddress',
      metadata: { name: 'm1-0-0', namespace },
      spec: { claimRef: { name: 'm1-0-0' }, poolRef: POOL, address: '10.0.0.7', prefix: 24 },
    });
    await kube.patchStatus(claimRef('m1-0-0'), { status: { addressRef: { name: 'm1-0-0' } } });
    expect((await steps.claim.run(run)).type).toBe('done');
    // Recorded once: the second pass writes no status before it reads the claim.
    expect(run.ctx.saves).toBe(1);
    expect(run.ctx.status.claimedAddresses).toEqual([
      { claim: 'm1-0-0', device: 0, address: '10.0.0.7', prefix: 24 },
    ]);
    expect(run.ctx.conditions.at(-1)).toMatchObject({ type: 'IPAddressClaimed', status: 'True' });
    expect(steps.claim.when?.(run)).toBe(false);

    expect((await steps.release.run(run)).type).toBe('done');
    expect(await kube.get(claimRef('m1-0-0'))).toBeUndefined();
    expect(run.ctx.status).toEqual({});
  });

  it('releases a claim the status never recorded, found by its controller', async () => {
    const made = runOf('m2', 'uid-2');
    await steps.claim.run(made);
    const lost = runOf('m2', 'uid-2');
    expect((await steps.release.run(lost)).type).toBe('done');
    expect(await kube.get(claimRef('m2-0-0'))).toBeUndefined();
  });
});
