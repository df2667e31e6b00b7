import { createHash } from 'node:crypto';
import {
  CLUSTER_NAME_LABEL,
  type ConditionInput,
  falseCondition,
  type KubeClient,
  type PolicyRule,
  trueCondition,
} from '@immutable-infra/core';

/**
 * The second half of a self-built control plane VIP, as the platform documents it for every
 * provider with `controlPlaneLoadBalancer.type: internal`: the `alive` ModuleInfo, through which
 * the platform installs keepalived on the control plane nodes so the VIP moves between them.
 * The first half (the first node holds the VIP from its boot) is each provider's own.
 *
 * Pure rules first (version choice, the ModuleInfo's name, body and patch, readiness, the
 * condition), then `reconcileAliveModule`, the thin shell that reads and writes the objects.
 */

/** Group and version of the platform's module kinds, all cluster-scoped. */
export const ALIVE_PLATFORM_API_VERSION = 'cluster.alauda.io/v1alpha1';
const ALIVE_PLATFORM_GROUP = 'cluster.alauda.io';

/** The platform kinds alive needs, with their resource names (for the CRD names and RBAC rules). */
export const ALIVE_PLATFORM_RESOURCES = {
  ModuleInfo: 'moduleinfoes',
  ModulePlugin: 'moduleplugins',
  ModuleConfig: 'moduleconfigs',
  ClusterModule: 'clustermodules',
} as const;
export type AlivePlatformKind = keyof typeof ALIVE_PLATFORM_RESOURCES;

/** The condition a provider reports the self-built VIP on. */
export const SELF_BUILT_VIP_READY = 'SelfBuiltVIPReady';
/** Marks a ModuleInfo this provider created and so may change. */
export const SELF_BUILT_LB_MANAGED_LABEL = 'infrastructure.cluster.x-k8s.io/self-built-lb-managed';
const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';
const MACHINE_API_VERSION = 'cluster.x-k8s.io/v1beta2';
const ALIVE = 'alive';
/** alive's own health ports on the nodes, fixed by the platform's module. */
export const ALIVE_HTTP_PORT = 11780;
export const ALIVE_HTTPS_PORT = 11781;

/** A platform object as read, unstructured: the provider takes no dependency on the platform's types. */
export interface PlatformObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** The self-built load balancer of an infrastructure cluster (`controlPlaneLoadBalancer`). */
export interface SelfBuiltLoadBalancer {
  host: string;
  port: number;
  vrid: number;
  /** The NIC keepalived puts the VIP on; empty lets alive pick the node IP's. */
  interface?: string | undefined;
}

/** What a step reports: the condition, and when to look again (the step itself never waits). */
export interface AliveModuleOutcome {
  condition: ConditionInput;
  recheckAfterMs: number;
}

/** How soon to look again while something is still coming (nodes, the platform's objects, alive's rollout). */
export const ALIVE_WAIT_RECHECK_MS = 15_000;
/** How soon to look again once alive runs: a new alive version, or a drifted config, is picked up then. */
export const ALIVE_READY_RECHECK_MS = 300_000;

/** The ModuleInfo's name, as the platform derives it: `<cluster>-<first 32 hex of sha256("<cluster>:alive:alive")>`. */
export function aliveModuleInfoName(cluster: string): string {
  const digest = createHash('sha256').update(`${cluster}:${ALIVE}:${ALIVE}`).digest('hex');
  return `${cluster}-${digest.slice(0, 32)}`;
}

/** The ModuleConfig that must be ready before alive `version` is deployed. */
export function aliveModuleConfigName(version: string): string {
  return `${ALIVE}-${version}`;
}

