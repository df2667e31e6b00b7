/**
 * The workload cluster's Kube-OVN, as the platform's documentation has the infrastructure provider
 * drive it: the Cluster's `cpaas.io/kube-ovn-version` annotation is the version of the single
 * AppRelease `cni-kube-ovn` in `cpaas-system` of the workload cluster, whose chart release
 * `cpaas-kube-ovn` reports `installedRevision` and `phase` in its status. Pure: what the
 * AppRelease should say, and what its status means.
 */

export const KUBE_OVN_VERSION_ANNOTATION = 'cpaas.io/kube-ovn-version';
export const NETWORK_TYPE_ANNOTATION = 'cpaas.io/network-type';
export const KUBE_OVN_JOIN_CIDR_ANNOTATION = 'cpaas.io/kube-ovn-join-cidr';
export const REGISTRY_ADDRESS_ANNOTATION = 'cpaas.io/registry-address';
export const APP_RELEASE_API_VERSION = 'operator.alauda.io/v1alpha1';
export const KUBE_OVN_APP_RELEASE = { namespace: 'cpaas-system', name: 'cni-kube-ovn' } as const;
/** The chart release in the AppRelease, under which its status reports the installed revision. */
export const KUBE_OVN_CHART_RELEASE = 'cpaas-kube-ovn';
/** The condition on the infrastructure cluster. */
export const KUBE_OVN_RELEASE_READY = 'KubeOvnAppReleaseReady';

/** The platform's Kube-OVN chart: renamed with Kube-OVN v4.4. */
export const KUBE_OVN_CHART = 'acp/chart-kube-ovn';
export const KUBE_OVN_LEGACY_CHART = 'acp/chart-cpaas-kube-ovn';

