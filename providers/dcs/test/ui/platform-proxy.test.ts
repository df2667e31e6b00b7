import { createHash } from 'node:crypto';
import { plainHttpConsent } from '@immutable-infra/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { closePlatformSessions, operations } from '../../src/ui/platform-proxy.js';
import { PASSWORD, type Simulator, startSimulator, USER } from '../cloud/simulator.js';

function request(credential: Record<string, string>, params: Record<string, unknown> = {}) {
  return { credential, params, signal: new AbortController().signal };
}

function secretFor(sim: Simulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    authUser: USER,
    authKey: PASSWORD,
    endpoint: sim.url,
    ...plainHttpConsent(sim.url),
    ...(sim.caCertificate ? { caBundle: sim.caCertificate } : {}),
    ...overrides,
  };
}

/** Nothing the proxy returns or throws may carry the key or the hash the VRM is sent. */
function expectNoKey(value: unknown, key: string): void {
  const text = JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}));
  expect(text).not.toContain(key);
  expect(text).not.toContain(createHash('sha256').update(key).digest('hex'));
}

async function rejection(promise: Promise<unknown>): Promise<{ reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expectNoKey({ message: (error as Error).message }, PASSWORD);
    return error as { reason: string; message: string };
  }
  throw new Error('expected the operation to fail');
}

afterEach(() => closePlatformSessions());

describe.each([
  ['HTTP', false],
  ['HTTPS', true],
])('over %s', (_name, tls) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ tls });
  });
  afterAll(() => sim.close());

  test('a right credential passes the connection test, worded without any of the Secret’s values', async () => {
    const credential = secretFor(sim, { site: '3CD306E7' });
    const verdict = await operations.testConnection(request(credential));
    // allowPlainHTTP's value is the word "true", no secret: the verdict's JSON has its own `true`.
    const { allowPlainHTTP: _consent, ...secretValues } = credential;
    for (const value of Object.values(secretValues)) expect(JSON.stringify(verdict)).not.toContain(value);
    const result = await operations.testConnection(request(secretFor(sim)));
    expect(result).toEqual({
      ok: true,
      message: 'logged in; site site found (1 site on this VRM)',
    });
  });

  test('a wrong key is reported as a refused login, without the key', async () => {
    const wrong = 'Wrong-Key-123';
    const result = await operations.testConnection(request(secretFor(sim, { authKey: wrong })));
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('LoginFailed');
    expect(result.message).toContain('wrong user or key');
    expectNoKey(result, wrong);
  });

  test('a site the VRM does not have is named', async () => {
    const result = await operations.testConnection(request(secretFor(sim, { site: 'NOSUCHSITE' })));
    expect(result).toMatchObject({ ok: false, reason: 'SiteNotFound' });
    expect(result.message).toContain('NOSUCHSITE');
    expect(result.message).toContain('3CD306E7');
  });

  test('the listings the forms use', async () => {
    const credential = secretFor(sim);
    expect(await operations.credentialSite(request(credential))).toEqual({
      source: 'only-site',
      id: '3CD306E7',
    });
    expect(await operations.credentialSite(request({ ...credential, site: '3CD306E7' }))).toEqual({
      source: 'credential',
    });
    expect(await operations.listVmTemplates(request(credential))).toEqual([
      { name: 'ubuntu-2204-k8s-v1.34', cpu: 2, memoryMB: 4096, diskGB: [40] },
      { name: 'ubuntu-2204-k8s-v1.35', cpu: 2, memoryMB: 4096, diskGB: [40] },
    ]);
    expect(await operations.listClusters(request(credential))).toEqual([
      { name: 'ComputeCluster' },
      { name: 'ManagementCluster' },
    ]);
    expect(await operations.listHosts(request(credential, { cluster: 'ComputeCluster' }))).toEqual([
      { name: 'CNA02', cluster: 'ComputeCluster', status: 'normal' },
      { name: 'CNA03', cluster: 'ComputeCluster', status: 'normal' },
    ]);
    expect(await operations.listHosts(request(credential))).toHaveLength(3);
    expect(await operations.listFolders(request(credential))).toEqual([
      { name: 'kubernetes' },
      { name: 'templates' },
    ]);
    const datastores = await operations.listDatastores(request(credential));
    expect(datastores.map((d) => d.name)).toEqual([
      'datastore-nas-01',
      'datastore-ssd-01',
      'datastore-ssd-02',
    ]);
    expect(datastores[1]).toMatchObject({ capacityGB: 4096, storageType: 'advanceSan', status: 'NORMAL' });
    const groups = await operations.listDatastoreClusters(request(credential));
    expect(groups).toEqual([
      {
        name: 'ssd-pool',
        datastores: ['datastore-ssd-01', 'datastore-ssd-02'],
        freeSizeGB: (datastores[1]?.freeSizeGB ?? 0) + (datastores[2]?.freeSizeGB ?? 0),
      },
    ]);
    expect(await operations.listDvSwitches(request(credential))).toEqual([
      {
        name: 'DVS-Business',
        portGroups: [
          { name: 'business-vlan100', vlanId: 100 },
          { name: 'business-vlan200', vlanId: 200 },
        ],
      },
      { name: 'DVS-Management', portGroups: [{ name: 'management', vlanId: 0 }] },
    ]);
    expect(await operations.listPortGroups(request(credential, { dvSwitch: 'DVS-Management' }))).toEqual([
      { name: 'management', vlanId: 0 },
    ]);
  });

  test('listing failures carry a reason and name what was looked for', async () => {
    const credential = secretFor(sim);
    expect(
      await rejection(operations.listPortGroups(request(credential, { dvSwitch: 'DVS-None' }))),
    ).toMatchObject({ reason: 'NotFound', message: expect.stringContaining('DVS-None') });
    expect(await rejection(operations.listPortGroups(request(credential)))).toMatchObject({
      reason: 'InvalidParams',
      message: 'parameter dvSwitch is required',
    });
    expect(
      await rejection(operations.listHosts(request(credential, { cluster: 'NoCluster' }))),
    ).toMatchObject({
      reason: 'NotFound',
      message: expect.stringContaining('NoCluster'),
    });
    const wrong = 'Another-Wrong-1';
    expect(
      await rejection(operations.listFolders(request(secretFor(sim, { authKey: wrong })))),
    ).toMatchObject({ reason: 'LoginFailed' });
  });

  test('VM placements by name (the controller records no URN) and by URN, in the order asked; unknown ones are missing', async () => {
    const credential = secretFor(sim);
    const facts = await operations.vmPlacements(
      request(credential, { vmNames: ['no-such-vm'], vmUrns: ['urn:sites:3CD306E7:vms:i-00000000'] }),
    );
    // No URN in the answer: it holds the site id, which the credential Secret may name.
    expect(facts).toEqual({ byUrn: [{ status: 'missing' }], byName: [{ status: 'missing' }] });
    for (const params of [{ vmNames: [''] }, { vmNames: 'x' }, { vmUrns: ['vm-1'] }])
      expect((await rejection(operations.vmPlacements(request(credential, params)))).reason).toBe(
        'InvalidParams',
      );
  });
});

