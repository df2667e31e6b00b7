/**
 * What every create-cluster workflow reads of the management cluster besides
 * its provider's objects: which of the objects it would create exist already,
 * the global Cluster's annotations, and the Cluster API version it prefers.
 */
import type {
  ClusterDraft,
  FieldProblem,
  HostApi,
  KubernetesManifest,
  WorkflowContext,
} from '@immutable-infra/core';
import { toV1Beta2 } from './capi-v1beta2.js';
import type { clusterObjectNames } from './cluster-draft.js';
import { listCredentialSecrets } from './credentials.js';
import { describeError } from './elements.js';
import { infrastructurePath } from './platform-objects.js';

const CAPI = '/apis/cluster.x-k8s.io';

/** `Kind/name` of an object the workflow would create, and its API path. */
export type ObjectLookup = [key: string, path: string];

/** The Cluster API objects (Cluster, KubeadmControlPlane, MachineDeployments, KubeadmConfigTemplates) a cluster's names make. */
export function capiObjectLookups(
  namespace: string,
  names: ReturnType<typeof clusterObjectNames>,
): ObjectLookup[] {
  const ns = encodeURIComponent(namespace);
  return [
    [`Cluster/${names.cluster}`, `${CAPI}/v1beta2/namespaces/${ns}/clusters/${names.cluster}`],
    [
      `KubeadmControlPlane/${names.controlPlane}`,
      `/apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/${ns}/kubeadmcontrolplanes/${names.controlPlane}`,
    ],
    ...names.workers.flatMap((w): ObjectLookup[] => [
      [
        `MachineDeployment/${w.machineDeployment}`,
        `${CAPI}/v1beta2/namespaces/${ns}/machinedeployments/${w.machineDeployment}`,
      ],
      [
        `KubeadmConfigTemplate/${w.bootstrapTemplate}`,
        `/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces/${ns}/kubeadmconfigtemplates/${w.bootstrapTemplate}`,
      ],
    ]),
  ];
}

export interface ManagementFacts {
  /** `Kind/name` of the looked-up objects that exist. */
  existing: string[];
  /** Annotations of the `global` Cluster (kube-ovn version, registry address), when it can be read. */
  globalCluster: Record<string, string> | undefined;
  /** The CAPI API version the management cluster prefers (v1beta2 from CAPI 1.11 on). */
  capiVersion: 'v1beta1' | 'v1beta2';
}

/** Reads the facts in parallel (the global Cluster in the workflow's namespace, where the platform keeps it); a lookup that fails counts as absent. Names not yet typed make no lookups. */
export async function loadManagementFacts(
  api: HostApi,
  namespace: string,
  lookups: readonly ObjectLookup[],
): Promise<ManagementFacts> {
  const wanted = lookups.filter(([key]) => !key.endsWith('/') && !key.includes('/-'));
  const read = (path: string) => api.kubernetes<unknown>({ method: 'GET', path });
  const [existing, globalCluster, group] = await Promise.all([
    Promise.all(wanted.map(async ([key, path]) => ((await read(path).catch(() => undefined)) ? key : ''))),
    api
      .kubernetes<{ metadata: { annotations?: Record<string, string> } }>({
        method: 'GET',
        path: `${CAPI}/v1beta2/namespaces/${encodeURIComponent(namespace)}/clusters/global`,
      })
      .catch(() => undefined),
    api
      .kubernetes<{ preferredVersion?: { version?: string } }>({ method: 'GET', path: CAPI })
      .catch(() => undefined),
  ]);
  return {
    existing: existing.filter(Boolean),
    globalCluster: globalCluster ? (globalCluster.metadata.annotations ?? {}) : undefined,
    capiVersion: group?.preferredVersion?.version === 'v1beta1' ? 'v1beta1' : 'v1beta2',
  };
}

/** A provider's pure rules over its draft and facts. */
export interface ClusterWorkflowRules<D, F extends { capiVersion: 'v1beta1' | 'v1beta2' }> {
  validateDraft(draft: D, facts: F): FieldProblem[];
  buildManifests(draft: D, facts: F): KubernetesManifest[];
  draftWarnings(draft: D, facts: F): string[];
}

/**
 * The `cluster.create` anchor's data half (all but the steps, which need a
 * DOM): each call reads the facts afresh, so what the review shows and what
 * Create writes are computed from the same state. Manifests are converted to
 * v1beta2 where the management cluster prefers it.
 */
