import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterHooks,
  requeue,
  trueCondition,
} from '@immutable-infra/core';
import { DCSCluster } from '../api/dcs-cluster.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import { urnToUri } from '../cloud/dcs-ids.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { dcsTaskState } from '../cloud/dcs-types.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { reconcileControlPlaneHA } from './control-plane-ha.js';

const CREDENTIALS_READY = 'CredentialsReady';
// A wrong key stays wrong until someone edits the Secret; asking again soon only risks a lock.
const CREDENTIAL_RETRY_MS = 60_000;
const HA_RECHECK_MS = 15_000;

export function dcsClusterHooks(sessions: DcsSessionPool): InfraClusterHooks<typeof DCSCluster> {
  return {
    kind: DCSCluster,
    async reconcile(ctx) {
      const lookup = await cloudForCluster(ctx, sessions, ctx.object);
      if (!lookup.ok) {
        ctx.setCondition(falseCondition(CREDENTIALS_READY, lookup.reason, lookup.message, 'Error'));
        ctx.events.warning(lookup.reason, lookup.message);
        return requeue(CREDENTIAL_RETRY_MS, lookup.message);
      }
      try {
        await lookup.cloud.resolveSite(lookup.site);
      } catch (error) {
        const failure = describeDcsFailure(error);
        ctx.setCondition(falseCondition(CREDENTIALS_READY, 'LoginFailed', failure, 'Error'));
        ctx.events.warning('LoginFailed', failure);
        return requeue(CREDENTIAL_RETRY_MS, failure);
      }
      ctx.setCondition(trueCondition(CREDENTIALS_READY, 'LoggedIn'));
      await reconcileControlPlaneHA(ctx, lookup.cloud);
      const lb = ctx.object.spec.controlPlaneLoadBalancer;
      const endpoint = ctx.object.spec.controlPlaneEndpoint ?? { host: lb.host, port: lb.port };
      return clusterProvisioned({
        controlPlaneEndpoint: endpoint,
        // Control plane machines come and go without touching this object: look again regularly.
        ...(ctx.object.spec.controlPlaneHA?.enabled ? { recheckAfterMs: HA_RECHECK_MS } : {}),
      });
    },
    async delete(ctx) {
      const recorded = ctx.status.controlPlaneHA;
      if (!recorded?.ruleName || !recorded.clusterUrn) return done();
      const lookup = await cloudForCluster(ctx, sessions, ctx.object);
      if (!lookup.ok) return requeue(CREDENTIAL_RETRY_MS, lookup.message);
      // The rule must be gone from DCS, not just asked to go, before the finalizer is released.
      if (recorded.taskUri) {
        const outcome = dcsTaskState(await lookup.cloud.getTask(recorded.taskUri));
        if (outcome.state === 'running') return requeue(1_000, 'removing the control plane DRS rule');
        delete recorded.taskUri;
      }
      const clusterUri = urnToUri(recorded.clusterUrn);
      const rules = (await lookup.cloud.getCluster(clusterUri)).drsSetting?.drsRules ?? [];
      if (!rules.some((rule) => rule.ruleName === recorded.ruleName)) {
        delete ctx.status.controlPlaneHA;
        return done();
      }
      const deletion = await lookup.cloud.deleteRule(clusterUri, recorded.ruleName);
      if (deletion.taskUri) recorded.taskUri = deletion.taskUri;
      return requeue(1_000, 'removing the control plane DRS rule');
    },
  };
}
