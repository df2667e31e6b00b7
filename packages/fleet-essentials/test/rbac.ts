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
