import { isPlatformFailure, type PlatformFailure } from '@immutable-infra/core';
import type { HcsSimulator } from '@immutable-infra/hcs-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHcsFailure, type HcsClient, hcsFailureReason } from '../../src/cloud/index.js';
import { clientFor, network, settle, startSimulator, succeeded } from './simulator.js';

let sim: HcsSimulator;
let cloud: HcsClient;

beforeAll(async () => {
  sim = await startSimulator();
  cloud = clientFor(sim);
});

afterAll(async () => {
  await sim?.close();
});

/** The failure of a call HCS answered with an error: a PlatformFailure with the answer's status. */
async function refusal(promise: Promise<unknown>): Promise<PlatformFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPlatformFailure(error) || error.details.httpStatus === undefined)
    throw new Error(`expected a refusal from HCS, got ${String(error)}`);
  return error;
}

async function serverRequest(name: string, ip?: string, group?: string) {
  const { vpc, controlPlane, group: sg } = await network(cloud);
  const image = await cloud.findImage('microos-k8s-1.34.1');
  const flavor = (await cloud.listFlavors()).find((f) => f.name === 's6.large.2');
  if (!image || !flavor) throw new Error('image or flavor missing');
  return {
    name,
    imageRef: image.id,
    flavorRef: flavor.id,
    vpcid: vpc.id,
    nics: [{ subnet_id: controlPlane.id, ...(ip ? { ip_address: ip } : {}) }],
    root_volume: { volumetype: 'SSD', size: 40 },
    data_volumes: [{ volumetype: 'SSD', size: 10 }],
    availability_zone: 'az1',
    security_groups: [{ id: sg.id }],
    key_name: 'cluster-key',
    user_data: Buffer.from('#cloud-config\nhostname: a\n').toString('base64'),
    metadata: { 'iinfra-owner': name },
    ...(group ? { 'os:scheduler_hints': { group } } : {}),
  };
}

