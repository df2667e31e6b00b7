import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

export interface HttpListenOptions {
  host: string;
  port: number;
  /** PEM certificate and key to serve HTTPS; plain HTTP without. */
  tls?: { certificate: string; privateKey: string };
}

export interface RunningHttpServer {
  /** The port actually bound (the free port picked when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Listens with an HTTP or HTTPS server. close() destroys every open socket, since requests the
 * `timeoutRate` fault leaves unanswered would otherwise keep the server open forever.
 */
export async function listenHttp(
  options: HttpListenOptions,
  listener: RequestListener,
): Promise<RunningHttpServer> {
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.certificate, key: options.tls.privateKey }, listener)
    : createHttpServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
