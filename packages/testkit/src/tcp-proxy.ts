import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 for network fault injection between a client and
 * a real server (TLS passes through untouched). It can silently stall the
 * connections that are open now (the dead-but-not-closed connection that
 * makes watches go quiet) or cut every connection.
 */
export interface TcpProxy {
  port: number;
  /** Stops forwarding on every connection open now, without closing them; new connections work. */
  stallOpenConnections(): void;
  /** Closes every open connection at once. */
  cutOpenConnections(): void;
  /** While true, new connections are closed as soon as they arrive (the server looks down). */
  refuseNewConnections(refuse: boolean): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  /** Where to listen; a free port on 127.0.0.1 by default. */
  listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; stalled: boolean }>();
  let accepted = 0;
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, stalled: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (!pair.stalled) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get accepted() {
      return accepted;
    },
    stallOpenConnections() {
      for (const pair of pairs) pair.stalled = true;
    },
    refuseNewConnections(refuse: boolean) {
      refusing = refuse;
    },
    cutOpenConnections() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
