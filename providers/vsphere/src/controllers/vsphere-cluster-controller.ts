import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  aliveModuleStep,
  clusterStepHooks,
  connectStep,
  controlPlaneEndpointStep,
  controlPlaneMachines,
  describeFailureWithAdvice,
  ensureEncryptionSecret,
  ensureGeneratedSecret,
  infraClusterSteps,
  kubeOvnReleaseStep,
  logInStep,
  reconciledClusterName,
} from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import { encryptionConfigSecretName, VSphereCluster } from '../api/vsphere-cluster.js';
import { CPI_LABEL, cpiNames, cpiSecret } from '../api/vsphere-cpi.js';
import type { VSphereMachineObject } from '../api/vsphere-machine.js';
import type { MoRef } from '../cloud/soap-xml.js';
import { interpretTask } from '../cloud/vsphere-client.js';
import {
  type CloudLookup,
  cloudForCluster,
  type VsphereAccess,
  type VsphereAccount,
  type VsphereCloud,
} from './cloud-for-cluster.js';
import { missingInVcenter, selectedZones } from './failure-domains.js';
import { identitySecretName, identitySecretSteps } from './secret-identity.js';
import {
  describeVipSlotConflicts,
  multiNicSlot,
  readConfigPools,
  SELF_BUILT_LOAD_BALANCER_READY,
  selfBuiltVip,
  vipSlotConflicts,
} from './self-built-vip.js';

type Ctx = InfraClusterContext<typeof VSphereCluster>;

/** CAPV's condition for the vCenter login. */
const VCENTER_AVAILABLE = 'VCenterAvailable';
const FAILURE_DOMAINS = 'FailureDomainsAvailable';
const RULE_POLL_MS = 2_000;
// Control plane machines come and go without touching this object: their rule is looked at again on this schedule.
const ANTI_AFFINITY_RECHECK_MS = 15_000;

/** The DRS rule that keeps a cluster's control plane VMs on different hosts. */
export const antiAffinityRuleName = (namespace: string, cluster: string) =>
  `iinfra-${namespace}-${cluster}-control-plane`;
// Deployment zones are not watched: zones added, fixed or removed are seen on this schedule.
const ZONES_RECHECK_MS = 60_000;
// A wrong password stays wrong until someone edits the Secret; asking again soon only risks a lockout.
const CREDENTIAL_RETRY_MS = 60_000;
// Config pools are not watched: a slot fixed (or newly conflicting) is seen on this schedule.
const VIP_CONFLICT_RECHECK_MS = 15_000;

class ClusterRun {
  /** Set by Connect. */
  cloud!: VsphereCloud;
  /** The identity's account, set by Connect: for the CPI's Secret only. */
  account!: VsphereAccount;
  /** The deployment zones found ready, for Cluster API to spread machines over. */
  failureDomains: Record<string, { controlPlane: boolean }> = {};
  /** Sooner than the usual recheck while a DRS rule change is in flight, or the alive ModuleInfo comes. */
  recheckAfterMs: number | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly access: VsphereAccess,
    /** The provider's alive version override (`VSPHERE_PLUGIN_ALIVE_VERSION`). */
    readonly aliveVersion?: string | undefined,
  ) {}

  recheckWithin(ms: number): void {
    this.recheckAfterMs = Math.min(this.recheckAfterMs ?? Number.POSITIVE_INFINITY, ms);
  }
}

/**
 * The documented Self-built VIP's cluster half: no slot of the cluster's pools may have the VIP's
 * address (machines wait while one does, see the machine controller), then the platform's alive
 * ModuleInfo (the kit's aliveModuleStep) once the control plane nodes registered, reported on
 * SelfBuiltLoadBalancerReady only. The first node's VIP is in its bootstrap data (the machine controller).
 */
