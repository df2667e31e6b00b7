/**
 * A node pool upgrade as pure functions, the same on every platform: which
 * state a KubeadmControlPlane or MachineDeployment (v1beta2) is in, whether
 * it may be upgraded now (every reason it may not, in the documented words),
 * and the objects and patches that take it to a target. Machine templates are
 * never edited in place: each upgrade makes a new one from the current one
 * with the target image and points the pool at it in one patch. What differs
 * per platform (the machine template's kind and image field, the bootstrap
 * files a release changes, where its releases come from) is the provider's.
 */
import type { KubernetesManifest } from '@immutable-infra/core';
import { compareVersions, minorOf } from './cluster-rules.js';

type Json = Record<string, unknown>;

/** An object as the upgrade reads it (what the API server returns). */
export interface UpgradeObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata: {
    name: string;
    namespace?: string | undefined;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
  };
  spec?: unknown;
  status?: unknown;
}

/** The documented reasons a pool cannot be upgraded now. */
export const UPGRADE_MESSAGES = {
  workerNotRunning: 'Upgrade is unavailable when the Worker Node Pool is not in the Running state',
  controlPlaneFirst: 'Upgrade the Control Plane Node Pool first',
  waitForControlPlane: 'Wait for the Control Plane Node Pool upgrade to complete',
  controlPlaneNotRunning:
    'Upgrade is unavailable when the Control Plane Node Pool is not in the Running state',
} as const;

/** The annotation of the Cluster the providers deliver Kube-OVN from. */
export const KUBE_OVN_ANNOTATION = 'cpaas.io/kube-ovn-version';

