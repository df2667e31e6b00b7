import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import {
  CreateServersRequest,
  CreateServersRequestBody,
  EcsClient,
  ListServersDetailsRequest,
  PrePaidServer,
  PrePaidServerNic,
  PrePaidServerRootVolume,
  ShowJobRequest,
} from '@huaweicloud/huaweicloud-sdk-ecs';
import { describe, expect, it } from 'vitest';
import { HcsHttp, type Json, startSim } from './support/hcs-http.js';

/** Huawei Cloud's own Node.js SDK, signing with AK/SK, pointed at the simulator as the ECS endpoint. */
describe("Huawei Cloud's ECS SDK against the simulator", () => {
  it('lists and creates servers and polls the job with AK/SK signing', async () => {
    const sim = await startSim();
    const credentials = new BasicCredentials()
      .withAk(sim.accessKey)
      .withSk(sim.secretKey)
      .withProjectId(sim.projectId);
    const client = EcsClient.newBuilder().withCredential(credentials).withEndpoint(sim.url).build();

    const empty = await client.listServersDetails(new ListServersDetailsRequest());
    expect(empty.count).toBe(0);

    const ids = await new HcsHttp(sim).inventoryIds();
    const server = new PrePaidServer()
      .withName('sdk-node')
      .withImageRef(ids.image.id)
      .withFlavorRef('s6.large.2')
      .withVpcid(ids.vpc.id)
      .withNics([new PrePaidServerNic().withSubnetId(ids.subnets[0].id).withIpAddress('192.168.10.50')])
      .withRootVolume(new PrePaidServerRootVolume().withVolumetype('SSD'))
      .withAvailabilityZone('az1')
      .withUserData(Buffer.from('#cloud-config\n').toString('base64'));
    const created = await client.createServers(
      new CreateServersRequest().withBody(new CreateServersRequestBody().withServer(server)),
    );
    // The SDK keeps response fields under their wire names; its getters read other properties.
    const jobId: string = (created as Json).job_id;
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.serverIds).toHaveLength(1);

    let status = 'RUNNING';
    while (status === 'RUNNING') {
      const job = await client.showJob(new ShowJobRequest().withJobId(jobId));
      status = job.status ?? '';
    }
    expect(status).toBe('SUCCESS');

    const listed = await client.listServersDetails(new ListServersDetailsRequest().withName('sdk-node'));
    expect(listed.count).toBe(1);
    const [detail] = listed.servers ?? [];
    expect(detail?.status).toBe('ACTIVE');
    expect(detail?.addresses?.[ids.vpc.id]?.[0]?.addr).toBe('192.168.10.50');
  });

  it('surfaces a bad secret key as the SDK error with APIGW.0301', async () => {
    const sim = await startSim();
    const credentials = new BasicCredentials()
      .withAk(sim.accessKey)
      .withSk('wrong')
      .withProjectId(sim.projectId);
    const client = EcsClient.newBuilder().withCredential(credentials).withEndpoint(sim.url).build();
    await expect(client.listServersDetails(new ListServersDetailsRequest())).rejects.toMatchObject({
      httpStatusCode: 401,
      errorCode: 'APIGW.0301',
    });
  });
});
