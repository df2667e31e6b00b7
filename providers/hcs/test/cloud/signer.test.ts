import { canonicalRequest, computeSignature } from '@immutable-infra/hcs-sim';
import { describe, expect, it } from 'vitest';
import { sdkDate, serviceEndpoint, signRequest } from '../../src/cloud/index.js';

describe('AK/SK signing and regional endpoints', () => {
  it('signs as the SDK does: the simulator, written separately from the SDK source, computes the same signature', () => {
    const url = new URL(
      'http://ecs.region-1.hcs.example:8443/v1/p1/cloudservers/detail?name=^a$&limit=10&b=x y',
    );
    const body = Buffer.from('{"a":1}');
    const headers = {
      Host: url.host,
      'Content-Type': 'application/json;charset=UTF-8',
      'X-Sdk-Date': '20261201T080000Z',
      'X-Project-Id': 'p1',
    };
    const authorization = signRequest({ method: 'POST', url, headers, body }, 'AK1', 'SK1');
    const signature = /Signature=([0-9a-f]{64})$/.exec(authorization)?.[1];
    const signedHeaders = /SignedHeaders=([^,]+),/.exec(authorization)?.[1]?.split(';') ?? [];
    expect(signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const expected = computeSignature(
      { method: 'POST', rawPath: url.pathname, query: url.searchParams, headers: lower, signedHeaders, body },
      'SK1',
      '20261201T080000Z',
    );
    expect(signature).toBe(expected);
    expect(authorization.startsWith('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=')).toBe(true);
    // The canonical URI carries the trailing slash the gateway expects.
    expect(
      canonicalRequest({
        method: 'GET',
        rawPath: '/v1/p1/jobs/abc',
        query: new URLSearchParams(),
        headers: {},
        signedHeaders: [],
        body: Buffer.alloc(0),
      }).split('\n')[1],
    ).toBe('/v1/p1/jobs/abc/');
  });

  it('formats X-Sdk-Date as YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(sdkDate(new Date('2026-12-01T08:09:10.123Z'))).toBe('20261201T080910Z');
  });

  it('derives one host per service from region, external global domain and scheme', () => {
    const region = {
      region: 'cn-global-1',
      externalGlobalDomain: 'hcs.example.com',
      scheme: 'https' as const,
    };
    expect(serviceEndpoint('ecs', region).href).toBe('https://ecs.cn-global-1.hcs.example.com/');
    expect(
      serviceEndpoint('elb', { ...region, externalGlobalDomain: 'hcs.lab:8443', scheme: 'http' }).href,
    ).toBe('http://elb.cn-global-1.hcs.lab:8443/');
  });
});
