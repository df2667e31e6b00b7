import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { parse, stringify } from 'yaml';

/** The test API server's admin kubeconfig: its server, CA and client certificate (base64 PEM). */
export function adminKubeconfig(): { server: string; caData: string; certData: string; keyData: string } {
  const config = parse(readFileSync(inject('iinfraKubeconfigPath'), 'utf8'));
  return {
    server: config.clusters[0].cluster.server,
    caData: config.clusters[0].cluster['certificate-authority-data'],
    certData: config.users[0].user['client-certificate-data'],
    keyData: config.users[0].user['client-key-data'],
  };
}

/** Writes a one-context kubeconfig for the test API server with this user into `dir`; returns its path. */
export function writeKubeconfig(
  dir: string,
  file: string,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): string {
  const admin = adminKubeconfig();
  const path = join(dir, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'test',
      clusters: [
        {
          name: 'test',
          cluster: { server: admin.server, 'certificate-authority-data': admin.caData, ...cluster },
        },
      ],
      users: [{ name: 'test-user', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test-user', ...context } }],
    }),
  );
  return path;
}

/** A ServiceAccount bound to cluster-admin in `namespace`, and a bound token of it from the TokenRequest API. */
export async function serviceAccountToken(namespace: string, name = 'manager'): Promise<string> {
  const kubeConfig = testKubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await KubernetesObjectApi.makeApiClient(kubeConfig).create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${namespace}-${name}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  } as KubernetesObject);
  const request = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  return token;
}
