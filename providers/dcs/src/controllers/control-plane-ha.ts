import { falseCondition, type InfraClusterContext, trueCondition } from '@immutable-infra/core';
import {
  controlPlaneMachines,
  type RecordedFactChecks,
  spreadNotConvergedMessage,
  sharedHosts as spreadSharedHosts,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSCluster } from '../api/dcs-cluster.js';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import { urnToUri } from '../cloud/dcs-ids.js';

type Ctx = InfraClusterContext<typeof DCSCluster>;

const HA_READY = 'ControlPlaneHAReady';

/**
 * How soon a rule still waited for (its task, VMs not placed apart yet) is looked at again without
 * a change of the control plane: DCS moves the VMs on its own time, not on our wake-ups.
 */
export const HA_RECHECK_MS = 15_000;

/**
 * A rule that stays pending as it was (a compute cluster with fewer hosts than control plane VMs never
 * converges) is looked at after 15 s, 30 s, 60 s, then every 2 minutes: not every 15 s for as long
 * as the cluster lives. A change of the control plane asks again at once.
 */
export const HA_RECHECK_MAX_MS = 120_000;
export const pendingRecheckMs = (timesSeen: number) =>
  Math.min(HA_RECHECK_MS * 2 ** Math.max(0, timesSeen - 1), HA_RECHECK_MAX_MS);

/** A control plane VM as DCS lists it: where it runs. */
interface ControlPlaneVm {
  machineName: string;
  vmName: string;
  vmUrn: string;
  clusterUrn: string;
  /** Empty while DCS has not placed the VM on a host. */
  hostUrn: string;
  hostName: string;
}

/** The hosts that run more than one of the VMs, and VMs not placed on any host yet (under ''). */
export const sharedHosts = (vms: readonly Pick<ControlPlaneVm, 'vmName' | 'hostUrn' | 'hostName'>[]) =>
  spreadSharedHosts(vms.map(({ vmName, hostUrn, hostName }) => ({ vmName, hostId: hostUrn, hostName })));

/** The DRS rule name for a cluster: deterministic, so it is found again after any restart. */
export function controlPlaneRuleName(namespace: string, cluster: string): string {
  return `iinfra-cp-${namespace}-${cluster}`.slice(0, 63);
}

/**
 * Keeps one DRS mutual-exclusion rule whose members are exactly the cluster's
 * control plane VMs, so DCS never places two of them on one host; removes it
 * when HA is turned off. Reports progress as the ControlPlaneHAReady condition.
 *
 * The cluster is reconciled on every change of its machines, and each time looked up every control
 * plane VM and the rule (issue 23). A rule found holding exactly the recorded members, spread over
 * different hosts, is trusted (`checks`) while the control plane machines and the spec stay as
 * they were, for the recheck window; any change there, the recheck, a failure or a manager restart
 * asks DCS again.
 */
export async function reconcileControlPlaneHA(
  ctx: Ctx,
  cloud: DcsCloud,
  checks?: RecordedFactChecks,
): Promise<void> {
  const namespace = ctx.object.metadata.namespace ?? 'default';
  const clusterName = ctx.cluster.metadata.name;
  const recorded = ctx.status.controlPlaneHA;
  const factKey = ctx.object.metadata.uid ?? `${namespace}/${ctx.object.metadata.name}`;
  if (!ctx.object.spec.controlPlaneHA?.enabled) {
    checks?.forget(factKey);
    if (recorded?.ruleName && recorded.clusterUrn) {
      await cloud.deleteRule(urnToUri(recorded.clusterUrn), recorded.ruleName);
    }
    delete ctx.status.controlPlaneHA;
    return;
  }
  try {
    const machines = await controlPlaneMachines<DCSMachineObject>(
      ctx.kube,
      { apiVersion: DCS_API_VERSION, kind: 'DCSMachine' },
      { namespace, cluster: clusterName },
    );
    const fingerprint = haFingerprint(ctx, machines);
    const condition = ctx.getCondition(HA_READY);
    const held = condition?.status === 'True' && sameMachines(recorded?.members ?? [], machines);
    if (held && checks?.isFresh(factKey, fingerprint)) return;
    const pendingKey = `${factKey}/pending`;
    if (
      !held &&
      condition?.reason === 'ControlPlaneHAPending' &&
      checks?.isFresh(pendingKey, fingerprint, pendingRecheckMs(checks.timesSeen(pendingKey, fingerprint)))
    )
      return;
    // Waiting for DCS: asked again at the (growing) recheck, or at once when the control plane changes.
    const pending = (message: string) => {
      checks?.seen(pendingKey, fingerprint);
      ctx.setCondition(falseCondition(HA_READY, 'ControlPlaneHAPending', message));
    };
    const members: ControlPlaneVm[] = [];
    for (const machine of machines) {
      const vmName = machine.status?.networkConfig?.machineName ?? machine.metadata.name;
      // By the recorded URI first (one GET of one VM); by name when none is recorded or it is gone.
      const recordedVm = machine.status?.vmUri ? await cloud.getVm(machine.status.vmUri) : undefined;
      const vm = recordedVm?.name === vmName ? recordedVm : await cloud.findVmByName(vmName);
      if (vm?.urn && vm.location)
        members.push({
          machineName: machine.metadata.name,
          vmName,
          vmUrn: vm.urn,
          clusterUrn: vm.location,
          hostUrn: vm.hostUrn ?? '',
          hostName: vm.hostName ?? '',
        });
    }
    if (members.length < 2) {
      pending(`waiting for control plane VMs (${members.length} so far)`);
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
    if (change.action !== 'unchanged') {
      pending(`DRS rule ${ruleName} ${change.action}; waiting for DCS`);
      return;
    }
    // The rule only asks DCS to keep them apart: HA holds once DCS has actually placed them so.
    const shared = sharedHosts(inCluster);
    if (shared.length > 0) {
      checks?.forget(factKey);
      pending(spreadNotConvergedMessage({ rule: `DRS rule ${ruleName}`, platform: 'DCS', shared }));
      return;
    }
    // Held as wanted: trusted until the control plane or the spec changes, or the recheck.
    if (inCluster.length === members.length) checks?.seen(factKey, fingerprint);
    else checks?.forget(factKey);
    ctx.setCondition(
      trueCondition(
        HA_READY,
        'ControlPlaneHAReady',
        `${inCluster.length} control plane VMs on ${inCluster.length} different hosts`,
      ),
    );
  } catch (error) {
    checks?.forget(factKey);
    checks?.forget(`${factKey}/pending`);
    ctx.setCondition(falseCondition(HA_READY, 'ControlPlaneHAFailed', describeDcsFailure(error), 'Warning'));
  }
}

/** What a trusted rule depends on: the spec's generation and each control plane machine's VM. */
function haFingerprint(ctx: Ctx, machines: readonly DCSMachineObject[]): string {
  const vms = machines
    .map(
      (m) =>
        `${m.metadata.uid ?? m.metadata.name}=${m.status?.networkConfig?.machineName ?? m.metadata.name}`,
    )
    .sort();
  return `${ctx.object.metadata.generation ?? ''}|${vms.join(',')}`;
}

/** Whether the recorded rule members are exactly these machines. */
function sameMachines(
  members: readonly { machineName?: string | undefined }[],
  machines: readonly DCSMachineObject[],
): boolean {
  const names = (list: readonly string[]) => [...list].sort().join(',');
  return names(members.map((m) => m.machineName ?? '')) === names(machines.map((m) => m.metadata.name));
}
