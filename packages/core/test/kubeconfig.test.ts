import { describe, expect, it } from 'vitest';
import {
  type KubeconfigDocument,
  type KubeconfigResolution,
  looksLikePem,
  type ResolvedKubeconfig,
  resolveKubeconfig,
} from '../src/index.js';

const CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN EC PRIVATE KEY-----\na2V5\n-----END EC PRIVATE KEY-----\n';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu';
const PASSWORD = 'Pa55-word-never-shown';

/** A one-context kubeconfig document (cluster `k`, user `u`, context `c`) with these fields. */
function kubeconfig(
  cluster: Record<string, unknown>,
  user: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', namespace: 'team-a' } }],
    ...extra,
  };
}
const one = (content: unknown, origin = '/home/me/.kube/config'): KubeconfigDocument => ({ content, origin });

function resolved(resolution: KubeconfigResolution): ResolvedKubeconfig {
  if (!resolution.ok) throw new Error(`expected a resolution, got: ${resolution.problems.join('; ')}`);
  return resolution.kubeconfig;
}
function problems(resolution: KubeconfigResolution): readonly string[] {
  if (resolution.ok) throw new Error('expected problems, the kubeconfig resolved');
  return resolution.problems;
}

describe('resolveKubeconfig', () => {
  it('resolves the current context to its server, inline CA, client certificate and key', () => {
    const result = resolved(
      resolveKubeconfig(
        one(
          kubeconfig(
            { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': btoa(CA) },
            { 'client-certificate-data': btoa(CERT), 'client-key-data': btoa(KEY) },
          ),
        ),
      ),
    );
    expect(result).toMatchObject({
      context: 'c',
      cluster: 'k',
      user: 'u',
      namespace: 'team-a',
      server: 'https://10.0.0.1:6443',
      insecureSkipTlsVerify: false,
      certificateAuthority: {
        pem: CA,
        field: 'kubeconfig /home/me/.kube/config: clusters[name=k].cluster.certificate-authority-data',
      },
      clientCertificate: { pem: CERT },
      clientKey: { pem: KEY },
      unsupported: [],
    });
    expect(result.token).toBeUndefined();
    expect(result.basicAuth).toBeUndefined();
  });

  it('resolves a named context instead of the current one, and names a context that is not there', () => {
    const content = {
      'current-context': 'dev',
      clusters: [
        { name: 'dev', cluster: { server: 'https://dev:6443' } },
        { name: 'prod', cluster: { server: 'https://prod:6443', 'tls-server-name': 'api.prod' } },
      ],
      users: [
        { name: 'dev', user: { token: 'dev-token' } },
        { name: 'ops', user: { username: 'ops', password: PASSWORD } },
      ],
      contexts: [
        { name: 'dev', context: { cluster: 'dev', user: 'dev' } },
        { name: 'prod', context: { cluster: 'prod', user: 'ops' } },
      ],
    };
    expect(resolved(resolveKubeconfig(one(content)))).toMatchObject({
      context: 'dev',
      server: 'https://dev:6443',
      token: 'dev-token',
    });
    const prod = resolved(resolveKubeconfig(one(content), { context: 'prod' }));
    expect(prod).toMatchObject({
      context: 'prod',
      server: 'https://prod:6443',
      tlsServerName: 'api.prod',
      basicAuth: { username: 'ops', password: PASSWORD },
    });
    expect(prod.namespace).toBeUndefined();
    // The merged configuration client-node is given resolves to the same context.
    expect(prod.merged['current-context']).toBe('prod');
    expect(problems(resolveKubeconfig(one(content), { context: 'staging' }))).toEqual([
      'kubeconfig /home/me/.kube/config: context "staging" names no entry of contexts',
    ]);
  });

  it('hands file fields to the caller, resolved against their document, and keeps them as written without a resolver', () => {
    const content = kubeconfig(
      { server: 'https://k:6443', 'certificate-authority': 'pki/ca.crt' },
      { 'client-certificate': '/etc/pki/client.crt', 'client-key': 'pki/client.key', tokenFile: 'token' },
    );
    const joined = resolved(
      resolveKubeconfig(one(content, '/srv/kube/config'), {
        resolvePath: (path, origin) =>
          path.startsWith('/') ? path : `${origin.slice(0, origin.lastIndexOf('/'))}/${path}`,
      }),
    );
    expect(joined.certificateAuthority).toEqual({
      file: '/srv/kube/pki/ca.crt',
      field: 'kubeconfig /srv/kube/config: clusters[name=k].cluster.certificate-authority',
    });
    expect(joined.clientCertificate).toMatchObject({ file: '/etc/pki/client.crt' });
    expect(joined.clientKey).toMatchObject({ file: '/srv/kube/pki/client.key' });
    expect(joined.tokenFile).toEqual({
      file: '/srv/kube/token',
      field: 'kubeconfig /srv/kube/config: users[name=u].user.tokenFile',
    });
    expect(joined.merged.clusters[0]?.cluster['certificate-authority']).toBe('/srv/kube/pki/ca.crt');
    expect(joined.merged.users[0]?.user.tokenFile).toBe('/srv/kube/token');

    const asWritten = resolved(resolveKubeconfig(one(content, '/srv/kube/config')));
    expect(asWritten.certificateAuthority).toMatchObject({ file: 'pki/ca.crt' });
    expect(asWritten.tokenFile).toMatchObject({ file: 'token' });
  });

  it('lets an inline token win over a token file, as client-go does', () => {
    const result = resolved(
      resolveKubeconfig(one(kubeconfig({ server: 'https://k:6443' }, { token: TOKEN, tokenFile: '/t' }))),
    );
    expect(result.token).toBe(TOKEN);
    expect(result.tokenFile).toBeUndefined();
  });

  it('lists the fields it does not cover, for a client that does; a self-contained kubeconfig may not have them', () => {
    const content = kubeconfig(
      { server: 'https://k:6443', 'proxy-url': 'http://proxy:3128', extensions: [] },
      { exec: { command: 'aws' }, 'auth-provider': { name: 'oidc' } },
    );
    expect(resolved(resolveKubeconfig(one(content))).unsupported).toEqual([
      'clusters[name=k].cluster.proxy-url',
      'users[name=u].user.exec',
      'users[name=u].user.auth-provider',
    ]);
    const secret = 'Secret ns/lab-kubeconfig';
    expect(problems(resolveKubeconfig(one(content, secret), { selfContained: true }))).toEqual([
      `kubeconfig ${secret}: clusters[name=k].cluster.proxy-url is not supported here: this kubeconfig must carry certificates, a token or basic auth itself`,
      `kubeconfig ${secret}: users[name=u].user.exec is not supported here: this kubeconfig must carry certificates, a token or basic auth itself`,
      `kubeconfig ${secret}: users[name=u].user.auth-provider is not supported here: this kubeconfig must carry certificates, a token or basic auth itself`,
    ]);
    const files = kubeconfig(
      { server: 'https://k:6443', 'certificate-authority': 'ca.crt' },
      { 'client-certificate': 'c.crt', 'client-key-data': btoa(KEY), tokenFile: 'token' },
    );
    expect(problems(resolveKubeconfig(one(files, secret), { selfContained: true }))).toEqual([
      `kubeconfig ${secret}: clusters[name=k].cluster.certificate-authority names a file, which this kubeconfig cannot; give certificate-authority-data instead`,
      `kubeconfig ${secret}: users[name=u].user.client-certificate names a file, which this kubeconfig cannot; give client-certificate-data instead`,
      `kubeconfig ${secret}: users[name=u].user.tokenFile names a file, which this kubeconfig cannot; give token instead`,
    ]);
  });

  it('merges documents as kubectl merges KUBECONFIG: the first to name an entry or set current-context wins', () => {
    const result = resolved(
      resolveKubeconfig([
        one(null, '/a'),
        one(
          {
            clusters: [{ name: 'shared', cluster: { server: 'https://first:6443' } }],
            users: [{ name: 'me', user: { token: 'from-first' } }],
          },
          '/b',
        ),
        one(
          {
            'current-context': 'work',
            clusters: [
              { name: 'shared', cluster: { server: 'https://second:6443' } },
              { name: 'other', cluster: { server: 'https://other:6443' } },
            ],
            users: [{ name: 'me', user: { token: 'from-second' } }],
            contexts: [{ name: 'work', context: { cluster: 'shared', user: 'me', namespace: 'ops' } }],
          },
          '/c',
        ),
        one(
          {
            'current-context': 'later',
            contexts: [{ name: 'later', context: { cluster: 'other', user: 'me' } }],
          },
          '/d',
        ),
      ]),
    );
    expect(result).toMatchObject({ context: 'work', server: 'https://first:6443', token: 'from-first' });
    expect(result.merged.clusters.map((entry) => entry.cluster.server)).toEqual([
      'https://first:6443',
      'https://other:6443',
    ]);
    expect(result.merged.contexts.map((entry) => entry.name)).toEqual(['work', 'later']);
  });

  it('names every problem of the structure at once, with the document each comes from', () => {
    expect(
      problems(
        resolveKubeconfig([
          one(['not', 'a', 'mapping'], '/list'),
          one(
            {
              'current-context': 7,
              clusters: { k: {} },
              users: [{ user: {} }, { name: 'u', user: 'token' }],
              contexts: [{ name: 'c', context: { user: 'u', namespace: 3 } }],
            },
            '/broken',
          ),
        ]),
      ),
    ).toEqual([
      'kubeconfig /list: expected a mapping with clusters, users and contexts',
      'kubeconfig /broken: current-context must be a string',
      'kubeconfig /broken: clusters must be a list',
      'kubeconfig /broken: users[0].name is required',
      'kubeconfig /broken: users[name=u].user must be a mapping',
      'kubeconfig /list, /broken: current-context is not set',
    ]);
    expect(problems(resolveKubeconfig(one({ 'current-context': 'gone', contexts: [] }, '/f')))).toEqual([
      'kubeconfig /f: current-context "gone" names no entry of contexts',
    ]);
    expect(
      problems(
        resolveKubeconfig(
          one(
            { 'current-context': 'c', contexts: [{ name: 'c', context: { user: 'u', namespace: 3 } }] },
            '/f',
          ),
        ),
      ),
    ).toEqual([
      'kubeconfig /f: contexts[name=c].context.cluster is required',
      'kubeconfig /f: contexts[name=c].context.namespace must be a string',
      'kubeconfig /f: contexts[name=c].context.user "u" names no entry of users',
    ]);
    expect(
      problems(
        resolveKubeconfig(
          one({ 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'k' } }] }, '/f'),
        ),
      ),
    ).toEqual(['kubeconfig /f: contexts[name=c].context.cluster "k" names no entry of clusters']);
    expect(problems(resolveKubeconfig([]))).toEqual(['no kubeconfig to resolve']);
  });

  it('names every field of the cluster and the user it cannot use, and no credential value', () => {
    const origin = '/f';
    const field = 'kubeconfig /f: clusters[name=k].cluster';
    const userField = 'kubeconfig /f: users[name=u].user';
    expect(
      problems(
        resolveKubeconfig(
          one(
            kubeconfig(
              {
                server: 'not a url',
                'certificate-authority-data': btoa('not a certificate'),
                'insecure-skip-tls-verify': 'yes',
                'tls-server-name': 5,
              },
              {
                'client-key-data': '%%% not base64 %%%',
                token: TOKEN,
                username: 'admin',
                password: PASSWORD,
              },
            ),
            origin,
          ),
        ),
      ),
    ).toEqual([
      `${field}.server "not a url" is not a URL`,
      `${field}.certificate-authority-data is not PEM once base64-decoded`,
      `${field}.insecure-skip-tls-verify must be true or false`,
      `${field}.tls-server-name must be a string`,
      `${userField}.client-key-data is not base64`,
      `${userField} has a client key but no client-certificate(-data)`,
      `${userField} sets both a token and username/password; keep one`,
    ]);
    expect(
      problems(
        resolveKubeconfig(
          one(
            kubeconfig(
              { 'certificate-authority': '/ca.crt', 'certificate-authority-data': btoa(CA) },
              { 'client-certificate-data': btoa(CERT), token: 42, password: PASSWORD },
            ),
            origin,
          ),
        ),
      ),
    ).toEqual([
      `${field}.server is required`,
      `${field} sets both certificate-authority-data and certificate-authority; keep one`,
      `${userField} has a client certificate but no client-key(-data)`,
      `${userField}.token must be a string`,
      `${userField}.password is set without a username`,
    ]);
  });

  it('never puts a credential into a problem', () => {
    const all = problems(
      resolveKubeconfig(
        one(
          kubeconfig(
            {},
            { token: TOKEN, username: 'admin', password: PASSWORD, 'client-key-data': btoa(KEY) },
          ),
        ),
      ),
    ).join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(btoa(KEY));
    expect(all).not.toContain('PRIVATE KEY');
  });
});

describe('looksLikePem', () => {
  it('tells PEM from other text', () => {
    expect(looksLikePem(CA)).toBe(true);
    expect(looksLikePem(KEY)).toBe(true);
    expect(looksLikePem('not a certificate')).toBe(false);
  });
});
