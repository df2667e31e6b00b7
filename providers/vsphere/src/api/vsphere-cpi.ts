/**
 * The vSphere CPI's delivery through a Cluster API ClusterResourceSet, as the documented create flow
 * has it: two ConfigMaps (`<cluster>-vsphere-cpi-config` with `vsphere.conf`, and
 * `<cluster>-vsphere-cpi-manifests` with the CPI's workload objects), a Secret
 * (`<cluster>-vsphere-cpi-secret`, the vCenter account for the CPI) and the ClusterResourceSet
 * `<cluster>-vsphere-cpi` that selects the Cluster by its `addons.cluster.x-k8s.io/vsphere-cpi` label.
 * Pure builders shared by the create wizard, the clusterctl template and the cluster controller
 * (which alone writes the Secret: the password is read from the identity Secret on the server, so
 * it never reaches a browser or a template).
 */
import {
  clusterResourceSet,
  type Manifest,
  resourceSetConfigMap,
  resourceSetSecret,
} from '@immutable-infra/provider-kit/kinds';

/** The label the CPI's ClusterResourceSet selects clusters by. */
export const CPI_LABEL = 'addons.cluster.x-k8s.io/vsphere-cpi';
/** Names inside the workload cluster the CPI reads its configuration and account from. */
const CPI_NAMESPACE = 'kube-system';
const CPI_SECRET = 'vsphere-cloud-secret';
const CPI_SERVICE_ACCOUNT = 'cloud-controller-manager';
const CPI_CLOUD_CONFIG = 'cloud-config';

export const cpiNames = (cluster: string) => ({
  config: `${cluster}-vsphere-cpi-config`,
  secret: `${cluster}-vsphere-cpi-secret`,
  manifests: `${cluster}-vsphere-cpi-manifests`,
  resourceSet: `${cluster}-vsphere-cpi`,
});

/** The tag categories the CPI reads zones and regions from: only with failure domains. */
export interface CpiZoneLabels {
  zone: string;
  region: string;
}

export interface CpiConfigInput {
  server: string;
  /** The datacenters the CPI looks nodes up in (comma separated in vsphere.conf). */
  datacenters: readonly string[];
  /** Set only when the cluster uses failure domains: the CPI then looks up tags that must exist. */
  zoneLabels?: CpiZoneLabels | undefined;
}

const quoted = (value: string) => JSON.stringify(value);

/**
 * The CPI names a vCenter by its host alone: the host is the `[VirtualCenter]` section's name and
 * the prefix of the account's Secret keys, where a `:` is not allowed. A server written with a
 * scheme or a port (`vc.example:8443`) keeps its port in its section instead.
 */
export function cpiVirtualCenter(server: string): { host: string; port?: string } {
  const authority = server.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (bracketed) return { host: bracketed[1] as string, ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  const withPort = /^([^:]+):(\d+)$/.exec(authority);
  if (withPort) return { host: withPort[1] as string, port: withPort[2] as string };
  return { host: authority };
}

/**
 * vsphere.conf (gcfg): TLS verification off (`insecure-flag`) since the workload nodes need not
 * trust vCenter's certificate, and a `[Labels]` section only with failure domains.
 */
export function vsphereConf(input: CpiConfigInput): string {
  const lines = [
    '[Global]',
    `secret-name = ${quoted(CPI_SECRET)}`,
    `secret-namespace = ${quoted(CPI_NAMESPACE)}`,
    `service-account = ${quoted(CPI_SERVICE_ACCOUNT)}`,
    `port = ${quoted('443')}`,
    `insecure-flag = ${quoted('1')}`,
    `datacenters = ${quoted(input.datacenters.join(','))}`,
    '',
  ];
  if (input.zoneLabels)
    lines.push(
      '[Labels]',
      `zone = ${quoted(input.zoneLabels.zone)}`,
      `region = ${quoted(input.zoneLabels.region)}`,
      '',
    );
  const center = cpiVirtualCenter(input.server);
  lines.push(
    `[VirtualCenter ${quoted(center.host)}]`,
    ...(center.port ? [`port = ${quoted(center.port)}`] : []),
    '',
  );
  return lines.join('\n');
}

export function cpiConfigMap(cluster: string, namespace: string, input: CpiConfigInput): Manifest {
  return resourceSetConfigMap(cpiNames(cluster).config, namespace, [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CPI_CLOUD_CONFIG, namespace: CPI_NAMESPACE },
      data: { 'vsphere.conf': vsphereConf(input) },
    },
  ]);
}

/** The CPI account inside the workload cluster: `<host>.username` and `<host>.password` (the server's host). */
export function cpiSecret(
  cluster: string,
  namespace: string,
  login: { server: string; username: string; password: string },
): Manifest & { stringData: { data: string } } {
  return resourceSetSecret(cpiNames(cluster).secret, namespace, [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CPI_SECRET, namespace: CPI_NAMESPACE },
      type: 'Opaque',
      stringData: {
        [`${cpiVirtualCenter(login.server).host}.username`]: login.username,
        [`${cpiVirtualCenter(login.server).host}.password`]: login.password,
      },
    },
  ]);
}

