import { describe, expect, it } from 'vitest';
import { HcsHttp, simJson, startSim } from './support/hcs-http.js';

/** Polls `probe` until it returns true; the test's own timeout bounds the wait, nothing is timed. */
async function eventually(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function buildLoadBalancer(hcs: HcsHttp) {
  const base = `/v3/${hcs.project}/elb`;
  const { subnets } = await hcs.inventoryIds();
  const lb = (
    await hcs.ok('POST', `${base}/loadbalancers`, {
      loadbalancer: {
        name: 'cp',
        vip_subnet_cidr_id: subnets[0].neutron_subnet_id,
        elb_virsubnet_ids: [subnets[0].neutron_network_id],
        availability_zone_list: ['az1'],
      },
    })
  ).loadbalancer;
  const listener = (
    await hcs.ok('POST', `${base}/listeners`, {
      listener: { name: 'cp-6443', protocol: 'TCP', protocol_port: 6443, loadbalancer_id: lb.id },
    })
  ).listener;
  const pool = (
    await hcs.ok('POST', `${base}/pools`, {
      pool: { name: 'cp-pool', protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', listener_id: listener.id },
    })
  ).pool;
  const member = (
    await hcs.ok('POST', `${base}/pools/${pool.id}/members`, {
      member: { address: '192.168.10.30', protocol_port: 6443, subnet_cidr_id: subnets[0].neutron_subnet_id },
    })
  ).member;
  return { base, lb, listener, pool, member };
}

describe('createLagSeconds (eventually consistent creates)', () => {
  it('a server, a volume and the ELB parts are missing from lists and GET until the lag has passed', async () => {
    // A lag far longer than the test: the resources are hidden however slow the machine is.
    const sim = await startSim({ faults: { jobSeconds: 0.02, createLagSeconds: 3600 } });
    const hcs = new HcsHttp(sim);
    const p = sim.projectId;

    const { job, serverIds } = await hcs.createServer({ name: 'lagging-node' });
    expect(job.status).toBe('SUCCESS');
    const created = await hcs.ok('POST', `/v2/${p}/cloudvolumes`, {
      volume: { name: 'lagging-volume', size: 10, volume_type: 'SSD', availability_zone: 'az1' },
    });
    expect((await hcs.waitJob(created.job_id)).status).toBe('SUCCESS');
    const volumeId = created.volume_ids[0];
    const { base, listener, pool, member } = await buildLoadBalancer(hcs);

    // The jobs said SUCCESS, yet reads do not show the resources.
    expect((await hcs.ok('GET', `/v1/${p}/cloudservers/detail?name=lagging-node`)).count).toBe(0);
    expect((await hcs.call('GET', `/v1/${p}/cloudservers/${serverIds[0]}`)).body).toMatchObject({
      error: { code: 'Ecs.0114' },
    });
    expect((await hcs.ok('GET', `/v2/${p}/cloudvolumes/detail?name=lagging-volume`)).count).toBe(0);
    expect((await hcs.call('GET', `/v2/${p}/cloudvolumes/${volumeId}`)).status).toBe(404);
    expect((await hcs.ok('GET', `${base}/listeners?name=cp-6443`)).listeners).toEqual([]);
    expect((await hcs.call('GET', `${base}/pools/${pool.id}`)).status).toBe(404);
    expect((await hcs.ok('GET', `${base}/pools/${pool.id}/members`)).members).toEqual([]);
    // The platform side has them all.
    const state = sim.state();
    expect(state.servers.map((s) => s.id)).toContain(serverIds[0]);
    expect(state.members.map((m) => m.id)).toEqual([member.id]);

    // Shorten the lag: everything appears once it has passed (the member, made last, last), and stays.
    sim.setFaults({ jobSeconds: 0.02, createLagSeconds: 0.1 });
    await eventually(
      async () => (await hcs.ok('GET', `${base}/pools/${pool.id}/members`)).members.length === 1,
    );
    expect((await hcs.ok('GET', `/v1/${p}/cloudservers/detail?name=lagging-node`)).count).toBe(1);
    expect((await hcs.ok('GET', `/v2/${p}/cloudvolumes/detail?name=lagging-volume`)).count).toBe(1);
    expect((await hcs.ok('GET', `${base}/listeners?name=cp-6443`)).listeners[0].id).toBe(listener.id);
    expect((await hcs.ok('GET', `${base}/pools/${pool.id}`)).pool.id).toBe(pool.id);
    expect((await hcs.ok('GET', `${base}/pools/${pool.id}/members`)).members[0].id).toBe(member.id);
    sim.setFaults({ jobSeconds: 0.02, createLagSeconds: 3600 });
    expect((await hcs.ok('GET', `/v1/${p}/cloudservers/detail?name=lagging-node`)).count).toBe(1);
  });

  it('with createLagHidesGet false, GET by id answers during the lag while lists still do not', async () => {
    const sim = await startSim({
      faults: { jobSeconds: 0.02, createLagSeconds: 3600, createLagHidesGet: false },
    });
    const hcs = new HcsHttp(sim);
    const { serverIds } = await hcs.createServer({ name: 'readable-node' });
    expect((await hcs.ok('GET', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}`)).server.name).toBe(
      'readable-node',
    );
    expect((await hcs.ok('GET', `/v1/${sim.projectId}/cloudservers/detail?name=readable-node`)).count).toBe(
      0,
    );
  });
});

describe('lostReplyRate', () => {
  it('a member create whose reply is lost fails on the socket, yet the member exists and is counted', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { base, pool } = await buildLoadBalancer(hcs);
    sim.setFaults({ jobSeconds: 0.02, lostReplyRate: 1 });
    const lost = hcs.call('POST', `${base}/pools/${pool.id}/members`, {
      member: { address: '192.168.10.31', protocol_port: 6443 },
    });
    await expect(lost).rejects.toThrow(/fetch failed/);
    const state = (await simJson(sim, '/_sim/state')).body;
    expect(state.members.map((m: { address: string }) => m.address)).toContain('192.168.10.31');
    expect(state.creates).toMatchObject({ loadBalancers: 1, listeners: 1, pools: 1, members: 2 });
    // Reads are answered as usual.
    expect((await hcs.ok('GET', `${base}/pools/${pool.id}/members`)).members).toHaveLength(2);
  });

  it('a refused change is answered, not lost, and IAM token requests are never lost', async () => {
    const sim = await startSim({ faults: { lostReplyRate: 1 } });
    const hcs = new HcsHttp(sim);
    expect((await hcs.call('POST', `/v2/${sim.projectId}/cloudvolumes`, { volume: {} })).status).toBe(400);
    const token = await fetch(`${sim.url}/v3/auth/tokens`, {
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
    expect(token.status).toBeLessThan(500);
  });
});

describe('rateLimit and throttleRate', () => {
  it('a burst beyond the rate answers 429 APIGW.0308 with Retry-After, and is served after waiting', async () => {
    const sim = await startSim({
      inventory: {
        users: [
          { name: 'cluster-api', password: 'Huawei@123' },
          { name: 'operator', password: 'Other@123' },
        ],
        accessKeys: [
          { accessKey: 'HCSSIMACCESSKEY00001', secretKey: 'hcs-sim-secret-key-00001', user: 'cluster-api' },
          { accessKey: 'HCSSIMACCESSKEY00002', secretKey: 'hcs-sim-secret-key-00002', user: 'operator' },
        ],
      },
      faults: { jobSeconds: 0.02, rateLimit: { requestsPerSecond: 2, burst: 3 } },
    });
    const hcs = new HcsHttp(sim);
    const list = `/v1/${sim.projectId}/cloudservers/detail`;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await hcs.call('GET', list));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    const throttled = answers[3];
    expect(throttled?.status).toBe(429);
    expect(throttled?.body).toMatchObject({ error_code: 'APIGW.0308' });
    const retryAfter = Number(throttled?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    // Another user has a bucket of its own.
    const other = new HcsHttp(sim, 'HCSSIMACCESSKEY00002', 'hcs-sim-secret-key-00002');
    expect((await other.call('GET', list)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await hcs.call('GET', list)).status).toBe(200);
  });

  it('throttleRate answers 429 with Retry-After', async () => {
    const sim = await startSim({ faults: { throttleRate: 1 } });
    const answer = await new HcsHttp(sim).call('GET', `/v1/${sim.projectId}/cloudservers/detail`);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');
  });
});

describe('create counters', () => {
  it('sim.state().creates counts servers, volumes and ELB parts made by create calls', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    await hcs.createServer({ name: 'a', count: 2 });
    await buildLoadBalancer(hcs);
    expect(sim.state().creates).toEqual({
      servers: 2,
      volumes: 0,
      loadBalancers: 1,
      listeners: 1,
      pools: 1,
      members: 1,
    });
  });
});
