import semver from 'semver';
import type { CapiContractVersion } from '../capi/contract.js';
import type { CustomResourceDefinition } from './generate-crd.js';

export interface ClusterctlArtifactsInput {
  /** Short provider name, `dcs`: clusterctl calls it `infrastructure-dcs`. */
  provider: string;
  /** npm package the manager loads. */
  packageName: string;
  version: string;
  /** The contract each release series speaks; every minor from 0.1 (or x.0) up to `version` gets an entry. */
  contract: CapiContractVersion;
  crds: readonly CustomResourceDefinition[];
  /**
   * What the provider's own steps call beyond what every manager needs (see `managerRbacRules`),
   * e.g. IPAM claims or a Secret the provider writes. Each is granted as written.
   */
  rules?: readonly PolicyRule[];
}

/** A ClusterRole rule, as RBAC reads it. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * The manager's Node.js memory settings in production (the Helm chart's `runtime` value and the
 * clusterctl Deployment). V8 sizes its young generation for throughput (16 MiB semi-spaces), which a
 * controller that mostly waits does not need: 2 MiB takes an idle manager's resident memory from
 * about 155 to 127 MiB, and with glibc's malloc arenas capped at 2, 10,000 watched objects fit in
 * about 145 MiB (`npm run bench:watch-memory`).
 */
export const MANAGER_RUNTIME = { nodeOptions: '--max-semi-space-size=2', mallocArenaMax: 2 } as const;

/**
 * The manager's ClusterRole: exactly what the host calls, proven by each provider's end-to-end
 * suite, which runs the manager as the Helm chart's ServiceAccount and holds the API server's audit
 * log against these rules (no call refused, no rule unused but the few it names). The host watches
 * the provider's kinds and Cluster API's Clusters and Machines (read from its informer caches; a
 * GET only for one the cache has not seen yet), writes finalizers with patches and status through
 * the status subresource, reads a machine's bootstrap data and a credential Secret with a GET
 * (never a list: a manager needs no view of every Secret) and keeps its finalizer on the
 * credential with a patch, creates Events, holds its Lease, and reads the CRDs of the contract it
 * was admitted for. Then the provider's own `extra` rules.
 */
export function managerRbacRules(
  crds: readonly CustomResourceDefinition[],
  extra: readonly PolicyRule[],
): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const group of [...new Set(crds.map((crd) => crd.spec.group))]) {
    const plurals = crds.filter((crd) => crd.spec.group === group).map((crd) => crd.spec.names.plural);
    rules.push(
      { apiGroups: [group], resources: plurals, verbs: ['get', 'list', 'watch', 'patch'] },
      {
        apiGroups: [group],
        resources: plurals.map((plural) => `${plural}/status`),
        verbs: ['patch', 'update'],
      },
    );
  }
  rules.push(
    { apiGroups: ['cluster.x-k8s.io'], resources: ['clusters', 'machines'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
    ...extra.map((rule) => ({ ...rule })),
  );
  return rules;
}

type Manifest = Record<string, unknown>;

/**
 * Where the product documentation installs every provider (`kubectl -n cpaas-system ...` in its
 * runbooks): the clusterctl artifacts' default namespace, as the Helm charts' release namespace.
 */
export const DOCUMENTED_PROVIDER_NAMESPACE = 'cpaas-system';

/**
 * The manager Deployment of a provider as the documentation's runbooks name it
 * (`kubectl -n cpaas-system logs deployment/cluster-api-provider-dcs-manager`), whichever way it was
 * installed; its ServiceAccount, ClusterRole and binding carry the same name.
 */
export const providerManagerName = (provider: string) => `cluster-api-provider-${provider}-manager`;

/**
 * What `clusterctl init --infrastructure <name>` reads from a provider
 * release: metadata.yaml (release series to contract) and
 * infrastructure-components.yaml (namespace, CRDs, RBAC, and a Deployment
 * running `iinfra manager` with the provider). The Deployment and namespace are the documented
 * ones (`cluster-api-provider-<provider>-manager` in `cpaas-system`), as the Helm chart installs
 * them, so the runbooks' commands work whichever way the provider went in. clusterctl's variables
 * (`${VAR:=default}`) let a datacenter point the image at its own registry and the provider at
 * another namespace.
 */
export function clusterctlArtifacts(input: ClusterctlArtifactsInput): {
  metadata: Manifest;
  components: Manifest[];
} {
  const version = semver.parse(input.version);
  if (!version) throw new Error(`clusterctl artifacts: "${input.version}" is not a version`);
  const releaseSeries: { major: number; minor: number; contract: string }[] = [];
  for (let minor = version.major === 0 ? 1 : 0; minor <= version.minor; minor++) {
    releaseSeries.push({ major: version.major, minor, contract: input.contract });
  }
  const providerLabel = { 'cluster.x-k8s.io/provider': `infrastructure-${input.provider}` };
  const namespace = `\${IINFRA_${input.provider.toUpperCase()}_NAMESPACE:=${DOCUMENTED_PROVIDER_NAMESPACE}}`;
  const name = providerManagerName(input.provider);
  // The runbooks find the Deployment by `-l app=<name>` as well as by name.
  const appLabel = { app: name };
  const components: Manifest[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: providerLabel } },
    ...input.crds.map((crd) => ({
      ...crd,
      metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...providerLabel } },
    })),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: providerLabel } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: providerLabel },
      rules: managerRbacRules(input.crds, input.rules ?? []),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: providerLabel },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels: { ...providerLabel, ...appLabel } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': name, ...appLabel, ...providerLabel } },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'manager',
                // One image per provider (the manager with that provider installed), as tools/images builds them.
                image: `\${IINFRA_MANAGER_IMAGE:=immutable-infra/manager-${input.provider}:v${input.version}}`,
                args: [
                  'manager',
                  `--provider=${input.packageName}`,
                  '--leader-elect',
                  // A Lease per provider, in the provider's own namespace: the manager's default
                  // (iinfra-manager- and the short provider name), spelled out so that managers of
                  // different providers never wait on one Lease, whatever manager image runs.
                  `--leader-election-id=iinfra-manager-${input.provider}`,
                  `--leader-election-namespace=${namespace}`,
                  '--probe-address=:8081',
                ],
                // The provider's own namespace, whatever clusterctl put it in: a provider reads its
                // own Secrets there (the vSphere provider its VSphereClusterIdentity Secrets).
                env: [
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'NODE_OPTIONS', value: MANAGER_RUNTIME.nodeOptions },
                  { name: 'MALLOC_ARENA_MAX', value: String(MANAGER_RUNTIME.mallocArenaMax) },
                ],
                ports: [{ name: 'probes', containerPort: 8081 }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'probes' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 'probes' } },
              },
            ],
          },
        },
      },
    },
  ];
  return {
    metadata: { apiVersion: 'clusterctl.cluster.x-k8s.io/v1alpha3', kind: 'Metadata', releaseSeries },
    components,
  };
}
