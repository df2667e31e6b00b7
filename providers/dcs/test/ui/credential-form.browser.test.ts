import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { PASSWORD, type Simulator, startSimulator, USER } from '../cloud/simulator.js';
import { ExtensionPage } from './browser-page.js';
import { kubernetesRequest } from './host-api.js';

const kubeConfig = testKubeConfig();
let sim: Simulator;
let harness: ExtensionPage;
let namespace: string;

const secrets = async () =>
  (
    await kubernetesRequest<{ items: { metadata: { name: string } }[] }>(
      kubeConfig,
      'GET',
      `/api/v1/namespaces/${namespace}/secrets`,
    )
  ).items.map((s) => s.metadata.name);

beforeAll(async () => {
  sim = await startSimulator();
  namespace = await createTestNamespace(kubeConfig, 'cred-ui');
  harness = await ExtensionPage.open(kubeConfig);
});
afterAll(async () => {
  await harness?.close();
  await closePlatformSessions();
  await sim?.close();
});

// The documented rules (each error next to its field, no Secret created) are tested through the
// real Fleet Essentials host in test/fleet/infrastructure-forms.browser.test.ts.
describe('credential form in a browser', () => {
  test('create: the Secret has the documented keys, the connection test passes, the key never comes back', async () => {
    await harness.mount('credentialForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.fill('[data-field="name"]', 'dcs-lab');
    await page.fill('[data-field="displayName"]', 'Lab DCS');
    await page.fill('[data-field="endpoint"]', sim.url);
    await page.fill('[data-field="authUser"]', USER);
    await page.fill('[data-field="authKey"]', PASSWORD);
    await page.fill('[data-field="site"]', '3CD306E7');
    await page.click('[data-action="save"]');
    await page.waitForSelector('[data-connection-result][data-result]');
    expect(await page.getAttribute('[data-connection-result]', 'data-result')).toBe('ok');
    expect(await harness.events()).toEqual([['onSaved', 'dcs-lab']]);
    const secret = await kubernetesRequest<{
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    }>(kubeConfig, 'GET', `/api/v1/namespaces/${namespace}/secrets/dcs-lab`);
    const decoded = Object.fromEntries(
      Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(decoded).toEqual({
      authUser: USER,
      authKey: PASSWORD,
      endpoint: sim.url,
      site: '3CD306E7',
      userType: 'interconnect',
    });
    expect(secret.metadata.annotations['cpaas.io/display-name']).toBe('Lab DCS');
    expect(harness.notices.at(-1)).toBe('success: Credential dcs-lab saved; connection OK');
  });

  test('a wrong password is saved, the test says the login was refused, and no answer carried the key', async () => {
    const wrong = 'Not-The-Password-42';
    await harness.mount('credentialForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.fill('[data-field="name"]', 'dcs-wrong');
    await page.fill('[data-field="endpoint"]', sim.url);
    await page.fill('[data-field="authUser"]', USER);
    await page.fill('[data-field="authKey"]', wrong);
    await page.fill('[data-field="site"]', '3CD306E7');
    await page.click('[data-action="save"]');
    await page.waitForSelector('[data-connection-result][data-result]');
    expect(await page.getAttribute('[data-connection-result]', 'data-result')).toBe('LoginFailed');
    await harness.screenshot('credential-form-login-failed');
    expect(await page.textContent('[data-connection-result]')).toContain('wrong user or key');
    // The list shows both credentials; the edit form reads the Secret back without values.
    await harness.mount('credentialList', { namespace }, ['create', 'edit']);
    await page.waitForSelector('[data-name="dcs-wrong"]');
    await page.click('[data-action="edit:dcs-lab"]');
    expect(await harness.events()).toEqual([['edit', 'dcs-lab']]);
    await harness.mount('credentialForm', { namespace, secretName: 'dcs-lab' }, ['onSaved', 'onCancel']);
    await page.waitForFunction(
      () => (document.querySelector('[data-field="displayName"]') as HTMLInputElement).value !== '',
    );
    await page.click('[data-action="test-connection"]');
    await page.waitForSelector('[data-connection-result][data-result="ok"]');
    const all = harness.responses.join('\n');
    expect(harness.responses.length).toBeGreaterThan(5);
    for (const key of [
      PASSWORD,
      wrong,
      Buffer.from(PASSWORD).toString('base64'),
      Buffer.from(wrong).toString('base64'),
    ])
      expect(all).not.toContain(key);
  });

  test('update changes the display name and keeps the stored key; delete removes an unused credential', async () => {
    const page = harness.page;
    // A taken name is reported next to the name field.
    await harness.mount('credentialForm', { namespace }, ['onSaved', 'onCancel']);
    for (const [field, value] of [
      ['name', 'dcs-lab'],
      ['endpoint', sim.url],
      ['authUser', USER],
      ['authKey', PASSWORD],
      ['site', '3CD306E7'],
    ])
      await page.fill(`[data-field="${field}"]`, value as string);
    await page.click('[data-action="save"]');
    await page.waitForFunction(() => document.querySelector('[data-error-for="name"]')?.textContent !== '');
    expect(await harness.errorFor('name')).toBe('a Secret named dcs-lab already exists');
    await harness.mount('credentialForm', { namespace, secretName: 'dcs-wrong' }, ['onSaved', 'onCancel']);
    await page.fill('[data-field="displayName"]', 'Typo account');
    await page.click('[data-action="save"]');
    await page.waitForSelector('[data-connection-result][data-result]');
    // The connection result may show before the update has landed: wait (bounded) for the Secret.
    const secret = await eventually('the display name stored on the Secret', async () => {
      const read = await kubernetesRequest<{
        data: Record<string, string>;
        metadata: { annotations?: Record<string, string> };
      }>(kubeConfig, 'GET', `/api/v1/namespaces/${namespace}/secrets/dcs-wrong`);
      return read.metadata.annotations?.['cpaas.io/display-name'] === 'Typo account' ? read : undefined;
    });
    expect(secret.metadata.annotations?.['cpaas.io/display-name']).toBe('Typo account');
    expect(Buffer.from(secret.data.authKey ?? '', 'base64').toString()).toBe('Not-The-Password-42');
    await harness.mount('credentialList', { namespace }, ['create', 'edit']);
    await page.waitForSelector('[data-name="dcs-wrong"]');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-action="delete:dcs-wrong"]');
    await page.waitForSelector('[data-name="dcs-wrong"]', { state: 'detached' });
    expect(await secrets()).toEqual(['dcs-lab']);
  });
});
