/**
 * A provider's clusterctl cluster template (clusterctl/cluster-template.yaml), read by `clusterctl
 * generate cluster <name> --infrastructure <provider>:<version>`: the documented objects of a new
 * cluster with clusterctl's `${VARIABLE}` placeholders where the documentation has `<placeholder>`s.
 *
 * The skeleton is the same for every provider, in the v1beta1 shape the documentation's manifests
 * use: the provider's cluster object, a KubeadmControlPlane, one worker MachineDeployment with its
 * KubeadmConfigTemplate, and the Cluster. The machine templates (and the pools they point at) are
 * referenced by name, not included: the documentation creates them beforehand as infrastructure
 * resources, with values no template default could know.
 */
import { stringify } from 'yaml';

type Json = Record<string, unknown>;

/** The variables every clusterctl template uses, which clusterctl's own flags set. */
export const CLUSTERCTL_STANDARD_VARIABLES = [
  'CLUSTER_NAME',
  'NAMESPACE',
  'KUBERNETES_VERSION',
  'CONTROL_PLANE_MACHINE_COUNT',
  'WORKER_MACHINE_COUNT',
] as const;

/**
 * The variables whose values are numbers (the counts, and those `clusterctlNumber` made): written
 * unquoted, so the substituted value is an integer.
 */
const NUMERIC_VARIABLES = new Set(['CONTROL_PLANE_MACHINE_COUNT', 'WORKER_MACHINE_COUNT']);

const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

/** `${NAME}`, or `${NAME:=default}` (clusterctl's envsubst default), for a string field. */
export function clusterctlVariable(name: string, defaultValue?: string): string {
  if (!VARIABLE_NAME.test(name)) throw new Error(`${name} is not an UPPER_SNAKE clusterctl variable name`);
  if (defaultValue !== undefined && /[}"\n]/.test(defaultValue))
    throw new Error(`${name}: the default ${JSON.stringify(defaultValue)} cannot be written in a template`);
  return defaultValue === undefined ? `\${${name}}` : `\${${name}:=${defaultValue}}`;
}

/**
 * A machine count placeholder where a typed builder wants a number: the YAML writer leaves it
 * unquoted, so what clusterctl substitutes is read back as an integer.
 */
export function clusterctlCount(name: 'CONTROL_PLANE_MACHINE_COUNT' | 'WORKER_MACHINE_COUNT'): number {
  return clusterctlVariable(name) as unknown as number;
}

/** A placeholder for a number field (a port), unquoted like the counts; with the documented default if any. */
export function clusterctlNumber(name: string, defaultValue?: number): number {
  const placeholder = clusterctlVariable(name, defaultValue === undefined ? undefined : String(defaultValue));
  NUMERIC_VARIABLES.add(name);
  return placeholder as unknown as number;
}

export interface KubeadmClusterTemplateInput {
  /** The provider's cluster object (e.g. a DCSCluster), named `${CLUSTER_NAME}` in `${NAMESPACE}`. */
  infrastructureCluster: Json & { kind: string };
  /** The provider's machine template kind (e.g. DCSMachineTemplate). */
  machineTemplateKind: string;
  /** The names of the control plane's and the workers' machine templates (usually variables). */
  machineTemplates: { controlPlane: string; worker: string };
  /**
   * Machine templates the template itself creates, where the documentation's flow has them with
   * nothing to fill in but names (placed after the provider's cluster object, in `${NAMESPACE}`).
   */
  machineTemplateObjects?: (Json & { metadata: { name: string } })[];
  /** The machines' drain, detach and deletion timeouts; the documentation's 1m drain and 5m deletion by default. */
  machineTimeouts?: Record<string, string>;
  /** The KubeadmControlPlane's name (the documentation's convention, e.g. `${CLUSTER_NAME}-kcp`). */
  controlPlaneName: string;
  /** The worker MachineDeployment's name. */
  workerName: string;
  /** The worker KubeadmConfigTemplate's name; the MachineDeployment's by default. */
  workerBootstrapName?: string;
  kubeadmConfigSpec: Json;
  workerBootstrap: Json;
  controlPlaneAnnotations?: Record<string, string>;
  controlPlaneMachineLabels?: Record<string, string>;
  /** The control plane's rollout: the documentation's one machine at a time (maxSurge 0) by default. */
  controlPlaneMaxSurge?: number;
  /** The worker pool's rollout numbers. */
  workerStrategy: { maxSurge: number; maxUnavailable: number };
  cluster: {
    podsCidr: string;
    servicesCidr: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
}

const INFRASTRUCTURE = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CLUSTER_NAME = clusterctlVariable('CLUSTER_NAME');
const NAMESPACE = clusterctlVariable('NAMESPACE');
const VERSION = clusterctlVariable('KUBERNETES_VERSION');

/** The objects of a kubeadm cluster template, in the order the documentation creates them. */
export function kubeadmClusterTemplate(input: KubeadmClusterTemplateInput): Json[] {
  const labels = { 'cluster.x-k8s.io/cluster-name': CLUSTER_NAME };
  const poolLabels = { ...labels, 'pool.name': input.workerName };
  const bootstrapName = input.workerBootstrapName ?? input.workerName;
  const metadata = (name: string, extra: Json = {}) => ({ name, namespace: NAMESPACE, ...extra });
  const timeouts = input.machineTimeouts ?? { nodeDrainTimeout: '1m', nodeDeletionTimeout: '5m' };
  const machineTemplates = (input.machineTemplateObjects ?? []).map((object) => ({
    ...object,
    metadata: { ...object.metadata, namespace: NAMESPACE },
  }));
  const { apiVersion, kind, metadata: ownMetadata, ...rest } = input.infrastructureCluster;
  const infrastructureCluster = {
    apiVersion,
    kind,
    metadata: { ...((ownMetadata as Json | undefined) ?? {}), name: CLUSTER_NAME, namespace: NAMESPACE },
    ...rest,
  };
  const controlPlane = {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmControlPlane',
    metadata: metadata(input.controlPlaneName, {
      labels,
      ...(input.controlPlaneAnnotations ? { annotations: input.controlPlaneAnnotations } : {}),
    }),
    spec: {
      rolloutStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: input.controlPlaneMaxSurge ?? 0 },
      },
      kubeadmConfigSpec: input.kubeadmConfigSpec,
      machineTemplate: {
        ...timeouts,
        ...(input.controlPlaneMachineLabels ? { metadata: { labels: input.controlPlaneMachineLabels } } : {}),
        infrastructureRef: {
          apiVersion: INFRASTRUCTURE,
          kind: input.machineTemplateKind,
          name: input.machineTemplates.controlPlane,
        },
      },
      replicas: clusterctlCount('CONTROL_PLANE_MACHINE_COUNT'),
      version: VERSION,
    },
  };
  const bootstrap = {
    apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmConfigTemplate',
    metadata: metadata(bootstrapName, { labels }),
    spec: { template: { spec: input.workerBootstrap } },
  };
  const workers = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineDeployment',
    metadata: metadata(input.workerName, { labels }),
    spec: {
      strategy: { type: 'RollingUpdate', rollingUpdate: input.workerStrategy },
      clusterName: CLUSTER_NAME,
      replicas: clusterctlCount('WORKER_MACHINE_COUNT'),
      selector: { matchLabels: poolLabels },
      template: {
        metadata: { labels: poolLabels },
        spec: {
          ...timeouts,
          bootstrap: {
            configRef: {
              apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
              kind: 'KubeadmConfigTemplate',
              name: bootstrapName,
              namespace: NAMESPACE,
            },
          },
          clusterName: CLUSTER_NAME,
          infrastructureRef: {
            apiVersion: INFRASTRUCTURE,
            kind: input.machineTemplateKind,
            name: input.machineTemplates.worker,
            namespace: NAMESPACE,
          },
          version: VERSION,
        },
      },
    },
  };
  const cluster = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: metadata(CLUSTER_NAME, {
      annotations: {
        'capi.cpaas.io/resource-group-version': INFRASTRUCTURE,
        'capi.cpaas.io/resource-kind': input.infrastructureCluster.kind,
        ...(input.cluster.annotations ?? {}),
      },
      labels: { ...labels, ...(input.cluster.labels ?? {}) },
    }),
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: [input.cluster.podsCidr] },
        services: { cidrBlocks: [input.cluster.servicesCidr] },
      },
      controlPlaneRef: {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
        kind: 'KubeadmControlPlane',
        name: input.controlPlaneName,
      },
      infrastructureRef: {
        apiVersion: INFRASTRUCTURE,
        kind: input.infrastructureCluster.kind,
        name: CLUSTER_NAME,
      },
    },
  };
  return [infrastructureCluster, ...machineTemplates, controlPlane, bootstrap, workers, cluster];
}

