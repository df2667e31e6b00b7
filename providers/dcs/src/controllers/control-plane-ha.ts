import { falseCondition, type InfraClusterContext, trueCondition } from '@immutable-infra/core';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSCluster } from '../api/dcs-cluster.js';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import { urnToUri } from '../cloud/dcs-ids.js';

type Ctx = InfraClusterContext<typeof DCSCluster>;

const HA_READY = 'ControlPlaneHAReady';

/** The DRS rule name for a cluster: deterministic, so it is found again after any restart. */
export function controlPlaneRuleName(namespace: string, cluster: string): string {
  return `iinfra-cp-${namespace}-${cluster}`.slice(0, 63);
}

/**
 * Keeps one DRS mutual-exclusion rule whose members are exactly the cluster's
 * control plane VMs, so DCS never places two of them on one host; removes it
 * when HA is turned off. Reports progress as the ControlPlaneHAReady condition.
 */
export async function reconcileControlPlaneHA(ctx: Ctx, cloud: DcsCloud): Promise<void> {
  const namespace = ctx.object.metadata.namespace ?? 'default';
  const clusterName = ctx.cluster.metadata.name;
  const recorded = ctx.status.controlPlaneHA;
  if (!ctx.object.spec.controlPlaneHA?.enabled) {
    if (recorded?.ruleName && recorded.clusterUrn) {
      await cloud.deleteRule(urnToUri(recorded.clusterUrn), recorded.ruleName);
    }
    delete ctx.status.controlPlaneHA;
    return;
  }
  try {
    const machines = await ctx.kube.list<DCSMachineObject>(DCS_API_VERSION, 'DCSMachine', {
      namespace,
      labelSelector: `cluster.x-k8s.io/cluster-name=${clusterName},cluster.x-k8s.io/control-plane`,
    });
    const members: { machineName: string; vmUrn: string; clusterUrn: string }[] = [];
    for (const machine of machines) {
      const vmName = machine.status?.networkConfig?.machineName ?? machine.metadata.name;
      const vm = await cloud.findVmByName(vmName);
      if (vm?.urn && vm.location)
        members.push({ machineName: machine.metadata.name, vmUrn: vm.urn, clusterUrn: vm.location });
    }
    if (members.length < 2) {
      ctx.setCondition(
        falseCondition(
          HA_READY,
          'ControlPlaneHAPending',
          `waiting for control plane VMs (${members.length} so far)`,
        ),
      );
      return;
    }
    // The rule lives on the DCS compute cluster of the first control plane VM.
    const clusterUrn = members[0]?.clusterUrn as string;
    const inCluster = members.filter((m) => m.clusterUrn === clusterUrn);
    const ruleName = controlPlaneRuleName(namespace, clusterName);
    const change = await cloud.ensureAntiAffinityRule(
      urnToUri(clusterUrn),
      ruleName,
      inCluster.map((m) => m.vmUrn),
    );
    ctx.status.controlPlaneHA = {
      ruleName,
      clusterUrn,
      ...(change.ruleIndex !== undefined
        ? { ruleIndex: change.ruleIndex }
        : recorded?.ruleIndex !== undefined
          ? { ruleIndex: recorded.ruleIndex }
          : {}),
      members: inCluster.map(({ machineName, vmUrn }) => ({ machineName, vmUrn })),
    };
    ctx.setCondition(
      change.action === 'unchanged'
        ? trueCondition(HA_READY, 'ControlPlaneHAReady', `${inCluster.length} control plane VMs kept apart`)
        : falseCondition(
            HA_READY,
            'ControlPlaneHAPending',
            `DRS rule ${ruleName} ${change.action}; waiting for DCS`,
          ),
    );
  } catch (error) {
    ctx.setCondition(falseCondition(HA_READY, 'ControlPlaneHAFailed', describeDcsFailure(error), 'Warning'));
  }
}