const selfBuiltLoadBalancer = aliveModuleStep<ClusterRun>({
  balancer({ ctx }) {
    const balancer = selfBuiltVip(ctx.object);
    // The CRD requires vrid 1..255 for type internal.
    return (
      balancer && {
        host: balancer.host,
        port: balancer.port,
        vrid: balancer.vrid ?? 0,
        interface: balancer.interface || undefined,
      }
    );
  },
  versionOverride: (run) => run.aliveVersion,
  conditionType: SELF_BUILT_LOAD_BALANCER_READY,
  async precheck({ ctx }, balancer) {
    const namespace = ctx.object.metadata.namespace ?? 'default';
    const clusterName = reconciledClusterName(ctx);
    const pools = await readConfigPools(ctx.kube, namespace);
    // Events are told once, when the condition first says so, not on every look.
    const previous = ctx.object.status?.conditions?.find((c) => c.type === SELF_BUILT_LOAD_BALANCER_READY);
    const nics = multiNicSlot(pools, clusterName);
    if (!previous && nics && !balancer.interface)
      ctx.events.warning(
        'VIPInterfaceNotSet',
        `slot ${nics.hostname} of VSphereMachineConfigPool ${nics.pool} has more than one NIC and spec.controlPlaneLoadBalancer.interface is empty: the VIP goes on the NIC of the node IP, which cannot be changed later`,
      );
    const conflicts = vipSlotConflicts(pools, clusterName, balancer.host);
    if (conflicts.length === 0) return undefined;
    const message = describeVipSlotConflicts(balancer.host, conflicts);
    if (previous?.reason !== 'VIPConflictsWithSlot') ctx.events.warning('VIPConflictsWithSlot', message);
    return {
      condition: falseCondition(SELF_BUILT_LOAD_BALANCER_READY, 'VIPConflictsWithSlot', message, 'Error'),
      recheckAfterMs: VIP_CONFLICT_RECHECK_MS,
    };
  },
});

const connect = connectStep<ClusterRun, CloudLookup>({
  conditionType: VCENTER_AVAILABLE,
  retryMs: CREDENTIAL_RETRY_MS,
  lookup: ({ ctx, access }) => cloudForCluster(ctx, access, ctx.object),
  connected(run, lookup) {
    run.cloud = lookup;
    run.account = lookup.account;
  },
});

/**
 * The documented CPI delivery takes the vCenter account from `<cluster>-vsphere-cpi-secret`: for a
 * Cluster that asks for the CPI (its label), the provider makes it from the identity it just logged
 * in with, so neither the create wizard nor a template ever holds the password (the vCenter
 * password is only ever in Secrets). One the user applied (the documented manifest) is left as it
 * is; ours follows a changed password.
 */
const cpiSecretStep: Step<ClusterRun> = {
  name: 'CPISecret',
  when: ({ ctx }) => ctx.cluster?.metadata?.labels?.[CPI_LABEL] === 'enabled',
  async run(run) {
    const { ctx } = run;
    const { name, namespace, uid } = ctx.object.metadata;
    const cluster = ctx.cluster?.metadata?.name ?? name;
    const wanted = cpiSecret(cluster, namespace ?? 'default', { server: run.cloud.server, ...run.account });
    const outcome = await ensureGeneratedSecret(
      ctx.kube,
      { ...wanted, metadata: { ...wanted.metadata, name: cpiNames(cluster).secret } },
      // The VSphereCluster's: the Secret goes with it.
      {
        apiVersion: VSPHERE_API_VERSION,
        kind: 'VSphereCluster',
        name,
        uid: uid ?? '',
        blockOwnerDeletion: true,
      },
    );
    if (outcome === 'created' || outcome === 'updated')
      ctx.events.normal('CPISecret', `${outcome} Secret ${cpiNames(cluster).secret} for the vSphere CPI`);
    return done();
  },
};

/**
 * Keeps the control plane VMs of each compute cluster in one DRS anti-affinity rule: made when a
 * second control plane VM is there, edited to the VMs there now, removed when fewer than two are
 * left. Each rule is recorded in status before it is made, so deleting the cluster finds it.
 * A change is a vSphere task whose reference is recorded with the rule and read on a later
 * reconcile, never waited for: keeping VMs apart is upkeep of a running cluster, and must not take
 * its readiness away while DRS applies it. `disableClusterModule` turns the placement off.
 */
