import type { KubernetesManifest } from '@immutable-infra/core';
import { isKubernetesFilesSecret, kubernetesFilesSecret, REVISION_OF_ANNOTATION } from '../catalog/labels.js';
import { compareVersions, type KubeObject, minorOf, type VersionRecord } from '../catalog/resources.js';

/*
 * The documented DCS Kubernetes upgrade (docs/en/upgrade-cluster/huawei-dcs.mdx),
 * as pure functions: which release a pool goes to, whether it may go now
 * (every reason it may not, in the documented words), and the objects and
 * patches that take it there. Templates are never edited in place: each
 * upgrade makes new ones and points the pool at them in one patch.
 */

type Json = Record<string, unknown>;

/** The optional data key of a version ConfigMap with the release's Kube-OVN version. */
export const KUBE_OVN_DATA_KEY = 'kubeOvnVersion';
export const KUBE_OVN_ANNOTATION = 'cpaas.io/kube-ovn-version';

export const MESSAGES = {
  workerNotRunning: 'Upgrade is unavailable when the Worker Node Pool is not in the Running state',
  controlPlaneFirst: 'Upgrade the Control Plane Node Pool first',
  waitForControlPlane: 'Wait for the Control Plane Node Pool upgrade to complete',
  controlPlaneNotRunning:
    'Upgrade is unavailable when the Control Plane Node Pool is not in the Running state',
} as const;

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

function at(object: unknown, ...path: string[]): unknown {
  let node = object;
  for (const key of path) node = (node as Json | undefined)?.[key];
  return node;
}

export function poolStatusOf(kind: PoolStatus['kind'], object: KubeObject): PoolStatus {
  const status = (object.status ?? {}) as Json;
  const generation = num((object.metadata as { generation?: unknown }).generation);
  const version =
    kind === 'KubeadmControlPlane'
      ? str(at(object.spec, 'version'))
      : str(at(object.spec, 'template', 'spec', 'version'));
  return {
    kind,
    name: object.metadata.name,
    version: version ?? '',
    replicas: num(at(object.spec, 'replicas')),
    readyReplicas: num(status.readyReplicas),
    upToDateReplicas: num(status.upToDateReplicas),
    observed: num(status.observedGeneration) >= generation,
    runningVersion: str(status.version),
    phase: str(status.phase),
    deleting: Boolean((object.metadata as { deletionTimestamp?: unknown }).deletionTimestamp),
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
 * The control plane's next release: the newest one offered that is newer
 * than `current` and at most one minor above it (Kubernetes upgrades one
 * minor at a time), so v1.32 goes to the newest v1.33 even when v1.34 exists.
 */
export function nextRelease(current: string, releases: readonly VersionRecord[]): VersionRecord | undefined {
  const [major, minor] = minorOf(current).split('.').map(Number) as [number, number];
  const limit = `v${major}.${minor + 1}.${Number.MAX_SAFE_INTEGER}`;
  return [...releases]
    .filter((r) => compareVersions(r.kubernetesVersion, current) > 0)
    .filter((r) => compareVersions(r.kubernetesVersion, limit) <= 0)
    .sort((a, b) => compareVersions(b.kubernetesVersion, a.kubernetesVersion))[0];
}

export type UpgradeCheck =
  | { ok: true; target: VersionRecord }
  | { ok: false; problems: string[]; target?: VersionRecord | undefined };

/** Whether the control plane can be upgraded now, and to which release; every reason it cannot. */
export function checkControlPlane(
  controlPlane: PoolStatus,
  releases: readonly VersionRecord[],
  secrets: ReadonlySet<string>,
): UpgradeCheck {
  const problems: string[] = [];
  const target = nextRelease(controlPlane.version, releases);
  if (!isRunning(controlPlane)) problems.push(MESSAGES.controlPlaneNotRunning);
  if (!target)
    problems.push(`No version ConfigMap offers a Kubernetes version after ${controlPlane.version}`);
  else problems.push(...releaseProblems(target, true, secrets));
  return problems.length === 0 && target ? { ok: true, target } : { ok: false, problems, target };
}

/**
 * Whether a worker pool can be upgraded now (documented constraints: the pool
 * Running, the control plane upgraded and done), and to which release: the
 * one of the control plane's version.
 */
export function checkWorker(
  worker: PoolStatus,
  controlPlane: PoolStatus,
  releases: readonly VersionRecord[],
  secrets: ReadonlySet<string>,
): UpgradeCheck {
  const problems: string[] = [];
  if (!isRunning(worker)) problems.push(MESSAGES.workerNotRunning);
  const ahead = compareVersions(controlPlane.version, worker.version) > 0;
  let target: VersionRecord | undefined;
  if (!ahead) problems.push(MESSAGES.controlPlaneFirst);
  else {
    if (!isRunning(controlPlane)) problems.push(MESSAGES.waitForControlPlane);
    target = releases.find((r) => r.kubernetesVersion === controlPlane.version);
    if (!target)
      problems.push(`No version ConfigMap offers ${controlPlane.version}, the control plane's version`);
    else problems.push(...releaseProblems(target, false, secrets));
  }
  return problems.length === 0 && target ? { ok: true, target } : { ok: false, problems, target };
}

/** `secrets`: the names of the Secrets in the namespace, for the plugin's files Secret of the release's minor. */
function releaseProblems(
  release: VersionRecord,
  controlPlane: boolean,
  secrets: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const files = kubernetesFilesSecret(release.kubernetesVersion);
  if (!secrets.has(files))
    problems.push(
      `Secret ${files} (the kubelet, PSA and audit files of Kubernetes ${minorOf(release.kubernetesVersion)}) does not exist`,
    );
  const where = `version ConfigMap ${release.configMap}`;
  if (!release.vmTemplateName) problems.push(`${where} names no VM template`);
  if (controlPlane && !release.corednsTag) problems.push(`${where} has no corednsTag`);
  if (controlPlane && !release.etcdTag) problems.push(`${where} has no etcdTag`);
  return problems;
}

const VERSION_SUFFIX = /-v\d+-\d+(-\d+)?$/;

/** `cp-1-34` or `lab-cp` to `lab-cp-v1-35-1`: deterministic, so a re-run finds what a first run made. */
export function upgradedName(current: string, version: string, minorOnly = false): string {
  const slug = (minorOnly ? `v${minorOf(version)}` : version).replace(/\./g, '-');
  const base = current.replace(VERSION_SUFFIX, '');
  return `${base.slice(0, 62 - slug.length)}-${slug}`;
}

/** A copy of an object for a new name: spec and labels kept, server fields and status dropped. */
function copyOf(object: KubeObject, name: string, spec: unknown): KubernetesManifest {
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
        [REVISION_OF_ANNOTATION]: object.metadata.name,
      },
    },
    spec,
  };
}

