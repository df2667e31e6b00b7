import { describe, expect, it } from 'vitest';
import { HcsHttp, simJson, startSim } from './support/hcs-http.js';

describe('ECS, EVS and ELB behaviour', () => {
  it('runs a create job to SUCCESS with a fixed IP, then deletes it', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { job, serverIds } = await hcs.createServer({
      nics: [{ subnet_id: (await hcs.inventoryIds()).subnets[0].id, ip_address: '192.168.10.20' }],
    });
    expect(job.status).toBe('SUCCESS');
    expect(job.entities.sub_jobs[0].entities.server_id).toBe(serverIds[0]);
    const shown = await hcs.ok('GET', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}`);
    expect(shown.server.status).toBe('ACTIVE');
    const again = await hcs.call('POST', `/v1/${sim.projectId}/cloudservers`, {
      server: {
        ...(await baseServer(hcs)),
        nics: [{ subnet_id: (await hcs.inventoryIds()).subnets[0].id, ip_address: '192.168.10.20' }],
      },
    });
    expect(again.body).toMatchObject({ error: { code: 'Ecs.0010' } });
    const deleted = await hcs.ok('POST', `/v1/${sim.projectId}/cloudservers/delete`, {
      servers: [{ id: serverIds[0] }],
      delete_volume: true,
    });
    expect((await hcs.waitJob(deleted.job_id)).status).toBe('SUCCESS');
    const missing = await hcs.call('GET', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Ecs.0114');
    expect(sim.state().volumes).toHaveLength(0);
  });

  it('stops a server (os-stop) and starts it again (os-start), each as a job', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { serverIds } = await hcs.createServer({});
    const action = (body: unknown) => hcs.ok('POST', `/v1/${sim.projectId}/cloudservers/action`, body);
    const stopped = await action({ 'os-stop': { type: 'SOFT', servers: [{ id: serverIds[0] }] } });
    expect((await hcs.waitJob(stopped.job_id)).status).toBe('SUCCESS');
    const shown = await hcs.ok('GET', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}`);
    expect(shown.server.status).toBe('SHUTOFF');
    expect(shown.server['OS-EXT-STS:vm_state']).toBe('stopped');
    const started = await action({ 'os-start': { servers: [{ id: serverIds[0] }] } });
    expect((await hcs.waitJob(started.job_id)).status).toBe('SUCCESS');
    expect((await hcs.ok('GET', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}`)).server.status).toBe(
      'ACTIVE',
    );
    const unknown = await hcs.call('POST', `/v1/${sim.projectId}/cloudservers/action`, {
      'os-stop': { servers: [{ id: 'no-such-server' }] },
    });
    expect(unknown.body).toMatchObject({ error: { code: 'Ecs.0114' } });
  });

  it('renames a volume (PUT cloudvolumes/{id}) and refuses an empty update', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { serverIds } = await hcs.createServer({ data_volumes: [{ volumetype: 'SSD', size: 10 }] });
    const data = sim
      .state()
      .volumes.find((v) => v.attachments[0]?.server_id === serverIds[0] && v.bootable === 'false');
    const renamed = await hcs.ok('PUT', `/v2/${sim.projectId}/cloudvolumes/${data?.id}`, {
      volume: { name: 'kept-disk' },
    });
    expect(renamed.volume).toMatchObject({ id: data?.id, name: 'kept-disk', status: 'in-use' });
    const empty = await hcs.call('PUT', `/v2/${sim.projectId}/cloudvolumes/${data?.id}`, { volume: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('EVS.1001');
  });

  it('fails the job of a third anti-affinity member on a zone with two hosts and rolls it back', async () => {
    const sim = await startSim({ inventory: { availabilityZones: [{ name: 'az1', hosts: 2 }] } });
    const hcs = new HcsHttp(sim);
    const group = await hcs.ok('POST', `/v1/${sim.projectId}/cloudservers/os-server-groups`, {
      server_group: { name: 'cp', policies: ['anti-affinity'] },
    });
    const hints = { 'os:scheduler_hints': { group: group.server_group.id } };
    expect((await hcs.createServer({ name: 'cp-1', ...hints })).job.status).toBe('SUCCESS');
    expect((await hcs.createServer({ name: 'cp-2', ...hints })).job.status).toBe('SUCCESS');
    const third = await hcs.createServer({ name: 'cp-3', ...hints });
    expect(third.job.status).toBe('FAIL');
    expect(third.job.fail_reason).toContain('No valid host');
    expect(
      sim
        .state()
        .servers.map((s) => s.name)
        .sort(),
    ).toEqual(['cp-1', 'cp-2']);
  });

  it('refuses a create over the instance quota with Ecs.0001', async () => {
    const sim = await startSim();
    await simJson(sim, '/_sim/quotas', { instances: 0 });
    const hcs = new HcsHttp(sim);
    const answer = await hcs.call('POST', `/v1/${sim.projectId}/cloudservers`, {
      server: await baseServer(hcs),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Ecs.0001');
    expect(answer.body.error.message).toContain('Insufficient ECS');
  });

  it('injects per-operation errors and job failures', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    sim.setFaults({
      jobSeconds: 0.02,
      operationErrors: [{ operation: 'ecs.listServers', status: 503, code: 'Ecs.0002', times: 1 }],
      jobFailures: [{ jobType: 'createServer', code: 'Ecs.0002', times: 1 }],
    });
    expect((await hcs.call('GET', `/v1/${sim.projectId}/cloudservers/detail`)).body).toEqual({
      error: { code: 'Ecs.0002', message: 'injected fault' },
    });
    expect((await hcs.call('GET', `/v1/${sim.projectId}/cloudservers/detail`)).status).toBe(200);
    const failed = await hcs.createServer({});
    expect(failed.job).toMatchObject({ status: 'FAIL', error_code: 'Ecs.0002' });
    expect((await hcs.createServer({})).job.status).toBe('SUCCESS');
  });

  it('creates a volume, attaches it, detaches it, deletes it', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { serverIds } = await hcs.createServer({});
    const created = await hcs.ok('POST', `/v2/${sim.projectId}/cloudvolumes`, {
      volume: { name: 'etcd', size: 20, volume_type: 'SSD', availability_zone: 'az1' },
    });
    expect((await hcs.waitJob(created.job_id)).status).toBe('SUCCESS');
    const volumeId = created.volume_ids[0];
    const attach = await hcs.ok('POST', `/v1/${sim.projectId}/cloudservers/${serverIds[0]}/attachvolume`, {
      volumeAttachment: { volumeId },
    });
    expect((await hcs.waitJob(attach.job_id)).status).toBe('SUCCESS');
    const inUse = await hcs.ok('GET', `/v2/${sim.projectId}/cloudvolumes/${volumeId}`);
    expect(inUse.volume).toMatchObject({
      status: 'in-use',
      attachments: [{ server_id: serverIds[0], device: '/dev/vdb' }],
    });
    const busy = await hcs.call('DELETE', `/v2/${sim.projectId}/cloudvolumes/${volumeId}`);
    expect(busy.status).toBe(400);
    const detach = await hcs.ok(
      'DELETE',
      `/v1/${sim.projectId}/cloudservers/${serverIds[0]}/detachvolume/${volumeId}`,
    );
    expect((await hcs.waitJob(detach.job_id)).status).toBe('SUCCESS');
    const gone = await hcs.ok('DELETE', `/v2/${sim.projectId}/cloudvolumes/${volumeId}`);
    expect((await hcs.waitJob(gone.job_id)).status).toBe('SUCCESS');
  });

  it('builds and tears down a control plane load balancer', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { subnets } = await hcs.inventoryIds();
    const base = `/v3/${sim.projectId}/elb`;
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
    expect(lb.vip_address).toMatch(/^192\.168\.10\./);
    const listener = (
      await hcs.ok('POST', `${base}/listeners`, {
        listener: { protocol: 'TCP', protocol_port: 6443, loadbalancer_id: lb.id },
      })
    ).listener;
    const pool = (
      await hcs.ok('POST', `${base}/pools`, {
        pool: { protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', listener_id: listener.id },
      })
    ).pool;
    await hcs.ok('POST', `${base}/healthmonitors`, {
      healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 5, timeout: 3, max_retries: 3 },
    });
    const member = (
      await hcs.ok('POST', `${base}/pools/${pool.id}/members`, {
        member: {
          address: '192.168.10.30',
          protocol_port: 6443,
          subnet_cidr_id: subnets[0].neutron_subnet_id,
        },
      })
    ).member;
    const inUse = await hcs.call('DELETE', `${base}/loadbalancers/${lb.id}`);
    expect(inUse.status).toBe(409);
    await simJson(sim, '/_sim/quotas', { members: 1 });
    const over = await hcs.call('POST', `${base}/pools/${pool.id}/members`, {
      member: { address: '192.168.10.31', protocol_port: 6443 },
    });
    expect(over.status).toBe(403);
    expect(over.body.error_msg).toContain('Quota exceeded');
    await hcs.ok('DELETE', `${base}/pools/${pool.id}/members/${member.id}`);
    const monitors = (await hcs.ok('GET', `${base}/healthmonitors`)).healthmonitors;
    await hcs.ok('DELETE', `${base}/healthmonitors/${monitors[0].id}`);
    await hcs.ok('DELETE', `${base}/pools/${pool.id}`);
    await hcs.ok('DELETE', `${base}/listeners/${listener.id}`);
    await hcs.ok('DELETE', `${base}/loadbalancers/${lb.id}`);
    expect(sim.state().loadBalancers).toHaveLength(0);
  });

  it('holds the fixed L4/L7 backend addresses of a load balancer until it is deleted', async () => {
    const sim = await startSim();
    const hcs = new HcsHttp(sim);
    const { subnets } = await hcs.inventoryIds();
    const base = `/v3/${sim.projectId}/elb`;
    const network = subnets[0].neutron_network_id;
    const create = (l4: string[], l7: string[]) =>
      hcs.call('POST', `${base}/loadbalancers`, {
        loadbalancer: {
          vip_subnet_cidr_id: subnets[0].neutron_subnet_id,
          elb_virsubnet_ids: [network],
          elb_virsubnet_l4_ips: [{ network_id: network, ips: l4 }],
          elb_virsubnet_l7_ips: [{ network_id: network, ips: l7 }],
          availability_zone_list: ['az1'],
        },
      });

    const outside = await create(['192.168.10.40'], ['10.9.9.9']);
    expect(outside.status).toBe(400);
    expect(outside.body.error_msg).toContain(
      'loadbalancer.elb_virsubnet_l7_ips[0].ips: 10.9.9.9 is not in subnet',
    );
    const twice = await create(['192.168.10.40'], ['192.168.10.40']);
    expect(twice.status).toBe(409);
    expect(sim.state().loadBalancers).toHaveLength(0);

    const first = await create(['192.168.10.40', '192.168.10.41'], ['192.168.10.42']);
    expect(first.status).toBe(201);
    expect(first.body.loadbalancer.elb_virsubnet_l4_ips).toEqual([
      { network_id: network, ips: ['192.168.10.40', '192.168.10.41'] },
    ]);
    const shown = await hcs.ok('GET', `${base}/loadbalancers/${first.body.loadbalancer.id}`);
    expect(shown.loadbalancer.elb_virsubnet_l7_ips).toEqual([
      { network_id: network, ips: ['192.168.10.42'] },
    ]);
    // The refused requests above took no address: .40 went to the first load balancer.
    const taken = await create(['192.168.10.41'], ['192.168.10.43']);
    expect(taken.status).toBe(409);
    expect(taken.body.error_msg).toContain('192.168.10.41 is already in use');

    await hcs.ok('DELETE', `${base}/loadbalancers/${first.body.loadbalancer.id}`);
    expect((await create(['192.168.10.41'], ['192.168.10.42'])).status).toBe(201);
  });
});

async function baseServer(hcs: HcsHttp) {
  const ids = await hcs.inventoryIds();
  return {
    name: 'node',
    imageRef: ids.image.id,
    flavorRef: 's6.large.2',
    vpcid: ids.vpc.id,
    nics: [{ subnet_id: ids.subnets[0].id }],
    root_volume: { volumetype: 'SSD' },
    availability_zone: 'az1',
  };
}
