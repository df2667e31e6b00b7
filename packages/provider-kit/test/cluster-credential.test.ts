import type { SecretReader } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { type CredentialSecretSpec, readClusterCredential } from '../src/index.js';

const secrets = (stored: Record<string, Record<string, string>>): SecretReader => ({
  read: async (namespace, name) => stored[`${namespace}/${name}`],
});

const userSecret: CredentialSecretSpec<{ user: string }> = {
  requiredKeys: ['user'],
  parse: (data) => ({ ok: true, credential: { user: data.user ?? '' } }),
};

describe("an infrastructure cluster's credential Secret", () => {
  it("is read in the cluster's namespace, with the Secret's limits over the manager's", async () => {
    const read = await readClusterCredential(
      {
        secrets: secrets({ 'team-a/dcs': { user: 'operator', platformBurst: '4' } }),
        platformLimits: { burst: 10, requestsPerSecond: 2 },
      },
      { metadata: { namespace: 'team-a' } },
      'dcs',
      userSecret,
    );
    expect(read).toEqual({
      ok: true,
      credential: { user: 'operator' },
      limits: { burst: 4, requestsPerSecond: 2 },
      secretRef: { namespace: 'team-a', name: 'dcs' },
    });
  });

  it('is looked for in the default namespace when the cluster has none, and named when it is missing', async () => {
    const read = await readClusterCredential({ secrets: secrets({}) }, { metadata: {} }, 'dcs', userSecret);
    expect(read).toEqual({
      ok: false,
      reason: 'CredentialSecretNotFound',
      message: 'Secret default/dcs not found',
    });
  });
});