/** The new DCSMachineTemplate: the current one's spec with the target VM template; `providerID` stays unset. */
export function machineTemplateCopy(
  current: KubeObject,
  name: string,
  vmTemplateName: string,
): KubernetesManifest {
  const spec = structuredClone((current.spec ?? {}) as Json);
  const machine = (at(spec, 'template', 'spec') ?? {}) as Json;
  delete machine.providerID;
  machine.vmTemplateName = vmTemplateName;
  spec.template = { ...((spec.template as Json | undefined) ?? {}), spec: machine };
  return copyOf(current, name, spec);
}

/** The kubeadm `files` with the plugin's files Secret of another minor switched to `secret`; undefined when nothing changes. */
export function switchFilesSecret(files: unknown, secret: string): Json[] | undefined {
  if (!Array.isArray(files)) return undefined;
  let changed = false;
  const out = files.map((file: Json) => {
    const name = str(at(file, 'contentFrom', 'secret', 'name'));
    if (!name || !isKubernetesFilesSecret(name) || name === secret) return file;
    changed = true;
    const copy = structuredClone(file);
    (copy.contentFrom as { secret: Json }).secret.name = secret;
    return copy;
  });
  return changed ? out : undefined;
}

/** The files Secrets of the DCS plugin that kubeadm `files` read from. */
export function filesSecretsOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  return [
    ...new Set(
      files.flatMap((f: Json) => {
        const name = str(at(f, 'contentFrom', 'secret', 'name'));
        return name && isKubernetesFilesSecret(name) ? [name] : [];
      }),
    ),
  ];
}

export interface ControlPlaneChange {
  /** Objects to create first (the new DCSMachineTemplate), absent when the VM template stays. */
  create: KubernetesManifest[];
  /** One JSON merge patch of the KubeadmControlPlane. */
  patch: Json;
  templateName: string;
  filesSecret: string;
}

/**
 * The documented single edit of the KubeadmControlPlane: version, CoreDNS and
 * etcd tags of the release, the new template, and the files Secret of the new minor.
 */
