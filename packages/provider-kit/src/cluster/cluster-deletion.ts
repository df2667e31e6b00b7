import {
  CLUSTER_NAME_LABEL,
  done,
  type KubeClient,
  type ObjectMeta,
  requeue,
  type Step,
  type StepResult,
} from '@immutable-infra/core';
import { isKubeConflict } from '../kube/kube-errors.js';

/**
 * The finalizer a provider keeps on a credential Secret while a cluster of its uses it, e.g.
 * `huawei-dcs.infrastructure.immutable-infra.dev/credential-in-use`: deleting a namespace deletes
 * the Secret with the clusters, and without it the machines' deletion could no longer log in.
 */
export function credentialFinalizerName(platform: string): string {
  return `${platform}.infrastructure.immutable-infra.dev/credential-in-use`;
}

interface SecretMeta {
  metadata: ObjectMeta;
}

const secretRefOf = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  name,
  namespace,
});

/**
 * Puts `finalizer` on the Secret unless it is there already (a read first, so a reconcile that
 * finds it costs no write). A Secret that is missing is left to the Connect step to report; one
 * already being deleted can take no new finalizer, and one the cluster held is kept anyway.
 * `replacing` names an earlier finalizer of the same meaning (a provider that moved to another
 * name), taken off in the same write.
 */
export async function holdCredentialSecret(
  kube: KubeClient,
  secret: { namespace: string; name: string },
  finalizer: string,
  options: { replacing?: string } = {},
): Promise<void> {
  await changeFinalizers(kube, secret, (current) => {
    if (current.metadata.deletionTimestamp) return undefined;
    const finalizers = current.metadata.finalizers ?? [];
    const stale = options.replacing !== undefined && finalizers.includes(options.replacing);
    if (finalizers.includes(finalizer) && !stale) return undefined;
    return [...finalizers.filter((f) => f !== finalizer && f !== options.replacing), finalizer];
  });
}

async function dropFinalizer(
  kube: KubeClient,
  secret: { namespace: string; name: string },
  finalizer: string,
): Promise<void> {
  await changeFinalizers(kube, secret, (current) => {
    const finalizers = current.metadata.finalizers ?? [];
    return finalizers.includes(finalizer) ? finalizers.filter((f) => f !== finalizer) : undefined;
  });
}

/** Attempts of a finalizer change when another writer changed the Secret in between. */
const FINALIZER_ATTEMPTS = 5;

/**
 * Writes the finalizers `next` makes of the Secret as read (undefined: nothing to change), with
 * its resourceVersion, so a concurrent change fails instead of being lost; on such a conflict
 * (the clusters sharing one credential all hold it at once) the Secret is read again and `next`
 * decides afresh, instead of the whole reconcile failing.
 */
async function changeFinalizers(
  kube: KubeClient,
  secret: { namespace: string; name: string },
  next: (current: SecretMeta) => string[] | undefined,
): Promise<void> {
  const ref = secretRefOf(secret.namespace, secret.name);
  for (let attempt = 1; ; attempt++) {
    const current = await kube.get<SecretMeta>(ref);
    const finalizers = current && next(current);
    if (!current || !finalizers) return;
    try {
      await kube.patch(ref, { metadata: { finalizers, resourceVersion: current.metadata.resourceVersion } });
      return;
    } catch (error) {
      if (!isKubeConflict(error) || attempt >= FINALIZER_ATTEMPTS) throw error;
    }
  }
}

/** The Cluster API cluster an infrastructure object belongs to, also once that Cluster is gone. */
export function clusterNameOf(object: { metadata: ObjectMeta }, cluster?: { metadata: { name: string } }) {
  return (
    cluster?.metadata.name ??
    object.metadata.labels?.[CLUSTER_NAME_LABEL] ??
    object.metadata.ownerReferences?.find((o) => o.kind === 'Cluster')?.name ??
    object.metadata.name
  );
}

/** What `waitForMachinesStep` needs to know about the infrastructure cluster being deleted. */
export interface ClusterDeletion<Run> {
  /** The infrastructure cluster being deleted. */
  object(run: Run): { metadata: ObjectMeta };
  /** Its Cluster API cluster's name (see `clusterNameOf`). */
  clusterName(run: Run): string;
  /** The provider's infrastructure machine kind, e.g. `{ apiVersion, kind: 'DCSMachine' }`. */
  machines: { apiVersion: string; kind: string };
}

/**
 * A delete step that waits while infrastructure machines of the cluster still exist: the
 * platform parts they use (load balancer, network, the credential) must outlive them, and a
 * deleted namespace deletes the cluster and its machines at once.
 */
export function waitForMachinesStep<Run extends { ctx: { kube: KubeClient } }>(
  deletion: ClusterDeletion<Run>,
): Step<Run> {
  return {
    name: 'WaitForMachines',
    async run(run) {
      const { namespace } = deletion.object(run).metadata;
      const machines = await run.ctx.kube.list<{ metadata: ObjectMeta }>(
        deletion.machines.apiVersion,
        deletion.machines.kind,
        {
          ...(namespace ? { namespace } : {}),
          labelSelector: `${CLUSTER_NAME_LABEL}=${deletion.clusterName(run)}`,
        },
      );
      if (machines.length === 0) return done();
      const names = machines.map((m) => m.metadata.name).sort();
      return requeue(
        5_000,
        `${machines.length} ${deletion.machines.kind}${machines.length === 1 ? ' of this cluster remains' : 's of this cluster remain'} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`,
      );
    },
  };
}

