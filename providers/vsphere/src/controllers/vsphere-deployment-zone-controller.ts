import {
  done,
  type ExtraKindHooks,
  falseCondition,
  type ObjectContext,
  requeue,
  trueCondition,
} from '@immutable-infra/core';
import {
  credentialLenders,
  describeFailureWithAdvice,
  withBorrowedCredential,
} from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import { VSphereDeploymentZone } from '../api/vsphere-deployment-zone.js';
import { cloudForCluster, type VsphereAccess } from './cloud-for-cluster.js';
import { missingInVcenter, zoneNamed } from './failure-domains.js';

type Ctx = ObjectContext<typeof VSphereDeploymentZone>;

/** CAPV's conditions of a deployment zone: the vCenter login, and its failure domain and placement found there. */
const VCENTER_AVAILABLE = 'VCenterAvailable';
const PLACEMENT_MET = 'PlacementConstraintMet';
// vCenter's inventory changes without a Kubernetes event: a zone is looked at again on this schedule.
const RECHECK_MS = 5 * 60_000;
const MISSING_RETRY_MS = 30_000;
const NO_LENDER_RECHECK_MS = 15_000;

/**
 * The VSphereClusters whose credentials may look at a zone's vCenter, as CAPV borrows them: those on
 * the zone's server (any, for a zone naming none), those whose own login works first.
 */
async function lenders(ctx: Ctx): Promise<VSphereClusterObject[]> {
  const server = ctx.object.spec.server;
  const clusters = await ctx.kube.list<VSphereClusterObject>(VSPHERE_API_VERSION, 'VSphereCluster');
  return credentialLenders(clusters, {
    loggedInCondition: VCENTER_AVAILABLE,
    accepts: (c) => Boolean(c.spec.server) && (!server || c.spec.server === server),
  });
}

/**
 * Keeps a VSphereDeploymentZone's `status.ready` and conditions: ready when its VSphereFailureDomain
 * exists and vCenter has everything the two name (datacenter, compute cluster, datastore, networks,
 * resource pool, folder). vCenter is reached with the credentials of a VSphereCluster on the zone's
 * server; a host that has none leaves the zone as it is (another host, or a later cluster, will say)
 * and looks again shortly.
 */
export function vsphereDeploymentZoneHooks(
  access: VsphereAccess,
): ExtraKindHooks<typeof VSphereDeploymentZone> {
  return {
    kind: VSphereDeploymentZone,
    async reconcile(ctx) {
      const name = ctx.object.metadata.name;
      const zone = await zoneNamed(ctx.kube, name);
      if (!zone) {
        const message = `VSphereFailureDomain ${ctx.object.spec.failureDomain ?? '(none named)'} not found`;
        ctx.status.ready = false;
        ctx.setCondition(falseCondition(PLACEMENT_MET, 'FailureDomainNotFound', message, 'Warning'));
        return requeue(MISSING_RETRY_MS, message);
      }
      const candidates = await lenders(ctx);
      // Zones are often applied before any cluster: look again soon, as the first one may come.
      if (candidates.length === 0) return done({ recheckAfterMs: NO_LENDER_RECHECK_MS });
      const borrowed = await withBorrowedCredential(candidates, {
        connect: (cluster) =>
          cloudForCluster(ctx, access, cluster, {
            ...(ctx.object.spec.server !== undefined && { server: ctx.object.spec.server }),
          }),
        use: (cloud) => missingInVcenter(cloud, zone),
        describe: (error) => describeFailureWithAdvice(error, { platform: 'vCenter' }),
      });
      if (borrowed.ok) {
        const missing = borrowed.value;
        ctx.setCondition(trueCondition(VCENTER_AVAILABLE, 'LoggedIn'));
        ctx.status.ready = missing.length === 0;
        if (missing.length > 0) {
          const message = missing.map((m) => m.slice(`${name}: `.length)).join('; ');
          ctx.setCondition(falseCondition(PLACEMENT_MET, 'NotFoundInVCenter', message, 'Warning'));
          return done({ recheckAfterMs: MISSING_RETRY_MS });
        }
        ctx.setCondition(trueCondition(PLACEMENT_MET, 'Found'));
        return done({ recheckAfterMs: RECHECK_MS });
      }
      const failure = borrowed.failure;
      ctx.status.ready = false;
      ctx.setCondition(falseCondition(VCENTER_AVAILABLE, 'LoginFailed', failure, 'Error'));
      return requeue(MISSING_RETRY_MS, failure);
    },
  };
}
