// The DCS provider's adapter for the conformance suite's platform checks: the objects a user and
// Cluster API would create (DcsFixtures), and the DCS simulator as the platform. Public imports and
// relative test files only, like the contract test that uses it.
import { createHash } from 'node:crypto';
import type { PlatformAdapter } from '@immutable-infra/conformance';
import type { DcsSimulator } from '@immutable-infra/dcs-sim';
import type { DcsFixtures } from '../provider/dcs-fixtures.ts';

const SECRET_KEY = 'Huawei@123';

/**
 * Every namespace gets the documented cluster (credential Secret, control plane pool, Cluster and
 * DCSCluster); its pool names the VMs `<namespace>-vm-<n>`, which is how the platform's VMs are
 * told apart per namespace.
 */
export function dcsAdapter(fixtures: DcsFixtures, sim: DcsSimulator): PlatformAdapter {
  const vmsOf = (namespace: string) =>
    sim.state().vms.filter((vm) => !vm.isTemplate && vm.name.startsWith(`${namespace}-vm-`));
  return {
    prepare: (namespace) => fixtures.createCluster(namespace, SECRET_KEY),
    createMachine: (namespace, name) => fixtures.createMachine(namespace, name),
    platformMachines: async (namespace) => vmsOf(namespace).map((vm) => ({ id: vm.urn, name: vm.name })),
    // As an operator with the same account would: DELETE on the VM, through DCS's API.
    deleteOutOfBand: async (thing) => {
      const vm = sim.state().vms.find((v) => v.urn === thing.id);
      if (!vm) return;
      const login = await fetch(`${sim.url}/service/session`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Auth-User': 'cluster-api',
          'X-Auth-Key': createHash('sha256').update(SECRET_KEY).digest('hex'),
          'X-Auth-UserType': '2',
          'X-Auth-AuthType': '0',
        },
        body: '{}',
      });
      const token = login.headers.get('x-auth-token') ?? '';
      const deleted = await fetch(`${sim.url}${vm.uri}`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': token },
      });
      if (!deleted.ok)
        throw new Error(`DELETE ${vm.uri} answered ${deleted.status}: ${await deleted.text()}`);
      // The delete is a task: wait until the VM is gone, as the operator would see it.
      const deadline = Date.now() + 30_000;
      while (sim.state().vms.some((v) => v.urn === thing.id)) {
        if (Date.now() > deadline) throw new Error(`VM ${thing.name} still exists 30 s after its DELETE`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
