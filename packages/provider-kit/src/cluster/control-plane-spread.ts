/**
 * Whether a cluster's control plane VMs are actually apart. An anti-affinity rule (a DRS rule, a
 * server group) only asks the platform to keep them on different hosts: control plane HA holds
 * once the platform has placed them so, which these pure rules tell from where each VM runs.
 */

/** Where one control plane VM runs, as the platform lists it. */
export interface PlacedVm {
  vmName: string;
  /** The host's id; empty while the platform has not placed the VM. */
  hostId: string;
  /** The host's name for messages; the id when empty. */
  hostName: string;
}

/** Hosts that run more than one of the VMs, and the VMs not placed yet (under host ''). */
export interface SharedHost {
  host: string;
  vmNames: string[];
}

/** The hosts that run more than one of the VMs, then the VMs not placed on any host yet (under ''). */
export function sharedHosts(vms: readonly PlacedVm[]): SharedHost[] {
  const byHost = new Map<string, SharedHost>();
  const unplaced: string[] = [];
  for (const vm of vms) {
    if (!vm.hostId) {
      unplaced.push(vm.vmName);
      continue;
    }
    const group = byHost.get(vm.hostId) ?? { host: vm.hostName || vm.hostId, vmNames: [] };
    group.vmNames.push(vm.vmName);
    byHost.set(vm.hostId, group);
  }
  return [
    ...[...byHost.values()].filter((group) => group.vmNames.length > 1),
    ...(unplaced.length > 0 ? [{ host: '', vmNames: unplaced }] : []),
  ];
}

/** Why a rule in place has not kept the VMs apart yet, in words naming the hosts and VMs. */
export function spreadNotConvergedMessage(input: {
  /** What keeps them apart, e.g. `DRS rule iinfra-cp-ns-demo`. */
  rule: string;
  /** The platform that places them, e.g. `DCS`. */
  platform: string;
  shared: readonly SharedHost[];
}): string {
  const parts = input.shared.map(({ host, vmNames }) =>
    host
      ? `${vmNames.join(', ')} run on the same host ${host}`
      : `${vmNames.join(', ')} ${vmNames.length > 1 ? 'are' : 'is'} not placed on a host yet`,
  );
  return `${input.rule} is in place but the placement has not converged: ${parts.join('; ')}; waiting for ${input.platform} to place them apart (check host capacity and DRS)`;
}
