import { stringify } from 'yaml';

export interface AdminKubeconfigInput {
  server: string;
  caCertificate: string;
  clientCertificate: string;
  clientKey: string;
  /** Name used for the cluster, user and context entries. */
  name: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/** A self-contained kubeconfig (certificates inlined) for one cluster and one user. */
export function renderKubeconfig(input: AdminKubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: { server: input.server, 'certificate-authority-data': b64(input.caCertificate) },
      },
    ],
    users: [
      {
        name: `${input.name}-admin`,
        user: {
          'client-certificate-data': b64(input.clientCertificate),
          'client-key-data': b64(input.clientKey),
        },
      },
    ],
    contexts: [{ name: input.name, context: { cluster: input.name, user: `${input.name}-admin` } }],
    'current-context': input.name,
  });
}
