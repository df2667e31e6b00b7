import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  type Step,
  stepPlan,
  trueCondition,
} from '@immutable-infra/core';
import { describeFailureWithAdvice, infraClusterSteps } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import { VSphereCluster, type VSphereClusterObject } from '../api/vsphere-cluster.js';
import type { VsphereSessions } from '../cloud/vsphere-session.js';
import { cloudForCluster, type VsphereCloud } from './cloud-for-cluster.js';
import { missingInVcenter, selectedZones } from './failure-domains.js';

type Ctx = InfraClusterContext<typeof VSphereCluster>;

/** CAPV's condition for the vCenter login. */
const VCENTER_AVAILABLE = 'VCenterAvailable';
const FAILURE_DOMAINS = 'FailureDomainsAvailable';
// Deployment zones are not watched: zones added, fixed or removed are seen on this schedule.
const ZONES_RECHECK_MS = 60_000;
// A wrong password stays wrong until someone edits the Secret; asking again soon only risks a lockout.
const CREDENTIAL_RETRY_MS = 60_000;

class ClusterRun {
  /** Set by Connect. */
  cloud!: VsphereCloud;
  /** The deployment zones found ready, for Cluster API to spread machines over. */
  failureDomains: Record<string, { controlPlane: boolean }> = {};

  constructor(
    readonly ctx: Ctx,
    readonly sessions: VsphereSessions,
  ) {}
}

const connect: Step<ClusterRun> = {
  name: 'Connect',
  async run(run) {
    const { ctx } = run;
    const lookup = await cloudForCluster(ctx, run.sessions, ctx.object);
    if (!lookup.ok) {
      ctx.setCondition(falseCondition(VCENTER_AVAILABLE, lookup.reason, lookup.message, 'Error'));
      ctx.events.warning(lookup.reason, lookup.message);
      return requeue(CREDENTIAL_RETRY_MS, lookup.message);
    }
    run.cloud = lookup;
    return done();
  },
};

const sharedSteps = (finalizer: string) =>
  infraClusterSteps<ClusterRun>({
    finalizer,
    apiVersion: VSPHERE_API_VERSION,
    clusterKind: 'VSphereCluster',
    machineKind: 'VSphereMachine',
    secretNameOf: (cluster) => {
      const identity = (cluster as Partial<VSphereClusterObject>).spec?.identityRef;
      return identity?.kind === 'Secret' ? identity.name : undefined;
    },
  });

const reconcileSteps = (finalizer: string): Step<ClusterRun>[] => [
  connect,
  // Before any VM exists, so deleting the namespace cannot take the credential from under them.
  sharedSteps(finalizer).holdCredential,
  {
    name: 'LogIn',
    async run({ ctx, cloud }) {
      try {
        // One property read proves the session works (a pooled one may have been ended by vCenter).
        const content = await cloud.client.serviceContent(ctx.signal);
        await cloud.client.properties([content.rootFolder], ['name'], ctx.signal);
        ctx.status.vCenterVersion = content.about.apiVersion;
      } catch (error) {
        const failure = describeFailureWithAdvice(error, { platform: 'vCenter' });
        ctx.setCondition(falseCondition(VCENTER_AVAILABLE, 'LoginFailed', failure, 'Error'));
        ctx.events.warning('LoginFailed', failure);
        return requeue(CREDENTIAL_RETRY_MS, failure);
      }
      ctx.setCondition(trueCondition(VCENTER_AVAILABLE, 'LoggedIn'));
      return done();
    },
  },
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
];

// The machines go first (a deleted namespace takes the cluster with them), then the credential.
const deleteSteps = (finalizer: string): Step<ClusterRun>[] => [
  sharedSteps(finalizer).waitForMachines,
  sharedSteps(finalizer).releaseCredential,
];

export function vsphereClusterHooks(
  sessions: VsphereSessions,
  /** The finalizer that keeps the credential Secret while a cluster uses it (`credentialFinalizerName`). */
  credentialFinalizer: string,
): InfraClusterHooks<typeof VSphereCluster> {
  const reconcilePlan = reconcileSteps(credentialFinalizer);
  const deletePlan = deleteSteps(credentialFinalizer);
  return {
    kind: VSphereCluster,
    reconcile: async (ctx) =>
      stepPlan(new ClusterRun(ctx, sessions), reconcilePlan, (run) => {
        const endpoint = ctx.object.spec.controlPlaneEndpoint;
        // CAPV leaves the endpoint to the user (kube-vip or a load balancer in front of the VMs).
        if (!endpoint?.host)
          return requeue(
            30_000,
            'spec.controlPlaneEndpoint is not set: give the address of the control plane load balancer or VIP',
          );
        const zoned = ctx.object.spec.failureDomainSelector !== undefined;
        return clusterProvisioned({
          controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port },
          ...(zoned ? { failureDomains: run.failureDomains, recheckAfterMs: ZONES_RECHECK_MS } : {}),
        });
      }),
    delete: async (ctx) => stepPlan(new ClusterRun(ctx, sessions), deletePlan),
  };
}
