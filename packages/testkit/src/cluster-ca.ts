import { generateControlPlanePki } from '@immutable-infra/management-plane';

/**
 * The Secret `<cluster>-ca` as the kubeadm control plane provider creates it before a cluster's
 * first machine: a fresh CA's certificate and key. For tests that create machines without Cluster
 * API's controllers, where a provider signs node certificates (a kubelet serving certificate) with it.
 */
export async function clusterCaSecret(namespace: string, cluster: string) {
  const { ca } = await generateControlPlanePki();
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${cluster}-ca`, namespace, labels: { 'cluster.x-k8s.io/cluster-name': cluster } },
    type: 'cluster.x-k8s.io/secret',
    stringData: { 'tls.crt': ca.certificate, 'tls.key': ca.privateKey },
  };
}
