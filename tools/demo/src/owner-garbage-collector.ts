import type { KubeConfig, KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { KubernetesObjectApi } from '@kubernetes/client-node';

export interface OwnerGarbageCollectorOptions {
  kubeConfig: KubeConfig;
  /** The dependent kinds to look at, in every namespace. */
  kinds: readonly { apiVersion: string; kind: string }[];
  /** Pause between passes (default 5 s). */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface OwnerGarbageCollector {
  stop(): Promise<void>;
}

type Owner = 'present' | 'absent' | 'unknown';

/**
 * One pass of the collector over `kinds` (in every namespace); resolves with
 * the `Kind namespace/name` of each object deleted.
 */
export async function collectOrphans(
  kubeConfig: KubeConfig,
  kinds: OwnerGarbageCollectorOptions['kinds'],
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  // A 404 on read also comes back for a kind the API server does not serve; the real collector keeps
  // a dependent whose owner kind it cannot resolve, so a kind counts only once a list of it succeeds.
  const served = new Map<string, Promise<boolean>>();
  const kindServed = (apiVersion: string, kind: string) => {
    const key = `${apiVersion}/${kind}`;
    let answer = served.get(key);
    if (!answer) {
      answer = objects
        .list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, undefined, 1)
        .then(
          () => true,
          () => false,
        );
      served.set(key, answer);
    }
    return answer;
  };
  const ownerState = async (namespace: string | undefined, ref: V1OwnerReference): Promise<Owner> => {
    if (!(await kindServed(ref.apiVersion, ref.kind))) return 'unknown';
    try {
      const owner = await objects.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(namespace ? { namespace } : {}) },
      });
      return owner.metadata?.uid === ref.uid ? 'present' : 'absent';
    } catch (error) {
      return (error as { code?: number }).code === 404 ? 'absent' : 'unknown';
    }
  };
  const deleted: string[] = [];
  // Owners looked up once per pass: many Secrets share one KubeadmControlPlane or Cluster.
  const owners = new Map<string, Promise<Owner>>();
  for (const { apiVersion, kind } of kinds) {
    let items: KubernetesObject[];
    try {
      items = (await objects.list(apiVersion, kind)).items;
    } catch (error) {
      log(`garbage collector: cannot list ${kind}: ${String(error)}`);
      continue;
    }
    for (const item of items) {
      const refs = item.metadata?.ownerReferences ?? [];
      if (refs.length === 0 || item.metadata?.deletionTimestamp) continue;
      const name = item.metadata?.name ?? '';
      const namespace = item.metadata?.namespace;
      const states = await Promise.all(
        refs.map((ref) => {
          const key = `${namespace}/${ref.apiVersion}/${ref.kind}/${ref.name}/${ref.uid}`;
          let state = owners.get(key);
          if (!state) {
            state = ownerState(namespace, ref);
            owners.set(key, state);
          }
          return state;
        }),
      );
      if (!states.every((s) => s === 'absent')) continue;
      const what = `${kind} ${namespace}/${name}`;
      try {
        await objects.delete(
          { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
          { preconditions: { uid: item.metadata?.uid ?? '' } },
        );
        deleted.push(what);
        log(`garbage collector: deleted ${what}, whose owners are gone`);
      } catch (error) {
        // Gone already, or replaced by a new object of the same name (the UID precondition failed).
        const code = (error as { code?: number }).code;
        if (code !== 404 && code !== 409) log(`garbage collector: cannot delete ${what}: ${String(error)}`);
      }
    }
  }
  return deleted;
}

/**
 * What kube-controller-manager's garbage collector does for dependents whose
 * owners are all gone, for a few kinds. The demo's management plane is a bare
 * etcd and kube-apiserver, so without this a destroyed cluster leaves behind
 * everything Cluster API leaves to the collector: its certificate and
 * bootstrap Secrets, and the machine and bootstrap templates it took
 * ownership of (and a cluster of the same name could not be created again).
 * An owner counts as gone only on a 404 or another UID, as the real collector
 * decides; any other failure keeps the dependent. The delete carries the
 * dependent's UID as a precondition, so an object created again under the
 * same name is never removed.
 */
export function startOwnerGarbageCollector(options: OwnerGarbageCollectorOptions): OwnerGarbageCollector {
  const log = options.log ?? (() => {});
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = collectOrphans(options.kubeConfig, options.kinds, log)
      .catch((error: unknown) => log(`garbage collector: ${String(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 5_000);
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
