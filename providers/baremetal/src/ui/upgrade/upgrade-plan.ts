/**
 * The documented bare-metal Kubernetes upgrade (upgrade-cluster/bare-metal)
 * as pure functions on the kit's node pool checks. Bare metal replaces every
 * node from the OS image the catalog gives the new version, so no machine
 * template is made: the control plane's one edit sets its version (with the
 * release's CoreDNS and etcd tags, and the Cluster's Kube-OVN version when
 * given), a worker pool's sets its version to the control plane's. The target
 * must be a key of elemental-image-catalog, and the pool must replace one
 * node at a time (maxSurge 0: bare metal does not over-provision hosts).
 * A worker pool crossing 1.35 gets a new KubeadmConfigTemplate with the
 * kubelet patch that version needs, named in the same edit.
 */
import {
  checkControlPlane,
  checkWorker,
  compareVersions,
  isUpgradeStep,
  KUBE_OVN_ANNOTATION,
  kubeOvnPatch,
  minorOf,
  type PlannedUpgrade,
  type PoolObjects,
  type PoolStatus,
  type PoolUpgradeView,
  poolStatusOf,
  revisionCopy,
  switchKubeletPatch,
  type TargetRules,
  upgradedName,
  valueAt,
  withTemplateCheck,
} from '@immutable-infra/ui-kit';
import { KUBERNETES_MINORS } from '../cluster-create/draft.js';
import type { ReleaseTags } from '../cluster-create/facts.js';

/** What the upgrade reads besides the kit's pool objects. */
export interface BaremetalUpgradeFacts extends PoolObjects {
  /** elemental-image-catalog's data, undefined when the ConfigMap is missing. */
  imageCatalog: Record<string, string> | undefined;
  releases: ReleaseTags[];
}