/** A non-empty string field of an unstructured object, or undefined. */
function stringAt(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export type AliveVersionChoice =
  | { ok: true; version: string; source: 'override' | 'targetClusterVersions' | 'latestVersion' }
  | { ok: false; message: string };

/**
 * Which alive version the cluster gets: the provider's override when set, else the version the
 * ModulePlugin names for the cluster's platform version (`status.targetClusterVersions`), else
 * its `status.latestVersion`.
 */
export function resolveAliveVersion(input: {
  plugin: PlatformObject;
  /** The cluster's ClusterModule, whose `spec.version` keys `targetClusterVersions`. */
  clusterModule?: PlatformObject | undefined;
  override?: string | undefined;
}): AliveVersionChoice {
  if (input.override) return { ok: true, version: input.override, source: 'override' };
  const status = input.plugin.status ?? {};
  const clusterVersion = stringAt(input.clusterModule?.spec, 'version');
  const targets = status.targetClusterVersions;
  if (clusterVersion && targets && typeof targets === 'object') {
    const target = stringAt(targets as Record<string, unknown>, clusterVersion);
    if (target) return { ok: true, version: target, source: 'targetClusterVersions' };
  }
  const latest = stringAt(status, 'latestVersion');
  if (latest) return { ok: true, version: latest, source: 'latestVersion' };
  return {
    ok: false,
    message: `ModulePlugin ${ALIVE} has no status.latestVersion${
      clusterVersion ? ` and no status.targetClusterVersions entry for ${clusterVersion}` : ''
    }, and no alive version override is set`,
  };
}

/** Why a ModuleConfig keeps alive from being deployed, or undefined when it is ready. */
export function aliveModuleConfigProblem(
  version: string,
  config: PlatformObject | undefined,
): { reason: 'AliveModuleConfigMissing' | 'AliveModuleConfigNotReady'; message: string } | undefined {
  const name = aliveModuleConfigName(version);
  if (!config) {
    return {
      reason: 'AliveModuleConfigMissing',
      message: `ModuleConfig ${name} does not exist: alive ${version} is not delivered to this platform`,
    };
  }
  if (config.status?.readyForDeploy !== true) {
    return {
      reason: 'AliveModuleConfigNotReady',
      message: `ModuleConfig ${name} is not ready for deploy (status.readyForDeploy is not true)`,
    };
  }
  return undefined;
}

/** The labels that say which cluster and module a ModuleInfo is; kept in line on every reconcile. */
export function aliveIdentityLabels(cluster: string): Record<string, string> {
  return {
    'cpaas.io/cluster-name': cluster,
    'cpaas.io/module-name': ALIVE,
    'cpaas.io/module-type': 'plugin',
    [SELF_BUILT_LB_MANAGED_LABEL]: 'true',
  };
}

/** alive's `spec.config`. `masterIPs` is never written: alive lists the control plane nodes itself. */
export function aliveModuleConfig(balancer: SelfBuiltLoadBalancer): Record<string, unknown> {
  return {
    vip: balancer.host,
    vrid: balancer.vrid,
    apiserverPort: balancer.port,
    httpPort: ALIVE_HTTP_PORT,
    httpsPort: ALIVE_HTTPS_PORT,
    extraPorts: '',
    interface: balancer.interface ?? '',
  };
}

/** The ModuleInfo to create; the catalog and product labels are copied from the ModulePlugin once, here. */
export function aliveModuleInfo(input: {
  cluster: string;
  version: string;
  balancer: SelfBuiltLoadBalancer;
  plugin: PlatformObject;
}): PlatformObject & { apiVersion: string; kind: string } {
  const pluginLabels = input.plugin.metadata.labels ?? {};
  const copied = Object.fromEntries(
    ['cpaas.io/module-catalog', 'cpaas.io/product']
      .filter((key) => pluginLabels[key] !== undefined)
      .map((key) => [key, pluginLabels[key] as string]),
  );
  return {
    apiVersion: ALIVE_PLATFORM_API_VERSION,
    kind: 'ModuleInfo',
    metadata: {
      name: aliveModuleInfoName(input.cluster),
      annotations: { 'cpaas.io/display-name': ALIVE },
      labels: { ...copied, ...aliveIdentityLabels(input.cluster) },
    },
    spec: { version: input.version, config: aliveModuleConfig(input.balancer) },
  };
}

/**
 * The merge patch that brings a managed ModuleInfo in line, or undefined when it already is.
 * Only the identity labels, `spec.version` and the keys of `spec.config` this provider owns are
 * written: whatever the platform or an operator added beside them stays.
 */
export function aliveModuleInfoPatch(
  existing: PlatformObject,
  input: { cluster: string; version: string; balancer: SelfBuiltLoadBalancer },
): Record<string, unknown> | undefined {
  const labels = aliveIdentityLabels(input.cluster);
  const config = aliveModuleConfig(input.balancer);
  const currentLabels = existing.metadata.labels ?? {};
  const currentConfig = (existing.spec?.config ?? {}) as Record<string, unknown>;
  const inLine =
    Object.entries(labels).every(([key, value]) => currentLabels[key] === value) &&
    existing.spec?.version === input.version &&
    Object.entries(config).every(([key, value]) => currentConfig[key] === value);
  if (inLine) return undefined;
  return { metadata: { labels }, spec: { version: input.version, config } };
}

/** Whether a ModuleInfo was created by a provider (and so may be changed by one). */
export function isManagedAliveModuleInfo(moduleInfo: PlatformObject): boolean {
  return moduleInfo.metadata.labels?.[SELF_BUILT_LB_MANAGED_LABEL] === 'true';
}

/** alive runs the version asked for: the platform reports `status.version` once it has rolled it out. */
export function aliveModuleInfoReady(moduleInfo: PlatformObject): boolean {
  const wanted = moduleInfo.spec?.version;
  return typeof wanted === 'string' && wanted !== '' && moduleInfo.status?.version === wanted;
}

/** Control plane Machines as far as alive cares: whether each has a Node. */
export function controlPlaneNodesProblem(
  machines: readonly { status?: { nodeRef?: unknown } }[],
): string | undefined {
  const registered = machines.filter((machine) => Boolean(machine.status?.nodeRef)).length;
  if (machines.length > 0 && registered === machines.length) return undefined;
  return machines.length === 0
    ? 'no control plane Machine exists yet; alive is installed once the control plane nodes have registered'
    : `${registered} of ${machines.length} control plane Machines have a Node; alive is installed once all have registered`;
}

const waiting = (reason: string, message: string): AliveModuleOutcome => ({
  condition: falseCondition(SELF_BUILT_VIP_READY, reason, message, 'Info'),
  recheckAfterMs: ALIVE_WAIT_RECHECK_MS,
});

// A missing delivery artifact needs someone to act; looking again soon still notices the fix.
const broken = (reason: string, message: string): AliveModuleOutcome => ({
  condition: falseCondition(SELF_BUILT_VIP_READY, reason, message, 'Error'),
  recheckAfterMs: ALIVE_WAIT_RECHECK_MS,
});

export interface AliveModuleInput {
  kube: KubeClient;
  /** The Cluster API cluster's namespace and name. */
  namespace: string;
  cluster: string;
  balancer: SelfBuiltLoadBalancer;
  /** The provider's alive version override (e.g. DCS's `DCS_PLUGIN_ALIVE_VERSION`). */
  versionOverride?: string | undefined;
  /** The condition the provider reports on, as its documentation names it: SelfBuiltVIPReady by default. */
  conditionType?: string | undefined;
}

const crdName = (kind: AlivePlatformKind) => `${ALIVE_PLATFORM_RESOURCES[kind]}.${ALIVE_PLATFORM_GROUP}`;

/**
 * The platform kinds the API server does not serve. Asked of the CRDs (which every manager may
 * read) rather than by reading the kinds: a read of a kind the server does not know answers
 * "not found" just like a missing object does.
 */
async function absentPlatformKinds(kube: KubeClient): Promise<AlivePlatformKind[]> {
  const kinds = Object.keys(ALIVE_PLATFORM_RESOURCES) as AlivePlatformKind[];
  const found = await Promise.all(
    kinds.map((kind) =>
      kube.get({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: crdName(kind),
      }),
    ),
  );
  return kinds.filter((_, index) => found[index] === undefined);
}

const platformMissing = (absent: readonly AlivePlatformKind[]): AliveModuleOutcome =>
  waiting(
    'AlivePlatformMissing',
    `the management cluster serves no ${absent.join(', ')} (${ALIVE_PLATFORM_GROUP}): it is not the platform, so the alive ModuleInfo cannot be created and the VIP stays on the first control plane node`,
  );

/**
 * Creates or updates the cluster's alive ModuleInfo once its control plane nodes have registered,
 * and says on `SelfBuiltVIPReady` how far it is. Never throws: a failed call is reported on the
 * condition and tried again later, so the cluster still becomes ready (the nodes alive waits for
 * need it). Never deletes the ModuleInfo either: the platform collects it with the cluster.
 */
export async function reconcileAliveModule(input: AliveModuleInput): Promise<AliveModuleOutcome> {
  let outcome: AliveModuleOutcome;
  try {
    outcome = await aliveModuleSteps(input);
  } catch (error) {
    outcome = waiting(
      'AliveModuleCallFailed',
      `reading or writing the alive ModuleInfo's objects failed, trying again: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const type = input.conditionType ?? SELF_BUILT_VIP_READY;
  return { ...outcome, condition: { ...outcome.condition, type } };
}

/**
 * What a provider's manager may do to the platform's module kinds for reconcileAliveModule: create
 * and keep in line the cluster's ModuleInfo; read the ModulePlugin, ModuleConfig and ClusterModule.
 * For `generateProviderArtifacts({ rbacRules })`.
 */
export const ALIVE_MODULE_RBAC_RULES: readonly PolicyRule[] = [
  { apiGroups: [ALIVE_PLATFORM_GROUP], resources: ['moduleinfoes'], verbs: ['get', 'create', 'patch'] },
  {
    apiGroups: [ALIVE_PLATFORM_GROUP],
    resources: ['moduleplugins', 'moduleconfigs', 'clustermodules'],
    verbs: ['get'],
  },
];

async function aliveModuleSteps(input: AliveModuleInput): Promise<AliveModuleOutcome> {
  const { kube, cluster } = input;
  const ref = (kind: AlivePlatformKind, name: string) => ({
    apiVersion: ALIVE_PLATFORM_API_VERSION,
    kind,
    name,
  });
  // A kind of a served group that is not served makes the host's read throw instead of answering
  // "not found": both end in the CRD check below.
  const read = async (kind: AlivePlatformKind, name: string) => {
    try {
      return await kube.get<PlatformObject>(ref(kind, name));
    } catch (error) {
      if ((await absentPlatformKinds(kube)).includes(kind)) return undefined;
      throw error;
    }
  };
  const [clusterModule, plugin] = await Promise.all([
    read('ClusterModule', cluster),
    read('ModulePlugin', ALIVE),
  ]);
  if (!clusterModule || !plugin) {
    const absent = await absentPlatformKinds(kube);
    if (absent.length > 0) return platformMissing(absent);
  }

  const machines = await kube.list<{ status?: { nodeRef?: unknown } }>(MACHINE_API_VERSION, 'Machine', {
    namespace: input.namespace,
    labelSelector: `${CLUSTER_NAME_LABEL}=${cluster},${CONTROL_PLANE_LABEL}`,
  });
  const nodesProblem = controlPlaneNodesProblem(machines);
  if (nodesProblem) return waiting('WaitingForControlPlaneNodes', nodesProblem);

  if (!clusterModule) {
    return waiting(
      'WaitingForClusterModule',
      `ClusterModule ${cluster} does not exist yet; the platform creates it`,
    );
  }
  if (!plugin) {
    return broken(
      'AliveModulePluginMissing',
      `ModulePlugin ${ALIVE} does not exist: alive is not delivered to this platform`,
    );
  }
  const choice = resolveAliveVersion({ plugin, clusterModule, override: input.versionOverride });
  if (!choice.ok) return broken('AliveVersionUnresolved', choice.message);
  const { version } = choice;

  const config = await read('ModuleConfig', aliveModuleConfigName(version));
  const configProblem = aliveModuleConfigProblem(version, config);
  if (configProblem) return broken(configProblem.reason, configProblem.message);

  const name = aliveModuleInfoName(cluster);
  const desired = { cluster, version, balancer: input.balancer };
  let moduleInfo = await read('ModuleInfo', name);
  if (!moduleInfo) {
    const absent = await absentPlatformKinds(kube);
    if (absent.length > 0) return platformMissing(absent);
    moduleInfo = await kube.create(aliveModuleInfo({ ...desired, plugin }));
  } else if (!isManagedAliveModuleInfo(moduleInfo)) {
    return {
      condition: falseCondition(
        SELF_BUILT_VIP_READY,
        'AliveModuleInfoNotManaged',
        `ModuleInfo ${name} exists without label ${SELF_BUILT_LB_MANAGED_LABEL}=true: it was not created by this provider, which leaves it alone; delete it, or add the label to hand it over`,
        'Warning',
      ),
      recheckAfterMs: ALIVE_WAIT_RECHECK_MS,
    };
  } else {
    const patch = aliveModuleInfoPatch(moduleInfo, desired);
    if (patch) moduleInfo = await kube.patch<PlatformObject>(ref('ModuleInfo', name), patch);
  }

  if (!aliveModuleInfoReady(moduleInfo)) {
    const running = moduleInfo.status?.version;
    return waiting(
      'WaitingForAlive',
      `ModuleInfo ${name} asks for alive ${version}; the platform reports ${
        typeof running === 'string' && running ? `version ${running}` : 'no version'
      } yet`,
    );
  }
  return {
    condition: trueCondition(
      SELF_BUILT_VIP_READY,
      'AliveRunning',
      `alive ${version} (ModuleInfo ${name}) keeps ${input.balancer.host} on a healthy control plane node`,
    ),
    recheckAfterMs: ALIVE_READY_RECHECK_MS,
  };
}
