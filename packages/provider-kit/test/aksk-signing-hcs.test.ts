import { isPlatformFailure } from '@immutable-infra/core';
import {
  computeSignature,
  formatSdkDate,
  type HcsSimulator,
  startHcsSimulator,
} from '@immutable-infra/hcs-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthHook, JsonTransport } from '../src/index.js';

/**
 * AK/SK signing as an auth hook: it needs the method, the URL, every header that will be sent and
 * the body's exact bytes. The signature is computed with hcs-sim's own implementation of Huawei's
 * algorithm, so a request that passes proves the hook saw exactly what went over the wire.
 */
function akskSigner(accessKey: string, secretKey: string, projectId: string, now: () => number): AuthHook {
  return ({ method, url, headers, body }) => {
    const sdkDate = formatSdkDate(now());
    const all = { ...headers, 'x-sdk-date': sdkDate, 'x-project-id': projectId };
    const signedHeaders = Object.keys(all).sort();
    const signature = computeSignature(
      {
        method,
        rawPath: url.pathname,
        query: url.searchParams,
        headers: all,
        signedHeaders,
        body: Buffer.from(body),
      },
      secretKey,
      sdkDate,
    );
    return {
      'X-Sdk-Date': sdkDate,
      'X-Project-Id': projectId,
      Authorization: `SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
    };
  };
}

describe('JsonTransport with AK/SK signing against hcs-sim', () => {
  let sim: HcsSimulator;
  let transport: JsonTransport;

  beforeEach(async () => {
    sim = await startHcsSimulator({ tls: true });
  });

  afterEach(async () => {
    await transport.close();
    await sim.close();
  });

  it('signs method, path, query, headers and body so the gateway accepts them', async () => {
    transport = new JsonTransport({
      endpoint: sim.url,
      caBundle: sim.caCertificate,
      authenticate: akskSigner(sim.accessKey, sim.secretKey, sim.projectId, Date.now),
      displayPath: (path) => path.replace(sim.projectId, '{project_id}'),
    });
    const subnets = await transport.request<{ subnets: unknown[] }>({
      method: 'GET',
      path: `/v1/${sim.projectId}/subnets`,
      query: { limit: 10, marker: undefined },
    });
    expect(subnets.body.subnets).toHaveLength(2);

    // The body is signed too: the gateway lets the request through and ECS judges its content.
    let refusal: unknown;
    try {
      await transport.request({
        method: 'POST',
        path: `/v1/${sim.projectId}/cloudservers`,
        body: { server: {} },
      });
    } catch (error) {
      refusal = error;
    }
    expect(isPlatformFailure(refusal) && refusal.details.httpStatus).toBe(400);
    expect(isPlatformFailure(refusal) && refusal.message).toMatch(
      /^POST \/v1\/\{project_id\}\/cloudservers: HTTP 400/,
    );
    expect(sim.state().auth).toMatchObject({ signedRequests: 2, signatureFailures: 0 });
  });

  it('reports a wrong secret key without the signature in the message', async () => {
    transport = new JsonTransport({
      endpoint: sim.url,
      caBundle: sim.caCertificate,
      authenticate: akskSigner(sim.accessKey, 'wrong-secret-key', sim.projectId, Date.now),
      readErrorAnswer: ({ body }) => {
        const { error_code, error_msg } = body as { error_code: string; error_msg: string };
        return {
          platformCode: error_code,
          message: error_msg,
          kind: error_code === 'APIGW.0301' ? 'LoginRefused' : undefined,
        };
      },
    });
    let refusal: unknown;
    try {
      await transport.request({ method: 'GET', path: `/v1/${sim.projectId}/subnets` });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({
      kind: 'LoginRefused',
      details: { platformCode: 'APIGW.0301', httpStatus: 401 },
    });
    expect((refusal as Error).message).not.toMatch(/Signature=|wrong-secret-key/);
    expect(sim.state().auth.signatureFailures).toBe(1);
  });
});
