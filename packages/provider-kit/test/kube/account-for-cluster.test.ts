import type { SecretReader } from '@immutable-infra/core';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountForCluster,
  CredentialPool,
  type CredentialSecretSpec,
  type JsonTransport,
} from '../../src/index.js';
import {
  DCS_PASSWORD,
  DCS_USER,
  type DcsTestCredential,
  type DcsTestSession,
  dcsPoolOptions,
  dcsTransport,
} from '../dcs-account.js';

/** Reads Secrets from the test's API server, decoded, as the host's SecretReader hands them to hooks. */
function secretReader(core: CoreV1Api): SecretReader {
  return {
    async read(namespace, name) {
      try {
        const secret = await core.readNamespacedSecret({ namespace, name });
        return Object.fromEntries(
          Object.entries(secret.data ?? {}).map(([key, value]) => [
            key,
            Buffer.from(value, 'base64').toString('utf8'),
          ]),
        );
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
  };
}

describe('accountForCluster', () => {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  let namespace: string;
  let sim: DcsSimulator;
  let transport: JsonTransport;
  let pool: CredentialPool<DcsTestCredential, DcsTestSession>;
  let spec: CredentialSecretSpec<DcsTestCredential>;

  beforeAll(async () => {
    namespace = await createTestNamespace(testKubeConfig(), 'account');
    sim = await startDcsSimulator();
    transport = dcsTransport(sim);
    pool = new CredentialPool(dcsPoolOptions(transport));
    // The DCS Secret's keys (endpoint, authUser, authKey), parsed the way the provider does.
    spec = {
      requiredKeys: ['endpoint', 'authUser', 'authKey'],
      parse: (data) =>
        data.endpoint?.startsWith('http')
          ? {
              ok: true,
              credential: { endpoint: data.endpoint, user: data.authUser ?? '', key: data.authKey ?? '' },
            }
          : { ok: false, problems: ['endpoint: must be an http(s) URL'] },
    };
  });

  afterAll(async () => {
    await pool.close();
    await transport.close();
    await sim.close();
  });

  const createSecret = (name: string, stringData: Record<string, string>) =>
    core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData } });

  it('binds the Secret of the cluster to the pooled session of its account', async () => {
    await createSecret('dcs-auth', { endpoint: sim.url, authUser: DCS_USER, authKey: DCS_PASSWORD });
    const secrets = secretReader(core);
    const lookups = await Promise.all(
      Array.from({ length: 5 }, () =>
        accountForCluster(secrets, pool, { namespace, name: 'dcs-auth' }, spec),
      ),
    );
    const sites = await Promise.all(
      lookups.map((lookup) => {
        if (!lookup.ok) throw new Error(lookup.message);
        return lookup.account.use((session) =>
          transport.request({
            method: 'GET',
            path: '/service/sites',
            headers: { 'X-Auth-Token': session.token },
          }),
        );
      }),
    );
    expect(sites.every((answer) => answer.status === 200)).toBe(true);
    // The credential form's connection test goes through the same pool: no second login.
    const first = lookups[0];
    if (!first?.ok) throw new Error('expected an account');
    await first.account.verify();
    expect(sim.state().logins.total).toBe(1);
  });

  it('reports a missing Secret, missing keys and parse problems by name, never by value', async () => {
    const secrets = secretReader(core);
    expect(await accountForCluster(secrets, pool, { namespace, name: 'absent' }, spec)).toEqual({
      ok: false,
      reason: 'CredentialSecretNotFound',
      message: `Secret ${namespace}/absent not found`,
    });
    await createSecret('half', { endpoint: sim.url, authUser: ' ' });
    expect(await accountForCluster(secrets, pool, { namespace, name: 'half' }, spec)).toEqual({
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: `Secret ${namespace}/half has no keys authUser, authKey`,
    });
    await createSecret('bad-endpoint', {
      endpoint: 'vrm.example',
      authUser: DCS_USER,
      authKey: 'Very-Secret-Value',
    });
    const bad = await accountForCluster(secrets, pool, { namespace, name: 'bad-endpoint' }, spec);
    expect(bad).toEqual({
      ok: false,
      reason: 'CredentialSecretInvalid',
      message: `Secret ${namespace}/bad-endpoint: endpoint: must be an http(s) URL`,
    });
    expect(JSON.stringify(bad)).not.toContain('Very-Secret-Value');
  });
});
