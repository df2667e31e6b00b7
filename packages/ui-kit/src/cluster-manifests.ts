/**
 * The Cluster API objects of a new cluster in the documented v1beta1 shape
 * (`toV1Beta2` converts them where the management cluster prefers v1beta2).
 * What differs between providers (the infrastructure kinds, the kubeadm
 * configuration, annotations) comes in as arguments; the structure, the
 * documented rollout and deletion settings and the references between the
 * objects are the same for every provider.
 */
import type { KubernetesManifest } from '@immutable-infra/core';
import type { WorkerPoolDraft } from './cluster-rules.js';
import { DISPLAY_NAME_ANNOTATION } from './platform-objects.js';

export const CAPI_API_VERSION = 'cluster.x-k8s.io/v1beta1';
export const CONTROL_PLANE_API_VERSION = 'controlplane.cluster.x-k8s.io/v1beta1';
export const BOOTSTRAP_API_VERSION = 'bootstrap.cluster.x-k8s.io/v1beta1';
export const INFRASTRUCTURE_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';

type Json = Record<string, unknown>;

/** Where a cluster's objects go and what labels every one of them carries. */
export interface ClusterScope {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

/** A copy of a chosen machine template for one node pool, labelled with the cluster it serves. */
export function machineTemplateCopy(
  kind: string,
  name: string,
  scope: ClusterScope,
  source: { labels?: Record<string, string>; spec: unknown } | undefined,
): KubernetesManifest {
  return {
    apiVersion: INFRASTRUCTURE_API_VERSION,
    kind,
    metadata: { name, namespace: scope.namespace, labels: { ...(source?.labels ?? {}), ...scope.labels } },
    spec: { template: { spec: structuredClone(source?.spec ?? {}) } },
  };
}

/**
 * The KubeadmControlPlane: one machine at a time (maxSurge 0), the documented
 * drain and deletion timeouts, the provider's kubeadm configuration.
 */
export function kubeadmControlPlane(input: {
  name: string;
  scope: ClusterScope;
  annotations?: Record<string, string>;
  infrastructureKind: string;
  machineTemplate: string;
  machineLabels?: Record<string, string>;
  replicas: number;
  version: string;
  kubeadmConfigSpec: Json;
}): KubernetesManifest {
  return {
    apiVersion: CONTROL_PLANE_API_VERSION,
    kind: 'KubeadmControlPlane',
    metadata: {
      name: input.name,
      namespace: input.scope.namespace,
      labels: input.scope.labels,
      ...(input.annotations ? { annotations: input.annotations } : {}),
    },
    spec: {
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } },
      kubeadmConfigSpec: input.kubeadmConfigSpec,
      machineTemplate: {
        nodeDrainTimeout: '1m',
        nodeDeletionTimeout: '5m',
        ...(input.machineLabels ? { metadata: { labels: input.machineLabels } } : {}),
        infrastructureRef: {
          apiVersion: INFRASTRUCTURE_API_VERSION,
          kind: input.infrastructureKind,
          name: input.machineTemplate,
        },
      },
      replicas: input.replicas,
      version: input.version,
    },
  };
}

/** A worker pool's MachineDeployment, with its rollout numbers and references. */
export function machineDeployment(input: {
  pool: WorkerPoolDraft;
  scope: ClusterScope;
  infrastructureKind: string;
  machineTemplate: string;
  bootstrapTemplate: string;
  version: string;
}): KubernetesManifest {
  const { pool, scope } = input;
  const labels = { ...scope.labels, 'pool.name': pool.name };
  return {
    apiVersion: CAPI_API_VERSION,
    kind: 'MachineDeployment',
    metadata: { name: pool.name, namespace: scope.namespace, labels: scope.labels },
    spec: {
      strategy: {
        rollingUpdate: { maxSurge: pool.maxSurge, maxUnavailable: pool.maxUnavailable },
        type: 'RollingUpdate',
      },
      clusterName: scope.name,
      replicas: pool.replicas,
      // The documentation leaves the selector to Cluster API's defaulting; it is spelt out
      // here so the object reads back as it was written with or without that webhook.
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeDrainTimeout: '1m',
          nodeDeletionTimeout: '5m',
          bootstrap: {
            configRef: {
              apiVersion: BOOTSTRAP_API_VERSION,
              kind: 'KubeadmConfigTemplate',
              name: input.bootstrapTemplate,
              namespace: scope.namespace,
            },
          },
          clusterName: scope.name,
          infrastructureRef: {
            apiVersion: INFRASTRUCTURE_API_VERSION,
            kind: input.infrastructureKind,
            name: input.machineTemplate,
            namespace: scope.namespace,
          },
          version: input.version,
        },
      },
    },
  };
}

