import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

/** Gives a group verbs on Cluster API's cluster kinds, in one namespace or everywhere. */
export async function grant(
  kubeConfig: KubeConfig,
  group: string,
  namespace: string | undefined,
  verbs: string[],
  name: string,
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const roleKind = namespace ? 'Role' : 'ClusterRole';
  const where = namespace ? { namespace } : {};
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: roleKind,
    metadata: { name, ...where },
    rules: [
      {
        apiGroups: ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io'],
        resources: ['clusters', 'machinedeployments', 'kubeadmcontrolplanes', 'machines'],
        verbs,
      },
    ],
  } as never);
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name, ...where },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
  } as never);
}

/** Gives a group exactly these rules in one namespace. */
export async function grantRules(
  kubeConfig: KubeConfig,
  group: string,
  namespace: string,
  rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[],
  name: string,
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules,
  } as never);
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
  } as never);
}
