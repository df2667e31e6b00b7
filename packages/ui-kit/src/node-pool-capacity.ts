import type {
  CapacityPool,
  FieldProblem,
  HostApi,
  NodePoolCapacity,
  NodePoolCapacityExtension,
  NodePoolCapacityRequest,
} from '@immutable-infra/core';
import { infrastructurePath } from './platform-objects.js';
import { valueAt } from './upgrade-plan.js';
import { readObjectIfAny } from './upgrade-steps.js';

/** A slot pool's count as its controller keeps it, and the consumer it is bound to, if the kind binds. */
export interface SlotPoolCount {
  free: number;
  total: number;
  /** The workload (KubeadmControlPlane or MachineDeployment) whose machines alone may take its slots. */
  boundTo?: { kind: string; name: string } | undefined;
  /**
   * The workload cluster the pool serves, if the kind names one (bare metal's
   * MachineInventoryPool `spec.clusterName`): a pool serving another cluster
   * has no slot for this cluster's node pools.
   */
  servesCluster?: string | undefined;
}

/**
 * How one provider's machine template draws machine slots (an address,
 * hostname and disks each) from a pool: the template kind, where the pool is
 * named, and how the pool kind counts its free slots (the same way the
 * provider's pool controller writes its status).
 */
export interface SlotPoolSource<Template, Pool> {
  /** A kind of the infrastructure API group (`infrastructure.cluster.x-k8s.io`). */
  templateKind: string;
  /** Lower-case plural of the template kind, for its path; by default the kind's lower case with `s`. */
  templatePlural?: string | undefined;
  poolKind: string;
  /** Lower-case plural of the pool kind; by default the kind's lower case with `s`. */
  poolPlural?: string | undefined;
  /**
   * The pool the template's machines draw from; undefined when they draw from none (addresses from
   * DHCP). Without it, the pool is the one `poolRef` names.
   */
  poolName?(template: Template): string | undefined;
  /** The machine spec's reference to its pool (`spec.template.spec.<poolRef>.name`), e.g. `configPoolRef`. */
  poolRef?: string | undefined;
  count(pool: Pool): SlotPoolCount;
}

/** A machine template as `templatePoolRef` reads it. */
interface PoolReferringTemplate {
  spec?: unknown;
}

/**
 * A `poolName` that reads the reference the machine's spec holds in `field`
 * (`spec.template.spec.<field>.name`, e.g. `configPoolRef`); an empty name is none.
 */
function templatePoolRef(field: string): (template: PoolReferringTemplate) => string | undefined {
  return (template) => {
    const name = valueAt(template.spec, 'template', 'spec', field, 'name');
    return typeof name === 'string' && name ? name : undefined;
  };
}

const INFRASTRUCTURE_GROUP = 'infrastructure.cluster.x-k8s.io';

/** The pool a template names, by the source's `poolName` or its `poolRef`. */
function poolNameOf<Template>(
  source: SlotPoolSource<Template, unknown>,
  template: Template,
): string | undefined {
  if (source.poolName) return source.poolName(template);
  return source.poolRef ? templatePoolRef(source.poolRef)(template as PoolReferringTemplate) : undefined;
}
/** Kubernetes' plural of the kinds here (`DCSIpHostnamePool`: `dcsiphostnamepools`). */
const pluralOf = (kind: string) => `${kind.toLowerCase()}s`;
const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/**
 * The answer for a template and its pool as read (undefined: not there), as
 * pure logic: a pool bound to another consumer has no slot for this one; too
 * few free slots is a problem at `replicas` when the replicas alone do not
 * fit, at `maxSurge` when only the rollout's extra machines do not.
 */
