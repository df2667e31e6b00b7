import { createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { LookupFunction } from 'node:net';
// The vendor's own OBS client for Node.js; it ships no types.
// @ts-expect-error no declaration file
import ObsClient from 'esdk-obs-nodejs';
import { describe, expect, it } from 'vitest';
import type { HcsSimulator } from '../src/index.js';
import { startSim } from './support/hcs-http.js';

const BUCKET = 'iinfra-bootstrap';
const DOMAIN = 'hcs.test';

/** Every `*.hcs.test` name is the simulator's address, as a site's gateway would be. */
const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as LookupFunction;

const portOf = (sim: HcsSimulator) => new URL(sim.url).port;
const obsHost = (sim: HcsSimulator) => `obs.${sim.region}.${DOMAIN}`;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request with the host name resolved to the simulator. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, lookup }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** An OBS-signed request as the API reference describes it (x-obs-date, so the Date line is empty). */
function signedObs(sim: HcsSimulator, method: string, key: string, body?: string, secretKey = sim.secretKey) {
  const date = new Date().toUTCString();
  const contentType = body === undefined ? '' : 'text/plain';
  const stringToSign = `${method}\n\n${contentType}\n\nx-obs-date:${date}\n/${BUCKET}/${key}`;
  const signature = createHmac('sha1', secretKey).update(stringToSign).digest('base64');
  return send(`http://${BUCKET}.${obsHost(sim)}:${portOf(sim)}/${key}`, {
    method,
    headers: {
      'x-obs-date': date,
      Authorization: `OBS ${sim.accessKey}:${signature}`,
      ...(body === undefined ? {} : { 'Content-Type': contentType }),
    },
    ...(body === undefined ? {} : { body }),
  });
}

const code = (answer: RawAnswer) => /<Code>([^<]*)<\/Code>/.exec(answer.text)?.[1];

/** The SDK's constructor starts an unawaited async set-up; its first call must wait for it. */
async function vendorClient(sim: HcsSimulator, style: 'virtual-host' | 'path') {
  const client =
    style === 'virtual-host'
      ? new ObsClient({
          access_key_id: sim.accessKey,
          secret_access_key: sim.secretKey,
          server: `http://${obsHost(sim)}:${portOf(sim)}`,
          signature: 'obs',
          is_signature_negotiation: false,
          http_agent: new Agent({ lookup } as ConstructorParameters<typeof Agent>[0]),
          max_retry_count: 0,
        })
      : new ObsClient({
          access_key_id: sim.accessKey,
          secret_access_key: sim.secretKey,
          server: sim.url,
          path_style: true,
          max_retry_count: 0,
        });
  await new Promise((resolve) => setImmediate(resolve));
  return client;
}