export function controlPlaneChange(
  kcp: KubeObject,
  template: KubeObject,
  release: VersionRecord,
): ControlPlaneChange {
  const current = str(at(kcp.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name')) ?? '';
  const sameImage = str(at(template.spec, 'template', 'spec', 'vmTemplateName')) === release.vmTemplateName;
  const templateName = sameImage ? current : upgradedName(current, release.kubernetesVersion);
  const filesSecret = kubernetesFilesSecret(release.kubernetesVersion);
  const files = switchFilesSecret(at(kcp.spec, 'kubeadmConfigSpec', 'files'), filesSecret);
  return {
    create: sameImage ? [] : [machineTemplateCopy(template, templateName, release.vmTemplateName)],
    templateName,
    filesSecret,
    patch: {
      spec: {
        version: release.kubernetesVersion,
        kubeadmConfigSpec: {
          clusterConfiguration: {
            dns: { imageTag: release.corednsTag },
            etcd: { local: { imageTag: release.etcdTag } },
          },
          ...(files ? { files } : {}),
        },
        machineTemplate: { spec: { infrastructureRef: { name: templateName } } },
      },
    },
  };
}

export interface WorkerChange {
  /** The new DCSMachineTemplate and, when the files Secret changes, the new KubeadmConfigTemplate. */
  create: KubernetesManifest[];
  patch: Json;
  templateName: string;
  bootstrapName: string;
}

/** The documented MachineDeployment edit: version, new template, and a new bootstrap template when its files Secret changes. */
export function workerChange(
  md: KubeObject,
  template: KubeObject,
  bootstrap: KubeObject | undefined,
  release: VersionRecord,
): WorkerChange {
  const spec = at(md.spec, 'template', 'spec');
  const current = str(at(spec, 'infrastructureRef', 'name')) ?? '';
  const currentBootstrap = str(at(spec, 'bootstrap', 'configRef', 'name')) ?? '';
  const sameImage = str(at(template.spec, 'template', 'spec', 'vmTemplateName')) === release.vmTemplateName;
  const templateName = sameImage ? current : upgradedName(current, release.kubernetesVersion);
  const create = sameImage ? [] : [machineTemplateCopy(template, templateName, release.vmTemplateName)];
  let bootstrapName = currentBootstrap;
  const files = bootstrap
    ? switchFilesSecret(
        at(bootstrap.spec, 'template', 'spec', 'files'),
        kubernetesFilesSecret(release.kubernetesVersion),
      )
    : undefined;
  if (bootstrap && files) {
    bootstrapName = upgradedName(currentBootstrap, release.kubernetesVersion, true);
    const bootstrapSpec = structuredClone((bootstrap.spec ?? {}) as Json);
    (bootstrapSpec.template as { spec: Json }).spec.files = files;
    create.push(copyOf(bootstrap, bootstrapName, bootstrapSpec));
  }
  return {
    create,
    templateName,
    bootstrapName,
    patch: {
      spec: {
        template: {
          spec: {
            version: release.kubernetesVersion,
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

/** The Cluster annotation patch when the release names another Kube-OVN version than the cluster has. */
export function kubeOvnPatch(
  cluster: KubeObject | undefined,
  kubeOvnVersion: string | undefined,
): Json | undefined {
  if (!cluster || !kubeOvnVersion) return undefined;
  if (cluster.metadata.annotations?.[KUBE_OVN_ANNOTATION] === kubeOvnVersion) return undefined;
  return { metadata: { annotations: { [KUBE_OVN_ANNOTATION]: kubeOvnVersion } } };
}

/**
 * Whether an object already at `name` is the one this upgrade would create
 * (a re-run after an interruption), so it is used rather than replaced; a
 * different object there is a problem, never overwritten.
 */
export function sameTemplate(existing: KubeObject, wanted: KubernetesManifest): boolean {
  if (existing.kind === 'DCSMachineTemplate')
    return (
      at(existing.spec, 'template', 'spec', 'vmTemplateName') ===
      at(wanted.spec, 'template', 'spec', 'vmTemplateName')
    );
  return (
    JSON.stringify(at(existing.spec, 'template', 'spec', 'files')) ===
    JSON.stringify(at(wanted.spec, 'template', 'spec', 'files'))
  );
}

/** Progress of a pool after Confirm, for people. */
export function progressText(pool: PoolStatus): string {
  const done = isRunning(pool);
  return `${pool.version}: ${pool.readyReplicas}/${pool.replicas} ready, ${pool.upToDateReplicas}/${pool.replicas} up to date${done ? ' (done)' : ''}`;
}
