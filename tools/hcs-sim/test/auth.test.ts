import { describe, expect, it } from 'vitest';
import { HcsHttp, type Json, simJson, startSim } from './support/hcs-http.js';

describe('authentication', () => {
  it('accepts a correctly signed request and names the caller in the state counters', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const answer = await hcs.call('GET', `/v1/${sim.projectId}/cloudservers/detail`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ count: 0, servers: [] });
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.state().auth.signedRequests).toBe(1);
  });

  it('rejects a wrong secret key with 401 APIGW.0301', async () => {
    const sim = await startSim();
    const answer = await new HcsHttp(sim, sim.accessKey, 'wrong-secret').call(
      'GET',
      `/v1/${sim.projectId}/cloudservers/detail`,
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: expect.stringContaining('verify aksk signature fail'),
    });
    expect(sim.state().auth.signatureFailures).toBe(1);
  });

  it('rejects an unknown access key, naming it', async () => {
    const sim = await startSim();
    const answer = await new HcsHttp(sim, 'NOSUCHKEY', sim.secretKey).call(
      'GET',
      `/v1/${sim.projectId}/vpcs`,
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: expect.stringContaining('ak NOSUCHKEY not exist'),
    });
  });

  it('rejects a signature over a different body and a stale X-Sdk-Date', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const stale = await hcs.call('GET', `/v1/${sim.projectId}/vpcs`, undefined, {
      'x-sdk-date': '20200101T000000Z',
    });
    expect(stale.status).toBe(401);
    expect(stale.body.error_msg).toContain('expired');
    const tampered = await fetch(`${sim.url}/v1/${sim.projectId}/vpcs`, {
      headers: {
        Authorization:
          'SDK-HMAC-SHA256 Access=HCSSIMACCESSKEY00001, SignedHeaders=host;x-sdk-date, Signature=00',
        'X-Sdk-Date': '20261124T000000Z',
      },
    });
    expect(tampered.status).toBe(401);
  });

  it('issues a token in X-Subject-Token and accepts it as X-Auth-Token', async () => {
    const sim = await startSim();
    const login = await fetch(`${sim.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'cluster-api', password: 'Huawei@123', domain: { name: 'hcs-sim' } } },
          },
          scope: { project: { id: sim.projectId } },
        },
      }),
    });
    expect(login.status).toBe(201);
    const token = login.headers.get('x-subject-token') ?? '';
    const body: Json = await login.json();
    expect(body.token.project.id).toBe(sim.projectId);
    expect(body.token.catalog.map((c: { type: string }) => c.type)).toContain('compute');
    const list = await fetch(`${sim.url}/v1/${sim.projectId}/subnets`, {
      headers: { 'X-Auth-Token': token },
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as Json).subnets).toHaveLength(2);

    await simJson(sim, '/_sim/faults', { expireTokens: true });
    const expired = await fetch(`${sim.url}/v1/${sim.projectId}/subnets`, {
      headers: { 'X-Auth-Token': token },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error_code: 'APIGW.0307' });
  });

  it('answers a wrong password in the keystone error shape', async () => {
    const sim = await startSim();
    const login = await fetch(`${sim.url}/v3/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'cluster-api', password: 'nope' } } },
        },
      }),
    });
    expect(login.status).toBe(401);
    expect(await login.json()).toEqual({
      error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
    });
  });

  it('locks a user after too many wrong passwords within the window, refusing even the right one', async () => {
    const sim = await startSim({
      faults: { lockAfterFailures: 3, lockWindowSeconds: 600, lockSeconds: 600 },
    });
    const login = (password: string) =>
      fetch(`${sim.url}/v3/auth/tokens`, {
        method: 'POST',
        body: JSON.stringify({
          auth: {
            identity: { methods: ['password'], password: { user: { name: 'cluster-api', password } } },
          },
        }),
      });
    expect((await login('nope-1')).status).toBe(401);
    expect((await login('nope-2')).status).toBe(401);
    // A success resets the count, as IAM's counter does.
    expect((await login('Huawei@123')).status).toBe(201);
    for (const attempt of ['nope-3', 'nope-4']) expect((await login(attempt)).status).toBe(401);
    expect(sim.state().auth.accountLocks).toBe(0);
    expect((await login('nope-5')).status).toBe(401);
    expect(sim.state().auth.accountLocks).toBe(1);
    const locked = await login('Huawei@123');
    expect(locked.status).toBe(401);
    expect(await locked.json()).toEqual({
      error: { code: 401, message: 'The account is locked.', title: 'Unauthorized' },
    });
  });

  it('refuses a request with no credentials, and a path for another project', async () => {
    const sim = await startSim();
    const anonymous = await fetch(`${sim.url}/v1/${sim.projectId}/vpcs`);
    expect(anonymous.status).toBe(401);
    const other = await new HcsHttp(sim).call(
      'GET',
      '/v1/0123456789abcdef0123456789abcdef/cloudservers/detail',
    );
    expect(other.status).toBe(400);
    expect(other.body).toEqual({
      error: { code: 'Ecs.0023', message: 'project_id in token mismatches with project_id in url.' },
    });
  });

  it('answers an unknown path with APIGW.0101', async () => {
    const sim = await startSim();
    const answer = await new HcsHttp(sim).call('GET', '/v9/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body.error_code).toBe('APIGW.0101');
  });
});
