import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DcsHttp, getJson, SITE_URI, startSim } from './support/dcs-http.js';

async function statuses(url: string, calls: number): Promise<number[]> {
  const dcs = new DcsHttp(url);
  expect((await dcs.login()).status).toBe(200);
  const seen: number[] = [];
  for (let i = 0; i < calls; i++) seen.push((await dcs.call('GET', `${SITE_URI}/clusters`)).status);
  return seen;
}

describe('faults', () => {
  it('errorRate answers 503 10000001 on non-login calls, and a seed makes the choice reproducible', async () => {
    const a = await startSim({ faults: { errorRate: 0.5, seed: 42 } });
    const b = await startSim({ faults: { errorRate: 0.5, seed: 42 } });
    const first = await statuses(a.url, 30);
    const second = await statuses(b.url, 30);
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);

    const dcs = new DcsHttp(a.url);
    await dcs.login();
    a.setFaults({ errorRate: 1 });
    const failed = await dcs.call('GET', `${SITE_URI}/clusters`);
    expect(failed).toMatchObject({ status: 503, body: { errorCode: '10000001' } });
    // Logins are never failed by errorRate, and /_sim is never faulted.
    expect((await dcs.login()).status).toBe(200);
    expect((await fetch(`${a.url}/_sim/state`)).status).toBe(200);
  });

  it('POST /_sim/faults replaces the faults at run time and rejects unknown keys', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const set = (body: unknown) =>
      getJson(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await set({ errorRate: 1 })).status).toBe(200);
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).status).toBe(503);
    expect((await set({})).body).toMatchObject({ errorRate: 0, taskSeconds: 0.2, lockAfterFailures: 5 });
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).status).toBe(200);
    const unknown = await set({ errorRatio: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errorDes).toContain('errorRatio');
  });

  it('timeoutRate leaves calls unanswered', async () => {
    const sim = await startSim({ faults: { timeoutRate: 1 } });
    const attempt = fetch(`${sim.url}/service/sites`, { signal: AbortSignal.timeout(300) });
    await expect(attempt).rejects.toThrow(/timeout|aborted/i);
  });

  it('close() does not hang on a call the timeoutRate fault never answers', async () => {
    const sim = await startSim({ faults: { timeoutRate: 1 } });
    const outcome = new Promise<string>((resolve) => {
      const req = request(`${sim.url}/service/sites`, { method: 'GET' }, () => resolve('answered'));
      req.on('error', (error) => resolve(`error: ${error.message}`));
      req.on('finish', () => {
        // The request is on the wire: closing now must still finish, dropping the connection.
        void sim.close();
      });
      req.end();
    });
    expect(await outcome).toMatch(/^error: /);
    await sim.close();
  });

  it('latencyMs still answers every call correctly', async () => {
    const sim = await startSim({ faults: { latencyMs: 20 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    expect((await dcs.ok('GET', `${SITE_URI}/clusters`)).total).toBe(2);
  });
});
