import type { ClusterObjects, KubeItem } from './cluster-rows.js';

/** What the user chose on the upgrade page: a version for every pool, and templates per pool (by pool name). */
export interface UpgradeChoice {
  version: string;
  templates?: Record<string, string>;
}

export interface RolloutWave {
  /** New machines created in this wave. */
  create: number;
  /** Old machines deleted in this wave, in the order they go. */
  delete: string[];
}

export interface PoolPlan {
  kind: 'KubeadmControlPlane' | 'MachineDeployment';
  name: string;
  from: { version: string; template: string };
  to: { version: string; template: string };
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  /** How old machines are picked: Oldest, Newest, or Random (then the listed order is only one possibility). */
  deletionOrder: 'Oldest' | 'Newest' | 'Random';
  waves: RolloutWave[];
}

export interface UpgradePlan {
  /** Control plane first, then each MachineDeployment by name. Pools with nothing to change are left out. */
  pools: PoolPlan[];
  problems: string[];
}

// A platform's Kubernetes builds carry a suffix (v1.34.5-3), which orders nothing here.
export const VERSION = /^v(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

type IntOrPercent = number | string | undefined;

/** An int-or-percent rollout value against `replicas`: surge rounds up, unavailability down (as CAPI does). */
export function resolveIntOrPercent(
  value: IntOrPercent,
  replicas: number,
  fallback: number,
  roundUp: boolean,
) {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number.isInteger(Number(value)) ? Number(value) : fallback;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * The waves of a rolling replacement: each wave creates what maxSurge allows
 * (new machines are counted once they exist, as the controller waits for them
 * to be ready before going on), then deletes old machines as far as
 * maxUnavailable allows.
 */
export function rollingWaves(
  old: readonly string[],
  replicas: number,
  maxSurge: number,
  maxUnavailable: number,
): RolloutWave[] {
  const waves: RolloutWave[] = [];
  const remaining = [...old];
  let created = 0;
  while (remaining.length > 0 || created < replicas) {
    const create = Math.max(
      0,
      Math.min(replicas + maxSurge - (remaining.length + created), replicas - created),
    );
    created += create;
    const removable = Math.max(
      0,
      Math.min(remaining.length, remaining.length + created - (replicas - maxUnavailable)),
    );
    const deleted = remaining.splice(0, removable);
    if (create === 0 && deleted.length === 0) break;
    waves.push({ create, delete: deleted });
  }
  return waves;
}

function spec(item: KubeItem | undefined): Record<string, unknown> {
  return (item?.spec ?? {}) as Record<string, unknown>;
}

function dig(object: unknown, ...path: string[]): unknown {
  let value = object;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

const created = (m: KubeItem) => {
  const t = m.metadata.creationTimestamp;
  return t instanceof Date ? t.toISOString() : (t ?? '');
};

function ordered(machines: KubeItem[], order: PoolPlan['deletionOrder']): string[] {
  const sorted = [...machines].sort(
    (a, b) => created(a).localeCompare(created(b)) || a.metadata.name.localeCompare(b.metadata.name),
  );
  if (order === 'Newest') sorted.reverse();
  return sorted.map((m) => m.metadata.name);
}

function compare(a: string, b: string): number {
  const x = VERSION.exec(a);
  const y = VERSION.exec(b);
  if (!x || !y) return 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Which machines an upgrade replaces and in which order: the control plane
 * first (one machine at a time, as KubeadmControlPlane does), then each
 * MachineDeployment in waves set by its maxSurge and maxUnavailable. A pool
 * whose version or template changes has every machine replaced, since Cluster
 * API rolls out a new machine set for any change of the machine template.
 */
export function planUpgrade(objects: ClusterObjects, choice: UpgradeChoice): UpgradePlan {
  const problems: string[] = [];
  if (!VERSION.test(choice.version)) problems.push('version must look like v1.35.4');
  for (const [pool, template] of Object.entries(choice.templates ?? {})) {
    if (!DNS_NAME.test(template)) problems.push(`templates.${pool} must be a lower-case DNS name`);
  }
  const cp = objects.controlPlane;
  const cpVersion = String(spec(cp).version ?? '');
  if (cp && VERSION.test(choice.version) && VERSION.test(cpVersion)) {
    const [, , fromMinor] = VERSION.exec(cpVersion) as RegExpExecArray;
    const [, , toMinor] = VERSION.exec(choice.version) as RegExpExecArray;
    if (compare(choice.version, cpVersion) < 0)
      problems.push(`version ${choice.version} is older than the control plane's ${cpVersion}`);
    else if (Number(toMinor) - Number(fromMinor) > 1)
      problems.push(
        `version ${choice.version} skips a minor version after ${cpVersion}; upgrade one minor at a time`,
      );
  }
  const poolNames = new Set([
    ...(cp ? [cp.metadata.name] : []),
    ...objects.machineDeployments.map((md) => md.metadata.name),
  ]);
  for (const pool of Object.keys(choice.templates ?? {})) {
    if (!poolNames.has(pool)) problems.push(`templates.${pool}: the cluster has no node pool ${pool}`);
  }
  if (problems.length > 0) return { pools: [], problems };

  const pools: PoolPlan[] = [];
  if (cp) {
    const template = String(dig(cp.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name') ?? '');
    const to = { version: choice.version, template: choice.templates?.[cp.metadata.name] ?? template };
    if (to.version !== cpVersion || to.template !== template) {
      const replicas = Number(spec(cp).replicas ?? 1);
      const maxSurge = resolveIntOrPercent(
        dig(cp.spec, 'rollout', 'strategy', 'rollingUpdate', 'maxSurge') as IntOrPercent,
        replicas,
        1,
        true,
      );
      const machines = objects.machines.filter(
        (m) =>
          m.metadata.labels?.['cluster.x-k8s.io/control-plane-name'] === cp.metadata.name ||
          m.metadata.ownerReferences?.some(
            (o) => o.kind === 'KubeadmControlPlane' && o.name === cp.metadata.name,
          ),
      );
      // KubeadmControlPlane replaces one machine at a time: surge 1 adds first, surge 0 removes first.
      pools.push({
        kind: 'KubeadmControlPlane',
        name: cp.metadata.name,
        from: { version: cpVersion, template },
        to,
        replicas,
        maxSurge: Math.min(1, maxSurge),
        maxUnavailable: maxSurge >= 1 ? 0 : 1,
        deletionOrder: 'Oldest',
        waves: rollingWaves(
          ordered(machines, 'Oldest'),
          replicas,
          Math.min(1, maxSurge),
          maxSurge >= 1 ? 0 : 1,
        ),
      });
    }
  }
  for (const md of [...objects.machineDeployments].sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  )) {
    const version = String(dig(md.spec, 'template', 'spec', 'version') ?? '');
    const template = String(dig(md.spec, 'template', 'spec', 'infrastructureRef', 'name') ?? '');
    const to = { version: choice.version, template: choice.templates?.[md.metadata.name] ?? template };
    if (to.version === version && to.template === template) continue;
    const replicas = Number(spec(md).replicas ?? 1);
    const rolling = (key: string) =>
      dig(md.spec, 'rollout', 'strategy', 'rollingUpdate', key) as IntOrPercent;
    const maxSurge = resolveIntOrPercent(rolling('maxSurge'), replicas, 1, true);
    const maxUnavailable = resolveIntOrPercent(rolling('maxUnavailable'), replicas, 0, false);
    const order = (dig(md.spec, 'deletion', 'order') as PoolPlan['deletionOrder'] | undefined) ?? 'Random';
    const machines = objects.machines.filter(
      (m) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === md.metadata.name,
    );
    if (maxSurge === 0 && maxUnavailable === 0)
      problems.push(
        `${md.metadata.name}: maxSurge and maxUnavailable are both 0, so nothing can be replaced`,
      );
    pools.push({
      kind: 'MachineDeployment',
      name: md.metadata.name,
      from: { version, template },
      to,
      replicas,
      maxSurge,
      maxUnavailable,
      deletionOrder: order,
      waves: rollingWaves(ordered(machines, order), replicas, maxSurge, maxUnavailable),
    });
  }
  return { pools, problems };
}