export function clusterWorkflowLogic<D extends object, F extends { capiVersion: 'v1beta1' | 'v1beta2' }>(
  drafts: { initialDraft(): D; readDraft(value: Record<string, unknown>): D },
  loadFacts: (api: HostApi, namespace: string, draft: D) => Promise<F>,
  rules: ClusterWorkflowRules<D, F>,
) {
  const manifestsFor = (draft: ClusterDraft, facts: F): KubernetesManifest[] => {
    const manifests = rules.buildManifests(drafts.readDraft(draft), facts);
    return facts.capiVersion === 'v1beta2' ? manifests.map(toV1Beta2) : manifests;
  };
  const factsOf = (draft: D, context: WorkflowContext) => loadFacts(context.api, context.namespace, draft);
  return {
    manifestsFor,
    logic: {
      initialDraft(_context: WorkflowContext): ClusterDraft {
        return { ...(drafts.initialDraft() as Record<string, unknown>) };
      },
      async validate(draft: ClusterDraft, context: WorkflowContext): Promise<readonly FieldProblem[]> {
        const d = drafts.readDraft(draft);
        return rules.validateDraft(d, await factsOf(d, context));
      },
      async manifests(draft: ClusterDraft, context: WorkflowContext): Promise<readonly KubernetesManifest[]> {
        return manifestsFor(draft, await factsOf(drafts.readDraft(draft), context));
      },
      async warnings(draft: ClusterDraft, context: WorkflowContext): Promise<readonly string[]> {
        const d = drafts.readDraft(draft);
        return rules.draftWarnings(d, await factsOf(d, context));
      },
    },
  };
}

/** A platform's machine template as a create-cluster workflow uses it. */
export interface MachineTemplateRecord<Spec> {
  name: string;
  labels: Record<string, string>;
  /** spec.template.spec, copied into the cluster's own template. */
  machineSpec: Spec;
  /** The config pool it draws slots from, when it names one. */
  configPool: string | undefined;
}

/** A platform's machine template object, as far as the record needs it. */
export interface MachineTemplateObject<Spec> {
  metadata: { name?: string | undefined; labels?: Record<string, string> | undefined };
  spec: { template: { spec: Spec } };
}

/** The record of a machine template; `configPoolOf` reads the platform's pool reference from its machine spec. */
export function machineTemplateRecord<Spec>(
  template: MachineTemplateObject<Spec>,
  configPoolOf: (machineSpec: Spec) => string | undefined,
): MachineTemplateRecord<Spec> {
  const machineSpec = template.spec.template.spec;
  return {
    name: template.metadata.name ?? '',
    labels: { ...(template.metadata.labels ?? {}) },
    machineSpec,
    configPool: configPoolOf(machineSpec) || undefined,
  };
}

/** What every platform's workflow reads: the management facts, the credentials, machine templates and config pools. */
export interface PlatformClusterFacts<Template, Pool> extends ManagementFacts {
  namespace: string;
  /** Credential Secrets by name, with the keys they have (the host empties the values). */
  credentials: Record<string, string[]>;
  machineTemplates: Template[];
  configPools: Pool[];
}

/** Where a platform keeps what {@link loadPlatformClusterFacts} reads, and how it makes records of it. */
export interface PlatformFactsSpec<TemplateObject, PoolObject, Template, Pool> {
  /** The keys a Secret of the platform's credentials holds. */
  credentialKeys: readonly string[];
  /** The API path of the namespace's machine templates, and of its config pools. */
  machineTemplatesPath: string;
  configPoolsPath: string;
  /** The Cluster API objects' names and the platform's own objects the workflow would create (`Kind/name` and path). */
  names: Parameters<typeof capiObjectLookups>[1];
  lookups: readonly ObjectLookup[];
  toTemplate(object: TemplateObject): Template;
  toPool(object: PoolObject): Pool;
}

/** Reads the management facts, the credentials, machine templates and config pools in parallel. */
export async function loadPlatformClusterFacts<TemplateObject, PoolObject, Template, Pool>(
  api: HostApi,
  namespace: string,
  spec: PlatformFactsSpec<TemplateObject, PoolObject, Template, Pool>,
): Promise<PlatformClusterFacts<Template, Pool>> {
  const list = async <T>(path: string) =>
    (await api.kubernetes<{ items?: T[] }>({ method: 'GET', path })).items ?? [];
  const [credentials, templates, pools, management] = await Promise.all([
    listCredentialSecrets(api, namespace, spec.credentialKeys),
    list<TemplateObject>(spec.machineTemplatesPath),
    list<PoolObject>(spec.configPoolsPath),
    loadManagementFacts(api, namespace, [...capiObjectLookups(namespace, spec.names), ...spec.lookups]),
  ]);
  return {
    namespace,
    credentials: Object.fromEntries(credentials.map((s) => [s.metadata.name, Object.keys(s.data ?? {})])),
    machineTemplates: templates.map((t) => spec.toTemplate(t)),
    configPools: pools.map((p) => spec.toPool(p)),
    ...management,
  };
}

