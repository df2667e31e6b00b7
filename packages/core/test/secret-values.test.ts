import { describe, expect, it } from 'vitest';
import { isSecretName, rememberedSecretValues, rememberSecretValue } from '../src/index.js';

describe('secret values', () => {
  it('remembers values once per process, in one set every copy of core shares', () => {
    rememberSecretValue('Huawei@123-core-test');
    rememberSecretValue('Huawei@123-core-test');
    rememberSecretValue('short');
    rememberSecretValue(undefined);
    const values = [...rememberedSecretValues()];
    expect(values.filter((v) => v === 'Huawei@123-core-test')).toHaveLength(1);
    expect(values).not.toContain('short');
    // Another copy of core finds the same set under the registered symbol.
    const shared = (globalThis as Record<symbol, Set<string>>)[
      Symbol.for('@immutable-infra/core/secret-values')
    ];
    expect(shared?.has('Huawei@123-core-test')).toBe(true);
  });

  it('tells secret field names from harmless ones that merely end alike', () => {
    for (const name of [
      'password',
      'authKey',
      'X-Auth-Key',
      'x-auth-token',
      'Authorization',
      'secretKey',
      'SK',
      'AK',
      'accessKey',
      'sessionToken',
      'adminPassword',
      'private_key',
      'Set-Cookie',
    ])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ['mask', 'task', 'disk', 'taskUrn', 'credentialSecretRef', 'key', 'tokenRef', 'desk'])
      expect(isSecretName(name), name).toBe(false);
  });
});