describe('the HCS client against hcs-sim', () => {
  it('signs every request with the access key: projects, VPCs, subnets, images, flavors, zones', async () => {
    const projects = await cloud.listAuthProjects();
    expect(projects.map((p) => p.id)).toContain(sim.projectId);
    const { vpc, controlPlane } = await network(cloud);
    expect(vpc.cidr).toBe('192.168.0.0/16');
    expect(controlPlane.cidr).toBe('192.168.10.0/24');
    expect(controlPlane.neutron_subnet_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await cloud.findImage('microos-k8s-1.34.1')).toMatchObject({ min_disk: 40 });
    expect(await cloud.findImage('no-such-image')).toBeUndefined();
    expect(await cloud.listAvailabilityZones()).toEqual(['az1']);
    expect(sim.state().auth.signatureFailures).toBe(0);
  });

  it('turns a wrong secret key into AuthenticationFailed with the gateway code, never echoing the key', async () => {
    const bad = clientFor(sim, { secretKey: 'not-the-secret-key-9876' });
    const error = await refusal(bad.listVpcs());
    expect(error.details.httpStatus).toBe(401);
    expect(error.details.platformCode).toBe('APIGW.0301');
    expect(error.kind).toBe('LoginRefused');
    expect(hcsFailureReason(error)).toBe('AuthenticationFailed');
    expect(error.message).not.toContain('not-the-secret-key-9876');
    const otherProject = await refusal(
      clientFor(sim, { projectId: '0123456789abcdef0123456789abcdef' }).listSubnets('x'),
    );
    expect(otherProject.kind).toBe('LoginRefused');
    expect(hcsFailureReason(otherProject)).toBe('ProjectUnavailable');
  });

  it('creates a server with user data and a fixed IP, polls its job to SUCCESS, finds it by exact name, deletes it', async () => {
    const created = await cloud.createServer(await serverRequest('client-srv', '192.168.10.50'));
    expect(created.serverIds).toHaveLength(1);
    // The server is visible as soon as the create answers; whether its 20 ms job has finished by
    // then depends on the machine's load, so either state is right here.
    const building = await cloud.getServer(created.serverIds[0] as string);
    expect(building.id).toBe(created.serverIds[0]);
    expect(['BUILD', 'ACTIVE']).toContain(building.status);
    await succeeded(cloud, created.jobId);
    // `name` is a pattern on ECS: a longer name must not match.
    await cloud.createServer(await serverRequest('client-srv-2')).then((r) => succeeded(cloud, r.jobId));
    const found = await cloud.findServersByName('client-srv');
    expect(found).toHaveLength(1);
    const server = found[0];
    expect(server?.status).toBe('ACTIVE');
    expect(
      Object.values(server?.addresses ?? {})
        .flat()
        .map((a) => a.addr),
    ).toEqual(['192.168.10.50']);
    expect(server?.metadata['iinfra-owner']).toBe('client-srv');
    expect(server?.['os-extended-volumes:volumes_attached']).toHaveLength(2);
    const raw = sim.state().servers.find((s) => s.id === server?.id);
    expect(Buffer.from(raw?.['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString()).toContain(
      'hostname: a',
    );

    const taken = await refusal(cloud.createServer(await serverRequest('client-dup', '192.168.10.50')));
    expect(taken.details.platformCode).toBe('Ecs.0010');
    expect(taken.kind).toBe('Conflict');

    const ids = [...found, ...(await cloud.findServersByName('client-srv-2'))].map((s) => s.id);
    await succeeded(cloud, (await cloud.deleteServers(ids, true)).jobId);
    expect(await cloud.findServersByName('client-srv')).toEqual([]);
    const missing = await refusal(cloud.getServer(ids[0] as string));
    expect(missing.details.platformCode).toBe('Ecs.0114');
    // Messages name the path with the project as a placeholder.
    expect(missing.details.operation).toBe(`GET /v1/{project_id}/cloudservers/${ids[0]}`);
    expect(missing.message).not.toContain(sim.projectId);
    expect(missing.kind).toBe('NotFound');
  });

  it('reports a failed job with its code: the anti-affinity member that fits on no host', async () => {
    const group = await cloud.createServerGroup('client-aa', 'anti-affinity');
    expect((await cloud.listServerGroups()).map((g) => g.name)).toContain('client-aa');
    const outcomes = [];
    for (const n of [1, 2, 3, 4]) {
      const { jobId } = await cloud.createServer(await serverRequest(`client-aa-${n}`, undefined, group.id));
      outcomes.push(await settle(cloud, jobId));
    }
    expect(outcomes.slice(0, 3).map((o) => o.state)).toEqual(['success', 'success', 'success']);
    expect(outcomes[3]).toMatchObject({ state: 'failed', code: 'Ecs.0000' });
    expect(outcomes[3]?.state === 'failed' && outcomes[3].reason).toMatch(/No valid host/);
    // A failed create rolls back: no server, no disks.
    expect(await cloud.findServersByName('client-aa-4')).toEqual([]);
    const ids = (await Promise.all([1, 2, 3].map((n) => cloud.findServersByName(`client-aa-${n}`))))
      .flat()
      .map((s) => s.id);
    await succeeded(cloud, (await cloud.deleteServers(ids, true)).jobId);
    await cloud.deleteServerGroup(group.id);
    expect((await cloud.listServerGroups()).map((g) => g.name)).not.toContain('client-aa');
  });

  it('says QuotaExceeded with the cloud code and the numbers when a quota is full', async () => {
    sim.setQuotas({ instances: 0 });
    try {
      const error = await refusal(cloud.createServer(await serverRequest('client-quota')));
      expect(error.details.platformCode).toBe('Ecs.0001');
      expect(error.kind).toBe('QuotaExceeded');
      expect(describeHcsFailure(error)).toMatch(
        /^HCS POST \/v1\/\{project_id\}\/cloudservers answered 400 Ecs.0001: .*instances: \d+ of 0 used/,
      );
    } finally {
      sim.setQuotas({ instances: 50 });
    }
    sim.setQuotas({ loadBalancers: 0 });
    try {
      const { controlPlane } = await network(cloud);
      const error = await refusal(
        cloud.createLoadBalancer({
          name: 'client-lb-quota',
          vip_subnet_cidr_id: controlPlane.neutron_subnet_id,
          availability_zone_list: ['az1'],
        }),
      );
      expect([error.details.platformCode, error.kind]).toEqual(['ELB.1004', 'QuotaExceeded']);
    } finally {
      sim.setQuotas({ loadBalancers: 10 });
    }
  });

  it('creates an EVS volume, attaches it to a server, detaches it, and deletes it, each as a job', async () => {
    const { jobId, serverIds } = await cloud.createServer(await serverRequest('client-evs'));
    await succeeded(cloud, jobId);
    const serverId = serverIds[0] as string;
    const volume = await cloud.createVolume({
      name: 'client-pd-0',
      size: 20,
      volume_type: 'SSD',
      availability_zone: 'az1',
      metadata: { 'iinfra-pool': 'p' },
    });
    expect((await cloud.findVolumesByName('client-pd-0')).map((v) => v.id)).toEqual(volume.volumeIds);
    await succeeded(cloud, volume.jobId);
    const volumeId = volume.volumeIds[0] as string;
    expect((await cloud.getVolume(volumeId)).status).toBe('available');

    await succeeded(cloud, (await cloud.attachVolume(serverId, volumeId)).jobId);
    const attached = await cloud.getVolume(volumeId);
    expect(attached.status).toBe('in-use');
    expect(attached.attachments[0]?.server_id).toBe(serverId);
    const busy = await refusal(cloud.deleteVolume(volumeId));
    expect(busy.details.platformCode).toBe('EVS.1003');

    await succeeded(cloud, (await cloud.detachVolume(serverId, volumeId)).jobId);
    expect((await cloud.getVolume(volumeId)).status).toBe('available');
    await succeeded(cloud, (await cloud.deleteServers([serverId], true)).jobId);
    // Detached before the server went: it outlives it.
    expect((await cloud.getVolume(volumeId)).status).toBe('available');
    await succeeded(cloud, (await cloud.deleteVolume(volumeId)).jobId);
    expect(await cloud.findVolumesByName('client-pd-0')).toEqual([]);
    expect((await refusal(cloud.getVolume(volumeId))).kind).toBe('NotFound');
  });

  it('builds an ELB v3 load balancer with listener, pool, member and health monitor, and tears it down in order', async () => {
    const { vpc, controlPlane, workers } = await network(cloud);
    const lb = await cloud.createLoadBalancer({
      name: 'client-lb',
      vpc_id: vpc.id,
      vip_subnet_cidr_id: controlPlane.neutron_subnet_id,
      vip_address: '192.168.10.200',
      elb_virsubnet_ids: [workers.neutron_network_id],
      availability_zone_list: ['az1'],
    });
    expect(lb.provisioning_status).toBe('PENDING_CREATE');
    expect(lb.vip_address).toBe('192.168.10.200');
    expect((await cloud.findLoadBalancers('client-lb')).map((l) => l.id)).toEqual([lb.id]);
    const listener = await cloud.createListener({
      name: 'client-lb-6443',
      protocol: 'TCP',
      protocol_port: 6443,
      loadbalancer_id: lb.id,
    });
    const pool = await cloud.createPool({
      name: 'client-lb-6443',
      protocol: 'TCP',
      lb_algorithm: 'ROUND_ROBIN',
      listener_id: listener.id,
    });
    const monitor = await cloud.createHealthMonitor({
      name: 'client-lb-6443',
      pool_id: pool.id,
      type: 'TCP',
      delay: 5,
      timeout: 3,
      max_retries: 3,
    });
    const member = await cloud.createMember(pool.id, {
      name: 'cp-1',
      address: '192.168.10.11',
      protocol_port: 6443,
      subnet_cidr_id: controlPlane.neutron_subnet_id,
    });
    const again = await refusal(
      cloud.createMember(pool.id, { name: 'cp-1', address: '192.168.10.11', protocol_port: 6443 }),
    );
    expect([again.details.platformCode, again.kind]).toEqual(['ELB.1003', 'Conflict']);
    expect((await cloud.listListeners(lb.id)).map((l) => l.default_pool_id)).toEqual([pool.id]);
    expect((await cloud.listPools(lb.id))[0]?.healthmonitor_id).toBe(monitor.id);
    expect((await cloud.listMembers(pool.id)).map((m) => m.address)).toEqual(['192.168.10.11']);

    // The cloud refuses to strand parts: a load balancer with a listener cannot go first.
    expect((await refusal(cloud.deleteLoadBalancer(lb.id))).kind).toBe('Conflict');
    await cloud.deleteMember(pool.id, member.id);
    await cloud.deleteHealthMonitor(monitor.id);
    await cloud.deletePool(pool.id);
    await cloud.deleteListener(listener.id);
    await cloud.deleteLoadBalancer(lb.id);
    expect(await cloud.findLoadBalancers('client-lb')).toEqual([]);
    expect((await refusal(cloud.getLoadBalancer(lb.id))).details.platformCode).toBe('ELB.1002');
  });

  it('gives up on a request that is never answered with a Timeout transport error', async () => {
    const impatient = clientFor(sim, {}, { timeoutMs: 200 });
    sim.setFaults({ jobSeconds: 0.02, timeoutRate: 1 });
    try {
      const error = await impatient.listVpcs().then(
        () => undefined,
        (e: unknown) => e,
      );
      // No answer: a Timeout without an HTTP status.
      expect(isPlatformFailure(error) && [error.kind, error.details.httpStatus]).toEqual([
        'Timeout',
        undefined,
      ]);
      expect(hcsFailureReason(error)).toBe('Timeout');
    } finally {
      sim.setFaults({ jobSeconds: 0.02 });
    }
  });

  it('reports 5xx and throttling from the gateway as PlatformUnavailable and Throttled', async () => {
    sim.setFaults({ jobSeconds: 0.02, errorRate: 1 });
    try {
      const error = await refusal(cloud.listVpcs());
      expect(error.kind).toBe('PlatformError');
      expect(hcsFailureReason(error)).toBe('PlatformUnavailable');
    } finally {
      sim.setFaults({ jobSeconds: 0.02 });
    }
    sim.setFaults({ jobSeconds: 0.02, throttleRate: 1 });
    try {
      const error = await refusal(cloud.listVpcs());
      expect([error.details.httpStatus, error.details.platformCode, error.kind]).toEqual([
        429,
        'APIGW.0308',
        'Throttled',
      ]);
    } finally {
      sim.setFaults({ jobSeconds: 0.02 });
    }
  });
});