/** What the upgrade reads of a KubeadmControlPlane or MachineDeployment (v1beta2). */
export interface PoolStatus {
  kind: 'KubeadmControlPlane' | 'MachineDeployment';
  name: string;
  /** The version the pool is asked to run (`spec.version` / `spec.template.spec.version`). */
  version: string;
  replicas: number;
  readyReplicas: number;
  upToDateReplicas: number;
  /** Whether the controller has seen the latest spec (`status.observedGeneration` ≥ `metadata.generation`). */
  observed: boolean;
  /** KubeadmControlPlane `status.version`: the oldest version its machines run. */
  runningVersion?: string | undefined;
  /** MachineDeployment `status.phase`. */
  phase?: string | undefined;
  deleting: boolean;
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The value at a path of plain objects, or undefined. */
export function valueAt(object: unknown, ...path: string[]): unknown {
  let node = object;
  for (const key of path) node = (node as Json | undefined)?.[key];
  return node;
}

export function poolStatusOf(kind: PoolStatus['kind'], object: UpgradeObject): PoolStatus {
  const status = (object.status ?? {}) as Json;
  const meta = object.metadata as { generation?: unknown; deletionTimestamp?: unknown };
  const version =
    kind === 'KubeadmControlPlane'
      ? str(valueAt(object.spec, 'version'))
      : str(valueAt(object.spec, 'template', 'spec', 'version'));
  return {
    kind,
    name: object.metadata.name,
    version: version ?? '',
    replicas: num(valueAt(object.spec, 'replicas')),
    readyReplicas: num(status.readyReplicas),
    upToDateReplicas: num(status.upToDateReplicas),
    observed: num(status.observedGeneration) >= num(meta.generation),
    runningVersion: str(status.version),
    phase: str(status.phase),
    deleting: Boolean(meta.deletionTimestamp),
  };
}

/** Every machine ready and up to date with the spec the controller has seen; for a MachineDeployment also its phase. */
export function isRunning(pool: PoolStatus): boolean {
  if (pool.deleting || !pool.observed) return false;
  if (pool.readyReplicas < pool.replicas || pool.upToDateReplicas < pool.replicas) return false;
  if (pool.kind === 'MachineDeployment' && pool.phase !== undefined && pool.phase !== 'Running') return false;
  if (pool.kind === 'KubeadmControlPlane' && pool.runningVersion && pool.runningVersion !== pool.version)
    return false;
  return true;
}

/**
 * Whether `version` is a step Kubernetes allows from `current`: newer, and at
 * most one minor above (Kubernetes upgrades one minor at a time).
 */
export function isUpgradeStep(current: string, version: string): boolean {
  const [major, minor] = minorOf(current).split('.').map(Number) as [number, number];
  const limit = `v${major}.${minor + 1}.${Number.MAX_SAFE_INTEGER}`;
  return compareVersions(version, current) > 0 && compareVersions(version, limit) <= 0;
}

/**
 * The control plane's next release: the newest one offered that is a step
 * from `current` ({@link isUpgradeStep}), so v1.32 goes to the newest v1.33
 * even when v1.34 exists.
 */
export function nextRelease<R extends { kubernetesVersion: string }>(
  current: string,
  releases: readonly R[],
): R | undefined {
  return [...releases]
    .filter((r) => isUpgradeStep(current, r.kubernetesVersion))
    .sort((a, b) => compareVersions(b.kubernetesVersion, a.kubernetesVersion))[0];
}

export type UpgradeCheck<R> =
  | { ok: true; target: R }
  | { ok: false; problems: string[]; target?: R | undefined };

/** What a provider says about its targets: why there is none, and why one cannot be used. */
export interface TargetRules<R> {
  /** The problem when there is no target for a pool at `version` (the control plane's current one, or for a worker the control plane's). */
  noTarget(version: string): string;
  /** Why the target cannot be used (none when it can); `controlPlane` for the control plane's. */
  problemsOf(target: R, controlPlane: boolean): string[];
}

/** Whether the control plane can be upgraded now to `target` (undefined: there is none); every reason it cannot. */
export function checkControlPlane<R>(
  controlPlane: PoolStatus,
  target: R | undefined,
  rules: TargetRules<R>,
): UpgradeCheck<R> {
  const problems: string[] = [];
  if (!isRunning(controlPlane)) problems.push(UPGRADE_MESSAGES.controlPlaneNotRunning);
  if (!target) problems.push(rules.noTarget(controlPlane.version));
  else problems.push(...rules.problemsOf(target, true));
  return problems.length === 0 && target ? { ok: true, target } : { ok: false, problems, target };
}

/**
 * Whether a worker pool can be upgraded now (the documented constraints: the
 * pool Running, the control plane upgraded first and done), and to which
 * target: `targetOf` the control plane's version. With `sameVersion`, a pool
 * already at the control plane's version may still change its image.
 */
export function checkWorker<R>(
  worker: PoolStatus,
  controlPlane: PoolStatus,
  targetOf: (version: string) => R | undefined,
  rules: TargetRules<R> & { sameVersion?: boolean | undefined },
): UpgradeCheck<R> {
  const problems: string[] = [];
  if (!isRunning(worker)) problems.push(UPGRADE_MESSAGES.workerNotRunning);
  const order = compareVersions(controlPlane.version, worker.version);
  let target: R | undefined;
  if (order < 0 || (order === 0 && !rules.sameVersion)) problems.push(UPGRADE_MESSAGES.controlPlaneFirst);
  else {
    if (!isRunning(controlPlane)) problems.push(UPGRADE_MESSAGES.waitForControlPlane);
    target = targetOf(controlPlane.version);
    if (!target) problems.push(rules.noTarget(controlPlane.version));
    else problems.push(...rules.problemsOf(target, false));
  }
  return problems.length === 0 && target ? { ok: true, target } : { ok: false, problems, target };
}

const VERSION_SUFFIX = /-v\d+-\d+(-\d+)?(-[0-9a-f]{6})?$/;

/** Six hex digits of FNV-1a of `text`: a short, stable tag of an image name. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0').slice(0, 6);
}

/**
 * `cp-1-34` or `lab-cp` to `lab-cp-v1-35-1`: deterministic, so a re-run finds
 * what a first run made. With `image`, a tag of it follows the version (for a
 * new image at the same version, whose name must differ from the current one).
 */
export function upgradedName(current: string, version: string, minorOnly = false, image?: string): string {
  const slug =
    (minorOnly ? `v${minorOf(version)}` : version).replace(/\./g, '-') +
    (image === undefined ? '' : `-${shortHash(image)}`);
  const base = current.replace(VERSION_SUFFIX, '');
  return `${base.slice(0, 62 - slug.length)}-${slug}`;
}

/**
 * A copy of an object under a new name with `spec`: labels and annotations
 * kept (but kubectl's last-applied one), server fields and status dropped,
 * and `revisionAnnotation` naming the object it was made from.
 */
export function revisionCopy(
  object: UpgradeObject,
  name: string,
  spec: unknown,
  revisionAnnotation: string,
): KubernetesManifest {
  const { labels, annotations } = object.metadata;
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    metadata: {
      name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      ...(labels ? { labels: { ...labels } } : {}),
      annotations: {
        ...Object.fromEntries(
          Object.entries(annotations ?? {}).filter(
            ([key]) => key !== 'kubectl.kubernetes.io/last-applied-configuration',
          ),
        ),
        [revisionAnnotation]: object.metadata.name,
      },
    },
    spec,
  };
}

