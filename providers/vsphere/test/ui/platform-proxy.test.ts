import { createServer } from 'node:net';
import { DOCUMENTED_TEMPLATE, startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closePlatformSessions, operations } from '../../src/ui/platform-proxy.js';

// The platform proxy as Fleet Essentials runs it: the operations with a credential Secret's
// values, against vcsim named as the product documentation's manifests name things.

let vcsim: Vcsim;

beforeAll(async () => {
  vcsim = await startVcsim({ documentedNames: true });
});

afterAll(async () => {
  await vcsim?.stop();
});

afterEach(() => closePlatformSessions());

/** The Secret's values: vcsim's host and port, its login and its CA (or a thumbprint instead). */
function secret(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    server: new URL(vcsim.server).host,
    username: vcsim.username,
    password: vcsim.password,
    caBundle: vcsim.caCertificate,
    ...overrides,
  };
}

function request(credential: Record<string, string>, params: Record<string, unknown> = {}) {
  return { credential, params, signal: new AbortController().signal };
}

/** Fails when anything in `value` (a result, a verdict, an error's words) carries one of the Secret's values. */
function expectNoSecretValue(value: unknown, credential: Record<string, string>): void {
  const text = JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}));
  for (const [key, secretValue] of Object.entries(credential))
    if (secretValue.length >= 4) expect(text, key).not.toContain(secretValue);
}

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connection test', () => {
  it('logs in and reports vCenter’s about information, without any value of the Secret', async () => {
    const credential = secret();
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: true, about: { apiVersion: expect.stringMatching(/^\d+\.\d+/) } });
    expect(verdict.about?.fullName).toMatch(/VMware vCenter Server/);
    expect(verdict.message).toBe(
      `logged in to ${verdict.about?.fullName} (API ${verdict.about?.apiVersion})`,
    );
    expectNoSecretValue(verdict, credential);
  });

  it('trusts vCenter by its certificate thumbprint instead of a CA (SHA-256 or SHA-1)', async () => {
    for (const thumbprint of [vcsim.thumbprint, vcsim.sha1Thumbprint]) {
      const credential = secret({ caBundle: '', thumbprint });
      const verdict = await operations.testConnection(request(credential));
      expect(verdict.ok, thumbprint).toBe(true);
      expectNoSecretValue(verdict, credential);
    }
  });

  it('a wrong password is a refused login, said so, without the password', async () => {
    const credential = secret({ password: 'Wrong-Passw0rd-kept-secret' });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toEqual({ ok: false, reason: 'LoginFailed', message: 'wrong user or key for vCenter' });
    expectNoSecretValue(verdict, credential);
  });

  it('a thumbprint that is not the certificate’s is named as a mismatch, with the one presented', async () => {
    const wrong = vcsim.thumbprint.replace(/^../, vcsim.thumbprint.startsWith('AA') ? 'BB' : 'AA');
    const credential = secret({ caBundle: '', thumbprint: wrong });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toEqual({
      ok: false,
      reason: 'ThumbprintMismatch',
      message: `vCenter's certificate does not have the thumbprint given in the credential; the certificate it presented has thumbprint ${vcsim.thumbprint}`,
    });
    expectNoSecretValue(verdict, credential);
  });

  it('a certificate no CA of the credential signed is a TLS failure that asks for the CA', async () => {
    const credential = secret({ caBundle: '' });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: false, reason: 'TLSFailure' });
    expect(verdict.message).toMatch(/^TLS verification failed .*give its CA certificate in the credential$/);
    expectNoSecretValue(verdict, credential);
  });

  it('a server nothing answers on is unreachable, named without its address', async () => {
    const credential = secret({ server: `127.0.0.1:${await closedPort()}` });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: false, reason: 'Unreachable' });
    expect(verdict.message).toMatch(/^vCenter unreachable: .*could not be reached \(ECONNREFUSED\)$/);
    expectNoSecretValue(verdict, credential);
  });

  it('a Secret without the keys the proxy needs is refused before any call', async () => {
    const verdict = await operations.testConnection(request({ username: vcsim.username }));
    expect(verdict).toEqual({
      ok: false,
      reason: 'InvalidCredential',
      message: 'the credential Secret is not usable: server is missing; password is missing',
    });
  });
});

describe('inventory for the dropdowns', () => {
  it('lists the datacenters', async () => {
    expect(await operations.listDatacenters(request(secret()))).toEqual([
      { name: 'dc-a', path: '/dc-a' },
      { name: 'dc-b', path: '/dc-b' },
    ]);
  });

  it('lists what a datacenter holds, by the paths the controllers resolve, without any Secret value', async () => {
    const credential = secret();
    const inventory = await operations.datacenterInventory(request(credential, { datacenter: 'dc-a' }));
    expect(inventory.datacenter).toBe('dc-a');
    expect(inventory.computeClusters).toEqual([{ name: 'compute-a', path: 'compute-a' }]);
    expect(inventory.resourcePools).toEqual([{ name: 'Resources', path: 'compute-a/Resources' }]);
    expect(inventory.templates).toEqual([{ name: DOCUMENTED_TEMPLATE, path: DOCUMENTED_TEMPLATE }]);
    expect(inventory.folders).toEqual([{ name: 'workloads', path: 'workloads' }]);
    expect(inventory.datastores.map((d) => d.name)).toEqual(
      expect.arrayContaining(['datastore-a', 'datastore-cp', 'datastore-worker']),
    );
    for (const datastore of inventory.datastores) {
      expect(datastore.capacityGiB, datastore.name).toBeGreaterThan(0);
      expect(datastore.freeGiB, datastore.name).toBeGreaterThanOrEqual(0);
    }
    const networks = Object.fromEntries(inventory.networks.map((n) => [n.name, n.kind]));
    expect(networks).toMatchObject({
      'pg-business': 'distributed',
      'pg-storage': 'distributed',
      'VM Network': 'standard',
    });
    expectNoSecretValue(inventory, credential);
  });

  it('a datacenter that does not exist is named', async () => {
    await expect(
      operations.datacenterInventory(request(secret(), { datacenter: 'dc-x' })),
    ).rejects.toMatchObject({
      reason: 'NotFound',
      message: expect.stringContaining('datacenter dc-x not found'),
    });
  });

  it('refuses a call without a datacenter, in the words the form shows', async () => {
    await expect(operations.datacenterInventory(request(secret(), {}))).rejects.toMatchObject({
      reason: 'InvalidParams',
      message: 'parameter datacenter is required',
    });
  });

  it('a listing with a wrong password fails as a refused login, without the password', async () => {
    const credential = secret({ password: 'Another-Wrong-0ne' });
    const failure = await operations.listDatacenters(request(credential)).then(
      () => undefined,
      (error: unknown) => error as { reason: string; message: string },
    );
    expect(failure).toMatchObject({ reason: 'LoginFailed', message: 'wrong user or key for vCenter' });
    expectNoSecretValue({ message: failure?.message }, credential);
  });
});