/** What a platform read with the draft's credential returns, or why it failed: a fact (and a problem), not a throw. */
export async function platformFact<T>(read: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await read();
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** The kinds of a platform whose machine templates draw from config pools. */
export interface PooledPlatformKinds {
  cluster: string;
  machineTemplate: string;
  configPool: string;
}

/** A kind's resource name as the platform's CRDs spell it: lower case, plural with `s` (`hcsclusters`). */
export const resourceOfKind = (kind: string) => `${kind.toLowerCase()}s`;

/** Where {@link loadPooledClusterFacts} finds a platform's objects, and how it makes records of them. */
export interface PooledFactsSpec<TemplateObject, PoolObject, Template, Pool>
  extends Omit<
    PlatformFactsSpec<TemplateObject, PoolObject, Template, Pool>,
    'machineTemplatesPath' | 'configPoolsPath' | 'lookups'
  > {
  kinds: PooledPlatformKinds;
}

/**
 * {@link loadPlatformClusterFacts} of a platform whose resources are its
 * kinds' names in lower case with an `s` in the infrastructure API group
 * ({@link infrastructurePath}): the namespace's machine templates
 * and config pools, and the lookups of the platform's cluster object and of
 * each node pool's machine template the workflow would create.
 */
export function loadPooledClusterFacts<TemplateObject, PoolObject, Template, Pool>(
  api: HostApi,
  namespace: string,
  spec: PooledFactsSpec<TemplateObject, PoolObject, Template, Pool>,
): Promise<PlatformClusterFacts<Template, Pool>> {
  const { kinds, names } = spec;
  const pathOf = infrastructurePath;
  const templates = resourceOfKind(kinds.machineTemplate);
  return loadPlatformClusterFacts(api, namespace, {
    credentialKeys: spec.credentialKeys,
    machineTemplatesPath: pathOf(namespace, templates),
    configPoolsPath: pathOf(namespace, resourceOfKind(kinds.configPool)),
    names,
    lookups: [
      [`${kinds.cluster}/${names.cluster}`, pathOf(namespace, resourceOfKind(kinds.cluster), names.cluster)],
      ...[names.controlPlaneTemplate, ...names.workers.map((w) => w.machineTemplate)].map(
        (name): ObjectLookup => [`${kinds.machineTemplate}/${name}`, pathOf(namespace, templates, name)],
      ),
    ],
    toTemplate: spec.toTemplate,
    toPool: spec.toPool,
  });
}

/** The record of a platform's machine template object (its machine spec as the workflow copies it). */
export type TemplateRecordOf<O extends MachineTemplateObject<unknown>> = MachineTemplateRecord<
  O['spec']['template']['spec']
>;

/** A config pool's capacity as the create-cluster rules and warnings read it. */
export interface ConfigPoolCapacity {
  name: string;
  free: number;
  total: number;
  /** A slot's persistent disks move to its replacement one node at a time (no surge). */
  hasPersistentDisks: boolean;
}

/** A config pool object, as far as its capacity needs it. */
export interface ConfigPoolObject {
  metadata: { name?: string | undefined };
  spec: { configs: readonly { persistentDisks?: readonly unknown[] | undefined }[] };
  status?: { availableCount?: number | undefined; totalCount?: number | undefined } | undefined;
}

/**
 * The capacity of a config pool with `inUse` slots taken: the status's counts
 * where a controller has written them; without a status (no controller has
 * seen the pool yet) every slot but those in use is free.
 */
export function configPoolCapacity(pool: ConfigPoolObject, inUse: number): ConfigPoolCapacity {
  const total = pool.spec.configs.length;
  return {
    name: pool.metadata.name ?? '',
    free: pool.status?.availableCount ?? total - inUse,
    total: pool.status?.totalCount ?? total,
    hasPersistentDisks: pool.spec.configs.some((c) => (c.persistentDisks ?? []).length > 0),
  };
}
