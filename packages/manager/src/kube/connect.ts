import { Discovery } from './discovery.js';
import { type LoadedKubeconfig, loadKubeconfigCredentials } from './kubeconfig-credentials.js';
import { ObjectClient } from './object-client.js';
import { KubeTransport } from './transport.js';

/**
 * An object client for a kubeconfig file (or the default one: KUBECONFIG, the Pod's service
 * account, ~/.kube/config); close() releases its connections.
 */
export async function connectToCluster(kubeconfigPath?: string): Promise<{
  client: ObjectClient;
  credentials: LoadedKubeconfig;
  close(): void;
}> {
  const credentials = await loadKubeconfigCredentials({ kubeconfigPath });
  const transport = new KubeTransport(credentials);
  return {
    client: new ObjectClient(transport, new Discovery(transport)),
    credentials,
    close: () => transport.close(),
  };
}