export function slotPoolCapacity<Template, Pool>(
  source: SlotPoolSource<Template, Pool>,
  request: NodePoolCapacityRequest,
  template: Template | undefined,
  pool: Pool | undefined,
): NodePoolCapacity | undefined {
  if (
    request.machineTemplate.kind !== source.templateKind ||
    request.machineTemplate.apiGroup !== INFRASTRUCTURE_GROUP
  )
    return undefined;
  // A template that is not there yet is the form's own problem (the API server names it on create).
  if (!template) return undefined;
  const poolName = poolNameOf(source, template);
  if (!poolName) return undefined;
  const existing = Math.max(0, request.existingMachines ?? 0);
  const needed = Math.max(0, request.replicas + request.maxSurge - existing);
  const problems: FieldProblem[] = [];
  if (!pool) {
    problems.push({
      field: 'machineTemplate',
      message: `${source.templateKind} ${request.machineTemplate.name} draws from ${source.poolKind} ${poolName}, which does not exist`,
    });
    return {
      pools: [{ kind: source.poolKind, name: poolName, free: 0, total: 0 }],
      free: 0,
      needed,
      problems,
    };
  }
  const count = source.count(pool);
  const bound = count.boundTo;
  const boundElsewhere =
    bound !== undefined && !(bound.kind === 'MachineDeployment' && bound.name === request.nodePoolName);
  const otherCluster =
    count.servesCluster !== undefined && count.servesCluster !== request.clusterName
      ? count.servesCluster
      : undefined;
  const free = boundElsewhere || otherCluster !== undefined ? 0 : Math.max(0, count.free);
  const consulted: CapacityPool = { kind: source.poolKind, name: poolName, free, total: count.total };
  if (otherCluster !== undefined)
    problems.push({
      field: 'machineTemplate',
      message: `${source.poolKind} ${poolName} serves cluster ${otherCluster}, not ${request.clusterName}: its slots are for that cluster’s machines only`,
    });
  else if (boundElsewhere)
    problems.push({
      field: 'machineTemplate',
      message: `${source.poolKind} ${poolName} is bound to ${bound.kind} ${bound.name}: its slots are for that pool’s machines only`,
    });
  else if (free < needed) {
    const forReplicas = request.replicas - existing;
    problems.push({
      field: free < forReplicas ? 'replicas' : 'maxSurge',
      message: `${source.poolKind} ${poolName} has ${plural(free, 'free slot')}; this pool needs ${needed} (${plural(request.replicas, 'replica')} + ${request.maxSurge} max surge${existing > 0 ? `, ${existing} held already` : ''})`,
    });
  }
  return { pools: [consulted], free, needed, problems };
}

/** `slotPoolCapacity` bound to one provider's slot pool kind: the answer for a template and its pool as read. */
export function slotPoolCapacityOf<Template, Pool>(
  source: SlotPoolSource<Template, Pool>,
): (
  request: NodePoolCapacityRequest,
  template: Template | undefined,
  pool: Pool | undefined,
) => NodePoolCapacity | undefined {
  return (request, template, pool) => slotPoolCapacity(source, request, template, pool);
}

/**
 * A provider's `node-pool.capacity` export over its slot pool kind: reads the
 * template and the pool it names as the signed-in user, then answers with
 * `slotPoolCapacity`.
 */
export function slotPoolCapacityExtension<Template, Pool>(
  source: SlotPoolSource<Template, Pool>,
): NodePoolCapacityExtension {
  return {
    async check(request, context: { namespace: string; api: HostApi }) {
      if (request.machineTemplate.kind !== source.templateKind) return undefined;
      const namespace = request.namespace || context.namespace;
      const template = await readObjectIfAny<Template>(
        context.api,
        infrastructurePath(
          namespace,
          source.templatePlural ?? pluralOf(source.templateKind),
          request.machineTemplate.name,
        ),
      );
      const poolName = template ? poolNameOf(source, template) : undefined;
      const pool = poolName
        ? await readObjectIfAny<Pool>(
            context.api,
            infrastructurePath(namespace, source.poolPlural ?? pluralOf(source.poolKind), poolName),
          )
        : undefined;
      return slotPoolCapacity(source, request, template, pool);
    },
  };
}