describe('what failed, exactly', () => {
  test('an endpoint nobody listens on is unreachable', async () => {
    const sim = await startSimulator();
    const url = sim.url;
    await sim.close();
    const result = await operations.testConnection(
      request({ authUser: USER, authKey: PASSWORD, endpoint: url, ...plainHttpConsent(url) }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'Unreachable' });
    expect(result.message).toContain(new URL(url).origin);
    expectNoKey(result, PASSWORD);
  });

  test('an HTTPS VRM whose CA was not given fails TLS verification', async () => {
    const sim = await startSimulator({ tls: true });
    try {
      const credential = { authUser: USER, authKey: PASSWORD, endpoint: sim.url };
      const result = await operations.testConnection(request(credential));
      expect(result).toMatchObject({ ok: false, reason: 'TLSFailure' });
      expect(result.message).toContain('TLS verification failed');
      expect(result.message).toContain('CA certificate');
      expectNoKey(result, PASSWORD);
      // The same VRM with its CA in caBundle passes.
      expect(
        await operations.testConnection(request({ ...credential, caBundle: sim.caCertificate ?? '' })),
      ).toMatchObject({ ok: true });
    } finally {
      await sim.close();
    }
  });

  test('https to a plain HTTP port is a TLS failure too', async () => {
    const sim = await startSimulator();
    try {
      const endpoint = sim.url.replace('http://', 'https://');
      const result = await operations.testConnection(
        request({ authUser: USER, authKey: PASSWORD, endpoint }),
      );
      expect(result).toMatchObject({ ok: false, reason: 'TLSFailure' });
    } finally {
      await sim.close();
    }
  });

  test('after the lock threshold the right key gets "account locked"', async () => {
    const sim = await startSimulator({ faults: { lockAfterFailures: 3, lockSeconds: 300 } });
    try {
      // Three different wrong keys: each is a new credential, so the proxy's back-off does not hold them.
      for (const wrong of ['Wrong-1', 'Wrong-2', 'Wrong-3']) {
        const result = await operations.testConnection(request(secretFor(sim, { authKey: wrong })));
        expect(result).toMatchObject({ ok: false, reason: 'LoginFailed' });
      }
      const locked = await operations.testConnection(request(secretFor(sim)));
      expect(locked).toMatchObject({ ok: false, reason: 'AccountLocked' });
      expect(locked.message).toContain('locked');
      expectNoKey(locked, PASSWORD);
    } finally {
      await sim.close();
    }
  });

  test('pressing "test" again with the same wrong key does not send another login', async () => {
    const sim = await startSimulator({ faults: { lockAfterFailures: 2 } });
    try {
      const wrong = 'Same-Wrong-Key';
      for (let i = 0; i < 4; i++) {
        const result = await operations.testConnection(request(secretFor(sim, { authKey: wrong })));
        expect(result).toMatchObject({ ok: false, reason: 'LoginFailed' });
      }
      // One refused login reached the VRM, so the account is not locked and the right key works.
      expect(await operations.testConnection(request(secretFor(sim)))).toMatchObject({ ok: true });
    } finally {
      await sim.close();
    }
  });

  test('a Secret with missing or bad keys is named key by key, values never echoed', async () => {
    const result = await operations.testConnection(
      request({ authUser: USER, authKey: PASSWORD, endpoint: 'ftp://x', userType: '2' }),
    );
    expect(result).toEqual({
      ok: false,
      reason: 'InvalidCredential',
      message: 'the credential Secret is not usable: endpoint is invalid; userType is invalid',
    });
    const missing = await operations.testConnection(request({ endpoint: 'http://127.0.0.1:1' }));
    expect(missing.message).toBe(
      'the credential Secret is not usable: authUser is missing; authKey is missing',
    );
  });
});
