import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generateCertificateAuthority } from '@immutable-infra/testkit';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestHttpsServer {
  url: string;
  caBundle: string;
  /** PEM of the server's own (leaf) certificate. */
  certificate: string;
  requests: SeenRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (request: SeenRequest, response: ServerResponse) => void;

/** An HTTPS server on loopback with a certificate from a fresh CA; records every request it gets. */
export async function startHttpsServer(
  handler: Handler,
  dnsNames: readonly string[] = [],
): Promise<TestHttpsServer> {
  const ca = await generateCertificateAuthority('provider-kit test CA');
  const leaf = await ca.issue({ subject: 'CN=platform', usage: 'server', ips: ['127.0.0.1'], dnsNames });
  const sockets = new Set<Socket>();
  const state = { requests: [] as SeenRequest[], connections: 0 };
  const server = createServer({ cert: leaf.certificate, key: leaf.privateKey }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.requests.push(seen);
      handler(seen, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caBundle: ca.certificate,
    certificate: leaf.certificate,
    requests: state.requests,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