/** What the user chose (the control plane's; a worker follows its control plane). */
export interface UpgradeValues {
  kubernetesVersion: string;
  kubeOvnVersion: string;
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The annotation a new KubeadmConfigTemplate names the one it was made from with. */
export const BAREMETAL_REVISION_OF = 'infrastructure.cluster.x-k8s.io/baremetal-revision-of';

/** A worker pool's new KubeadmConfigTemplate for `version`, when its kubelet patch must change (across 1.35). */
export function bootstrapRevision(facts: PoolObjects, version: string) {
  const { bootstrap } = facts;
  const files =
    bootstrap && switchKubeletPatch(valueAt(bootstrap.spec, 'template', 'spec', 'files'), version);
  if (!bootstrap || !files) return undefined;
  const spec = structuredClone((bootstrap.spec ?? {}) as { template: { spec: Record<string, unknown> } });
  spec.template.spec.files = files;
  const name = upgradedName(bootstrap.metadata.name, version, true);
  return revisionCopy(bootstrap, name, spec, BAREMETAL_REVISION_OF);
}

/** The catalog's versions the control plane at `current` may go to (one minor at most, supported minors), newest first. */
export function upgradeChoices(current: string, catalog: Record<string, string> | undefined): string[] {
  return Object.keys(catalog ?? {})
    .filter((v) => catalog?.[v]?.trim() && isUpgradeStep(current, v))
    .filter((v) => (KUBERNETES_MINORS as readonly string[]).includes(minorOf(v)))
    .sort((a, b) => compareVersions(b, a));
}

/** The pool's maxSurge (v1beta2 or v1beta1 spelling); Cluster API's default is 1. */
export function surgeOf(kind: PoolStatus['kind'], pool: { spec?: unknown }): unknown {
  return kind === 'KubeadmControlPlane'
    ? (valueAt(pool.spec, 'rollout', 'strategy', 'rollingUpdate', 'maxSurge') ??
        valueAt(pool.spec, 'rolloutStrategy', 'rollingUpdate', 'maxSurge') ??
        1)
    : (valueAt(pool.spec, 'rollout', 'strategy', 'rollingUpdate', 'maxSurge') ??
        valueAt(pool.spec, 'strategy', 'rollingUpdate', 'maxSurge') ??
        1);
}

export const NOTHING_TO_CHANGE = 'The Control Plane Node Pool already runs this Kubernetes version';

/**
 * The pool's one edit for the target; the control plane's takes the release's tags where the
 * provider ships them, a worker's the new bootstrap template when there is one.
 */
export function poolPatch(
  kind: PoolStatus['kind'],
  version: string,
  tags: ReleaseTags | undefined,
  bootstrapName?: string,
) {
  if (kind === 'MachineDeployment')
    return {
      spec: {
        template: {
          spec: { version, ...(bootstrapName ? { bootstrap: { configRef: { name: bootstrapName } } } : {}) },
        },
      },
    };
  return {
    spec: {
      version,
      ...(tags
        ? {
            kubeadmConfigSpec: {
              clusterConfiguration: {
                dns: { imageTag: tags.corednsTag },
                etcd: { local: { imageTag: tags.etcdTag } },
              },
            },
          }
        : {}),
    },
  };
}

/** What the panel shows: the check, the problems, the plan and the lines of what Confirm changes. */
export function upgradeView(
  kind: PoolStatus['kind'],
  facts: BaremetalUpgradeFacts,
  values: UpgradeValues,
): PoolUpgradeView<PlannedUpgrade> {
  const pool = poolStatusOf(kind, facts.pool);
  const controlPlane = poolStatusOf('KubeadmControlPlane', facts.controlPlane);
  const catalogProblem = (version: string) =>
    !facts.imageCatalog
      ? 'ConfigMap elemental-image-catalog was not found: no version has an OS image'
      : facts.imageCatalog[version]?.trim()
        ? undefined
        : `${version} is not a key of elemental-image-catalog: add it before upgrading (the new machines would fail with ImageCatalogMiss)`;
  const surge = surgeOf(kind, facts.pool);
  const rules: TargetRules<string> = {
    noTarget: () => 'Choose the target Kubernetes version from the image catalog',
    problemsOf(version) {
      const problems: string[] = [];
      if (kind === 'KubeadmControlPlane' && version === pool.version) problems.push(NOTHING_TO_CHANGE);
      const missing = catalogProblem(version);
      if (missing) problems.push(missing);
      if (surge !== 0)
        problems.push(
          `maxSurge is ${String(surge)}: bare metal replaces one node at a time from the same pool, so set the pool's maxSurge to 0 first`,
        );
      return problems;
    },
  };
  const fieldProblems =
    kind === 'KubeadmControlPlane' &&
    values.kubernetesVersion &&
    !isUpgradeStep(pool.version, values.kubernetesVersion)
      ? [
          {
            field: 'kubernetesVersion',
            message: `${values.kubernetesVersion} is not an upgrade of ${pool.version}: a newer release at most one minor above`,
          },
        ]
      : [];
  const requested = kind === 'KubeadmControlPlane' ? values.kubernetesVersion || undefined : undefined;
  const check = withTemplateCheck(
    kind === 'KubeadmControlPlane'
      ? checkControlPlane(pool, fieldProblems.length > 0 ? undefined : requested, rules)
      : checkWorker(pool, controlPlane, (version) => version, rules),
    facts.template,
  );
  const shown = kind === 'KubeadmControlPlane' ? requested : controlPlane.version;
  if (!check.ok || fieldProblems.length > 0)
    return {
      current: pool.version,
      target: shown,
      problems: check.ok
        ? []
        : check.problems.filter((p) => !(fieldProblems.length > 0 && p === rules.noTarget(''))),
      fieldProblems,
      changes: [],
      plan: undefined,
    };
  const version = check.target;
  const tags =
    kind === 'KubeadmControlPlane' ? facts.releases.find((r) => r.kubernetesVersion === version) : undefined;
  const clusterPatch =
    kind === 'KubeadmControlPlane'
      ? kubeOvnPatch(facts.cluster, values.kubeOvnVersion.trim() || undefined)
      : undefined;
  const templateName = str(
    kind === 'KubeadmControlPlane'
      ? (valueAt(facts.pool.spec, 'machineTemplate', 'infrastructureRef', 'name') ??
          valueAt(facts.pool.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name'))
      : valueAt(facts.pool.spec, 'template', 'spec', 'infrastructureRef', 'name'),
  );
  const bootstrap = kind === 'MachineDeployment' ? bootstrapRevision(facts, version) : undefined;
  return {
    current: pool.version,
    target: version,
    problems: [],
    fieldProblems: [],
    changes: [
      `version ${version} (OS image ${facts.imageCatalog?.[version]?.trim() ?? ''})`,
      ...(tags ? [`CoreDNS ${tags.corednsTag}`, `etcd ${tags.etcdTag}`] : []),
      ...(kind === 'KubeadmControlPlane' && !tags
        ? ['CoreDNS and etcd tags unchanged (no release of this provider lists the version)']
        : []),
      ...(clusterPatch ? [`Kube-OVN ${values.kubeOvnVersion.trim()}`] : []),
      ...(bootstrap
        ? [
            `new KubeadmConfigTemplate ${bootstrap.metadata.name} (kubelet configuration of Kubernetes ${minorOf(version)})`,
          ]
        : []),
      'each node is cleaned and reprovisioned from the new OS image, one at a time',
    ],
    plan: {
      create: bootstrap ? [bootstrap] : [],
      patch: poolPatch(kind, version, tags, bootstrap?.metadata.name),
      clusterPatch,
      templateName,
    },
  };
}

/** The Kube-OVN version the form starts from: the Cluster's. */
export const kubeOvnVersionOf = (facts: PoolObjects) =>
  facts.cluster?.metadata.annotations?.[KUBE_OVN_ANNOTATION] ?? '';
