import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type ClusterCredentials, loadKubeconfigCredentials } from '../src/kube/kubeconfig-credentials.ts';
import { KubeTransport } from '../src/kube/transport.ts';
import { adminKubeconfig, serviceAccountToken, writeKubeconfig } from './support/kubeconfig-files.ts';

const scratch = mkdtempSync(join(tmpdir(), 'iinfra-kubeconfig-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const pem = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
/** No KUBECONFIG, no service account, an empty home: only what a test passes counts. */
const bareEnv = { HOME: scratch };

/** Who the API server says the credentials authenticate as (SelfSubjectReview). */
async function whoAmI(credentials: ClusterCredentials): Promise<string> {
  const transport = new KubeTransport(credentials);
  try {
    const review = await transport.request<{ status: { userInfo: { username: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status.userInfo.username;
  } finally {
    transport.close();
  }
}

let namespace: string;
let token: string;
beforeAll(async () => {
  namespace = await createTestNamespace(testKubeConfig(), 'kubeconfig');
  token = await serviceAccountToken(namespace);
});

describe('loadKubeconfigCredentials against the API server', () => {
  it('authenticates with client certificate data, and with certificate files relative to the kubeconfig', async () => {
    const admin = adminKubeconfig();
    const inline = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(
        scratch,
        'inline.yaml',
        { 'client-certificate-data': admin.certData, 'client-key-data': admin.keyData },
        {},
        { namespace: 'team-a' },
      ),
      env: bareEnv,
    });
    expect(inline.viaClientNode).toBe(false);
    expect(inline.namespace).toBe('team-a');
    const adminName = await whoAmI(inline);
    expect(adminName).not.toMatch(/anonymous/);

    const dir = join(scratch, 'files');
    mkdirSync(join(dir, 'pki'), { recursive: true });
    writeFileSync(join(dir, 'pki', 'ca.crt'), pem(admin.caData));
    writeFileSync(join(dir, 'pki', 'client.crt'), pem(admin.certData));
    writeFileSync(join(dir, 'pki', 'client.key'), pem(admin.keyData));
    const files = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(
        dir,
        'config',
        { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key' },
        { 'certificate-authority-data': undefined, 'certificate-authority': 'pki/ca.crt' },
      ),
      env: bareEnv,
    });
    expect(await whoAmI(files)).toBe(adminName);
  });

  it('authenticates with a token, a token file, and in a Pod with the service account files', async () => {
    const account = `system:serviceaccount:${namespace}:manager`;
    const inline = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(scratch, 'token.yaml', { token }),
      env: bareEnv,
    });
    expect(await whoAmI(inline)).toBe(account);

    writeFileSync(join(scratch, 'token'), `${token}\n`);
    const fromFile = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(scratch, 'token-file.yaml', { tokenFile: 'token' }),
      env: bareEnv,
    });
    expect(await whoAmI(fromFile)).toBe(account);

    const serviceAccountDir = join(scratch, 'serviceaccount');
    mkdirSync(serviceAccountDir);
    writeFileSync(join(serviceAccountDir, 'token'), token);
    writeFileSync(join(serviceAccountDir, 'ca.crt'), pem(adminKubeconfig().caData));
    writeFileSync(join(serviceAccountDir, 'namespace'), namespace);
    const { hostname, port } = new URL(adminKubeconfig().server);
    const inCluster = await loadKubeconfigCredentials({
      env: { ...bareEnv, KUBERNETES_SERVICE_HOST: hostname, KUBERNETES_SERVICE_PORT: port },
      serviceAccountDir,
    });
    expect(inCluster.source).toBe('in-cluster');
    expect(inCluster.namespace).toBe(namespace);
    expect(await whoAmI(inCluster)).toBe(account);
  });

  it('hands a user with an exec plugin to client-node, which runs the plugin', async () => {
    const plugin = join(scratch, 'credential-plugin.mjs');
    writeFileSync(
      plugin,
      `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(token)} } }));\n`,
    );
    const credentials = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(scratch, 'exec.yaml', {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      }),
      env: bareEnv,
    });
    expect(credentials.viaClientNode).toBe(true);
    expect(await whoAmI(credentials)).toBe(`system:serviceaccount:${namespace}:manager`);
  });
});

