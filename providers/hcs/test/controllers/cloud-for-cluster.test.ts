import type { HcsSimulator } from '@immutable-infra/hcs-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hcsConnections } from '../../src/cloud/index.js';
import { cloudForCluster } from '../../src/controllers/cloud-for-cluster.js';
import { simLookup, startSimulator, TEST_DOMAIN } from '../cloud/simulator.js';

let sim: HcsSimulator;

beforeAll(async () => {
  sim = await startSimulator();
});

afterAll(async () => {
  await sim?.close();
});

const cluster = {
  metadata: { name: 'demo', namespace: 'ns' },
  spec: { identityRef: { name: 'hcs-auth' } },
} as Parameters<typeof cloudForCluster>[2];

describe('cloudForCluster over the credential pool', () => {
  it('uses a rotated Secret on the next call and closes the transports of the old content', async () => {
    let data: Record<string, string> = {
      accessKey: sim.accessKey,
      secretKey: 'the-old-secret-key-1234',
      projectID: sim.projectId,
      region: sim.region,
      externalGlobalDomain: `${TEST_DOMAIN}:${new URL(sim.url).port}`,
      schema: 'http',
      allowPlainHTTP: 'true',
    };
    const ctx = {
      secrets: { read: async () => data },
      platformCalls: { record: <T>(_operation: string, call: () => Promise<T>) => call() },
      signal: new AbortController().signal,
    };
    const connections = hcsConnections({ lookup: simLookup() });
    try {
      const before = await cloudForCluster(ctx, connections, cluster);
      if (!before.ok) throw new Error(before.message);
      await expect(before.cloud.listVpcs()).rejects.toMatchObject({
        kind: 'LoginRefused',
        details: { platformCode: 'APIGW.0301' },
      });

      data = { ...data, secretKey: sim.secretKey };
      const after = await cloudForCluster(ctx, connections, cluster);
      if (!after.ok) throw new Error(after.message);
      expect((await after.cloud.listVpcs()).map((v) => v.name)).toContain('cluster-vpc');
      // One account, one set of transports: the old key's was replaced, not kept beside it.
      expect(connections.size).toBe(1);
    } finally {
      await connections.close();
    }
  });

  it('names a missing Secret and invalid keys without a value', async () => {
    const connections = hcsConnections();
    const missing = await cloudForCluster(
      {
        secrets: { read: async () => undefined },
        platformCalls: { record: (_o, c) => c() },
        signal: new AbortController().signal,
      },
      connections,
      cluster,
    );
    expect(missing).toEqual({
      ok: false,
      reason: 'CredentialSecretNotFound',
      message: 'Secret ns/hcs-auth not found',
    });
    const invalid = await cloudForCluster(
      {
        secrets: { read: async () => ({ accessKey: 'AK', secretKey: 'a-secret-value' }) },
        platformCalls: { record: (_o, c) => c() },
        signal: new AbortController().signal,
      },
      connections,
      cluster,
    );
    expect(invalid).toMatchObject({ ok: false, reason: 'CredentialSecretInvalid' });
    expect(invalid.ok ? '' : invalid.message).toContain('projectID is missing');
    expect(JSON.stringify(invalid)).not.toContain('a-secret-value');
  });
});
