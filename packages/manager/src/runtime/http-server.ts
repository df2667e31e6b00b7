import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ProbeServerOptions {
  host: string;
  port: number;
  /** Informers synced and controllers running (or standing by for the lease). */
  ready: () => boolean;
  /** What /readyz says after `ok: ` or `not ready: `: whether this replica reconciles, or stands by. */
  readyDetail?: () => string;
  registry: Registry;
}

/** /healthz, /readyz and /metrics on one port. */
export async function startProbeServer(
  options: ProbeServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ready = options.ready();
      const detail = options.readyDetail?.();
      const text = (ready ? 'ok' : 'not ready') + (detail ? `: ${detail}` : '');
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(text);
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': options.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : options.port };
}
