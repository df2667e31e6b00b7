import { X509Certificate } from 'node:crypto';
import { isPlatformFailure, type PlatformFailure, rememberedSecretValues } from '@immutable-infra/core';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonTransport, type JsonTransportOptions, type OutgoingRequest } from '../src/index.js';
import { type Handler, json, startHttpsServer, type TestHttpsServer } from './https-server.js';

const servers: TestHttpsServer[] = [];
const transports: JsonTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Handler): Promise<TestHttpsServer> {
  const started = await startHttpsServer(handler);
  servers.push(started);
  return started;
}

function transport(platform: TestHttpsServer, options: Partial<JsonTransportOptions> = {}): JsonTransport {
  const made = new JsonTransport({ endpoint: platform.url, caBundle: platform.caBundle, ...options });
  transports.push(made);
  return made;
}

async function failureOf(promise: Promise<unknown>): Promise<PlatformFailure> {
  try {
    await promise;
  } catch (error) {
    if (isPlatformFailure(error)) return error;
    throw error;
  }
  throw new Error('expected a PlatformFailure');
}

describe('JsonTransport', () => {
  it('sends JSON to the endpoint, verified against the CA bundle, with the auth hook seeing method, URL, headers and body', async () => {
    const platform = await server((req, res) => json(res, 200, { echoed: JSON.parse(req.body || 'null') }));
    const seen: OutgoingRequest[] = [];
    const client = transport(platform, {
      defaultHeaders: { Accept: 'application/json;version=8.0' },
      authenticate: (request) => {
        seen.push(request);
        return {
          'X-Auth-Token': `token-for-${request.method}-${Buffer.from(request.body).toString('utf8')}`,
        };
      },
    });
    const response = await client.request({
      method: 'POST',
      path: '/service/vms',
      query: { limit: 5 },
      body: { a: 1 },
    });
    expect(response).toMatchObject({ status: 200, body: { echoed: { a: 1 } } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.href).toBe(`${platform.url}/service/vms?limit=5`);
    expect(seen[0]?.headers).toMatchObject({
      host: new URL(platform.url).host,
      accept: 'application/json;version=8.0',
    });
    expect(platform.requests[0]?.headers['x-auth-token']).toBe('token-for-POST-{"a":1}');
  });

  it('remembers session tokens and bearer credentials it sends, so the host masks them; not signatures', async () => {
    const platform = await server((_req, res) => json(res, 200, {}));
    const client = transport(platform);
    await client.request({ method: 'GET', path: '/a', headers: { 'X-Auth-Token': 'tok-remembered-1' } });
    await client.request({
      method: 'GET',
      path: '/b',
      headers: { Authorization: 'Bearer bearer-remembered-2' },
    });
    const signature = 'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=f00dfeed';
    await client.request({ method: 'GET', path: '/c', headers: { Authorization: signature } });
    const remembered = rememberedSecretValues();
    expect(remembered.has('tok-remembered-1')).toBe(true);
    expect(remembered.has('bearer-remembered-2')).toBe(true);
    expect([...remembered].some((value) => value.includes('Signature='))).toBe(false);
  });

  it('reaches a regional service name through the lookup hook, verifying the certificate for that name', async () => {
    const platform = await startHttpsServer(
      (req, res) => json(res, 200, { host: req.headers.host }),
      ['ecs.region-1.example'],
    );
    servers.push(platform);
    const port = new URL(platform.url).port;
    const client = transport(platform, {
      endpoint: `https://ecs.region-1.example:${port}`,
      lookup: (_hostname, options, callback) => {
        if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
      },
    });
    expect((await client.request({ method: 'GET', path: '/v1/servers' })).body).toEqual({
      host: `ecs.region-1.example:${port}`,
    });
  });

  it('sends raw bytes with their content type (an ISO upload)', async () => {
    const platform = await server((req, res) =>
      json(res, 200, { type: req.headers['content-type'], body: req.body }),
    );
    const client = transport(platform);
    const answer = await client.request({
      method: 'PUT',
      path: '/upload',
      bytes: { data: new TextEncoder().encode('ISO-BYTES'), contentType: 'application/octet-stream' },
    });
    expect(answer.body).toEqual({ type: 'application/octet-stream', body: 'ISO-BYTES' });
  });

  it('verifies TLS: without the CA bundle the call fails as TLSFailure and is not retried', async () => {
    const platform = await server((_req, res) => json(res, 200, {}));
    const client = transport(platform, { caBundle: undefined });
    const failure = await failureOf(client.request({ method: 'GET', path: '/x' }));
    expect(failure.kind).toBe('TLSFailure');
    expect(failure.message).toMatch(/^GET \/x: the TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
    expect(platform.requests).toHaveLength(0);
  });

  it('pins the leaf by SHA-256 thumbprint in any spelling, without a CA; a mismatch names both and sends nothing', async () => {
    const platform = await server((_req, res) => json(res, 200, { ok: true }));
    const thumbprint = new X509Certificate(platform.certificate).fingerprint256;
    const pinned = transport(platform, { caBundle: undefined, serverCertificateThumbprint: thumbprint });
    expect((await pinned.request({ method: 'GET', path: '/x' })).body).toEqual({ ok: true });
    const bare = thumbprint.replace(/:/g, '').toLowerCase();
    const spelled = transport(platform, { caBundle: undefined, serverCertificateThumbprint: bare });
    expect((await spelled.request({ method: 'GET', path: '/x' })).body).toEqual({ ok: true });
    expect(platform.requests).toHaveLength(2);

    const wrong = `${'00:'.repeat(31)}01`;
    // The pin decides alone: a trusted CA does not let a different certificate through.
    const mismatch = transport(platform, { serverCertificateThumbprint: wrong });
    const failure = await failureOf(mismatch.request({ method: 'GET', path: '/x' }));
    expect(failure.kind).toBe('TLSFailure');
    expect(failure.message).toContain(`has SHA-256 thumbprint ${thumbprint}, not the pinned ${wrong}`);
    expect(platform.requests).toHaveLength(2);
    expect(() => transport(platform, { serverCertificateThumbprint: 'AB:CD' })).toThrow(/32 bytes/);
  });

  it('pins the leaf by SHA-1 thumbprint too (20 bytes, as vSphere manifests carry it); a mismatch names SHA-1', async () => {
    const platform = await server((_req, res) => json(res, 200, { ok: true }));
    const sha1 = new X509Certificate(platform.certificate).fingerprint;
    const pinned = transport(platform, {
      caBundle: undefined,
      serverCertificateThumbprint: sha1.toLowerCase(),
    });
    expect((await pinned.request({ method: 'GET', path: '/x' })).body).toEqual({ ok: true });
    expect(platform.requests).toHaveLength(1);

    const wrong = `${'00:'.repeat(19)}01`;
    const failure = await failureOf(
      transport(platform, { serverCertificateThumbprint: wrong }).request({ method: 'GET', path: '/x' }),
    );
    expect(failure.kind).toBe('TLSFailure');
    expect(failure.message).toContain(`has SHA-1 thumbprint ${sha1}, not the pinned ${wrong}`);
    expect(platform.requests).toHaveLength(1);
  });

  it('returns any answer as text with requestText (a SOAP fault on 500), sending no JSON Accept', async () => {
    const platform = await server((req, res) => {
      res.writeHead(req.url === '/fault' ? 500 : 200, {
        'content-type': 'text/xml',
        'set-cookie': 'session="s1"; Path=/',
      });
      res.end(`<answer>${req.headers.accept ?? 'none'}</answer>`);
    });
    const client = transport(platform);
    const ok = await client.requestText({
      method: 'POST',
      path: '/sdk',
      bytes: { data: Buffer.from('<x/>'), contentType: 'text/xml' },
    });
    expect(ok).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'set-cookie': 'session="s1"; Path=/' }),
      text: '<answer>none</answer>',
    });
    const fault = await client.requestText({
      method: 'POST',
      path: '/fault',
      headers: { accept: 'text/xml' },
    });
    expect(fault).toMatchObject({ status: 500, text: '<answer>text/xml</answer>' });
    expect(platform.requests.map((r) => r.body)).toEqual(['<x/>', '']);
  });

  it('skips verification only when insecureSkipTlsVerify is exactly true', async () => {
    const platform = await server((_req, res) => json(res, 200, { ok: true }));
    const client = transport(platform, { caBundle: undefined, insecureSkipTlsVerify: true });
    expect((await client.request({ method: 'GET', path: '/x' })).body).toEqual({ ok: true });
  });

  it('follows a platform link on its own origin and prefixes, and refuses one to another port before sending a byte', async () => {
    const elsewhere = await server((_req, res) => json(res, 200, { stolen: true }));
    const platform = await server((_req, res) => json(res, 200, { status: 'running' }));
    const client = transport(platform, {
      authenticate: () => ({ 'X-Auth-Token': 'session-token-123456' }),
      linkPathPrefixes: ['/service/sites/S1/tasks/'],
    });

    const own = await client.request({ method: 'GET', link: `${platform.url}/service/sites/S1/tasks/t-1` });
    expect(own.body).toEqual({ status: 'running' });
    expect((await client.request({ method: 'GET', link: '/service/sites/S1/tasks/t-2' })).status).toBe(200);

    const links = [
      `${elsewhere.url}/service/sites/S1/tasks/t-1`,
      `${platform.url.replace('https:', 'http:')}/service/sites/S1/tasks/t-1`,
      `${platform.url}/service/sites/S1/vms/i-1`,
      `${platform.url}/service/sites/S1/tasks/../../../session`,
      `${platform.url}/service/sites/S1/tasks/%2e%2e/x`,
      `//${new URL(elsewhere.url).host}/service/sites/S1/tasks/t-1`,
    ];
    for (const link of links) {
      const failure = await failureOf(client.request({ method: 'GET', link }));
      expect(failure.kind).toBe('PlatformError');
      expect(failure.message).toMatch(/^refused to follow the platform link /);
      expect(failure.message).not.toContain('session-token');
    }
    expect(elsewhere.connections).toBe(0);
    expect(elsewhere.requests).toHaveLength(0);
    expect(platform.requests.map((r) => r.url)).toEqual([
      '/service/sites/S1/tasks/t-1',
      '/service/sites/S1/tasks/t-2',
    ]);
  });

  it('refuses an absolute URL or a protocol-relative path given as a code path', async () => {
    const platform = await server((_req, res) => json(res, 200, {}));
    const client = transport(platform);
    await expect(client.request({ method: 'GET', path: 'https://elsewhere.example/x' })).rejects.toThrow(
      /single \//,
    );
    await expect(client.request({ method: 'GET', path: '//elsewhere.example/x' })).rejects.toThrow(
      /single \//,
    );
    expect(platform.connections).toBe(0);
  });

  it('retries an idempotent request after 503 and 429, waiting as long as Retry-After says', async () => {
    let calls = 0;
    const platform = await server((_req, res) => {
      calls += 1;
      if (calls === 1) return json(res, 503, { error: 'busy' });
      if (calls === 2) return json(res, 429, { error: 'slow down' }, { 'Retry-After': '7' });
      json(res, 200, { ok: true });
    });
    const waits: number[] = [];
    const client = transport(platform, { sleep: async (ms) => void waits.push(ms) });
    expect((await client.request({ method: 'GET', path: '/x' })).body).toEqual({ ok: true });
    expect(platform.requests).toHaveLength(3);
    expect(waits[1]).toBe(7_000);
  });

  it('never retries a POST unless it is marked idempotent', async () => {
    const platform = await server((_req, res) => json(res, 503, { error_msg: 'busy' }));
    const client = transport(platform, { sleep: async () => {} });
    const failure = await failureOf(client.request({ method: 'POST', path: '/vms', body: {} }));
    expect(platform.requests).toHaveLength(1);
    expect(failure).toMatchObject({
      kind: 'PlatformError',
      details: { httpStatus: 503, operation: 'POST /vms' },
    });

    await failureOf(client.request({ method: 'POST', path: '/vms/action', body: {}, idempotent: true }));
    expect(platform.requests).toHaveLength(1 + 3);
  });

  it("waits out a 429's Retry-After whatever the method, without using up its attempts (as client-go does)", async () => {
    // Every other call throttled, as a platform over its rate answers.
    let calls = 0;
    const platform = await server((_req, res) => {
      calls += 1;
      if (calls % 2 === 1) return json(res, 429, { error: 'slow down' }, { 'Retry-After': '1' });
      json(res, 200, { ok: calls });
    });
    const waits: number[] = [];
    const client = transport(platform, { maxAttempts: 1, sleep: async (ms) => void waits.push(ms) });
    // A POST the platform refused was not acted on: sending it again is safe.
    expect((await client.request({ method: 'POST', path: '/vms', body: {} })).body).toEqual({ ok: 2 });
    for (let i = 0; i < 4; i++) await client.request({ method: 'GET', path: '/x' });
    // One attempt allowed, yet each request got through after one wait of the platform's second.
    expect(platform.requests).toHaveLength(10);
    expect(waits).toEqual(Array(5).fill(1_000));
  });

  it('gives a request that stays throttled to the host after 10 waits, or once the waits reach the limit', async () => {
    const platform = await server((_req, res) => json(res, 429, {}, { 'Retry-After': '1' }));
    const waits: number[] = [];
    const client = transport(platform, { sleep: async (ms) => void waits.push(ms) });
    const failure = await failureOf(client.request({ method: 'POST', path: '/vms', body: {} }));
    expect(failure.kind).toBe('Throttled');
    expect(failure.details.retryAfter).toBeInstanceOf(Date);
    expect(platform.requests).toHaveLength(11);
    expect(waits).toHaveLength(10);

    const bounded = transport(platform, { maxRetryAfterMs: 2_500, sleep: async () => {} });
    await failureOf(bounded.request({ method: 'POST', path: '/vms', body: {} }));
    expect(platform.requests).toHaveLength(11 + 3);
  });

  it('does not wait for a Retry-After beyond the limit, and hands it to the host in the failure', async () => {
    const platform = await server((_req, res) => json(res, 429, {}, { 'Retry-After': '3600' }));
    const client = transport(platform, {
      sleep: async () => {},
      now: () => Date.parse('2026-12-02T10:00:00Z'),
    });
    const failure = await failureOf(client.request({ method: 'GET', path: '/x' }));
    expect(platform.requests).toHaveLength(1);
    expect(failure.kind).toBe('Throttled');
    expect(failure.details.retryAfter?.toISOString()).toBe('2026-12-02T11:00:00.000Z');
  });

  it("builds the message from verb, path, status and the platform's error body, never from headers", async () => {
    const platform = await server((_req, res) =>
      json(res, 400, { errorCode: '10300041', errorDes: 'bad key Secret-Value-42 for you' }),
    );
    const client = transport(platform, {
      authenticate: () => ({ Authorization: 'SDK-HMAC-SHA256 Access=AKID, Signature=abcdef' }),
      secrets: ['Secret-Value-42'],
      displayPath: (path) => path.replace('/p-123', '/{project_id}'),
      readErrorAnswer: ({ body }) => {
        const { errorCode, errorDes } = body as { errorCode: string; errorDes: string };
        return {
          platformCode: errorCode,
          message: errorDes,
          kind: errorCode === '10300041' ? 'QuotaExceeded' : undefined,
        };
      },
    });
    const failure = await failureOf(client.request({ method: 'DELETE', path: '/v1/p-123/servers/s-1' }));
    expect(failure.message).toBe(
      'DELETE /v1/{project_id}/servers/s-1: HTTP 400 10300041: bad key *** for you',
    );
    expect(failure).toMatchObject({
      kind: 'QuotaExceeded',
      details: { platformCode: '10300041', httpStatus: 400 },
    });
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toMatch(/AKID|abcdef/);
  });

  it('classifies by status when the provider leaves it open: 404 NotFound, 409 Conflict', async () => {
    const platform = await server((req, res) => json(res, req.url === '/missing' ? 404 : 409, {}));
    const client = transport(platform);
    expect((await failureOf(client.request({ method: 'GET', path: '/missing' }))).kind).toBe('NotFound');
    expect((await failureOf(client.request({ method: 'PUT', path: '/busy', body: {} }))).kind).toBe(
      'Conflict',
    );
  });

  it('reports an endpoint that does not answer as Unreachable, and one that hangs as Timeout', async () => {
    const hanging = await server(() => {});
    const closed = await startHttpsServer(() => {});
    await closed.close();
    const unreachable = transport(closed, { maxAttempts: 1 });
    expect((await failureOf(unreachable.request({ method: 'GET', path: '/x' }))).kind).toBe('Unreachable');
    const slow = transport(hanging, { requestTimeoutMs: 200, maxAttempts: 1 });
    expect((await failureOf(slow.request({ method: 'GET', path: '/x' }))).kind).toBe('Timeout');
  });

  it("passes the caller's abort through unchanged", async () => {
    const hanging = await server(() => {});
    const client = transport(hanging);
    const controller = new AbortController();
    const call = client.request({ method: 'GET', path: '/x', signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(call).rejects.toThrow('shutting down');
  });

  it("stops retrying when the caller aborts during the back-off, with the caller's reason", async () => {
    const platform = await server((_req, res) => json(res, 503, {}));
    const controller = new AbortController();
    const client = transport(platform, {
      sleep: async () => {
        controller.abort(new Error('leadership lost'));
        throw controller.signal.reason;
      },
    });
    await expect(client.request({ method: 'GET', path: '/x', signal: controller.signal })).rejects.toThrow(
      'leadership lost',
    );
    expect(platform.requests).toHaveLength(1);
  });

  it('sends no more than the burst plus the rate allows within a window', async () => {
    const platform = await server((_req, res) => json(res, 200, {}));
    const client = transport(platform, { qps: 1, burst: 2 });
    const calls = Array.from({ length: 4 }, () => client.request({ method: 'GET', path: '/x' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Two at once from the burst; the third needs a token that takes a second to refill.
    expect(platform.requests.length).toBeLessThanOrEqual(2);
    await Promise.all(calls);
    expect(platform.requests).toHaveLength(4);
  });

  it('keeps at most maxConcurrentRequests in flight to the endpoint', async () => {
    let inFlight = 0;
    let most = 0;
    const platform = await server((_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setImmediate(() => {
        inFlight -= 1;
        json(res, 200, {});
      });
    });
    const client = transport(platform, { maxConcurrentRequests: 2 });
    await Promise.all(Array.from({ length: 8 }, () => client.request({ method: 'GET', path: '/x' })));
    expect(platform.requests).toHaveLength(8);
    expect(most).toBeLessThanOrEqual(2);
  });
});
