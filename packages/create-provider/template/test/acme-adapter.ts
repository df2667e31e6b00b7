// The adapter of the conformance suite's platform checks: how the suite prepares a namespace,
// creates a machine as Cluster API would, sees what exists on the platform and deletes a machine
// behind the provider's back, here on the simulator.
import type { PlatformAdapter } from '@immutable-infra/conformance';
import type { AcmeFixtures } from './fixtures.js';
import type { AcmeSimulator } from './simulator.js';

export function platformAdapter(fixtures: AcmeFixtures, sim: AcmeSimulator): PlatformAdapter {
  return {
    prepare: (namespace) => fixtures.createCluster(namespace),
    createMachine: (namespace, name) => fixtures.createMachine(namespace, name),
    // The provider names a machine `<namespace>-<name>` on the platform.
    platformMachines: async (namespace) =>
      sim
        .machines()
        .filter((m) => m.name.startsWith(`${namespace}-`))
        .map(({ id, name }) => ({ id, name })),
    // As an operator would: DELETE through the API, then wait until it is gone.
    async deleteOutOfBand(thing) {
      const answer = await fetch(`${sim.url}/v1/machines/${thing.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${sim.token}` },
      });
      if (!answer.ok && answer.status !== 404)
        throw new Error(`DELETE /v1/machines/${thing.id} answered ${answer.status}`);
      const deadline = Date.now() + 30_000;
      while (sim.machines().some((m) => m.id === thing.id)) {
        if (Date.now() > deadline)
          throw new Error(`machine ${thing.name} still exists 30 s after its DELETE`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
