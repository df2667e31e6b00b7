import { createServer } from 'node:net';
import { PlatformFailure } from '@immutable-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDcsFailure, DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import { credentialFor, failureOf, type Simulator, startSimulator } from './simulator.js';

describe('over HTTPS', () => {
  let sim: Simulator;
  const pool = new DcsSessionPool();

  beforeAll(async () => {
    sim = await startSimulator({ tls: true });
  });

  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
  });

  it('verifies the VRM certificate against the given CA', async () => {
    expect(sim.url.startsWith('https://')).toBe(true);
    expect(sim.caCertificate).toContain('BEGIN CERTIFICATE');
    const client = new DcsClient(pool.session(credentialFor(sim)));
    const site = await client.resolveSite();
    expect(site.urn).toMatch(/^urn:sites:[0-9A-F]{8}$/);
  });

  it('refuses a certificate it cannot verify, with a TLS reason and no login sent', async () => {
    const before = sim.state().logins.total;
    const { caCertificate: _ignored, ...withoutCa } = credentialFor(sim);
    const client = new DcsClient(pool.session({ ...withoutCa, user: 'no-ca' }));
    const error = await failureOf(client.listSites());
    expect(error).toBeInstanceOf(PlatformFailure);
    expect(error).toMatchObject({ kind: 'TLSFailure', message: expect.stringContaining(sim.url) });
    const failure = classifyDcsFailure(error);
    expect(failure.kind).toBe('tls');
    expect(failure.reason).toContain('TLS verification failed');
    expect(failure.reason).toContain('CA certificate');
    expect(sim.state().logins.total).toBe(before);
  });

  it('skips verification only when told to', async () => {
    const { caCertificate: _ignored, ...withoutCa } = credentialFor(sim);
    const client = new DcsClient(pool.session({ ...withoutCa, insecureSkipVerify: true }));
    await expect(client.listSites()).resolves.toHaveLength(1);
  });
});

describe('when the VRM does not answer', () => {
  it('says the VRM is unreachable when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const pool = new DcsSessionPool();
    try {
      const client = new DcsClient(
        pool.session({ endpoint: `https://127.0.0.1:${port}`, user: 'cluster-api', key: 'k' }),
      );
      const failure = classifyDcsFailure(await failureOf(client.listSites()));
      expect(failure).toEqual({
        kind: 'unreachable',
        reason: `DCS unreachable: POST /service/session: https://127.0.0.1:${port} could not be reached (ECONNREFUSED)`,
      });
    } finally {
      await pool.closeAll();
    }
  });

  it('gives up on a request that is never answered', async () => {
    const sim = await startSimulator({ faults: { timeoutRate: 1 } });
    const pool = new DcsSessionPool({ timeoutMs: 300 });
    try {
      const error = await failureOf(new DcsClient(pool.session(credentialFor(sim))).listSites());
      expect(error).toBeInstanceOf(PlatformFailure);
      expect(error).toMatchObject({ kind: 'Timeout', message: expect.stringContaining(sim.url) });
      expect(classifyDcsFailure(error).kind).toBe('unreachable');
    } finally {
      await pool.closeAll();
      await sim.close();
    }
  });

  it('reports a DCS error with its code and description', async () => {
    const sim = await startSimulator();
    const pool = new DcsSessionPool();
    try {
      const client = new DcsClient(pool.session(credentialFor(sim)));
      await client.listSites();
      sim.setFaults({ errorRate: 1 });
      const error = await failureOf(client.listSites());
      expect(error).toMatchObject({ kind: 'PlatformError', details: { platformCode: '10000001' } });
      expect(classifyDcsFailure(error)).toMatchObject({
        kind: 'dcs-error',
        reason: expect.stringMatching(/^DCS GET \S+ answered \d+ 10000001: \S/),
      });
    } finally {
      await pool.closeAll();
      await sim.close();
    }
  });
});