/** A worker pool's KubeadmConfigTemplate around the provider's kubeadm configuration. */
export function kubeadmConfigTemplate(name: string, scope: ClusterScope, spec: Json): KubernetesManifest {
  return {
    apiVersion: BOOTSTRAP_API_VERSION,
    kind: 'KubeadmConfigTemplate',
    metadata: { name, namespace: scope.namespace, labels: scope.labels },
    spec: { template: { spec } },
  };
}

/** The Cluster: its networks and its references to the control plane and the provider's cluster object. */
export function clusterManifest(input: {
  scope: ClusterScope;
  controlPlane: string;
  infrastructureKind: string;
  podsCidr: string;
  servicesCidr: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}): KubernetesManifest {
  const { scope } = input;
  return {
    apiVersion: CAPI_API_VERSION,
    kind: 'Cluster',
    metadata: {
      name: scope.name,
      namespace: scope.namespace,
      annotations: {
        'capi.cpaas.io/resource-group-version': INFRASTRUCTURE_API_VERSION,
        'capi.cpaas.io/resource-kind': input.infrastructureKind,
        ...input.annotations,
      },
      labels: input.labels,
    },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: [input.podsCidr] },
        services: { cidrBlocks: [input.servicesCidr] },
      },
      controlPlaneRef: {
        apiVersion: CONTROL_PLANE_API_VERSION,
        kind: 'KubeadmControlPlane',
        name: input.controlPlane,
      },
      infrastructureRef: {
        apiVersion: INFRASTRUCTURE_API_VERSION,
        kind: input.infrastructureKind,
        name: scope.name,
      },
    },
  };
}

/** The annotations the platform reads the cluster's registry and Kube-OVN version from, taken from the global Cluster's. */
export function platformAnnotations(global: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['cpaas.io/kube-ovn-version', 'cpaas.io/registry-address']) {
    const value = global?.[key];
    if (value) out[key] = value;
  }
  return out;
}

/** A machine template to copy for a node pool: the provider's labels and machine spec. */
export interface TemplateSource {
  labels?: Record<string, string>;
  spec: unknown;
}

/** The machine template named `name` among a workflow's records, as {@link clusterManifestSet} copies it. */
export function templateSourceOf(
  templates: readonly { name: string; labels: Record<string, string>; machineSpec: unknown }[],
  name: string,
): TemplateSource | undefined {
  const template = templates.find((t) => t.name === name);
  return template && { labels: template.labels, spec: template.machineSpec };
}

/**
 * The Cluster annotations of a platform cluster the workflow creates, as the
 * platform documents them: its deploy and ALB address types, `more` of the
 * platform's own, the Kube-OVN join CIDR, the global Cluster's registry and
 * Kube-OVN version, and the display name when given.
 */
export function platformClusterAnnotations(
  draft: { displayName: string; networking: { joinCidr: string } },
  globalCluster: Record<string, string> | undefined,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    'cpaas.io/sentry-deploy-type': 'Baremetal',
    'cpaas.io/alb-address-type': 'ClusterAddress',
    ...more,
    'cpaas.io/kube-ovn-join-cidr': draft.networking.joinCidr,
    ...platformAnnotations(globalCluster),
    ...(draft.displayName ? { [DISPLAY_NAME_ANNOTATION]: draft.displayName } : {}),
  };
}

/**
 * A new cluster's objects in creation order: the provider's cluster object,
 * the control plane's machine template copy and KubeadmControlPlane, each
 * worker pool's machine template copy and MachineDeployment, their
 * KubeadmConfigTemplates, and the Cluster last, so Cluster API starts only
 * once everything it points at exists. Machine templates are copied per
 * cluster, so a later edit of the shared template cannot reach a running cluster.
 */
export function clusterManifestSet(input: {
  scope: ClusterScope;
  names: {
    controlPlane: string;
    controlPlaneTemplate: string;
    workers: readonly { machineDeployment: string; machineTemplate: string; bootstrapTemplate: string }[];
  };
  kinds: { cluster: string; machineTemplate: string };
  infrastructureCluster: KubernetesManifest;
  version: string;
  controlPlane: {
    replicas: number;
    source: TemplateSource | undefined;
    kubeadmConfigSpec: Json;
    annotations?: Record<string, string>;
    machineLabels?: Record<string, string>;
  };
  workers: readonly { pool: WorkerPoolDraft; source: TemplateSource | undefined; bootstrap: Json }[];
  cluster: {
    podsCidr: string;
    servicesCidr: string;
    annotations: Record<string, string>;
    labels: Record<string, string>;
  };
}): KubernetesManifest[] {
  const { scope, names, kinds } = input;
  const controlPlane = kubeadmControlPlane({
    name: names.controlPlane,
    scope,
    ...(input.controlPlane.annotations ? { annotations: input.controlPlane.annotations } : {}),
    infrastructureKind: kinds.machineTemplate,
    machineTemplate: names.controlPlaneTemplate,
    ...(input.controlPlane.machineLabels ? { machineLabels: input.controlPlane.machineLabels } : {}),
    replicas: input.controlPlane.replicas,
    version: input.version,
    kubeadmConfigSpec: input.controlPlane.kubeadmConfigSpec,
  });
  const workers = input.workers.flatMap(({ pool, source, bootstrap }, i) => {
    const workerNames = names.workers[i];
    if (!workerNames) return [];
    return [
      {
        template: machineTemplateCopy(kinds.machineTemplate, workerNames.machineTemplate, scope, source),
        deployment: machineDeployment({
          pool,
          scope,
          infrastructureKind: kinds.machineTemplate,
          machineTemplate: workerNames.machineTemplate,
          bootstrapTemplate: workerNames.bootstrapTemplate,
          version: input.version,
        }),
        bootstrap: kubeadmConfigTemplate(workerNames.bootstrapTemplate, scope, bootstrap),
      },
    ];
  });
  const cluster = clusterManifest({
    scope,
    controlPlane: names.controlPlane,
    infrastructureKind: kinds.cluster,
    ...input.cluster,
  });
  return [
    input.infrastructureCluster,
    machineTemplateCopy(kinds.machineTemplate, names.controlPlaneTemplate, scope, input.controlPlane.source),
    controlPlane,
    ...workers.flatMap((w) => [w.template, w.deployment]),
    ...workers.map((w) => w.bootstrap),
    cluster,
  ];
}

