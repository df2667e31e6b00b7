import { describe, expect, it } from 'vitest';
import { DcsHttp, PASSWORD, rawRequest, SITE_URI, startSim, USER } from './support/dcs-http.js';

describe('session', () => {
  it('logs in with the SHA-256 key and returns the token in the X-Auth-Token header', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    const answer = await dcs.login();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ validity: expect.any(Number), userName: USER, userId: expect.any(String) });
    expect(answer.body.validity).toBeGreaterThan(0);
    expect(dcs.token).toMatch(/^[0-9a-f]{48}$/);
    expect((await dcs.call('GET', '/service/sites')).status).toBe(200);
  });

  it('takes the plain password with X-ENCRIPT-ALGORITHM: 1 and header names in any case', async () => {
    const sim = await startSim();
    const answer = await rawRequest({
      url: `${sim.url}/service/session`,
      method: 'POST',
      headers: {
        'x-auth-user': USER,
        'X-AUTH-KEY': PASSWORD,
        'X-Encript-Algorithm': '1',
        'x-auth-usertype': '2',
      },
      body: '{}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('X-Auth-Token')).toBeTruthy();
  });

  it('refuses a wrong key with 401 10000003', async () => {
    const sim = await startSim();
    const answer = await new DcsHttp(sim.url).login(USER, 'wrong');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ errorCode: '10000003', errorDes: expect.any(String) });
    expect(sim.state().logins).toEqual({ total: 1, failed: 1, byUser: { [USER]: 1 } });
  });

  it('locks the account after 5 failed logins in a row, refusing even the right key', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await dcs.login(USER, `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await dcs.login();
    expect(locked.status).toBe(403);
    expect(locked.body.errorCode).toBe('10100116');
    expect(locked.headers.get('x-auth-token')).toBeNull();
    expect(sim.state().logins).toEqual({ total: 6, failed: 6, byUser: { [USER]: 6 } });
  });

  it('forgets failures after a successful login and unlocks after lockSeconds', async () => {
    const sim = await startSim({ faults: { lockAfterFailures: 2, lockSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    expect((await dcs.login(USER, 'wrong')).status).toBe(401);
    expect((await dcs.login()).status).toBe(200);
    expect((await dcs.login(USER, 'wrong')).status).toBe(401);
    expect((await dcs.login(USER, 'wrong')).status).toBe(401);
    // lockSeconds 0: the lock has already run out, so the right key works again.
    expect((await dcs.login()).status).toBe(200);
  });

  it('answers 401 10000002 for a missing, unknown or expired token', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).body.errorCode).toBe('10000002');
    dcs.token = 'not-a-token';
    const unknown = await dcs.call('GET', `${SITE_URI}/clusters`);
    expect(unknown).toMatchObject({ status: 401, body: { errorCode: '10000002' } });

    await dcs.login();
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).status).toBe(200);
    sim.setFaults({ expireSessions: true });
    const expired = await dcs.call('GET', `${SITE_URI}/clusters`);
    expect(expired).toMatchObject({ status: 401, body: { errorCode: '10000002' } });
    expect(sim.state().sessions).toEqual([]);
    // A new login after the expiry works as usual.
    await dcs.login();
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).status).toBe(200);
  });

  it('logs out: the token stops working', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    expect(sim.state().sessions).toHaveLength(1);
    expect((await dcs.call('DELETE', '/service/session')).status).toBe(200);
    expect(sim.state().sessions).toHaveLength(0);
    expect((await dcs.call('GET', '/service/sites')).status).toBe(401);
  });

  it('refuses a user type that does not match the account', async () => {
    const sim = await startSim();
    const answer = await new DcsHttp(sim.url).login(USER, PASSWORD, { 'X-Auth-UserType': '0' });
    expect(answer).toMatchObject({ status: 401, body: { errorCode: '10000003' } });
  });
});