/** Where a target lands on a platform: what the provider tells the kit. */
export interface UpgradeTarget {
  kubernetesVersion: string;
  /** The image the machines boot (DCS: a VM template name; vSphere: a VM template path). */
  image: string;
  /** CoreDNS and etcd image tags of the control plane: a tag to set, `null` to drop the one set (kubeadm's default), undefined to leave it. */
  corednsTag?: string | null | undefined;
  etcdTag?: string | null | undefined;
}

/** What a platform's upgrade writes differ in. */
export interface PlatformUpgradeSpec {
  /** The infrastructure machine template kind, e.g. `DCSMachineTemplate`. */
  machineTemplateKind: string;
  /** The key of `spec.template.spec` that names the image machines boot, e.g. `vmTemplateName`. */
  imageField: string;
  /** The annotation a new template (and bootstrap template) gets with the name it was made from. */
  revisionAnnotation: string;
  /**
   * kubeadm `files` for the target (of the control plane's kubeadmConfigSpec,
   * or a worker's KubeadmConfigTemplate), or undefined when the target changes none.
   */
  files?: ((files: unknown, target: UpgradeTarget, controlPlane: boolean) => Json[] | undefined) | undefined;
}

/** The annotation a provider's upgrade copies name their source with: `infrastructure.cluster.x-k8s.io/<platform>-revision-of`. */
export function revisionOfAnnotation(platform: string): string {
  return `infrastructure.cluster.x-k8s.io/${platform}-revision-of`;
}

/** A provider's `PlatformUpgradeSpec`, its revision annotation named for its platform (`hcs`, `vsphere`). */
export function platformUpgradeSpec(
  platform: string,
  spec: Omit<PlatformUpgradeSpec, 'revisionAnnotation'>,
): PlatformUpgradeSpec {
  return { ...spec, revisionAnnotation: revisionOfAnnotation(platform) };
}

/** The image a machine template boots. */
export function imageOf(
  template: UpgradeObject | undefined,
  platform: PlatformUpgradeSpec,
): string | undefined {
  return str(valueAt(template?.spec, 'template', 'spec', platform.imageField));
}

/** The new machine template: the current one's spec with the target image; `providerID` stays unset. */
export function machineTemplateRevision(
  current: UpgradeObject,
  name: string,
  image: string,
  platform: PlatformUpgradeSpec,
): KubernetesManifest {
  const spec = structuredClone((current.spec ?? {}) as Json);
  const machine = (valueAt(spec, 'template', 'spec') ?? {}) as Json;
  delete machine.providerID;
  machine[platform.imageField] = image;
  spec.template = { ...((spec.template as Json | undefined) ?? {}), spec: machine };
  return revisionCopy(current, name, spec, platform.revisionAnnotation);
}

export interface ControlPlaneChange {
  /** Objects to create first (the new machine template), empty when the image stays. */
  create: KubernetesManifest[];
  /** One JSON merge patch of the KubeadmControlPlane. */
  patch: Json;
  templateName: string;
}

/** The machine template a pool goes to: its own when the image stays, else a new one named for the version. */
function templateFor(
  current: string,
  template: UpgradeObject,
  target: UpgradeTarget,
  platform: PlatformUpgradeSpec,
) {
  const sameImage = imageOf(template, platform) === target.image;
  let templateName = sameImage ? current : upgradedName(current, target.kubernetesVersion);
  if (!sameImage && templateName === current)
    templateName = upgradedName(current, target.kubernetesVersion, false, target.image);
  const create = sameImage ? [] : [machineTemplateRevision(template, templateName, target.image, platform)];
  return { templateName, create };
}

/**
 * The documented single edit of the KubeadmControlPlane: the version, the
 * CoreDNS and etcd tags, the new machine template, and the files the target changes.
 */
