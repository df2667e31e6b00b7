import { createServer, type Server } from 'node:http';

/**
 * The platform the example extension's platform-proxy module talks to: HTTP
 * with basic authentication, so a wrong password, a locked account and an
 * unreachable endpoint each have their real answer.
 */
export interface ExamplePlatform {
  url: string;
  /** Every Authorization header received, to check what the proxy sent. */
  seen: string[];
  close(): Promise<void>;
}

export async function startExamplePlatform(accounts: Record<string, string>, locked: string[] = []) {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    const header = request.headers.authorization ?? '';
    seen.push(header);
    const [user = '', password = ''] = Buffer.from(header.replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (locked.includes(user)) return send(423, { error: 'locked' });
    if (accounts[user] === undefined || accounts[user] !== password)
      return send(401, { error: 'unauthorized' });
    if (request.url === '/about') return send(200, { product: 'Example Platform', version: '4.2' });
    if (request.url === '/images')
      return send(200, { images: ['ubuntu-24.04-k8s-v1.35.4', 'ubuntu-24.04-k8s-v1.36.0'] });
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } satisfies ExamplePlatform;
}
