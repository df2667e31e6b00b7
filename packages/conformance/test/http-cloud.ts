// The fixture cloud over HTTP, so a host process of `machine.kills` reaches the machines the test's
// adapter lists: `serveCloud` in the test's process, `HttpCloud` in the host's.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudApi, CloudMachine, FixtureCloud } from './platform-fixture.ts';

export interface ServedCloud {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `cloud` on loopback: `GET /machines?namespace=&name=` (one or 404), `GET /machines/<id>`,
 * `POST /machines` with `{namespace, name}`, `DELETE /machines?namespace=&name=`.
 */
export async function serveCloud(cloud: FixtureCloud): Promise<ServedCloud> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://cloud');
    const answer = (status: number, body?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const namespace = url.searchParams.get('namespace') ?? '';
    const name = url.searchParams.get('name') ?? '';
    if (request.method === 'GET' && url.pathname === '/machines') {
      const found = await cloud.find(namespace, name);
      return found ? answer(200, found) : answer(404);
    }
    if (request.method === 'GET' && url.pathname.startsWith('/machines/')) {
      const found = await cloud.get(decodeURIComponent(url.pathname.slice('/machines/'.length)));
      return found ? answer(200, found) : answer(404);
    }
    if (request.method === 'POST' && url.pathname === '/machines') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const asked = JSON.parse(body) as { namespace: string; name: string };
      return answer(201, await cloud.create(asked.namespace, asked.name));
    }
    if (request.method === 'DELETE' && url.pathname === '/machines') {
      await cloud.remove(namespace, name);
      return answer(204);
    }
    answer(404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fixture cloud as a host process sees it. */
export class HttpCloud implements CloudApi {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  private async call(method: string, path: string, body?: unknown): Promise<CloudMachine | undefined> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (response.status === 404 || response.status === 204) return undefined;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    return (await response.json()) as CloudMachine;
  }

  find(namespace: string, name: string) {
    return this.call('GET', `/machines?${new URLSearchParams({ namespace, name })}`);
  }

  get(id: string) {
    return this.call('GET', `/machines/${encodeURIComponent(id)}`);
  }

  async create(namespace: string, name: string): Promise<CloudMachine> {
    const made = await this.call('POST', '/machines', { namespace, name });
    if (!made) throw new Error('the cloud answered no machine to a create');
    return made;
  }

  async remove(namespace: string, name: string): Promise<void> {
    await this.call('DELETE', `/machines?${new URLSearchParams({ namespace, name })}`);
  }
}