export function controlPlaneChange(
  kcp: UpgradeObject,
  template: UpgradeObject,
  target: UpgradeTarget,
  platform: PlatformUpgradeSpec,
): ControlPlaneChange {
  const current = str(valueAt(kcp.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name')) ?? '';
  const { templateName, create } = templateFor(current, template, target, platform);
  const files = platform.files?.(valueAt(kcp.spec, 'kubeadmConfigSpec', 'files'), target, true);
  const clusterConfiguration = {
    ...(target.corednsTag !== undefined ? { dns: { imageTag: target.corednsTag } } : {}),
    ...(target.etcdTag !== undefined ? { etcd: { local: { imageTag: target.etcdTag } } } : {}),
  };
  const kubeadmConfigSpec = {
    ...(Object.keys(clusterConfiguration).length > 0 ? { clusterConfiguration } : {}),
    ...(files ? { files } : {}),
  };
  return {
    create,
    templateName,
    patch: {
      spec: {
        version: target.kubernetesVersion,
        ...(Object.keys(kubeadmConfigSpec).length > 0 ? { kubeadmConfigSpec } : {}),
        machineTemplate: { spec: { infrastructureRef: { name: templateName } } },
      },
    },
  };
}

export interface WorkerChange {
  /** The new machine template and, when the target changes its files, the new KubeadmConfigTemplate. */
  create: KubernetesManifest[];
  patch: Json;
  templateName: string;
  bootstrapName: string;
}

/** The documented MachineDeployment edit: version, new machine template, and a new bootstrap template when the target changes its files. */
export function workerChange(
  md: UpgradeObject,
  template: UpgradeObject,
  bootstrap: UpgradeObject | undefined,
  target: UpgradeTarget,
  platform: PlatformUpgradeSpec,
): WorkerChange {
  const spec = valueAt(md.spec, 'template', 'spec');
  const current = str(valueAt(spec, 'infrastructureRef', 'name')) ?? '';
  const currentBootstrap = str(valueAt(spec, 'bootstrap', 'configRef', 'name')) ?? '';
  const { templateName, create } = templateFor(current, template, target, platform);
  let bootstrapName = currentBootstrap;
  const files = bootstrap
    ? platform.files?.(valueAt(bootstrap.spec, 'template', 'spec', 'files'), target, false)
    : undefined;
  if (bootstrap && files) {
    bootstrapName = upgradedName(currentBootstrap, target.kubernetesVersion, true);
    const bootstrapSpec = structuredClone((bootstrap.spec ?? {}) as Json);
    (bootstrapSpec.template as { spec: Json }).spec.files = files;
    create.push(revisionCopy(bootstrap, bootstrapName, bootstrapSpec, platform.revisionAnnotation));
  }
  return {
    create,
    templateName,
    bootstrapName,
    patch: {
      spec: {
        template: {
          spec: {
            version: target.kubernetesVersion,
            infrastructureRef: { name: templateName },
            ...(bootstrapName !== currentBootstrap
              ? { bootstrap: { configRef: { name: bootstrapName } } }
              : {}),
          },
        },
      },
    },
  };
}

/** The Cluster annotation patch when the target names another Kube-OVN version than the cluster has. */
export function kubeOvnPatch(
  cluster: UpgradeObject | undefined,
  kubeOvnVersion: string | undefined,
): Json | undefined {
  if (!cluster || !kubeOvnVersion) return undefined;
  if (cluster.metadata.annotations?.[KUBE_OVN_ANNOTATION] === kubeOvnVersion) return undefined;
  return { metadata: { annotations: { [KUBE_OVN_ANNOTATION]: kubeOvnVersion } } };
}

/**
 * Whether an object already at `wanted`'s name is the one the upgrade would
 * create (a re-run after an interruption), so it is used rather than
 * replaced: a machine template with the same image, a bootstrap template
 * with the same files. A different object there is a problem, never overwritten.
 */
export function sameRevision(
  existing: UpgradeObject,
  wanted: KubernetesManifest,
  platform: PlatformUpgradeSpec,
): boolean {
  if (existing.kind === platform.machineTemplateKind)
    return imageOf(existing, platform) === imageOf(wanted, platform);
  return (
    JSON.stringify(valueAt(existing.spec, 'template', 'spec', 'files')) ===
    JSON.stringify(valueAt(wanted.spec, 'template', 'spec', 'files'))
  );
}

/** Progress of a pool after Confirm, for people. */
export function progressText(pool: PoolStatus): string {
  const done = isRunning(pool);
  return `${pool.version}: ${pool.readyReplicas}/${pool.replicas} ready, ${pool.upToDateReplicas}/${pool.replicas} up to date${done ? ' (done)' : ''}`;
}
