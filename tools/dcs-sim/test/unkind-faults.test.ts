import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { defaultInventory } from '../src/index.js';
import { DcsHttp, getJson, SITE, SITE_URI, startSim } from './support/dcs-http.js';

/** Polls `probe` until it returns true; the test's own timeout bounds the wait, nothing is timed. */
async function eventually(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Sends one request through node:http and reports how it ended: a status, or the socket error. */
function rawOutcome(url: string, method: string, token: string, body: unknown): Promise<string> {
  return new Promise((resolve) => {
    const text = JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(text),
          'X-Auth-Token': token,
        },
      },
      (res) => resolve(`status ${res.statusCode}`),
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
    req.end(text);
  });
}

describe('createLagSeconds (eventually consistent creates)', () => {
  it('a cloned VM and a new volume are missing from lists and GET until the lag has passed', async () => {
    // A lag far longer than the test: the object is hidden however slow the machine is.
    const sim = await startSim({ faults: { createLagSeconds: 3600 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();

    const vmUri = await dcs.cloneVm('lagging-vm');
    const volume = await dcs.change('POST', `${SITE_URI}/volumes`, {
      name: 'lagging-volume',
      quantityGB: 10,
      datastoreUrn: `urn:sites:${SITE}:datastores:1`,
    });
    // The tasks said success, yet reads do not show the objects.
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=lagging-vm`)).total).toBe(0);
    expect((await dcs.ok('GET', `${SITE_URI}/volumes?name=lagging-volume`)).total).toBe(0);
    expect((await dcs.call('GET', vmUri)).status).toBe(404);
    expect(await dcs.call('GET', volume.uri)).toMatchObject({ status: 404, body: { errorCode: '10420004' } });
    // The platform side has them.
    const state = sim.state();
    expect(state.vms.map((vm) => vm.name)).toContain('lagging-vm');
    expect(state.volumes.map((v) => v.name)).toContain('lagging-volume');

    // Shorten the lag: both appear once it has passed (the volume, made last, last), and stay.
    sim.setFaults({ createLagSeconds: 0.1 });
    await eventually(
      async () => (await dcs.ok('GET', `${SITE_URI}/volumes?name=lagging-volume`)).total === 1,
    );
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=lagging-vm`)).total).toBe(1);
    expect((await dcs.call('GET', vmUri)).status).toBe(200);
    sim.setFaults({ createLagSeconds: 3600 });
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=lagging-vm`)).total).toBe(1);
  });

  it('with createLagHidesGet false, GET by URI answers during the lag while lists still do not', async () => {
    const sim = await startSim({ faults: { createLagSeconds: 3600, createLagHidesGet: false } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const vmUri = await dcs.cloneVm('readable-vm');
    expect((await dcs.ok('GET', vmUri)).name).toBe('readable-vm');
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=readable-vm`)).total).toBe(0);
  });
});

describe('lostReplyRate', () => {
  it('a clone whose reply is lost fails on the socket, yet the VM exists and is counted', async () => {
    const sim = await startSim({ faults: { lostReplyRate: 1 } });
    const dcs = new DcsHttp(sim.url);
    // Logins are never lost.
    expect((await dcs.login()).status).toBe(200);
    const outcome = await rawOutcome(
      `${sim.url}${SITE_URI}/vms/i-00000002/action/clone`,
      'POST',
      dcs.token ?? '',
      { name: 'orphan', location: `urn:sites:${SITE}:clusters:11` },
    );
    expect(outcome).toMatch(/^error /);
    const state = (await getJson(`${sim.url}/_sim/state`)).body;
    expect(state.vms.map((vm: { name: string }) => vm.name)).toContain('orphan');
    expect(state.creates).toEqual({ vms: 1, volumes: 0 });
    // Reads are answered as usual.
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=orphan`)).total).toBe(1);
  });

  it('a refused change is answered, not lost: the platform did nothing', async () => {
    const sim = await startSim({ faults: { lostReplyRate: 1 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    expect((await dcs.call('POST', `${SITE_URI}/volumes`, { name: 'no-size' })).status).toBe(400);
  });
});

describe('rateLimit and throttleRate', () => {
  it('a burst beyond the rate answers 429 SIM.0429 with Retry-After, and is served after waiting', async () => {
    const inventory = defaultInventory();
    inventory.users = [...(inventory.users ?? []), { name: 'operator', password: 'Other@123', userType: 2 }];
    const sim = await startSim({ inventory, faults: { rateLimit: { requestsPerSecond: 2, burst: 3 } } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await dcs.call('GET', `${SITE_URI}/clusters`));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    const throttled = answers[3];
    expect(throttled?.status).toBe(429);
    expect(throttled?.body).toMatchObject({ errorCode: 'SIM.0429' });
    const retryAfter = Number(throttled?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    // Logins carry no user yet and are never throttled; another user has a bucket of its own.
    const other = new DcsHttp(sim.url);
    expect((await other.login('operator', 'Other@123')).status).toBe(200);
    expect((await other.call('GET', `${SITE_URI}/clusters`)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await dcs.call('GET', `${SITE_URI}/clusters`)).status).toBe(200);
  });

  it('throttleRate answers 429 with Retry-After on a share of non-login calls', async () => {
    const sim = await startSim({ faults: { throttleRate: 1 } });
    const dcs = new DcsHttp(sim.url);
    expect((await dcs.login()).status).toBe(200);
    const answer = await dcs.call('GET', `${SITE_URI}/clusters`);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');
  });
});

describe('create counters', () => {
  it('sim.state().creates counts clones and volume creates', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    expect(sim.state().creates).toEqual({ vms: 0, volumes: 0 });
    await dcs.cloneVm('counted-1');
    await dcs.cloneVm('counted-2');
    await dcs.change('POST', `${SITE_URI}/volumes`, {
      name: 'counted-volume',
      quantityGB: 1,
      datastoreUrn: `urn:sites:${SITE}:datastores:1`,
    });
    expect(sim.state().creates).toEqual({ vms: 2, volumes: 1 });
  });
});