const cpiLabels = { component: 'cloud-controller-manager', 'k8s-app': 'vsphere-cloud-controller-manager' };

/** The CPI's workload objects: its account, RBAC, the DaemonSet on the control plane and its Service. */
export function cpiWorkloadObjects(image: string): Record<string, unknown>[] {
  const account = { kind: 'ServiceAccount', name: CPI_SERVICE_ACCOUNT, namespace: CPI_NAMESPACE };
  const user = { kind: 'User', name: CPI_SERVICE_ACCOUNT };
  const rule = (apiGroup: string, resources: string[], verbs: string[]) => ({
    apiGroups: [apiGroup],
    resources,
    verbs,
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: CPI_SERVICE_ACCOUNT, namespace: CPI_NAMESPACE },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:cloud-controller-manager' },
      rules: [
        rule('', ['events'], ['create', 'patch', 'update']),
        rule('', ['nodes'], ['*']),
        rule('', ['nodes/status'], ['patch']),
        rule('', ['services'], ['list', 'patch', 'update', 'watch']),
        rule('', ['services/status'], ['patch']),
        rule('', ['serviceaccounts'], ['create', 'get', 'list', 'watch', 'update']),
        rule('', ['persistentvolumes'], ['get', 'list', 'update', 'watch']),
        rule('', ['endpoints'], ['create', 'get', 'list', 'watch', 'update']),
        rule('', ['secrets'], ['get', 'list', 'watch']),
        rule('coordination.k8s.io', ['leases'], ['get', 'list', 'watch', 'create', 'update']),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'servicecatalog.k8s.io:apiserver-authentication-reader', namespace: CPI_NAMESPACE },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: [
        { apiGroup: '', ...account },
        { apiGroup: '', ...user },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:cloud-controller-manager' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'system:cloud-controller-manager',
      },
      subjects: [account, user],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'vsphere-cloud-controller-manager',
        namespace: CPI_NAMESPACE,
        annotations: { 'scheduler.alpha.kubernetes.io/critical-pod': '' },
        labels: { ...cpiLabels, tier: 'control-plane' },
      },
      spec: {
        selector: { matchLabels: { 'k8s-app': cpiLabels['k8s-app'] } },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: cpiLabels },
          spec: {
            securityContext: { runAsUser: 1001 },
            automountServiceAccountToken: true,
            // The platform syncs this pull secret into the workload cluster's namespaces.
            imagePullSecrets: [{ name: 'global-registry-auth' }],
            serviceAccountName: CPI_SERVICE_ACCOUNT,
            hostNetwork: true,
            tolerations: [
              { operator: 'Exists' },
              { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
              { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', operator: 'Exists' },
            ],
            containers: [
              {
                name: 'vsphere-cloud-controller-manager',
                image,
                args: ['--v=2', '--cloud-provider=vsphere', '--cloud-config=/etc/cloud/vsphere.conf'],
                volumeMounts: [{ mountPath: '/etc/cloud', name: 'vsphere-config-volume', readOnly: true }],
                resources: { requests: { cpu: '200m' } },
              },
            ],
            volumes: [{ name: 'vsphere-config-volume', configMap: { name: CPI_CLOUD_CONFIG } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'vsphere-cloud-controller-manager',
        namespace: CPI_NAMESPACE,
        labels: { component: cpiLabels.component },
      },
      spec: {
        type: 'NodePort',
        ports: [{ port: 43001, protocol: 'TCP', targetPort: 43001 }],
        selector: { component: cpiLabels.component },
      },
    },
  ];
}

/** The CPI image in the platform registry: `<registry>/ait/cloud-provider-vsphere:<tag>`. */
export const cpiImage = (registry: string | undefined, tag: string) =>
  `${registry ? `${registry}/` : ''}ait/cloud-provider-vsphere:${tag}`;

/** The CPI release that goes with a Kubernetes version: the same minor (v1.33.0 for 1.33.x). */
export function cpiImageTag(kubernetesVersion: string): string {
  const minor = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  return minor ? `v${minor[1]}.${minor[2]}.0` : kubernetesVersion;
}

export function cpiManifestsConfigMap(cluster: string, namespace: string, image: string): Manifest {
  return resourceSetConfigMap(cpiNames(cluster).manifests, namespace, cpiWorkloadObjects(image));
}

/**
 * The ClusterResourceSet. It selects by the CPI label and, so that one cluster's vCenter
 * configuration never reaches another labelled cluster of the namespace, by the cluster's name
 * label too; the documented Cluster carries both.
 */
export function cpiResourceSet(cluster: string, namespace: string): Manifest {
  const names = cpiNames(cluster);
  return clusterResourceSet({
    name: names.resourceSet,
    namespace,
    matchLabels: { [CPI_LABEL]: 'enabled', 'cluster.x-k8s.io/cluster-name': cluster },
    resources: [
      { name: names.config, kind: 'ConfigMap' },
      { name: names.secret, kind: 'Secret' },
      { name: names.manifests, kind: 'ConfigMap' },
    ],
  });
}