/** The label every object of a cluster carries with the cluster's name. */
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

/** The registry the global Cluster names (`cpaas.io/registry-address`), which a new cluster's kubeadm pulls from. */
export function globalRegistryAddress(globalCluster: Record<string, string> | undefined): string | undefined {
  return platformAnnotations(globalCluster)['cpaas.io/registry-address'];
}

/** What a platform puts into the kit's objects of a new cluster. */
export interface PlatformManifestSpec {
  /** The provider's cluster and machine template kinds. */
  kinds: { cluster: string; machineTemplate: string };
  /** The names of the objects, e.g. from {@link clusterObjectNames}. */
  names: {
    cluster: string;
    controlPlane: string;
    controlPlaneTemplate: string;
    workers: readonly { machineDeployment: string; machineTemplate: string; bootstrapTemplate: string }[];
  };
  /** The spec of the provider's cluster object. */
  clusterSpec: Json;
  controlPlane: {
    kubeadmConfigSpec: Json;
    annotations?: Record<string, string>;
    machineLabels?: Record<string, string>;
  };
  /** A worker pool's KubeadmConfigTemplate spec. */
  workerBootstrap(pool: WorkerPoolDraft): Json;
  /** The Cluster's `cluster-type` label and any more of the platform's labels. */
  clusterType: string;
  clusterLabels?: Record<string, string>;
  /** The platform's own Cluster annotations (see {@link platformClusterAnnotations}). */
  clusterAnnotations?: Record<string, string>;
}

/**
 * A platform cluster's objects from the kit's draft ({@link clusterManifestSet}
 * in its creation order): every object labelled with the cluster's name, the
 * node pools' templates copied from the chosen ones, and the Cluster with the
 * draft's networks and the platform's annotations.
 */
export function platformClusterManifests(
  draft: {
    name: string;
    displayName: string;
    kubernetesVersion: string;
    controlPlane: { machineTemplate: string; replicas: number };
    workers: readonly WorkerPoolDraft[];
    networking: { podsCidr: string; servicesCidr: string; joinCidr: string };
  },
  facts: {
    namespace: string;
    machineTemplates: Parameters<typeof templateSourceOf>[0];
    globalCluster: Record<string, string> | undefined;
  },
  spec: PlatformManifestSpec,
): KubernetesManifest[] {
  const { namespace } = facts;
  const labels = { [CLUSTER_NAME_LABEL]: draft.name };
  return clusterManifestSet({
    scope: { name: draft.name, namespace, labels },
    names: spec.names,
    kinds: spec.kinds,
    infrastructureCluster: {
      apiVersion: INFRASTRUCTURE_API_VERSION,
      kind: spec.kinds.cluster,
      metadata: { name: spec.names.cluster, namespace, labels },
      spec: spec.clusterSpec,
    },
    version: draft.kubernetesVersion,
    controlPlane: {
      replicas: draft.controlPlane.replicas,
      source: templateSourceOf(facts.machineTemplates, draft.controlPlane.machineTemplate),
      ...spec.controlPlane,
    },
    workers: draft.workers.map((pool) => ({
      pool,
      source: templateSourceOf(facts.machineTemplates, pool.machineTemplate),
      bootstrap: spec.workerBootstrap(pool),
    })),
    cluster: {
      podsCidr: draft.networking.podsCidr,
      servicesCidr: draft.networking.servicesCidr,
      annotations: platformClusterAnnotations(draft, facts.globalCluster, spec.clusterAnnotations),
      labels: { ...labels, 'cluster-type': spec.clusterType, ...spec.clusterLabels },
    },
  });
}
