import type { KubernetesManifest } from '@immutable-infra/core';
import {
  checkControlPlane as checkControlPlaneOn,
  checkWorker as checkWorkerOn,
  controlPlaneChange as controlPlaneChangeOn,
  machineTemplateRevision,
  minorOf,
  nextRelease,
  type PlatformUpgradeSpec,
  type PoolStatus,
  sameRevision,
  type TargetRules,
  type UpgradeCheck,
  type UpgradeObject,
  type UpgradeTarget,
  valueAt,
  type WorkerChange,
  workerChange as workerChangeOn,
} from '@immutable-infra/ui-kit';
import { isKubernetesFilesSecret, kubernetesFilesSecret, REVISION_OF_ANNOTATION } from '../catalog/labels.js';
import type { VersionRecord } from '../catalog/resources.js';

/*
 * The documented DCS Kubernetes upgrade (docs/en/upgrade-cluster/huawei-dcs.mdx)
 * on the kit's node pool upgrade: what is DCS's own is where releases come
 * from (the version ConfigMaps), the machine template's kind and image field
 * (`vmTemplateName`), and the DCS plugin's files Secret of each Kubernetes
 * minor that kubeadm `files` read.
 */

type Json = Record<string, unknown>;

export {
  isRunning,
  KUBE_OVN_ANNOTATION,
  kubeOvnPatch,
  nextRelease,
  type PoolStatus,
  poolStatusOf,
  progressText,
  UPGRADE_MESSAGES as MESSAGES,
  type UpgradeCheck,
  upgradedName,
  type WorkerChange,
} from '@immutable-infra/ui-kit';

/** The optional data key of a version ConfigMap with the release's Kube-OVN version. */
export const KUBE_OVN_DATA_KEY = 'kubeOvnVersion';

/** The kubeadm `files` with the plugin's files Secret of another minor switched to `secret`; undefined when nothing changes. */
export function switchFilesSecret(files: unknown, secret: string): Json[] | undefined {
  if (!Array.isArray(files)) return undefined;
  let changed = false;
  const out = files.map((file: Json) => {
    const name = valueAt(file, 'contentFrom', 'secret', 'name');
    if (typeof name !== 'string' || !isKubernetesFilesSecret(name) || name === secret) return file;
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
        const name = valueAt(f, 'contentFrom', 'secret', 'name');
        return typeof name === 'string' && isKubernetesFilesSecret(name) ? [name] : [];
      }),
    ),
  ];
}

/** What DCS's upgrade writes: DCSMachineTemplates by `vmTemplateName`, and the files Secret of the target's minor. */
export const DCS_UPGRADE: PlatformUpgradeSpec = {
  machineTemplateKind: 'DCSMachineTemplate',
  imageField: 'vmTemplateName',
  revisionAnnotation: REVISION_OF_ANNOTATION,
  files: (files, target) => switchFilesSecret(files, kubernetesFilesSecret(target.kubernetesVersion)),
};

/** A version ConfigMap's release as the kit's target. */
export function targetOf(release: VersionRecord): UpgradeTarget {
  return {
    kubernetesVersion: release.kubernetesVersion,
    image: release.vmTemplateName,
    corednsTag: release.corednsTag,
    etcdTag: release.etcdTag,
  };
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

const rules = (secrets: ReadonlySet<string>, controlPlane: boolean): TargetRules<VersionRecord> => ({
  noTarget: (version) =>
    controlPlane
      ? `No version ConfigMap offers a Kubernetes version after ${version}`
      : `No version ConfigMap offers ${version}, the control plane's version`,
  problemsOf: (release, forControlPlane) => releaseProblems(release, forControlPlane, secrets),
});

/** Whether the control plane can be upgraded now, and to which release (the next one the version ConfigMaps offer); every reason it cannot. */
export function checkControlPlane(
  controlPlane: PoolStatus,
  releases: readonly VersionRecord[],
  secrets: ReadonlySet<string>,
): UpgradeCheck<VersionRecord> {
  return checkControlPlaneOn(controlPlane, nextRelease(controlPlane.version, releases), rules(secrets, true));
}

/** Whether a worker pool can be upgraded now, and to which release: the one of the control plane's version. */
export function checkWorker(
  worker: PoolStatus,
  controlPlane: PoolStatus,
  releases: readonly VersionRecord[],
  secrets: ReadonlySet<string>,
): UpgradeCheck<VersionRecord> {
  return checkWorkerOn(
    worker,
    controlPlane,
    (version) => releases.find((r) => r.kubernetesVersion === version),
    rules(secrets, false),
  );
}

/** The new DCSMachineTemplate: the current one's spec with the target VM template; `providerID` stays unset. */
export function machineTemplateCopy(
  current: UpgradeObject,
  name: string,
  vmTemplateName: string,
): KubernetesManifest {
  return machineTemplateRevision(current, name, vmTemplateName, DCS_UPGRADE);
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
  kcp: UpgradeObject,
  template: UpgradeObject,
  release: VersionRecord,
): ControlPlaneChange {
  return {
    ...controlPlaneChangeOn(kcp, template, targetOf(release), DCS_UPGRADE),
    filesSecret: kubernetesFilesSecret(release.kubernetesVersion),
  };
}

/** The documented MachineDeployment edit: version, new template, and a new bootstrap template when its files Secret changes. */
export function workerChange(
  md: UpgradeObject,
  template: UpgradeObject,
  bootstrap: UpgradeObject | undefined,
  release: VersionRecord,
): WorkerChange {
  return workerChangeOn(md, template, bootstrap, targetOf(release), DCS_UPGRADE);
}

/**
 * Whether an object already at `name` is the one this upgrade would create
 * (a re-run after an interruption), so it is used rather than replaced; a
 * different object there is a problem, never overwritten.
 */
export function sameTemplate(existing: UpgradeObject, wanted: KubernetesManifest): boolean {
  return sameRevision(existing, wanted, DCS_UPGRADE);
}
