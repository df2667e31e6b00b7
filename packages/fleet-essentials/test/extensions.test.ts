import { fileURLToPath } from 'node:url';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { TEST_USERS } from './users.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));
let server: Awaited<ReturnType<typeof createFleetServer>>;
let cookie: string;

beforeAll(async () => {
  server = await createFleetServer({
    kubeConfig: testKubeConfig(),
    extensionPackages: [fixture('ext-good'), fixture('ext-future'), fixture('ext-broken')],
  });
  const signIn = await server.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { token: TEST_USERS.viewer.token },
  });
  cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
});

afterAll(async () => {
  await server?.close();
});

describe('the extension registry', () => {
  it('offers compatible extensions and says which versions disagree for the others', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/extensions', headers: { cookie } });
    const list = response.json() as {
      id: string;
      load: boolean;
      reason?: string;
      notes?: string[];
      bundleUrl?: string;
      manifest?: { extensions: { id: string }[] };
    }[];
    const good = list.find((e) => e.id === '@example/provider-good');
    expect(good).toMatchObject({
      load: true,
      bundleUrl: '/extensions/%40example%2Fprovider-good/bundle.js',
      // An entry naming an anchor of a later anchor API is skipped with a note; the rest loads.
      notes: [
        'extensions.1 (good.someday) names the anchor cluster.someday, which this Fleet Essentials does not provide; the entry is skipped',
      ],
    });
    expect(good?.manifest?.extensions.map((e) => e.id)).toEqual(['good.details']);
    expect(list.find((e) => e.id === '@example/provider-future')).toMatchObject({
      load: false,
      reason:
        '@example/provider-future@3.0.0 was built for anchor API ^2.0.0, but this Fleet Essentials provides anchor API 1.1.0',
    });
    const broken = list.find((e) => e.id === '@example/provider-broken');
    expect(broken?.load).toBe(false);
    expect(broken?.reason).toContain('bundle: a relative path to a .js file inside the package');
    expect(broken?.reason).toContain('extensions');
    expect(JSON.stringify(list)).not.toContain('/fixtures/');
  });

  it('serves the bundle of a loadable extension only', async () => {
    const good = await server.app.inject({
      method: 'GET',
      url: '/extensions/%40example%2Fprovider-good/bundle.js',
    });
    expect(good.statusCode).toBe(200);
    expect(good.headers['content-type']).toContain('text/javascript');
    expect(good.body).toContain('details of');
    const gated = await server.app.inject({
      method: 'GET',
      url: '/extensions/%40example%2Fprovider-future/bundle.js',
    });
    expect(gated.statusCode).toBe(404);
  });
});
