import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';

const ACCOUNT = 'demo-admin';

/**
 * A bearer token for Fleet Essentials' sign-in page: a ServiceAccount bound to
 * cluster-admin, with a TokenRequest token. Fleet Essentials acts with each
 * user's own token, so the demo's user needs one; the admin kubeconfig holds a
 * client certificate, which a browser cannot present.
 */
export async function createSignInToken(kubeConfig: KubeConfig, namespace: string): Promise<string> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const create = async (object: KubernetesObject) => {
    try {
      await objects.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  };
  await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ACCOUNT, namespace } });
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: ACCOUNT },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: ACCOUNT, namespace }],
  } as KubernetesObject);
  const answer = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: ACCOUNT,
    namespace,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 86_400 },
    },
  });
  const token = answer.status?.token;
  if (!token) throw new Error(`the API server issued no token for ServiceAccount ${namespace}/${ACCOUNT}`);
  return token;
}