describe('OBS', () => {
  it("answers Huawei's own OBS SDK (esdk-obs-nodejs): put, get, head, delete, virtual-host with the OBS signature and path-style with the S3 V2 one", async () => {
    const sim = await startSim();
    for (const style of ['virtual-host', 'path'] as const) {
      const client = await vendorClient(sim, style);
      const key = `nodes/${style}/user-data`;
      const put = await client.putObject({
        Bucket: BUCKET,
        Key: key,
        Body: 'secret bootstrap',
        ContentType: 'text/plain',
      });
      expect(put.CommonMsg.Status, `${style} put ${put.CommonMsg.Code} ${put.CommonMsg.Message}`).toBe(200);
      const got = await client.getObject({ Bucket: BUCKET, Key: key });
      expect(got.CommonMsg.Status).toBe(200);
      expect(String(got.InterfaceResult.Content)).toBe('secret bootstrap');
      const head = await client.getObjectMetadata({ Bucket: BUCKET, Key: key });
      expect(head.CommonMsg.Status).toBe(200);
      // (The SDK sends a string Body as application/json whatever ContentType says, so only the size is checked.)
      expect(String(head.InterfaceResult.ContentLength)).toBe('16');
      const deleted = await client.deleteObject({ Bucket: BUCKET, Key: key });
      expect(deleted.CommonMsg.Status).toBe(204);
      const gone = await client.getObject({ Bucket: BUCKET, Key: key });
      expect([gone.CommonMsg.Status, gone.CommonMsg.Code]).toEqual([404, 'NoSuchKey']);
      const noBucket = await client.putObject({ Bucket: 'no-such-bucket', Key: key, Body: 'x' });
      expect([noBucket.CommonMsg.Status, noBucket.CommonMsg.Code]).toEqual([404, 'NoSuchBucket']);
      client.close();
    }
    expect(sim.state().objects).toEqual([]);
    expect(sim.state().objectWrites).toBe(2);
  });

  it("serves the SDK's pre-signed GET URL (AccessKeyId, Expires, Signature) until it expires, never without it", async () => {
    const sim = await startSim();
    const client = await vendorClient(sim, 'virtual-host');
    await client.putObject({
      Bucket: BUCKET,
      Key: 'node-1',
      Body: 'cloud-config',
      ContentType: 'text/plain',
    });
    const signed = client.createSignedUrlSync({ Method: 'GET', Bucket: BUCKET, Key: 'node-1', Expires: 60 });
    const url = new URL(signed.SignedUrl);
    expect(url.host).toBe(`${BUCKET}.${obsHost(sim)}:${portOf(sim)}`);
    expect([...url.searchParams.keys()].sort()).toEqual(['AccessKeyId', 'Expires', 'Signature']);
    const fetched = await send(url.href);
    expect([fetched.status, fetched.text]).toEqual([200, 'cloud-config']);

    url.searchParams.set('Expires', String(Math.floor(Date.now() / 1000) - 1));
    const expired = await send(url.href);
    expect([expired.status, code(expired)]).toEqual([403, 'AccessDenied']);
    expect(expired.text).toContain('Request has expired');
    url.searchParams.set('Expires', String(Math.floor(Date.now() / 1000) + 600));
    const tampered = await send(url.href);
    expect([tampered.status, code(tampered)]).toEqual([403, 'SignatureDoesNotMatch']);
    const anonymous = await send(`http://${BUCKET}.${obsHost(sim)}:${portOf(sim)}/node-1`);
    expect([anonymous.status, code(anonymous)]).toEqual([403, 'AccessDenied']);
    expect(anonymous.headers['content-type']).toBe('application/xml');
    expect(anonymous.headers['x-obs-request-id']).toMatch(/^[0-9A-F]{32}$/);
    client.close();
  });

  it('answers the documented header signature, wrong keys and unknown keys with XML errors', async () => {
    const sim = await startSim();
    expect((await signedObs(sim, 'PUT', 'a/b.yaml', 'data')).status).toBe(200);
    expect(sim.state().objects.map((o) => `${o.bucket}/${o.key}=${o.size}`)).toEqual([
      `${BUCKET}/a/b.yaml=4`,
    ]);
    const head = await signedObs(sim, 'HEAD', 'missing');
    expect([head.status, head.text, head.headers['x-obs-error-code']]).toEqual([404, '', 'NoSuchKey']);
    const wrong = await signedObs(sim, 'GET', 'a/b.yaml', undefined, 'not-the-secret');
    expect([wrong.status, code(wrong)]).toEqual([403, 'SignatureDoesNotMatch']);
    const unknown = await send(`http://${BUCKET}.${obsHost(sim)}:${portOf(sim)}/a/b.yaml`, {
      headers: { Date: new Date().toUTCString(), Authorization: 'OBS NOSUCHKEY:abc=' },
    });
    expect([unknown.status, code(unknown)]).toEqual([403, 'InvalidAccessKeyId']);
    // A second DELETE of the same key succeeds too, as on OBS.
    expect((await signedObs(sim, 'DELETE', 'a/b.yaml')).status).toBe(204);
    expect((await signedObs(sim, 'DELETE', 'a/b.yaml')).status).toBe(204);
  });

  it('injects faults as for every other service: operation errors in OBS XML, lost replies after the write', async () => {
    const sim = await startSim();
    sim.setFaults({
      jobSeconds: 0.02,
      operationErrors: [{ operation: 'obs.putObject', status: 503, code: 'ServiceUnavailable', times: 1 }],
    });
    const refused = await signedObs(sim, 'PUT', 'k', 'v');
    expect([refused.status, code(refused)]).toEqual([503, 'ServiceUnavailable']);
    expect(sim.state().objects).toEqual([]);
    sim.setFaults({ jobSeconds: 0.02, lostReplyRate: 1 });
    await expect(signedObs(sim, 'PUT', 'k', 'v')).rejects.toThrow();
    expect(sim.state().objects.map((o) => o.key)).toEqual(['k']);
    expect(sim.state().changes.map((c) => c.operation)).toEqual(['obs.putObject']);
  });
});
