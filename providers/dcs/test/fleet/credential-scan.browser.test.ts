import { createHash } from 'node:crypto';
import { plainHttpConsent } from '@immutable-infra/testkit';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesRequest } from '../ui/host-api.js';
import { BrowserReceipts, credentialForms } from './credential-scan.js';
import { type DcsLab, type FleetHost, openFleet, PASSWORD, SITE, startDcsLab, USER } from './fleet-host.js';

// The scan every DCS browser test ends with (credential-scan.ts), shown to see what it must: a
// Secret as kubectl apply leaves it goes through the real host's scrubbing clean, and each way a
// value could still reach the browser (served by a route that bypasses the scrubbing, which only
// this file adds to the server) makes the scan fail.

let lab: DcsLab;
let host: FleetHost;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

beforeAll(async () => {
  lab = await startDcsLab('fleet-scan');
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-lab', namespace: lab.ns },
    stringData: {
      authUser: USER,
      authKey: PASSWORD,
      endpoint: lab.sim.url,
      site: SITE,
      ...plainHttpConsent(lab.sim.url),
    },
  };
  await kubernetesRequest(lab.kubeConfig, 'POST', `/api/v1/namespaces/${lab.ns}/secrets`, {
    ...manifest,
    metadata: { ...manifest.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(manifest) } },
  });
  const stored = () =>
    lab.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: lab.ns, name: 'dcs-lab' });
  host = await openFleet(lab, {
    testOnlyRoutes(app) {
      // The Secret as the API server holds it: values base64 in data, plain in the annotation.
      app.get('/api/test-only/secret', async () => stored());
      app.get(
        '/api/test-only/annotation',
        async () => (await stored()).metadata?.annotations?.[LAST_APPLIED],
      );
      // What DCS's login carries: the key's SHA-256.
      app.get('/api/test-only/login', async () => ({
        'X-Auth-Key': createHash('sha256').update(PASSWORD).digest('hex'),
      }));
      // The key inside a longer base64 text, where it does not start on a group of three.
      app.get('/api/test-only/blob', async () => ({
        blob: Buffer.from(`{"x":1,"authKey":"${PASSWORD}"}`).toString('base64'),
      }));
      // An event stream: the key URL-encoded in a comment line, which no EventSource hands to the page.
      app.get('/api/test-only/events', async (_request, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        reply.raw.write(`: ${encodeURIComponent(PASSWORD)}\n\nevent: cluster\ndata: {}\n\n`);
      });
      // A body cut off half-way: what arrived reached the page all the same.
      app.get('/api/test-only/cut', async (_request, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'application/json' });
        reply.raw.write(`{"user":"${USER}","rest":"`);
        setTimeout(() => reply.raw.destroy(), 100);
      });
      // A dedicated worker's fetch: a response the page receives that the DevTools session of the page does not.
      app.get('/api/test-only/worker.js', async (_request, reply) =>
        reply
          .type('text/javascript')
          .send("fetch('/api/health').then((r) => r.text()).then((t) => postMessage(t));"),
      );
    },
  });
  await host.signIn();
}, 300_000);

afterAll(async () => {
  await host?.close();
  await lab?.close();
}, 120_000);

/**
 * A fresh page of the signed-in context with a scanner of its own, so each leak is scanned alone;
 * closed once what it received is read (each open page holds an event stream, and chromium opens
 * only six connections to a server).
 */
async function scanned(visit: (page: Page) => Promise<unknown>): Promise<BrowserReceipts> {
  const context = host.page.context();
  const page = await context.newPage();
  try {
    const receipts = await BrowserReceipts.attach(context, page);
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    await visit(page);
    await receipts.bodies();
    return receipts;
  } finally {
    await page.close();
  }
}
const fetchText = (page: Page, path: string) =>
  page.evaluate(
    (p) =>
      fetch(p)
        .then((r) => r.text())
        .catch((e: Error) => `failed: ${e.message}`),
    path,
  );
const secrets = [PASSWORD, USER];

describe('the credential scan of the DCS browser tests', () => {
  it('finds a credential in each encoding it can travel in, and nothing in text without one', () => {
    const forms = credentialForms([PASSWORD]).map((f) => f.text);
    const found = (text: string) => forms.some((form) => text.includes(form));
    expect(found(`{"authKey":"${PASSWORD}"}`)).toBe(true);
    expect(found(encodeURIComponent(PASSWORD))).toBe(true);
    expect(found(createHash('sha256').update(PASSWORD).digest('hex'))).toBe(true);
    for (const prefix of ['', 'a', 'ab', 'abc'])
      expect(found(Buffer.from(`${prefix}${PASSWORD}"}`).toString('base64')), `after ${prefix.length}`).toBe(
        true,
      );
    expect(found(Buffer.from(`x${PASSWORD}`).toString('base64url'))).toBe(true);
    expect(found(`{"authKey":"","site":"${SITE}"}`)).toBe(false);
  });

  it('the real host sends a Secret applied with kubectl without its values: the scan passes', async () => {
    const receipts = await scanned(async (page) => {
      const path = `/api/kube/api/v1/namespaces/${lab.ns}/secrets`;
      const one = JSON.parse(await fetchText(page, `${path}/dcs-lab`));
      expect(one.data).toEqual({ authKey: '', authUser: '', endpoint: '', site: '', allowPlainHTTP: '' });
      expect(Object.keys(one.metadata.annotations ?? {})).not.toContain(LAST_APPLIED);
      await fetchText(page, path);
    });
    expect((await receipts.bodies()).filter((b) => b.url.includes('/secrets')).length).toBeGreaterThanOrEqual(
      2,
    );
    await expect(receipts.expectNoCredential(secrets, [lab.token])).resolves.toBeUndefined();
  });

  it.each([
    ['the Secret as stored (base64 values)', '/api/test-only/secret', /carries value 1 .* base64/],
    [
      'the last-applied annotation (values as typed)',
      '/api/test-only/annotation',
      /carries value 1 .* (as is|JSON-escaped)/,
    ],
    ['the SHA-256 of the key', '/api/test-only/login', /carries value 1 .* SHA-256/],
    ['the key inside a longer base64 text', '/api/test-only/blob', /carries value 1 .* base64/],
    ['a body cut off half-way', '/api/test-only/cut', /test-only\/cut carries value 2/],
  ])('fails on %s', async (_what, path, reason) => {
    const receipts = await scanned((page) => fetchText(page, path));
    await expect(receipts.expectNoCredential(secrets)).rejects.toThrow(reason);
  });

  it('fails on a value in an event stream, in a line no EventSource hands to the page', async () => {
    const receipts = await scanned(async (page) => {
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const events = new EventSource('/api/test-only/events');
            events.addEventListener('cluster', () => resolve());
          }),
      );
    });
    expect(receipts.eventMessages).toBe(1);
    await expect(receipts.expectNoCredential(secrets)).rejects.toThrow(/test-only\/events carries value 1/);
  });

  it('fails when the page received a response the scan could not read', async () => {
    const receipts = await scanned(async (page) => {
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const worker = new Worker('/api/test-only/worker.js');
            worker.onmessage = () => resolve();
          }),
      );
    });
    await expect(receipts.expectNoCredential(secrets)).rejects.toThrow(
      /could not see everything.*\/api\/health/s,
    );
  });

  it('the host itself: everything the main page received so far is clean', async () => {
    await host.expectNoCredential();
  });
});
