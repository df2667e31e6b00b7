import { freePort } from '@immutable-infra/testkit';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/**
 * A control plane endpoint on a loopback address of its own (127.x.y.1, from
 * this process's pid) and a port that is free, so parallel runs do not meet.
 */
export async function freeLoopbackEndpoint(): Promise<{ host: string; port: number }> {
  const x = 100 + (process.pid % 150);
  const y = Math.floor(process.pid / 150) % 250;
  return { host: `127.${x}.${y}.1`, port: await freePort() };
}

/** The workload cluster's admin kubeconfig, from the Secret Cluster API wrote. */
export async function workloadKubeConfig(
  management: KubeConfig,
  namespace: string,
  cluster: string,
): Promise<KubeConfig> {
  const secret = await management
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace, name: `${cluster}-kubeconfig` });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(Buffer.from(secret.data?.value ?? '', 'base64').toString());
  return kubeConfig;
}