const controlPlaneAntiAffinity: Step<ClusterRun> = {
  name: 'ControlPlaneAntiAffinity',
  when: ({ ctx }) => ctx.object.spec.disableClusterModule !== true,
  async run(run) {
    const { ctx, cloud } = run;
    const namespace = ctx.object.metadata.namespace ?? 'default';
    const machines = await controlPlaneMachines<VSphereMachineObject>(
      ctx.kube,
      { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereMachine' },
      { namespace, cluster: reconciledClusterName(ctx) },
    );
    const vms = machines.flatMap((m) =>
      m.status?.vmRef && !m.metadata.deletionTimestamp
        ? [{ type: 'VirtualMachine', value: m.status.vmRef }]
        : [],
    );
    const where = await cloud.client.computeClustersOf(vms);
    const groups = new Map<string, MoRef[]>();
    for (const vm of vms) {
      const cluster = where.get(vm.value);
      if (cluster?.type === 'ClusterComputeResource')
        groups.set(cluster.value, [...(groups.get(cluster.value) ?? []), vm]);
    }
    const name = antiAffinityRuleName(namespace, ctx.object.metadata.name);
    const recorded = () => ctx.status.controlPlaneAntiAffinity ?? [];
    const computeClusters = new Set([...groups.keys(), ...recorded().map((r) => r.computeCluster)]);
    for (const computeCluster of [...computeClusters].sort()) {
      const entry = recorded().find((r) => r.computeCluster === computeCluster);
      if (entry?.task && !(await ruleTaskFinished(run, entry as AntiAffinityEntry))) {
        run.recheckAfterMs = RULE_POLL_MS;
        continue;
      }
      const cluster = { type: 'ClusterComputeResource', value: computeCluster };
      const wanted = groups.get(computeCluster) ?? [];
      const rule = (await cloud.client.clusterRules(cluster)).find((r) => r.name === name);
      const same =
        rule !== undefined &&
        rule.vms.length === wanted.length &&
        wanted.every((vm) => rule.vms.some((r) => r.value === vm.value));
      if (wanted.length < 2 && !rule) {
        // DRS keeps a rule for two VMs or more: one VM left apart from nothing needs none.
        ctx.status.controlPlaneAntiAffinity = recorded().filter((r) => r.computeCluster !== computeCluster);
        continue;
      }
      if (same && wanted.length >= 2) continue;
      if (!entry) {
        ctx.status.controlPlaneAntiAffinity = [...recorded(), { computeCluster, rule: name }];
        // Persisted before the rule is asked for: a crash in between leaves no rule the deletion misses.
        await ctx.saveStatus();
      }
      const change =
        wanted.length < 2 && rule
          ? ({ operation: 'remove', key: rule.key } as const)
          : rule
            ? ({ operation: 'edit', key: rule.key, name, vms: wanted } as const)
            : ({ operation: 'add', name, vms: wanted } as const);
      const task = await cloud.client.changeAntiAffinityRule(cluster, change);
      ctx.status.controlPlaneAntiAffinity = recorded().map((r) =>
        r.computeCluster === computeCluster ? { ...r, task } : r,
      );
      const doing = { add: 'creating', edit: 'updating', remove: 'removing' }[change.operation];
      ctx.events.normal(
        'ControlPlaneAntiAffinity',
        change.operation === 'remove'
          ? `removing DRS rule ${name} from ${computeCluster}: fewer than two control plane VMs are there`
          : `${doing} DRS rule ${name}: ${wanted.length} control plane VMs on different hosts (task ${task})`,
      );
      run.recheckAfterMs = RULE_POLL_MS;
    }
    return done();
  },
};

type AntiAffinityEntry = { computeCluster: string; rule: string; task: string };

/**
 * Whether the rule change recorded on `entry` is over (a task vCenter forgot is over too); a
 * finished one is cleared from status, a failed one told as an Event, and the rule is looked at
 * afresh, which asks again for what is still wanted.
 */
async function ruleTaskFinished(run: ClusterRun, entry: AntiAffinityEntry): Promise<boolean> {
  const info = await run.cloud.client.taskInfo(entry.task);
  const state = info ? interpretTask(info) : ({ state: 'succeeded' } as const);
  if (state.state === 'running') return false;
  if (state.state === 'failed')
    run.ctx.events.warning('ControlPlaneAntiAffinityFailed', `DRS rule ${entry.rule}: ${state.message}`);
  run.ctx.status.controlPlaneAntiAffinity = (run.ctx.status.controlPlaneAntiAffinity ?? []).map((r) =>
    r.computeCluster === entry.computeCluster ? { computeCluster: r.computeCluster, rule: r.rule } : r,
  );
  return true;
}

const sharedSteps = (finalizer: string) =>
  infraClusterSteps<ClusterRun>({
    finalizer,
    apiVersion: VSPHERE_API_VERSION,
    clusterKind: 'VSphereCluster',
    machineKind: 'VSphereMachine',
    secretNameOf: identitySecretName,
  });

/**
 * The cluster's EncryptionConfiguration in a Secret of its own (a random key, made once, owned by
 * the VSphereCluster so it goes with it), before the cluster is provisioned: the control plane's
 * bootstrap data is rendered only after that, and reads it by `contentFrom`.
 */
const encryptionConfig: Step<ClusterRun> = {
  name: 'EncryptionConfig',
  async run({ ctx }) {
    const { name, namespace, uid } = ctx.object.metadata;
    const clusterName = ctx.cluster?.metadata?.name ?? name;
    await ensureEncryptionSecret(ctx, {
      namespace: namespace ?? 'default',
      name: encryptionConfigSecretName(clusterName),
      clusterName,
      owner: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereCluster', name, uid: uid ?? '' },
    });
    return done();
  },
};

const reconcileSteps = (finalizer: string): Step<ClusterRun>[] => [
  controlPlaneEndpointStep<ClusterRun>({ retryMs: CREDENTIAL_RETRY_MS }),
  encryptionConfig,
  connect,
  // Before any VM exists, so deleting the namespace cannot take the credential from under them.
  identitySecretSteps<ClusterRun>(finalizer).hold,
  logInStep<ClusterRun>({
    conditionType: VCENTER_AVAILABLE,
    retryMs: CREDENTIAL_RETRY_MS,
    async logIn({ ctx, cloud }) {
      // One property read proves the session works (a pooled one may have been ended by vCenter).
      const content = await cloud.client.serviceContent(ctx.signal);
      await cloud.client.properties([content.rootFolder], ['name'], ctx.signal);
      ctx.status.vCenterVersion = content.about.apiVersion;
    },
    describe: (error) => describeFailureWithAdvice(error, { platform: 'vCenter' }),
  }),
  cpiSecretStep,
  {
    name: 'FailureDomains',
    when: ({ ctx }) => ctx.object.spec.failureDomainSelector !== undefined,
    async run(run) {
      const { ctx } = run;
      const { zones, problems } = await selectedZones(ctx.kube, ctx.object);
      for (const zone of zones) {
        const missing = await missingInVcenter(run.cloud, zone);
        if (missing.length > 0) problems.push(...missing);
        else
          run.failureDomains[zone.zone.metadata.name] = { controlPlane: zone.zone.spec.controlPlane ?? true };
      }
      // A zone that is not ready is left out and named; the others are used.
      ctx.setCondition(
        problems.length > 0
          ? falseCondition(FAILURE_DOMAINS, 'FailureDomainsNotReady', problems.join('; '), 'Warning')
          : trueCondition(FAILURE_DOMAINS, 'Ready', `${zones.length} deployment zones`),
      );
      return done();
    },
  },
  controlPlaneAntiAffinity,
  // The Cluster's cpaas.io/kube-ovn-version as the workload cluster's Kube-OVN AppRelease (the vSphere
  // upgrade docs put it on this provider). Before the VIP's alive: its pods need the CNI.
  kubeOvnReleaseStep<ClusterRun>({}),
  selfBuiltLoadBalancer,
];

const hasRules = ({ ctx }: ClusterRun) => (ctx.status.controlPlaneAntiAffinity ?? []).length > 0;

// The machines go first (a deleted namespace takes the cluster with them), then the DRS rules (gone
// from vCenter, not just asked to go), then the credential.
const deleteSteps = (finalizer: string): Step<ClusterRun>[] => [
  sharedSteps(finalizer).waitForMachines,
  { ...connect, when: hasRules },
  {
    name: 'DeleteAntiAffinityRules',
    when: hasRules,
    async run(run) {
      for (const entry of [...(run.ctx.status.controlPlaneAntiAffinity ?? [])]) {
        if (entry.task && !(await ruleTaskFinished(run, entry as AntiAffinityEntry)))
          return requeue(RULE_POLL_MS, `waiting for vSphere task ${entry.task} on DRS rule ${entry.rule}`);
        const cluster = { type: 'ClusterComputeResource', value: entry.computeCluster };
        const rule = (await run.cloud.client.clusterRules(cluster)).find((r) => r.name === entry.rule);
        const rest = (run.ctx.status.controlPlaneAntiAffinity ?? []).filter(
          (r) => r.computeCluster !== entry.computeCluster,
        );
        if (rule) {
          const task = await run.cloud.client.changeAntiAffinityRule(cluster, {
            operation: 'remove',
            key: rule.key,
          });
          run.ctx.status.controlPlaneAntiAffinity = [...rest, { ...entry, task }];
          return requeue(RULE_POLL_MS, `removing DRS rule ${entry.rule} (vSphere task ${task})`);
        }
        run.ctx.status.controlPlaneAntiAffinity = rest;
      }
      return done();
    },
  },
  identitySecretSteps<ClusterRun>(finalizer).release,
];

export function vsphereClusterHooks(
  access: VsphereAccess,
  /**
   * The kit's finalizer for a credential Secret in use (`credentialFinalizerName`), which earlier
   * releases put on an identity Secret: swapped for CAPV's, and released on delete.
   */
  credentialFinalizer: string,
  /** The alive version to deploy instead of the platform's choice (`VSPHERE_PLUGIN_ALIVE_VERSION`). */
  aliveVersion?: string,
): InfraClusterHooks<typeof VSphereCluster> {
  return clusterStepHooks({
    kind: VSphereCluster,
    newRun: (ctx) => new ClusterRun(ctx, access, aliveVersion),
    reconcile: reconcileSteps(credentialFinalizer),
    provisioned(run) {
      const { spec } = run.ctx.object;
      const balancer = spec.controlPlaneLoadBalancer;
      // The user's endpoint, else the load balancer's (the host writes it into an empty endpoint).
      const endpoint = spec.controlPlaneEndpoint?.host
        ? spec.controlPlaneEndpoint
        : balancer && { host: balancer.host, port: balancer.port };
      if (!endpoint?.host)
        return requeue(
          30_000,
          'spec.controlPlaneEndpoint is not set: give the address of the control plane load balancer or VIP, or set spec.controlPlaneLoadBalancer',
        );
      const zoned = spec.failureDomainSelector !== undefined;
      const antiAffinity = spec.disableClusterModule !== true;
      if (antiAffinity) run.recheckWithin(ANTI_AFFINITY_RECHECK_MS);
      else if (zoned) run.recheckWithin(ZONES_RECHECK_MS);
      const recheckAfterMs = run.recheckAfterMs;
      return clusterProvisioned({
        controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port },
        ...(zoned ? { failureDomains: run.failureDomains } : {}),
        ...(recheckAfterMs ? { recheckAfterMs } : {}),
      });
    },
    delete: deleteSteps(credentialFinalizer),
  });
}
