import type { ConditionInput, KubeClient, ObjectMeta, Step } from '@immutable-infra/core';
import { done, falseCondition, trueCondition } from '@immutable-infra/core';
import { describeFailure } from '../failures/failure-words.js';
import { reconciledClusterName } from './cluster-steps.js';
import {
  APP_RELEASE_API_VERSION,
  type AppReleaseView,
  KUBE_OVN_APP_RELEASE,
  KUBE_OVN_RELEASE_READY,
  type KubeOvnClusterView,
  kubeOvnAppRelease,
  kubeOvnAppReleasePatch,
  kubeOvnChartFor,
  kubeOvnTarget,
  kubeOvnVerdict,
  wantsKubeOvn,
} from './kube-ovn-release.js';
import { type WorkloadApi, workloadApiOf } from './workload-api.js';

/** How soon the step looks again while the AppRelease is on its way; a ready one only on the usual schedule. */
export const KUBE_OVN_WAIT_RECHECK_MS = 15_000;
/** While the workload cluster has no kubeconfig yet, or does not answer. */
export const KUBE_OVN_UNREACHABLE_RECHECK_MS = 30_000;

/** What the step needs of a cluster reconcile's run. */
export interface KubeOvnReleaseRun {
  ctx: {
    kube: KubeClient;
    object: { metadata: ObjectMeta };
    cluster?: (KubeOvnClusterView & { metadata?: { name?: string } }) | undefined;
    setCondition(condition: ConditionInput): void;
  };
  /** How soon the cluster wants to be looked at again without an event; the step only lowers it. */
  recheckAfterMs?: number | undefined;
}

export interface KubeOvnReleaseStepOptions<Run> {
  /** The step's name in the plan; `KubeOvnAppRelease` by default. */
  name?: string | undefined;
  /** The condition reported on; KubeOvnAppReleaseReady by default. */
  conditionType?: string | undefined;
  /** The chart for a version, when the provider overrides the platform's ({@link kubeOvnChartFor}). */
  chart?(run: Run, version: string): string;
  /** The workload cluster's API; by default from the `<cluster>-kubeconfig` Secret. */
  workloadApi?(run: Run): Promise<WorkloadApi | undefined>;
}

const APP_RELEASES_PATH = `/apis/${APP_RELEASE_API_VERSION}/namespaces/${KUBE_OVN_APP_RELEASE.namespace}/appreleases`;
const APP_RELEASE_PATH = `${APP_RELEASES_PATH}/${KUBE_OVN_APP_RELEASE.name}`;

/**
 * The cluster step of the Cluster's `cpaas.io/kube-ovn-version` annotation: the workload
 * cluster's AppRelease `cpaas-system/cni-kube-ovn` created for it, or its chart release's
 * `targetRevision` moved to it, then the chart's `installedRevision` and `phase` reported on
 * KubeOvnAppReleaseReady. Looks up before it creates or patches (a patch is conditional on the
 * version read), writes nothing when the AppRelease already says the version, and holds nothing
 * in the management cluster: a crash between any two calls is met by the next run's look-up.
 * Like the self-built VIP's step it only reports and lowers `run.recheckAfterMs`: the workload
 * cluster's network never holds up the infrastructure cluster's readiness, which its nodes need.
 */