/** Every `${NAME}` / `${NAME:=default}` of a template text, each name once, in order of appearance. */
export function templateVariables(text: string): { name: string; default?: string }[] {
  const seen = new Map<string, { name: string; default?: string }>();
  for (const match of text.matchAll(/\$\{([A-Za-z0-9_]+)(?::=([^}]*))?\}/g)) {
    const name = match[1] as string;
    if (!seen.has(name)) seen.set(name, match[2] === undefined ? { name } : { name, default: match[2] });
  }
  return [...seen.values()];
}

/**
 * The template's YAML: the objects one document each, a string placeholder that is a whole value
 * quoted (so `${SITE}` stays a string whatever is substituted), a count bare (so it becomes an
 * integer). Refused, naming them: a template without clusterctl's standard variables, or with a
 * variable name that is not UPPER_SNAKE.
 */
export function clusterTemplateYaml(objects: readonly unknown[], header: string): string {
  const body = objects
    .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n')
    .replace(
      /^(\s*(?:- )?(?:[^\s:'"][^:]*: )?)(\$\{([A-Z0-9_]+)(?::=[^}]*)?\})$/gm,
      (line, prefix: string, placeholder: string, name: string) =>
        NUMERIC_VARIABLES.has(name) ? line : `${prefix}"${placeholder}"`,
    );
  const variables = templateVariables(body);
  const problems: string[] = [];
  for (const { name } of variables)
    if (!VARIABLE_NAME.test(name)) problems.push(`${name} is not an UPPER_SNAKE variable name`);
  for (const name of CLUSTERCTL_STANDARD_VARIABLES)
    if (!variables.some((v) => v.name === name)) problems.push(`the template does not use ${name}`);
  if (problems.length > 0) throw new Error(`cluster template: ${problems.join('; ')}`);
  return `${header}${body}`;
}
