import { type DeclaredPlatformOperation, validateWithSchema } from '@immutable-infra/core';
import { describe, expect, test } from 'vitest';
import { dcsPlatformOperations } from '../../src/ui/platform-operations.js';
import { operations } from '../../src/ui/platform-proxy.js';

// An endpoint nothing answers on: a call that got as far as the platform would fail `Unreachable`.
const credential = { authUser: 'user', authKey: 'key-never-sent', endpoint: 'https://127.0.0.1:9' };
const call = (params: Record<string, unknown>) => ({
  credential,
  params,
  signal: new AbortController().signal,
});

describe('declared platform operations', () => {
  test('every operation carries its params and result as the Standard Schemas the host validates with', () => {
    expect(Object.keys(operations).sort()).toEqual(Object.keys(dcsPlatformOperations).sort());
    for (const [name, operation] of Object.entries(operations)) {
      const declared = operation as DeclaredPlatformOperation;
      expect(declared.params['~standard'].vendor, name).toBe('zod');
      expect(declared.result['~standard'].vendor, name).toBe('zod');
    }
  });

  test('a parameter of the wrong type is named, and refused before any platform call', async () => {
    expect(await validateWithSchema(operations.listPortGroups.params, { dvSwitch: 7 })).toMatchObject({
      ok: false,
      field: 'dvSwitch',
      message: 'dvSwitch: parameter dvSwitch must be a string',
    });
    expect(
      await validateWithSchema(operations.vmPlacements.params, { vmUrns: ['urn:sites:1:vms:i-1', 'vm-2'] }),
    ).toMatchObject({ ok: false, field: 'vmUrns.1' });
    await expect(operations.listPortGroups(call({ dvSwitch: 7 }))).rejects.toMatchObject({
      reason: 'InvalidParams',
      message: 'parameter dvSwitch must be a string',
    });
    await expect(operations.listHosts(call({ cluster: ['a'] }))).rejects.toMatchObject({
      reason: 'InvalidParams',
      message: 'parameter cluster must be a string',
    });
    // Valid params do reach the (absent) platform.
    await expect(operations.listPortGroups(call({ dvSwitch: 'DVS-Business' }))).rejects.toMatchObject({
      reason: 'Unreachable',
    });
  });

  test('results are checked as declared', async () => {
    const placements = {
      byUrn: [{ status: 'missing' }],
      byName: [{ name: 'vm-1', status: 'running', host: 'CNA01' }],
    };
    expect(await validateWithSchema(operations.vmPlacements.result, placements)).toMatchObject({ ok: true });
    expect(
      await validateWithSchema(operations.credentialSite.result, { source: 'only-site', id: 'site-1' }),
    ).toMatchObject({ ok: true });
    expect(await validateWithSchema(operations.listDvSwitches.result, [{ name: 'DVS-1' }])).toMatchObject({
      ok: false,
      field: '0.portGroups',
    });
  });
});