export function kubeOvnReleaseStep<Run extends KubeOvnReleaseRun>(
  options: KubeOvnReleaseStepOptions<Run>,
): Step<Run> {
  const conditionType = options.conditionType ?? KUBE_OVN_RELEASE_READY;
  return {
    name: options.name ?? 'KubeOvnAppRelease',
    when: (run) => wantsKubeOvn(run.ctx.cluster),
    async run(run) {
      const { ctx } = run;
      const report = (condition: ConditionInput, recheckAfterMs?: number) => {
        ctx.setCondition(condition);
        if (recheckAfterMs !== undefined)
          run.recheckAfterMs = Math.min(run.recheckAfterMs ?? Number.POSITIVE_INFINITY, recheckAfterMs);
        return done();
      };
      const wanted = kubeOvnTarget(ctx.cluster ?? {});
      // Someone must fix the Cluster; its change is an event, so no recheck.
      if (!wanted.target)
        return report(
          falseCondition(conditionType, 'InvalidConfiguration', wanted.problems.join('; '), 'Error'),
        );
      const { target } = wanted;
      const chart = options.chart?.(run, target.version) ?? kubeOvnChartFor(target.version);
      const namespace = ctx.object.metadata.namespace ?? 'default';
      const api = await (
        options.workloadApi ?? (() => workloadApiOf(ctx.kube, namespace, reconciledClusterName(ctx)))
      )(run);
      if (!api)
        return report(
          falseCondition(
            conditionType,
            'WaitingForWorkloadCluster',
            'the workload cluster has no kubeconfig yet',
          ),
          KUBE_OVN_UNREACHABLE_RECHECK_MS,
        );
      try {
        const read = await api.call<AppReleaseView>('GET', APP_RELEASE_PATH);
        if (read.status === 404 && !isMissingKind(read)) {
          const created = await api.call('POST', APP_RELEASES_PATH, kubeOvnAppRelease(target, chart));
          // 409: a run before this one created it after our look-up; the next run reads it.
          if (created.status >= 300 && created.status !== 409) return refused(created, 'create');
          return report(
            falseCondition(conditionType, 'Reconciling', `created AppRelease for Kube-OVN ${target.version}`),
            KUBE_OVN_WAIT_RECHECK_MS,
          );
        }
        if (read.status >= 300) return refused(read, 'read');
        const stored = read.body ?? {};
        const patch = kubeOvnAppReleasePatch(stored, target, chart);
        if (patch) {
          const patched = await api.call('PATCH', APP_RELEASE_PATH, patch);
          // 409: changed since our read; the next run reads it again.
          if (patched.status >= 300 && patched.status !== 409) return refused(patched, 'update');
          return report(
            falseCondition(conditionType, 'Reconciling', `asked AppRelease for Kube-OVN ${target.version}`),
            KUBE_OVN_WAIT_RECHECK_MS,
          );
        }
        const verdict = kubeOvnVerdict(stored, target.version);
        return verdict.ready
          ? report(trueCondition(conditionType, verdict.reason, verdict.message))
          : report(
              falseCondition(conditionType, verdict.reason, verdict.message, verdict.severity),
              KUBE_OVN_WAIT_RECHECK_MS,
            );
      } catch (error) {
        return report(
          falseCondition(
            conditionType,
            'WorkloadClusterUnreachable',
            `${api.server}: ${describeFailure(error, 'the workload cluster')}`,
            'Warning',
          ),
          KUBE_OVN_UNREACHABLE_RECHECK_MS,
        );
      } finally {
        await api.close();
      }

      function refused(answer: { status: number; body: unknown }, what: string) {
        const message = (answer.body as { message?: string } | undefined)?.message ?? `HTTP ${answer.status}`;
        return report(
          falseCondition(
            conditionType,
            isMissingKind(answer) ? 'AppReleaseKindMissing' : 'AppReleaseRefused',
            isMissingKind(answer)
              ? `the workload cluster does not serve ${APP_RELEASE_API_VERSION} AppRelease (is the platform's agent installed?)`
              : `the workload cluster refused to ${what} AppRelease ${KUBE_OVN_APP_RELEASE.namespace}/${KUBE_OVN_APP_RELEASE.name}: ${message}`,
            'Warning',
          ),
          KUBE_OVN_UNREACHABLE_RECHECK_MS,
        );
      }
    },
  };
}

/** A 404 for the kind itself (the API group is not served), not for the object. */
function isMissingKind(answer: { status: number; body: unknown }): boolean {
  // The API server names the object in the Status's details when only the object is missing.
  const details = (answer.body as { details?: { name?: string } } | undefined)?.details;
  return answer.status === 404 && details?.name !== KUBE_OVN_APP_RELEASE.name;
}
