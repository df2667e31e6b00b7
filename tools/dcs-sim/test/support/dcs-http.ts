import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach } from 'vitest';
import { type DcsSimulator, type DcsSimulatorOptions, startDcsSimulator } from '../../src/index.js';

export const SITE = '3CD306E7';
export const SITE_URI = `/service/sites/${SITE}`;
export const USER = 'cluster-api';
export const PASSWORD = 'Huawei@123';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Tests read arbitrary JSON shapes from the wire. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

/** Fetches JSON from a path that needs no token (the /_sim endpoints). */
export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

const running: DcsSimulator[] = [];

/** Starts a simulator that is closed after the test. */
export async function startSim(options: DcsSimulatorOptions = {}): Promise<DcsSimulator> {
  const sim = await startDcsSimulator(options);
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A minimal DCS client over fetch, the way the provider's client talks to the VRM. */
export class DcsHttp {
  token: string | undefined;

  constructor(readonly baseUrl: string) {}

  async login(user = USER, password = PASSWORD, extraHeaders: Record<string, string> = {}): Promise<Answer> {
    const answer = await this.call('POST', '/service/session', undefined, {
      'X-Auth-User': user,
      'X-Auth-Key': sha256Hex(password),
      'X-Auth-UserType': '2',
      'X-Auth-AuthType': '0',
      ...extraHeaders,
    });
    if (answer.status === 200) this.token = answer.headers.get('x-auth-token') ?? undefined;
    return answer;
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        Accept: 'application/json;version=8.0;charset=UTF-8',
        'Content-Type': 'application/json',
        'Accept-Language': 'en_US',
        ...(this.token ? { 'X-Auth-Token': this.token } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async ok(method: string, path: string, body?: unknown): Promise<Answer['body']> {
    const answer = await this.call(method, path, body);
    if (answer.status !== 200)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Polls a task until it ends; returns the final task and every status seen on the way. */
  async waitForTask(taskUri: string): Promise<{ task: Answer['body']; seen: string[] }> {
    const seen: string[] = [];
    for (;;) {
      const task = await this.ok('GET', taskUri);
      if (seen.at(-1) !== task.status) seen.push(task.status);
      if (task.status === 'success' || task.status === 'failed') return { task, seen };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Runs an asynchronous change and waits for its task to succeed. */
  async change(method: string, path: string, body?: unknown): Promise<Answer['body']> {
    const answer = await this.ok(method, path, body);
    const { task } = await this.waitForTask(answer.taskUri);
    if (task.status !== 'success') throw new Error(`${method} ${path}: task failed: ${task.reasonDes}`);
    return answer;
  }

  /** Clones a template into a VM and waits for the clone to finish. */
  async cloneVm(name: string, extra: Record<string, unknown> = {}, template = 'i-00000002'): Promise<string> {
    const answer = await this.change('POST', `${SITE_URI}/vms/${template}/action/clone`, {
      name,
      location: `urn:sites:${SITE}:clusters:11`,
      ...extra,
    });
    return answer.uri;
  }
}

export interface RawRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** CA bundle for HTTPS. */
  ca?: string;
}

/** A request through node:http(s), for what fetch cannot do: a body on GET, a custom CA. */
export function rawRequest(options: RawRequest): Promise<Answer> {
  const url = new URL(options.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method,
        // Node frames a GET body only when told its length.
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(options.body)) }),
        },
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve({ status: res.statusCode ?? 0, headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
