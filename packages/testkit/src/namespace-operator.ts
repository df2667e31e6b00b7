import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';

/** One rule of a Role, as RBAC writes it. */
export interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * A bearer token for a ServiceAccount `operator` of `namespace` whose rights
 * are one namespace Role of `rules`: how a browser test signs in to Fleet
 * Essentials as a user who may do no more than the UI needs there (the test
 * kubeconfig's client certificate is an administrator's, and a browser cannot
 * present it). The token lives an hour.
 */
export async function namespaceOperatorToken(
  kubeConfig: KubeConfig,
  namespace: string,
  rules: RoleRule[],
): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'operator' } } });
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'fleet-operator', namespace },
    rules,
  } as KubernetesObject);
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'fleet-operator', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'fleet-operator' },
    subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace }],
  } as KubernetesObject);
  const request = await core.createNamespacedServiceAccountToken({
    namespace,
    name: 'operator',
    body: { spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`the API server issued no token for ServiceAccount ${namespace}/operator`);
  return token;
}
