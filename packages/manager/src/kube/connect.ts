import { KubeConfig } from '@kubernetes/client-node';
import { Discovery } from './discovery.js';
import { ObjectClient } from './object-client.js';
import { KubeTransport } from './transport.js';

/** An object client for a kubeconfig file (or the default kubeconfig); close() releases its connections. */
export function connectToCluster(kubeconfigPath?: string): {
  client: ObjectClient;
  kubeConfig: KubeConfig;
  close(): void;
} {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath) kubeConfig.loadFromFile(kubeconfigPath);
  else kubeConfig.loadFromDefault();
  const transport = new KubeTransport(kubeConfig);
  return {
    client: new ObjectClient(transport, new Discovery(transport)),
    kubeConfig,
    close: () => transport.close(),
  };
}
