import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Grant, PolicyRule } from '@immutable-infra/testkit';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { ensureHelm } from './index.js';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field
type Rendered = Record<string, any>;

export interface ChartIdentityOptions {
  /** An admin of the cluster: applies the chart's RBAC and asks for the token. */
  kubeConfig: KubeConfig;
  /** The chart's folder. */
  chart: string;
  release: string;
  /** The release namespace (it must exist): the ServiceAccount's and the Lease's. */
  namespace: string;
  values?: Record<string, unknown>;
  /**
   * Apply the ServiceAccount and RBAC objects (default). False when `helm install` or `helm upgrade`
   * already made them: the identity then only reads the rendered chart and asks for the token.
   */
  applyRbac?: boolean;
}

/** A manager's identity exactly as a chart installs it, without the Pod around it. */
export interface ChartIdentity {
  /** `system:serviceaccount:<namespace>:<name>`, as the audit log names it. */
  username: string;
  /** A kubeconfig holding a TokenRequest token of the chart's ServiceAccount (and nothing else). */
  kubeconfigPath: string;
  /** The manager container's arguments, as the chart renders them. */
  args: string[];
  /** The container's environment with its field references resolved as the kubelet would. */
  env: Record<string, string>;
  /** The ClusterRoles (bound cluster-wide) and Roles (in their namespace) the chart binds to it. */
  grants: Grant[];
  /** Deletes the cluster-scoped RBAC objects and the kubeconfig. */
  remove(): Promise<void>;
}

/**
 * Renders `chart` with the real helm, applies its ServiceAccount, ClusterRoles, Roles and their
 * bindings, and returns a token of that ServiceAccount from the TokenRequest API with the
 * Deployment's arguments: a process run with both has exactly the permissions the chart gives the
 * Pod, so a missing rule shows as a 403 and an unneeded one as an unused grant in the audit log.
 */
export async function chartIdentity(options: ChartIdentityOptions): Promise<ChartIdentity> {
  const scratch = await mkdtemp(join(tmpdir(), 'iinfra-chart-identity-'));
  const valuesPath = join(scratch, 'values.yaml');
  await writeFile(valuesPath, stringify(options.values ?? {}));
  const { stdout } = await run(
    await ensureHelm(),
    ['template', options.release, options.chart, '--namespace', options.namespace, '-f', valuesPath],
    { maxBuffer: 16 << 20 },
  );
  await rm(scratch, { recursive: true, force: true });
  return manifestIdentity({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    manifests: stdout,
    source: options.chart,
    ...(options.applyRbac === undefined ? {} : { applyRbac: options.applyRbac }),
  });
}

export interface ManifestIdentityOptions {
  /** An admin of the cluster: applies the RBAC and asks for the token. */
  kubeConfig: KubeConfig;
  /** The namespace the manifests install into (it must exist): the ServiceAccount's and the Lease's. */
  namespace: string;
  /** The rendered install manifests (YAML documents): a chart's `helm template`, clusterctl components. */
  manifests: string;
  /** Where the manifests came from, for errors. */
  source: string;
  /** Apply the ServiceAccount and RBAC objects (default); false when an installer already made them. */
  applyRbac?: boolean;
}

/**
 * The manager's identity from install manifests already rendered (a chart, or a release's clusterctl
 * components with their variables filled in): the first Deployment's manager container and the
 * ServiceAccount it runs as, with that account's RBAC applied (unless `applyRbac` is false) and a
 * TokenRequest token of it.
 */
export async function manifestIdentity(options: ManifestIdentityOptions): Promise<ChartIdentity> {
  const { kubeConfig, namespace } = options;
  const scratch = await mkdtemp(join(tmpdir(), 'iinfra-chart-identity-'));
  const rendered = parseAllDocuments(options.manifests)
    .map((doc) => doc.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
  const ofKind = (kind: string) => rendered.filter((o) => o.kind === kind);
  const deployment = ofKind('Deployment')[0];
  const runsAs: string | undefined = deployment?.spec.template.spec.serviceAccountName;
  const serviceAccount = ofKind('ServiceAccount').find((sa) => sa.metadata.name === runsAs);
  if (!deployment || !serviceAccount)
    throw new Error(`${options.source} renders no Deployment or not the ServiceAccount it runs as`);
  const container = deployment.spec.template.spec.containers[0];
  const saName: string = serviceAccount.metadata.name;

  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const rbac = rendered.filter((o) =>
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind),
  );
  for (const object of rbac) {
    if (
      object.metadata.namespace === undefined &&
      ['ServiceAccount', 'Role', 'RoleBinding'].includes(object.kind)
    ) {
      object.metadata.namespace = namespace;
    }
    if (options.applyRbac !== false) await objects.create(object as KubernetesObject);
  }

  const token = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: saName,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('chartIdentity: the admin kubeconfig has no current cluster');
  const kubeconfigPath = join(scratch, 'kubeconfig');
  await writeFile(
    kubeconfigPath,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'cluster',
          cluster: {
            server: cluster.server,
            ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
            ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}),
          },
        },
      ],
      users: [{ name: saName, user: { token: token.status?.token } }],
      contexts: [{ name: saName, context: { cluster: 'cluster', user: saName } }],
      'current-context': saName,
    }),
    { mode: 0o600 },
  );

  const roles = new Map<string, PolicyRule[]>(
    [...ofKind('ClusterRole'), ...ofKind('Role')].map((role) => [
      `${role.kind}/${role.metadata.name}`,
      role.rules ?? [],
    ]),
  );
  const grants: Grant[] = [];
  for (const binding of [...ofKind('ClusterRoleBinding'), ...ofKind('RoleBinding')]) {
    const boundHere = (binding.subjects ?? []).some(
      (s: Rendered) =>
        s.kind === 'ServiceAccount' && s.name === saName && (s.namespace ?? namespace) === namespace,
    );
    if (!boundHere) continue;
    const roleKey = `${binding.roleRef.kind}/${binding.roleRef.name}`;
    grants.push({
      source: roleKey,
      ...(binding.kind === 'RoleBinding' ? { namespace: binding.metadata.namespace ?? namespace } : {}),
      rules: roles.get(roleKey) ?? [],
    });
  }

  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
    else if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[entry.name] = namespace;
  }

  return {
    username: `system:serviceaccount:${namespace}:${saName}`,
    kubeconfigPath,
    args: container.args ?? [],
    env,
    grants,
    remove: async () => {
      // What an installer made is the installer's to remove (helm uninstall).
      const made = options.applyRbac === false ? [] : rbac;
      for (const object of made.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')) {
        await objects.delete(object as KubernetesObject).catch(() => undefined);
      }
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
