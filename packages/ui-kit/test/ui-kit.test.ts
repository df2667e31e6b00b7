import { readFileSync } from 'node:fs';
import type { HostApi } from '@immutable-infra/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  actionName,
  credentialNameProblems,
  DESIGN_TOKENS,
  describeError,
  KIT_STYLESHEET,
  listCredentialSecrets,
  platformClient,
  problemSlotPath,
  secretsPath,
  token,
  writeFailureProblem,
} from '../src/index.js';

describe('design tokens', () => {
  it('every rule of the stylesheet reads a token, with the host value as its fallback', () => {
    expect(token('--ii-color-danger')).toBe('var(--ii-color-danger, #a4161a)');
    const used = [...KIT_STYLESHEET.matchAll(/var\((--[a-z-]+), ([^)]+)\)/g)];
    expect(used.length).toBeGreaterThan(10);
    for (const [, name, fallback] of used)
      expect(DESIGN_TOKENS[name as keyof typeof DESIGN_TOKENS], name).toBe(fallback);
    // No colour written directly: a rule that does would not follow the host.
    expect(KIT_STYLESHEET.replace(/var\([^)]*\)/g, '')).not.toMatch(/#[0-9a-f]{3,6}\b/i);
  });

  it('are the ones Fleet Essentials declares on :root, with the same values', () => {
    const css = readFileSync(new URL('../../fleet-essentials/app/src/styles.css', import.meta.url), 'utf8');
    const root = css.match(/:root\s*\{([^}]*)\}/)?.[1] ?? '';
    const declared = Object.fromEntries(
      [...root.matchAll(/(--ii-[a-z-]+):\s*([^;]+);/g)].map(([, name, value]) => [name, value?.trim()]),
    );
    expect(declared).toEqual(DESIGN_TOKENS);
  });
});

describe('problems next to their fields', () => {
  it('go to the nearest enclosing field present, else to none', () => {
    const slots = new Set(['pool', 'pool.entries', 'name']);
    const has = (path: string) => slots.has(path);
    expect(problemSlotPath('name', has)).toBe('name');
    expect(problemSlotPath('pool.entries.3.ip', has)).toBe('pool.entries');
    expect(problemSlotPath('pool.gateway', has)).toBe('pool');
    expect(problemSlotPath('spec.other', has)).toBeUndefined();
  });

  it('describe any failure in words, and name actions after their text', () => {
    expect(describeError(new Error('refused'))).toBe('refused');
    expect(describeError({ reason: 'LoginFailed', message: 'wrong password' })).toBe('wrong password');
    expect(describeError(42)).toBe('42');
    expect(actionName('Test connection')).toBe('test-connection');
  });
});

describe('platformClient', () => {
  const operations = {
    listPortGroups: {
      params: schema<{ dvSwitch: string }>(),
      result: schema<{ name: string; vlanId?: number }[]>(),
    },
    listFolders: { params: schema<{ site?: string }>(), result: schema<{ name: string }[]>() },
  };

  function recordingApi() {
    const sent: unknown[] = [];
    const api: Pick<HostApi, 'platform'> = {
      async platform<T>(request: unknown) {
        sent.push(request);
        return [{ name: 'answer' }] as T;
      },
    };
    return { api, sent };
  }

  it('sends each operation with its params through HostApi.platform, typed by the declarations', async () => {
    const { api, sent } = recordingApi();
    const client = platformClient<typeof operations>(api, { namespace: 'team-a', name: 'dcs-auth' });
    const groups = await client.listPortGroups({ dvSwitch: 'DVS-Business' });
    expectTypeOf(groups).toEqualTypeOf<{ name: string; vlanId?: number }[]>();
    await client.listFolders();
    expect(sent).toEqual([
      {
        credential: { namespace: 'team-a', name: 'dcs-auth' },
        operation: 'listPortGroups',
        params: { dvSwitch: 'DVS-Business' },
      },
      { credential: { namespace: 'team-a', name: 'dcs-auth' }, operation: 'listFolders' },
    ]);
    // @ts-expect-error dvSwitch is required
    await client.listPortGroups();
    // @ts-expect-error not an operation
    expect(() => client.deleteEverything).not.toThrow();
  });

  it('is not mistaken for a promise', async () => {
    const { api } = recordingApi();
    const client = platformClient<typeof operations>(api, { namespace: 'n', name: 'c' });
    expect(await Promise.resolve(client)).toBe(client);
  });
});

/** A Standard Schema carrying only its types, as the client needs no more. */
function schema<T>() {
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      validate: (value: unknown) => ({ value: value as T }),
      types: undefined as unknown as { input: T; output: T },
    },
  };
}

describe('credential pieces', () => {
  it('a Secret name is a DNS label: required, lowercase alphanumerics and hyphens, at most 63', () => {
    const rule = '1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit';
    expect(credentialNameProblems('vcenter-lab')).toEqual([]);
    expect(credentialNameProblems('')).toEqual([{ field: 'name', message: 'the name is required' }]);
    for (const bad of ['Vcenter', 'lab-', `a${'b'.repeat(63)}`, 'lab_1'])
      expect(credentialNameProblems(bad), bad).toEqual([{ field: 'name', message: rule }]);
  });

  it('a taken name on create shows next to the name; any other failure, or a 409 on update, in the summary', () => {
    const taken = 'a Secret named lab already exists';
    expect(writeFailureProblem({ code: 409 }, true, taken)).toEqual({ field: 'name', message: taken });
    expect(writeFailureProblem({ code: 409, message: 'the object has been modified' }, false, taken)).toEqual(
      {
        field: '(form)',
        message: 'the object has been modified',
      },
    );
    expect(writeFailureProblem(new Error('forbidden'), true, taken)).toEqual({
      field: '(form)',
      message: 'forbidden',
    });
  });

  it('a provider’s credentials are the namespace’s Secrets holding every one of its keys', async () => {
    const paths: string[] = [];
    const secret = (name: string, keys: string[]) => ({
      metadata: { name },
      data: Object.fromEntries(keys.map((key) => [key, 'eA=='])),
    });
    const api = {
      kubernetes: async <T>(request: { path: string }) => {
        paths.push(request.path);
        return {
          items: [
            secret('vcenter', ['server', 'username', 'password']),
            secret('half', ['server', 'username']),
            secret('token', ['token']),
            { metadata: { name: 'empty' } },
          ],
        } as T;
      },
    } as unknown as Pick<HostApi, 'kubernetes'>;
    const found = await listCredentialSecrets(api, 'team a', ['server', 'username', 'password']);
    expect(found.map((s) => s.metadata.name)).toEqual(['vcenter']);
    expect(paths).toEqual([secretsPath('team a')]);
    expect(secretsPath('team a', 'x/y')).toBe('/api/v1/namespaces/team%20a/secrets/x%2Fy');
  });
});