const VERSION = /^v?(\d+)\.(\d+)(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;

/** The chart that ships Kube-OVN `version` (`v4.3.11`: the legacy chart; `v4.4.0` and later: the new one). */
export function kubeOvnChartFor(version: string): string {
  const [, major = '0', minor = '0'] = VERSION.exec(version) ?? [];
  return Number(major) > 4 || (Number(major) === 4 && Number(minor) >= 4)
    ? KUBE_OVN_CHART
    : KUBE_OVN_LEGACY_CHART;
}

/** The chart phases the documentation names as failed; any other phase but Success is in progress. */
const FAILED_PHASES = ['DownloadFailed', 'DeployFailed', 'NotReady'];

/** What the step reads of a Cluster API Cluster (its spec as any Cluster API version types it). */
export interface KubeOvnClusterView {
  metadata?: { name?: string | undefined; annotations?: Record<string, string> | undefined } | undefined;
  spec?: Record<string, unknown> | undefined;
}

/** `spec.clusterNetwork` of a Cluster, as v1beta1 and v1beta2 both have it. */
interface ClusterNetwork {
  pods?: { cidrBlocks?: string[] };
  services?: { cidrBlocks?: string[] };
}

/** The Kube-OVN the Cluster asks for. */
export interface KubeOvnTarget {
  version: string;
  registry: string;
  podCidr: string;
  serviceCidr: string;
  joinCidr?: string | undefined;
}

/** True when the Cluster's network is Kube-OVN: its network type says so, or it names a Kube-OVN version. */
export function wantsKubeOvn(cluster: KubeOvnClusterView | undefined): boolean {
  const annotations = cluster?.metadata?.annotations ?? {};
  return annotations[NETWORK_TYPE_ANNOTATION] === 'kube-ovn' || KUBE_OVN_VERSION_ANNOTATION in annotations;
}

/** The Cluster's Kube-OVN target, or every reason it has none, each naming its field. */
export function kubeOvnTarget(
  cluster: KubeOvnClusterView,
): { target: KubeOvnTarget; problems?: undefined } | { target?: undefined; problems: string[] } {
  const annotations = cluster.metadata?.annotations ?? {};
  const network = cluster.spec?.clusterNetwork as ClusterNetwork | undefined;
  const version = annotations[KUBE_OVN_VERSION_ANNOTATION]?.trim() ?? '';
  const registry = annotations[REGISTRY_ADDRESS_ANNOTATION]?.trim() ?? '';
  const podCidr = network?.pods?.cidrBlocks?.[0] ?? '';
  const serviceCidr = network?.services?.cidrBlocks?.[0] ?? '';
  const problems = [
    ...(version
      ? VERSION.test(version)
        ? []
        : [
            `metadata.annotations["${KUBE_OVN_VERSION_ANNOTATION}"] must be a version like v4.3.11, not ${version}`,
          ]
      : [`metadata.annotations["${KUBE_OVN_VERSION_ANNOTATION}"] is empty`]),
    ...(registry ? [] : [`metadata.annotations["${REGISTRY_ADDRESS_ANNOTATION}"] is empty`]),
    ...(podCidr ? [] : ['spec.clusterNetwork.pods.cidrBlocks is empty']),
    ...(serviceCidr ? [] : ['spec.clusterNetwork.services.cidrBlocks is empty']),
  ];
  if (problems.length > 0) return { problems };
  const joinCidr = annotations[KUBE_OVN_JOIN_CIDR_ANNOTATION]?.trim() || undefined;
  return { target: { version, registry, podCidr, serviceCidr, joinCidr } };
}

/** The chart entry of the AppRelease for `version`. */
function chartEntry(chart: string, version: string) {
  return { name: chart, releaseName: KUBE_OVN_CHART_RELEASE, targetRevision: version };
}

/** The parts of an AppRelease the step owns; the rest (what the platform adds) is left alone. */
export interface AppReleaseView {
  metadata?: { resourceVersion?: string; generation?: number } | undefined;
  spec?:
    | {
        source?: {
          repoURL?: string;
          charts?: { name?: string; releaseName?: string; targetRevision?: string }[];
        };
        values?: { ipv4?: Record<string, string> } & Record<string, unknown>;
      }
    | undefined;
  status?:
    | {
        charts?: Record<string, { installedRevision?: string; phase?: string; message?: string } | undefined>;
      }
    | undefined;
}

/** The whole AppRelease for a workload cluster that has none. */
export function kubeOvnAppRelease(target: KubeOvnTarget, chart: string) {
  return {
    apiVersion: APP_RELEASE_API_VERSION,
    kind: 'AppRelease',
    metadata: { ...KUBE_OVN_APP_RELEASE },
    spec: {
      destination: { cluster: '', namespace: '' },
      source: { repoURL: target.registry, charts: [chartEntry(chart, target.version)] },
      values: {
        global: { registry: { address: target.registry } },
        ipv4: {
          POD_CIDR: target.podCidr,
          SVC_CIDR: target.serviceCidr,
          ...(target.joinCidr ? { JOIN_CIDR: target.joinCidr } : {}),
        },
      },
    },
  };
}

/**
 * The merge patch that brings a stored AppRelease to the target, or undefined when it already
 * says it: the chart release's chart and revision, and the registry. The values stay as stored:
 * the network ones cannot change on a running cluster, and the platform may have added its own.
 */
export function kubeOvnAppReleasePatch(
  stored: AppReleaseView,
  target: KubeOvnTarget,
  chart: string,
): Record<string, unknown> | undefined {
  const charts = stored.spec?.source?.charts ?? [];
  const current = charts.find((c) => c.releaseName === KUBE_OVN_CHART_RELEASE);
  const wanted = { ...(current ?? {}), ...chartEntry(chart, target.version) };
  if (
    current?.name === wanted.name &&
    current.targetRevision === wanted.targetRevision &&
    stored.spec?.source?.repoURL === target.registry
  )
    return undefined;
  return {
    // Conditional on the version read: a change since then fails with 409 and is read again.
    metadata: { resourceVersion: stored.metadata?.resourceVersion },
    spec: {
      source: {
        repoURL: target.registry,
        charts: charts.map((c) => (c === current ? wanted : c)).concat(current ? [] : [wanted]),
      },
    },
  };
}

/** What the AppRelease's status says of the target version, as the infrastructure cluster's condition. */
export interface KubeOvnVerdict {
  ready: boolean;
  reason: string;
  message: string;
  severity: 'Info' | 'Warning';
}

export function kubeOvnVerdict(stored: AppReleaseView, version: string): KubeOvnVerdict {
  const chart = stored.status?.charts?.[KUBE_OVN_CHART_RELEASE];
  const installed = chart?.installedRevision;
  const phase = chart?.phase;
  const where = `AppRelease ${KUBE_OVN_APP_RELEASE.namespace}/${KUBE_OVN_APP_RELEASE.name}`;
  if (phase === 'Success' && installed === version)
    return { ready: true, reason: 'Ready', message: `Kube-OVN ${version} installed`, severity: 'Info' };
  if (phase && FAILED_PHASES.includes(phase))
    return {
      ready: false,
      reason: phase,
      message: `${where}: ${KUBE_OVN_CHART_RELEASE} ${phase} for ${version}${chart?.message ? `: ${chart.message}` : ''}`,
      severity: 'Warning',
    };
  return {
    ready: false,
    reason: 'Reconciling',
    message: `${where}: ${KUBE_OVN_CHART_RELEASE} ${phase ?? 'not reported yet'}, installed ${installed ?? 'none'}, wanted ${version}`,
    severity: 'Info',
  };
}
