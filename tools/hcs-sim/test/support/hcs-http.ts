import { afterEach } from 'vitest';
import {
  computeSignature,
  formatSdkDate,
  type HcsSimulator,
  type HcsSimulatorOptions,
  SIGNING_ALGORITHM,
  startHcsSimulator,
} from '../../src/index.js';

/** Tests read arbitrary JSON shapes from the wire. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

const running: HcsSimulator[] = [];

/** Starts a simulator that is closed after the test. */
export async function startSim(options: HcsSimulatorOptions = {}): Promise<HcsSimulator> {
  const sim = await startHcsSimulator({ faults: { jobSeconds: 0.02 }, ...options });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A minimal HCS client over fetch that signs every request with AK/SK, as the provider's client will. */
export class HcsHttp {
  constructor(
    readonly sim: HcsSimulator,
    readonly accessKey = sim.accessKey,
    readonly secretKey = sim.secretKey,
  ) {}

  get project(): string {
    return this.sim.projectId;
  }

  async call(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Answer> {
    const url = new URL(this.sim.url + pathAndQuery);
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      host: url.host,
      'x-project-id': this.sim.projectId,
      'x-sdk-date': formatSdkDate(Date.now()),
      ...extraHeaders,
    };
    const signedHeaders = Object.keys(headers).sort();
    const signature = computeSignature(
      {
        method,
        rawPath: url.pathname,
        query: url.searchParams,
        headers,
        signedHeaders,
        body: Buffer.from(text),
      },
      this.secretKey,
      headers['x-sdk-date'] ?? '',
    );
    const response = await fetch(url, {
      method,
      headers: {
        ...headers,
        Authorization: `${SIGNING_ALGORITHM} Access=${this.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
      },
      ...(text ? { body: text } : {}),
    });
    const answer = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: answer ? JSON.parse(answer) : undefined,
    };
  }

  /** Calls and expects a 2xx answer. */
  async ok(method: string, path: string, body?: unknown): Promise<Json> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Polls a job until it leaves RUNNING. */
  async waitJob(jobId: string): Promise<Json> {
    for (;;) {
      const job = await this.ok('GET', `/v1/${this.project}/jobs/${jobId}`);
      if (job.status !== 'RUNNING' && job.status !== 'INIT') return job;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async inventoryIds() {
    const vpc = (await this.ok('GET', `/v1/${this.project}/vpcs`)).vpcs[0];
    const subnets = (await this.ok('GET', `/v1/${this.project}/subnets?vpc_id=${vpc.id}`)).subnets;
    const image = (await this.ok('GET', '/v2/cloudimages?name=microos-k8s-1.34.1')).images[0];
    const group = (await this.ok('GET', `/v1/${this.project}/security-groups?vpc_id=${vpc.id}`))
      .security_groups[0];
    return { vpc, subnets, image, securityGroup: group };
  }

  /** Creates servers and waits for the job; answers the job and the server ids. */
  async createServer(server: Record<string, unknown>): Promise<{ job: Json; serverIds: string[] }> {
    const ids = await this.inventoryIds();
    const accepted = await this.ok('POST', `/v1/${this.project}/cloudservers`, {
      server: {
        name: 'node',
        imageRef: ids.image.id,
        flavorRef: 's6.large.2',
        vpcid: ids.vpc.id,
        nics: [{ subnet_id: ids.subnets[0].id }],
        root_volume: { volumetype: 'SSD' },
        availability_zone: 'az1',
        ...server,
      },
    });
    return { job: await this.waitJob(accepted.job_id), serverIds: accepted.serverIds };
  }
}

/** Fetches JSON from a /_sim path (no credentials). */
export async function simJson(
  sim: HcsSimulator,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(sim.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}