/**
 * Decides whether the cluster being deleted lets go of its credential Secret. The Secret is
 * released only when no other reconciled cluster of the kind in the namespace names it: one that is not
 * being deleted keeps it (and releases it on its own deletion); among several being deleted
 * together, the one with the first name waits for the others to be gone and then releases it,
 * so two clusters finishing at once never both leave the finalizer behind.
 */
export async function releaseCredentialSecret(
  kube: KubeClient,
  input: {
    self: { metadata: ObjectMeta };
    secretName: string;
    finalizer: string;
    clusters: { apiVersion: string; kind: string };
    secretNameOf(cluster: unknown): string | undefined;
  },
): Promise<StepResult> {
  const namespace = input.self.metadata.namespace ?? 'default';
  const clusters = await kube.list<{ metadata: ObjectMeta }>(input.clusters.apiVersion, input.clusters.kind, {
    namespace,
  });
  // A cluster with no finalizer was never reconciled: it made nothing on the platform, goes without
  // a delete of its own, and holds the Secret itself once it is reconciled.
  const others = clusters.filter(
    (c) =>
      c.metadata.uid !== input.self.metadata.uid &&
      (c.metadata.finalizers ?? []).length > 0 &&
      input.secretNameOf(c) === input.secretName,
  );
  if (others.some((c) => !c.metadata.deletionTimestamp)) return done();
  const first = others.every((c) => input.self.metadata.name < c.metadata.name);
  if (others.length > 0 && !first) return done();
  if (others.length > 0) {
    return requeue(
      5_000,
      `Secret ${input.secretName} is released once ${others.map((c) => `${input.clusters.kind} ${c.metadata.name}`).join(', ')} ${others.length === 1 ? 'is' : 'are'} gone`,
    );
  }
  await dropFinalizer(kube, { namespace, name: input.secretName }, input.finalizer);
  return done();
}

/**
 * The two steps that keep an infrastructure cluster's credential Secret while the cluster needs
 * it: `hold` (in the reconcile plan, after Connect has read the Secret) and `release` (the last
 * step of the delete plan, after the machines and platform parts are gone).
 */
export function credentialSecretSteps<
  Run extends { ctx: { kube: KubeClient; object: { metadata: ObjectMeta } } },
>(options: {
  finalizer: string;
  clusters: { apiVersion: string; kind: string };
  /** The Secret an infrastructure cluster object of the kind names. */
  secretNameOf(cluster: unknown): string | undefined;
  /** An earlier finalizer of the provider's: swapped for `finalizer` on hold, released too. */
  replacing?: string | undefined;
  /** `HoldCredentialSecret` and `ReleaseCredentialSecret` by default. */
  names?: { hold: string; release: string } | undefined;
}): { hold: Step<Run>; release: Step<Run> } {
  const namespaceOf = (run: Run) => run.ctx.object.metadata.namespace ?? 'default';
  const { replacing } = options;
  return {
    hold: {
      name: options.names?.hold ?? 'HoldCredentialSecret',
      async run(run) {
        const name = options.secretNameOf(run.ctx.object);
        if (name)
          await holdCredentialSecret(
            run.ctx.kube,
            { namespace: namespaceOf(run), name },
            options.finalizer,
            replacing === undefined ? {} : { replacing },
          );
        return done();
      },
    },
    release: {
      name: options.names?.release ?? 'ReleaseCredentialSecret',
      async run(run) {
        const secretName = options.secretNameOf(run.ctx.object);
        if (!secretName) return done();
        for (const finalizer of replacing === undefined
          ? [options.finalizer]
          : [options.finalizer, replacing]) {
          const released = await releaseCredentialSecret(run.ctx.kube, {
            self: run.ctx.object,
            secretName,
            finalizer,
            clusters: options.clusters,
            secretNameOf: options.secretNameOf,
          });
          if (released.type !== 'done') return released;
        }
        return done();
      },
    },
  };
}

/** The kinds and Secret of an infrastructure cluster, as {@link infraClusterSteps} needs them. */
export interface InfraClusterKinds {
  /** The finalizer that keeps the credential Secret (see {@link credentialFinalizerName}). */
  finalizer: string;
  apiVersion: string;
  /** The infrastructure cluster kind, e.g. `DCSCluster`. */
  clusterKind: string;
  /** Its machine kind, e.g. `DCSMachine`. */
  machineKind: string;
  /** The Secret an infrastructure cluster object names. */
  secretNameOf(cluster: unknown): string | undefined;
}

/**
 * The steps every infrastructure cluster's plans share, from one description of its kinds:
 * `holdCredential` (in the reconcile, after Connect has read the Secret), `waitForMachines` (first
 * in the delete plan) and `releaseCredential` (last in the delete plan).
 */
export function infraClusterSteps<
  Run extends {
    ctx: {
      kube: KubeClient;
      object: { metadata: ObjectMeta };
      cluster?: { metadata: { name: string } } | undefined;
    };
  },
>(
  kinds: InfraClusterKinds,
): { holdCredential: Step<Run>; releaseCredential: Step<Run>; waitForMachines: Step<Run> } {
  const credential = credentialSecretSteps<Run>({
    finalizer: kinds.finalizer,
    clusters: { apiVersion: kinds.apiVersion, kind: kinds.clusterKind },
    secretNameOf: kinds.secretNameOf,
  });
  return {
    holdCredential: credential.hold,
    releaseCredential: credential.release,
    waitForMachines: waitForMachinesStep<Run>({
      object: ({ ctx }) => ctx.object,
      clusterName: ({ ctx }) => clusterNameOf(ctx.object, ctx.cluster),
      machines: { apiVersion: kinds.apiVersion, kind: kinds.machineKind },
    }),
  };
}
