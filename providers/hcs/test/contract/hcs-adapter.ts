// The HCS provider's adapter for the conformance suite's platform checks: the objects a user and
// Cluster API would create (HcsFixtures), and the HCS simulator as the platform. Public imports and
// relative test files only, like the contract test that uses it.
import type { PlatformAdapter } from '@immutable-infra/conformance';
import type { HcsSimulator } from '@immutable-infra/hcs-sim';
import type { HcsFixtures } from '../provider/hcs-fixtures.ts';

/** Entries in every namespace's control plane pool: machine.kills makes three machines at once. */
export const POOL_SIZE = 3;

/**
 * Every namespace gets the documented cluster (credential Secret, cluster CA, control plane pool,
 * Cluster and HCSCluster); its pool's hostnames, which HCS servers are named after, start with the
 * namespace (`<namespace>-master-<n>`), which is how the platform's servers are told apart per
 * namespace.
 */
export function hcsAdapter(fixtures: HcsFixtures, sim: HcsSimulator): PlatformAdapter {
  const serversOf = (namespace: string) =>
    sim.state().servers.filter((s) => s.name.startsWith(`${namespace}-master-`));
  // One simulator serves every check: each namespace's pool gets addresses of its own, above the
  // ones HCS hands out on its own (ELB VIPs take the lowest free address of the subnet).
  let nextIpBase = 20;
  return {
    prepare: async (namespace) => {
      const ipBase = nextIpBase;
      nextIpBase += POOL_SIZE;
      await fixtures.createCluster(namespace, { hostPrefix: namespace, poolSize: POOL_SIZE, ipBase });
    },
    createMachine: (namespace, name) => fixtures.createMachine(namespace, name),
    platformMachines: async (namespace) => serversOf(namespace).map((s) => ({ id: s.id, name: s.name })),
    // As an operator with the same account would: ECS's batch delete (with the server's volumes),
    // with a token from IAM for the documented user.
    deleteOutOfBand: async (thing) => {
      if (!sim.state().servers.some((s) => s.id === thing.id)) return;
      const login = await fetch(`${sim.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: { name: 'cluster-api', password: 'Huawei@123', domain: { name: 'hcs-sim' } },
              },
            },
            scope: { project: { id: sim.projectId } },
          },
        }),
      });
      if (!login.ok) throw new Error(`IAM token answered ${login.status}: ${await login.text()}`);
      const token = login.headers.get('x-subject-token') ?? '';
      const deleted = await fetch(`${sim.url}/v1/${sim.projectId}/cloudservers/delete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
        body: JSON.stringify({ servers: [{ id: thing.id }], delete_volume: true }),
      });
      if (!deleted.ok)
        throw new Error(`deleting server ${thing.name} answered ${deleted.status}: ${await deleted.text()}`);
      // The delete is a job: wait until the server is gone, as the operator would see it.
      const deadline = Date.now() + 30_000;
      while (sim.state().servers.some((s) => s.id === thing.id)) {
        if (Date.now() > deadline) throw new Error(`server ${thing.name} still exists 30 s after its delete`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
