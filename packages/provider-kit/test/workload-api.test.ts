import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { workloadApiFromKubeconfig } from '../src/index.js';
import { json, startHttpsServer, type TestHttpsServer } from './https-server.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A one-context kubeconfig as a `<cluster>-kubeconfig` Secret holds it, with these fields. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'lab-admin@lab',
    clusters: [{ name: 'lab', cluster }],
    users: [{ name: 'lab-admin', user }],
    contexts: [{ name: 'lab-admin@lab', context: { cluster: 'lab', user: 'lab-admin' } }],
  });
}

let server: TestHttpsServer;
beforeAll(async () => {
  server = await startHttpsServer(
    (_, response) => json(response, 200, { kind: 'Namespace' }),
    ['api.lab.example'],
  );
});
afterAll(() => server.close());

describe('workloadApiFromKubeconfig', () => {
  it('authenticates with basic auth and checks the certificate against tls-server-name', async () => {
    const cluster = { server: `${server.url}/`, 'certificate-authority-data': b64(server.caBundle) };
    const user = { username: 'admin', password: 'lab-password' };
    const api = workloadApiFromKubeconfig(
      kubeconfig({ ...cluster, 'tls-server-name': 'api.lab.example' }, user),
    );
    try {
      expect(api.server).toBe(server.url);
      expect(await api.call('GET', '/api/v1/namespaces/default')).toEqual({
        status: 200,
        body: { kind: 'Namespace' },
      });
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Basic ${b64('admin:lab-password')}`);
    } finally {
      await api.close();
    }
    const wrongName = workloadApiFromKubeconfig(
      kubeconfig({ ...cluster, 'tls-server-name': 'other.example' }, user),
    );
    try {
      await expect(wrongName.call('GET', '/api/v1/namespaces/default')).rejects.toThrow(/other\.example/);
    } finally {
      await wrongName.close();
    }
  });

  it('refuses what a Secret cannot carry, naming each field and the Secret', () => {
    const origin = 'Secret ns1/lab-kubeconfig';
    expect(() =>
      workloadApiFromKubeconfig(
        kubeconfig(
          { server: 'https://10.0.0.1:6443', 'certificate-authority': '/etc/kubernetes/pki/ca.crt' },
          { exec: { command: 'aws' }, tokenFile: '/var/run/token' },
        ),
        10_000,
        origin,
      ),
    ).toThrow(
      [
        `kubeconfig ${origin}: users[name=lab-admin].user.exec is not supported here: this kubeconfig must carry certificates, a token or basic auth itself`,
        `kubeconfig ${origin}: clusters[name=lab].cluster.certificate-authority names a file, which this kubeconfig cannot; give certificate-authority-data instead`,
        `kubeconfig ${origin}: users[name=lab-admin].user.tokenFile names a file, which this kubeconfig cannot; give token instead`,
      ].join('; '),
    );
    expect(() => workloadApiFromKubeconfig('clusters: [\n', 10_000, origin)).toThrow(
      `kubeconfig ${origin} is not valid YAML`,
    );
    // The current context only: no guessing at the first cluster and user.
    expect(() =>
      workloadApiFromKubeconfig(stringify({ clusters: [{ name: 'lab', cluster: { server: 'https://x' } }] })),
    ).toThrow('kubeconfig of the workload cluster: current-context is not set');
  });
});