describe('loadKubeconfigCredentials without an API server', () => {
  const applied = async (credentials: ClusterCredentials) => {
    const options: RequestOptions = { headers: {} };
    await credentials.applyToHTTPSOptions(options);
    return options;
  };

  it('re-reads a token file after a minute, keeping the last token while the file is unreadable', async () => {
    const dir = mkdtempSync(join(scratch, 'rotate-'));
    writeFileSync(join(dir, 'token'), 'first');
    let now = 0;
    const credentials = await loadKubeconfigCredentials({
      kubeconfigPath: writeKubeconfig(dir, 'config', { tokenFile: join(dir, 'token') }),
      env: bareEnv,
      now: () => now,
    });
    writeFileSync(join(dir, 'token'), 'second');
    now = 59_000;
    expect((await applied(credentials)).headers).toEqual({ Authorization: 'Bearer first' });
    now = 60_000;
    expect((await applied(credentials)).headers).toEqual({ Authorization: 'Bearer second' });
    rmSync(join(dir, 'token'));
    now = 200_000;
    expect((await applied(credentials)).headers).toEqual({ Authorization: 'Bearer second' });
  });

  it('merges the files of KUBECONFIG as kubectl does: the first to name an entry or set current-context wins', async () => {
    const dir = mkdtempSync(join(scratch, 'merge-'));
    const write = (file: string, config: object) => {
      writeFileSync(join(dir, file), stringify(config));
      return join(dir, file);
    };
    const first = write('first', {
      clusters: [{ name: 'shared', cluster: { server: 'https://first.example:6443' } }],
      users: [{ name: 'me', user: { token: 'from-first' } }],
    });
    const second = write('second', {
      'current-context': 'work',
      clusters: [
        { name: 'shared', cluster: { server: 'https://second.example:6443' } },
        { name: 'other', cluster: { server: 'https://other.example:6443' } },
      ],
      users: [{ name: 'me', user: { token: 'from-second' } }],
      contexts: [{ name: 'work', context: { cluster: 'shared', user: 'me', namespace: 'ops' } }],
    });
    const third = write('third', {
      'current-context': 'later',
      contexts: [{ name: 'later', context: { cluster: 'other', user: 'me' } }],
    });
    const missing = join(dir, 'does-not-exist');
    const credentials = await loadKubeconfigCredentials({
      env: { ...bareEnv, KUBECONFIG: [missing, first, second, third].join(delimiter) },
    });
    expect(credentials.server).toBe('https://first.example:6443');
    expect(credentials.namespace).toBe('ops');
    expect(credentials.source).toBe([first, second, third].join(delimiter));
    expect((await applied(credentials)).headers).toEqual({ Authorization: 'Bearer from-first' });
    // client-node's view of the same merge, for the commands that need its API clients.
    const kubeConfig = await credentials.toKubeConfig();
    expect(kubeConfig.getCurrentCluster()?.server).toBe('https://first.example:6443');
    expect(kubeConfig.getCurrentUser()?.token).toBe('from-first');
  });

  it('prefers KUBECONFIG to the service account, and the service account to ~/.kube/config', async () => {
    const home = mkdtempSync(join(scratch, 'home-'));
    mkdirSync(join(home, '.kube'));
    const homeConfig = writeKubeconfig(join(home, '.kube'), 'config', { token: 'home' });
    const serviceAccountDir = mkdtempSync(join(scratch, 'sa-'));
    writeFileSync(join(serviceAccountDir, 'token'), 'pod');
    writeFileSync(join(serviceAccountDir, 'ca.crt'), pem(adminKubeconfig().caData));
    const pod = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
    const fromEnv = await loadKubeconfigCredentials({
      env: { HOME: home, ...pod, KUBECONFIG: writeKubeconfig(scratch, 'env.yaml', { token: 'env' }) },
      serviceAccountDir,
    });
    expect((await applied(fromEnv)).headers).toEqual({ Authorization: 'Bearer env' });
    const inPod = await loadKubeconfigCredentials({ env: { HOME: home, ...pod }, serviceAccountDir });
    expect(inPod.server).toBe('https://[fd00::1]:443');
    expect(inPod.namespace).toBeUndefined();
    expect((await applied(inPod)).headers).toEqual({ Authorization: 'Bearer pod' });
    const atHome = await loadKubeconfigCredentials({ env: { HOME: home }, serviceAccountDir });
    expect(atHome.source).toBe(homeConfig);
    await expect(loadKubeconfigCredentials({ env: bareEnv })).rejects.toThrow(
      /no kubeconfig found: pass --kubeconfig, set KUBECONFIG/,
    );
  });

  it('names the file and the field of a kubeconfig it cannot use', async () => {
    const dir = mkdtempSync(join(scratch, 'bad-'));
    const load = (file: string) =>
      loadKubeconfigCredentials({ kubeconfigPath: join(dir, file), env: bareEnv });
    const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

    await expect(load('absent')).rejects.toThrow(
      `kubeconfig ${join(dir, 'absent')}: cannot read it (ENOENT)`,
    );
    write('broken', 'clusters: [\n');
    await expect(load('broken')).rejects.toThrow(`kubeconfig ${join(dir, 'broken')} is not valid YAML`);
    write('no-context', stringify({ clusters: [] }));
    await expect(load('no-context')).rejects.toThrow('current-context is not set');
    write('dangling', stringify({ 'current-context': 'gone', contexts: [] }));
    await expect(load('dangling')).rejects.toThrow('current-context "gone" names no entry of contexts');
    const config = (cluster: object, user: object) =>
      stringify({
        'current-context': 'c',
        clusters: [{ name: 'k', cluster }],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      });
    write('no-server', config({}, {}));
    await expect(load('no-server')).rejects.toThrow(
      `kubeconfig ${join(dir, 'no-server')}: clusters[name=k].cluster.server is required`,
    );
    write(
      'not-pem',
      config({ server: 'https://k:6443', 'certificate-authority-data': 'bm90IGEgY2VydA==' }, {}),
    );
    await expect(load('not-pem')).rejects.toThrow(
      'clusters[name=k].cluster.certificate-authority-data is not PEM once base64-decoded',
    );
    write('no-token-file', config({ server: 'https://k:6443' }, { tokenFile: 'nowhere' }));
    await expect(load('no-token-file')).rejects.toThrow(
      `users[name=u].user.tokenFile: cannot read ${join(dir, 'nowhere')} (ENOENT)`,
    );
    write('half-cert', config({ server: 'https://k:6443' }, { 'client-key-data': 'eA==' }));
    await expect(load('half-cert')).rejects.toThrow(/users\[name=u\]\.user\.client-key-data is not PEM/);
    write(
      'both-ca',
      config(
        { server: 'https://k:6443', 'certificate-authority': 'a', 'certificate-authority-data': 'b' },
        {},
      ),
    );
    await expect(load('both-ca')).rejects.toThrow(
      'clusters[name=k].cluster sets both certificate-authority-data and certificate-authority',
    );
  });
});
