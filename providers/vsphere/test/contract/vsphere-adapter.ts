// The vSphere provider's adapter for the conformance suite's platform checks: the documented
// manifests a user applies and what Cluster API adds (VsphereFixtures), and vcsim as the platform,
// seen and changed through govc as an operator would. Public imports and relative test files only,
// like the contract test that uses it.
import type { PlatformAdapter } from '@immutable-infra/conformance';
import type { Vcsim } from '@immutable-infra/vcsim';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { VsphereFixtures } from '../provider/vsphere-fixtures.ts';

/**
 * Every namespace gets the documented cluster (credential Secret, config pools, Cluster and
 * VSphereCluster), with the pools' hostnames, which VMs are named after, prefixed with the namespace
 * (`<namespace>-cp-01`, …): that is how the platform's VMs are told apart per namespace. (The
 * provider also writes the namespace into each VM's annotation, but vcsim drops a clone's
 * annotation, and the documented names alone would be the same VMs in every namespace.)
 */
export function vsphereAdapter(objects: KubernetesObjectApi, vcsim: Vcsim): PlatformAdapter {
  const fixtures = new Map<string, VsphereFixtures>();
  const fixturesOf = (namespace: string) => {
    let found = fixtures.get(namespace);
    if (!found) {
      found = new VsphereFixtures(objects, vcsim, namespace);
      for (const pool of found.documented.filter((o) => o.kind === 'VSphereMachineConfigPool')) {
        for (const slot of (pool as { spec: { configs: { hostname: string }[] } }).spec.configs)
          slot.hostname = `${namespace}-${slot.hostname}`;
      }
      fixtures.set(namespace, found);
    }
    return found;
  };
  return {
    prepare: (namespace) => fixturesOf(namespace).createCluster(),
    createMachine: (namespace, name) => fixturesOf(namespace).createMachine(name),
    // One property collector call for every VM's name: lines of `<ref>  name  string  <name>`.
    platformMachines: async (namespace) =>
      (await vcsim.govc('object.collect', '-type', 'm', '/', 'name'))
        .split('\n')
        .map((line) => /^(\S+)\s+name\s+\S+\s+(.*)$/.exec(line))
        .filter((match) => match?.[2]?.startsWith(`${namespace}-`))
        .map((match) => ({ id: match?.[1] ?? '', name: match?.[2] ?? '' })),
    // As an operator would: govc powers the VM off and destroys it, waiting for vCenter's tasks.
    deleteOutOfBand: async (thing) => {
      await vcsim.govc('vm.destroy', thing.id);
      const left = await vcsim.govc('find', '-i', '/', '-type', 'm');
      if (left.split('\n').includes(thing.id))
        throw new Error(`VM ${thing.name} still exists after its destroy`);
    },
  };
}
